"""Numeric tokens: separators, units, signs, and digits that are not values."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.text import numbers
from service.text.cnnum import parse_number
from service.text.numbers import to_wan, tokenize


def toks(text: str) -> list[tuple[str, object, str | None]]:
    return [(text[t.start : t.end], t.value, t.unit) for t in tokenize(text, 0, len(text))]


def test_thousands_separators_and_decimals() -> None:
    assert toks("政府集中采购 10 1,060.6") == [("10", 10, None), ("1,060.6", Decimal("1060.6"), None)]


def test_money_units() -> None:
    assert toks("1 1.95万元") == [("1", 1, None), ("1.95万元", Decimal("1.95"), "万元")]
    (_, value, unit) = toks("75394432.52元")[0]
    assert to_wan(value, unit) == 7539.443252  # type: ignore[arg-type]


def test_negative_changes() -> None:
    assert [v for _, v, _ in toks("行政处罚 2 -1 0")] == [2, -1, 0]
    assert [v for _, v, _ in toks("行政许可 5 减4 3")] == [5, -4, 3]
    assert [v for _, v, _ in toks("行政许可 5 增加4 3")] == [5, 4, 3]


def test_list_numbers_footers_and_articles_are_not_values() -> None:
    text = "0000002.没有现成信息\n- 3 -\n第二十条第(五)项 信息内容 4 (1)予以公开 2023年12月31日 7"
    assert [v for _, v, _ in toks(text)] == [0, 4, 7]
    assert toks("0000002.没有")[0][0] == "000000"


def test_blank_cell_marks_count_as_zero() -> None:
    assert [v for _, v, _ in toks("行政许可 | - | / | 3")] == [0, 0, 3]


def test_chinese_numerals_in_prose() -> None:
    assert parse_number("六") == 6
    assert parse_number("一千二百") == 1200
    assert parse_number("1.2万") == 12000
    assert parse_number("1,136") == 1136
    assert parse_number("不是数") is None


def test_page_footer_dashes_are_not_blank_cells() -> None:
    assert toks("行政许可 550\n第二十条第(六)项\n- 2 -\n行政处罚 4119") == [("550", 550, None), ("4119", 4119, None)]


def test_a_sign_word_must_touch_its_number() -> None:
    assert [v for _, v, _ in toks("本年增/减\n0 3")] == [0, 3]
    assert [v for _, v, _ in toks("减少4")] == [-4]


# The tokeniser's scanning patterns are written to start with a character class (speed); these are the
# plain forms they stand for, which must find exactly the same spans anywhere, inside any [start, end).
_READABLE = {
    "_BLANK": re.compile(r"(?<![^\s|])[-/无](?![^\s|])"),
    "_DIGITS": re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"),
}


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="0123456789,.-/无 \t\n|年元万a１", max_size=16), st.data())
def test_scanning_patterns_match_their_plain_forms(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    for name, plain in _READABLE.items():
        fast = getattr(numbers, name)
        assert [m.span() for m in fast.finditer(text, start, end)] == [
            m.span() for m in plain.finditer(text, start, end)
        ], name
    if numbers._FOOTER.search(text, start, end):
        assert numbers._FOOTER_CORE.search(text, start, end)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="0123456789,.-/无 \t\n\u3000|年元万a١٣𝟙٫", max_size=24), st.data())
def test_hand_written_scans_find_what_the_patterns_find(text: str, data: st.DataObject) -> None:
    """The tokeniser scans by hand (speed); the patterns are the specification, inside any [start, end)."""
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert numbers._digit_spans(text, start, end) == [m.span() for m in numbers._DIGITS.finditer(text, start, end)]
    assert numbers._blank_marks(text, start, end) == [m.start() for m in numbers._BLANK.finditer(text, start, end)]


@pytest.mark.parametrize("text", ["1234,567 1,2345 12,345.6.7", "٣,٣٣٣ 1,234,5678.9", "-/ 无|-无 /-"])
def test_hand_written_scans_on_the_hard_cases(text: str) -> None:
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1):
            assert numbers._digit_spans(text, start, end) == [
                m.span() for m in numbers._DIGITS.finditer(text, start, end)
            ]
            assert numbers._blank_marks(text, start, end) == [
                m.start() for m in numbers._BLANK.finditer(text, start, end)
            ]


def test_the_digit_check_skips_no_decimal_digit() -> None:
    """Below U+0660 and among the ideographs there is no decimal digit but ASCII's: the check's shortcut."""
    assert [c for c in [*range(0x80, 0x660), *range(0x3400, 0xA000)] if chr(c).isdecimal()] == []
    assert all(numbers._is_digit(chr(c), 0) == bool(re.fullmatch(r"\d", chr(c))) for c in range(0x10000))


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=" \n\t\u3000\u2028.、a1汉", max_size=10), st.data())
def test_numbering_check_answers_as_its_regex(text: str, data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, len(text)))
    assert numbers._numbering_after(text, pos) == (numbers._NUMBERING_AFTER.match(text, pos) is not None)
