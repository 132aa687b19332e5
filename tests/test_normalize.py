"""Normalisation rules, each with its offsets back to the received text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.errors import EmptyInput, UndecodableInput, UnsupportedFormat
from service.text import decode as decode_mod
from service.text.decode import decode
from service.text.normalize import _replacement, normalize, squeeze


def test_full_width_digits_and_punctuation() -> None:
    nt = normalize("申请１２３件（一）")
    assert nt.text == "申请123件(一)"
    assert nt.span(2, 5) == (2, 5)


def test_kangxi_radical_lookalikes_become_ideographs() -> None:
    # ⼀ (U+2F00 KANGXI RADICAL ONE) as PDF extractors emit it
    assert normalize("危及“三安全⼀稳定”").text == "危及“三安全一稳定”"


def test_zero_width_characters_are_dropped_and_offsets_kept() -> None:
    original = "总\u200b计\ufeff 12"
    nt = normalize(original)
    assert nt.text == "总计 12"
    start = nt.text.index("12")
    s, e = nt.span(start, start + 2)
    assert original[s:e] == "12"


def test_expanding_characters_map_back_to_one_source_character() -> None:
    original = "面积㎡ 35"  # ㎡ -> m2 under NFKC
    nt = normalize(original)
    assert nt.text == "面积m2 35"
    start = nt.text.index("35")
    s, e = nt.span(start, start + 2)
    assert original[s:e] == "35"
    s, e = nt.span(2, 4)
    assert original[s:e] == "㎡"


def test_crlf_becomes_one_newline() -> None:
    original = "一\r\n二\r\n30"
    nt = normalize(original)
    assert nt.text == "一\n二\n30"
    s, e = nt.span(nt.text.index("30"), len(nt.text))
    assert original[s:e] == "30"


def test_whitespace_inside_words_is_squeezed() -> None:
    assert squeeze("自然 人") == "自然人"
    assert squeeze(" 本 年度办 理结果 ") == "本年度办理结果"
    assert squeeze("规章 0") == "规章 0"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("政府信息公开".encode(), "utf-8"),
        ("\ufeff政府信息公开".encode(), "utf-8-sig"),
        ("政府信息公开".encode("gbk"), "gb18030"),
        ("政府信息公开".encode("gb18030"), "gb18030"),
        ("政府信息公开".encode("utf-16"), "utf-16"),
    ],
)
def test_decoding_as_chinese_sites_serve(data: bytes, encoding: str) -> None:
    text, enc = decode(data)
    assert text == "政府信息公开"
    assert enc == encoding


def test_empty_and_binary_inputs_raise_clear_errors() -> None:
    with pytest.raises(EmptyInput):
        decode(b"   \n")
    with pytest.raises(UnsupportedFormat, match="PDF"):
        decode(b"%PDF-1.7 ...")
    with pytest.raises((UnsupportedFormat, UndecodableInput)):
        decode(bytes(range(256)) * 10)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_markup_path_of_the_garbage_check_finds_the_same_characters(text: str) -> None:
    """For pages the check drops printable ASCII before its scan: the implausible characters found are the same."""
    assert decode_mod._IMPLAUSIBLE.findall(decode_mod._non_ascii_text(text)) == decode_mod._IMPLAUSIBLE.findall(text)


_REPORT_CHARS = st.sampled_from(
    [
        *[
            "、",
            "，",
            "。",
            "（",
            "）",
            "“",
            "”",
            "《",
            "》",
            "；",
            "：",
            "\u00a0",
            "—",
            "\r\n",
            "\r",
            "\u200b",
            "１",
            "ｱ",
        ],
        *["㈠", "年", "度", "申", "请", "a", "1", " ", "\n", "\u2212", "\ufe58", "\u3000", "①", "ﬁ", "〔", "〕"],
    ]
)


def test_a_replacement_is_never_replaced_again() -> None:
    """﹘ (small em dash) is — under NFKC, which is "-" here: one step, whatever order the table is applied in."""
    assert normalize("﹘—").text == "--"
    for code in range(0x110000):
        rep = _replacement(chr(code))
        assert all(_replacement(c) == c for c in rep), hex(code)


@settings(max_examples=300, deadline=None)
@given(st.lists(_REPORT_CHARS, max_size=60).map("".join))
def test_normalising_is_character_by_character_whatever_the_punctuation(text: str) -> None:
    """The frequent punctuation looked for apart from the scan normalises as every other character does, and
    every span maps back to the characters it came from."""
    nt = normalize(text)
    assert nt.text == "".join(_replacement(ch) for ch in text.replace("\r\n", "\n"))
    for i in range(len(nt.text)):
        s, e = nt.span(i, i + 1)
        source = text[s:e].replace("\r\n", "\n")
        assert nt.text[i] in "".join(_replacement(ch) for ch in source)
