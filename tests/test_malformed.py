"""Bad input: a clear error or an empty-but-valid result, never a traceback; bounded time on huge input."""

from __future__ import annotations

import time

import pytest

from service import errors
from service.errors import InputError
from service.parsers.rules import RULES
from service.pipeline import Source, extract


def test_empty_input_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="empty"):
        extract(Source(b""))


def test_binary_garbage_is_a_clear_error() -> None:
    with pytest.raises(InputError):
        extract(Source(bytes(range(256)) * 100, "garbage.bin"))


def test_pdf_bytes_are_named() -> None:
    with pytest.raises(InputError, match="PDF"):
        extract(Source(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a.txt"))


def test_report_with_no_tables_is_empty_but_valid() -> None:
    result = extract(Source("这是一篇与政府信息公开无关的文章。今天天气很好。", format="text"))
    assert result.meta.template == "narrative"
    assert set(result.flat()) == {"meta.template"}


def test_table_with_only_headers_and_no_numbers() -> None:
    text = "三、收到和处理政府信息公开申请情况\n申请人情况\n一、本年新收政府信息公开申请数量\n二、上年结转政府信息公开申请数量\n"
    result = extract(Source(text, format="text"))
    assert result.requests == {}
    assert any(f.rule == "parse.no_values" for f in result.findings)


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind",
    ["report", "digits", "spaced_zeros", "labels", "headings", "cjk", "newlines", "spaces", "fused"],
)
def test_ten_megabytes_finish_in_under_two_seconds(kind: str, corpus) -> None:  # type: ignore[no-untyped-def]
    n = 10_000_000
    base = (corpus / "02_hongze-district-2023_pdf.txt").read_text(encoding="utf-8")
    unit = {
        "report": base,
        "digits": "1",
        "spaced_zeros": "0 ",
        "labels": "予以公开",
        "headings": "一、总体情况\n",
        "cjk": "政",
        "newlines": "\n",
        "spaces": " ",
        "fused": "行政许可3960181",
    }[kind]
    text = (unit * (n // len(unit) + 1))[:n]
    t0 = time.perf_counter()
    if text.isspace():  # nothing but blanks is no report: a clear error, as fast
        with pytest.raises(errors.EmptyInput):
            extract(Source(text, format="text"))
    else:
        extract(Source(text, format="text"))
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.slow
@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.key)
def test_no_regex_backtracking_blow_up(rule) -> None:  # type: ignore[no-untyped-def]
    """Each phrase rule's literal start followed by a long run of whitespace or digits stays linear."""
    lead = rule.pattern.pattern.split("(", 1)[0] or "行政复议"
    for filler in (" " * 200_000, "1" * 200_000, "\n" * 200_000):
        text = "二、主动公开政府信息情况\n" + ("未收到" + lead + filler) * 3
        t0 = time.perf_counter()
        extract(Source(text, format="text"))
        assert time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize("body", [b"\xef\xbb\xbf\xff", b"\xff\xfeA", b"\xff\xfe\x00\xd8", b"\xfe\xff\xd8\x00"])
def test_a_byte_order_mark_then_bad_bytes_is_undecodable(body: bytes) -> None:
    with pytest.raises(errors.UndecodableInput):
        extract(Source(body))


def test_a_million_attributes_in_one_tag_cost_nothing() -> None:
    attrs = " ".join(f'a{i}="x"' for i in range(1_000_000))
    page = f"<html><body><p {attrs}>某局2023年政府信息公开工作年度报告</p></body></html>".encode()
    t0 = time.perf_counter()
    extract(Source(page, "p.html"))
    assert time.perf_counter() - t0 < 3


def test_html_nested_past_the_parsers_depth_says_so() -> None:
    page = ("<div>" * 100_000 + "某局2023年政府信息公开工作年度报告" + "</div>" * 100_000).encode()
    with pytest.raises(errors.InputError, match="deeper than an HTML parser follows"):
        extract(Source(page, "deep.html"))


def test_a_pdf_whose_contents_reference_themselves_ends() -> None:
    pdf = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
        b"4 0 obj 4 0 R endobj\ntrailer << /Root 1 0 R >>\n%%EOF"
    )
    t0 = time.perf_counter()
    result = extract(Source(pdf, "loop.pdf"))
    assert time.perf_counter() - t0 < 3
    assert [f.rule for f in result.findings] == ["input.no_text_layer"]
