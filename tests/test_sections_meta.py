"""Section headings in every numbering style seen, titles, and template detection."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.parsers import sections
from service.parsers.meta import read_meta
from service.parsers.sections import segment
from service.pipeline import Source, extract


@pytest.mark.parametrize(
    "heading",
    [
        "三、收到和处理政府信息公开申请情况",
        "3、 收到和处理政府信息公开申请情况",
        "（三）收到和处理政府信息公开申请情况",
        "收到和处理政府信息公开申请情况",
        "三、收 到和处理政府信息公开申请情况",
    ],
)
def test_request_heading_numbering_styles(heading: str) -> None:
    text = f"一、总体情况\n正文。\n二、主动公开政府信息情况\n表。\n{heading}\n申请表\n四、政府信息公开行政复议、行政诉讼情况\n"
    sections = segment(text)
    assert text[sections["requests"].start : sections["requests"].end].strip() == "申请表"


def test_typo_and_variant_headings() -> None:
    text = (
        "一、总体情况\n甲\n二、主动公开政府信息情况\n乙\n三、收到和处理政府信息公开申请情况\n丙\n"
        "四、政府信息公开行政法复议、行政诉讼情况\n丁\n五、存在问题及改进措施\n戊\n六、其他报告事项\n己"
    )
    sections = segment(text)
    assert list(sections) == ["overview", "proactive", "requests", "review", "problems", "other"]
    assert text[sections["review"].start : sections["review"].end].strip() == "丁"


def test_section_list_in_a_preamble_is_not_a_heading() -> None:
    text = (
        "本报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况等部分。"
        "一、总体情况2019年，我区…二、主动公开政府信息情况 表 三、收到和处理政府信息公开申请情况 表"
    )
    sections = segment(text)
    assert text[sections["overview"].start :].startswith("2019年")


def test_subsection_with_the_same_words_loses_to_the_numbered_heading() -> None:
    text = "一、总体情况\n（一）主动公开政府信息情况\n概述。\n二、主动公开政府信息情况\n表格\n"
    sections = segment(text)
    assert text[sections["proactive"].start : sections["proactive"].end].strip() == "表格"


@pytest.mark.parametrize(
    ("head", "organ", "year"),
    [
        ("驻马店市文化广电和旅游局2020年政府信息公开工作年度报告\n", "驻马店市文化广电和旅游局", 2020),
        ("2022年嵊州市文化广电旅游局政府信息公开工作年度报告 | |||\n", "嵊州市文化广电旅游局", 2022),
        ("三门峡市文化广电和旅游局\n2024年政府信息公开工作年度报告\n", "三门峡市文化广电和旅游局", 2024),
        ("标题: 平潭综合实验区2019年度政府信息公开工作年度报告\n", "平潭综合实验区", 2019),
        ("洪泽区人民政府\n2023 年政府信息公开工作年度报告\n", "洪泽区人民政府", 2023),
    ],
)
def test_title_shapes(head: str, organ: str, year: int) -> None:
    meta = read_meta(head + "一、总体情况\n")
    assert meta.organ is not None and meta.organ.value == organ
    assert meta.year is not None and meta.year.value == year


def test_no_title_no_guess() -> None:
    meta = read_meta("投稿:huoruiqi 来源:时间:2021年01月31日\n一、 总体情况\n")
    assert meta.organ is None and meta.year is None


def test_year_from_the_statistics_period() -> None:
    meta = read_meta("本报告所列数据的统计期限自2019年1月1日起至2019年12月31日止。")
    assert meta.year is not None and meta.year.value == 2019


def test_template_from_column_headers_not_year() -> None:
    text = (
        "某局2024年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项\n"
        "信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n规章 0 0 0\n规范性文件 1 1 1\n"
    )
    result = extract(Source(text, format="text"))
    assert result.meta.template == "2019"
    assert result.meta.year is not None and result.meta.year.value == 2024
    assert result.meta.template_evidence is not None
    assert result.meta.template_evidence.raw == "本年新制作数量"


def test_narrative_report() -> None:
    result = extract(Source("某局2022年政府信息公开工作年度报告\n一、总体情况\n我局全年工作有序。", format="text"))
    assert result.meta.template == "narrative"
    assert result.requests == {} and result.review == {}


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "因",
                "政府信息公开",
                "政府",
                "申请",
                "行政",
                "法",
                "复议",
                "、",
                "和",
                "提起",
                "诉讼",
                "的",
                "情况",
                " ",
                "\n",
                "x",
            ]
        ),
        max_size=10,
    )
)
def test_review_title_pattern_matches_its_plain_form(pieces: list[str]) -> None:
    """The review title is written one branch per first character (speed); it matches what the plain form does."""
    plain = re.compile(
        r"(?:因\s*)?(?:政\s*府\s*信\s*息\s*公\s*开\s*)?(?:申\s*请\s*)?行\s*政\s*法?\s*复\s*议\s*"
        r"[、,和及与\s]*(?:提\s*起\s*)?行\s*政\s*诉\s*讼\s*(?:的\s*)?(?:情\s*况)?"
    )
    text = "".join(pieces)
    assert [m.span() for m in sections._PATTERNS["review"].finditer(text)] == [m.span() for m in plain.finditer(text)]


_FRAGMENTS = [
    "总体情况",
    "概述",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "依申请公开政府信息情况",
    "因政府信息公开申请行政复议、行政诉讼情况",
    "行政复议和行政诉讼",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
    "一、",
    "（三）",
    "\n",
    " ",
    "申请",
    "事项",
    "改进",
    "依",
    "其",
    "政",
    "行",
    "x",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=30), st.data())
def test_title_search_answers_as_a_window_scan(pieces: list[str], data: st.DataObject) -> None:
    """_containing tries a title only where it can begin; it finds what scanning the whole window finds."""
    text = "".join(pieces)
    if not text:
        return
    pos = data.draw(st.integers(0, len(text) - 1))
    lo, hi = max(0, pos - sections._WINDOW), min(len(text), pos + sections._WINDOW)
    for name, pattern in sections._PATTERNS.items():
        scan = next((m for m in pattern.finditer(text, lo, hi) if m.start() <= pos < m.end()), None)
        got = sections._containing(pattern, sections._FIRST_CHARS[name], text, lo, hi, pos)
        assert (got and got.span()) == (scan and scan.span()), name


def test_letter_form_report_takes_the_organ_from_its_signature() -> None:
    from service.parsers.meta import read_meta

    text = (
        "2023年政府信息公开工作年度报告\n市政府办公室：\n现将本局2023年政府信息公开工作年度报告报送如下。\n"
        "特此函告。\n\n 平潭综合实验区市场监督管理局\n 2024年1月27日\n"
    )
    meta = read_meta(text)
    assert meta.organ is not None and meta.organ.value == "平潭综合实验区市场监督管理局"
    assert text[meta.organ.start : meta.organ.end] == "平潭综合实验区市场监督管理局"
    assert (
        read_meta("关于报送2023年度政府信息公开工作年度报告的函\n此函。\n某县自然资源局 2024年1月5日").organ.value
        == "某县自然资源局"
    )  # type: ignore[union-attr]


def test_markdown_titles_read_without_their_markup() -> None:
    text = "**标题：** 某市生态环境局2023年政府信息公开工作年度报告\n\n| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 0 |\n"
    result = extract(Source(text.encode(), "report.md"))
    assert result.source.format == "markdown"
    assert result.flat()["meta.organ"] == "某市生态环境局"
    assert result.flat()["meta.year"] == 2023
