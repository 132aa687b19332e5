"""Numeric tokens: separators, units, signs, and digits that are not values."""

from __future__ import annotations

from decimal import Decimal

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
