"""HTML, DOCX and PDF: random valid reports rendered as offices and sites write them, read back exactly;
hostile files get a clear error within bounded resources."""

from __future__ import annotations

import contextlib
import io
import random
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evals.synth.docs import to_docx, to_html, to_pdf
from evals.synth.text import random_report
from service import errors
from service.errors import InputError, InputTooLarge
from service.formats.registry import detect
from service.pipeline import Source, extract


def _check(data: bytes, name: str, seed: int, template: str, rep: object) -> None:
    result = extract(Source(data, name))
    expected = rep.flat()  # type: ignore[attr-defined]
    got = result.flat()
    assert got == expected, {
        k: (got.get(k), expected.get(k)) for k in set(got) | set(expected) if got.get(k) != expected.get(k)
    }
    assert result.text is not None
    for key, fv in result.fields().items():
        p = fv.provenance
        assert result.text[p.start : p.end] == p.raw, key


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), template=st.sampled_from(["2019", "2021"]), js=st.booleans())
def test_html_round_trip(seed: int, template: str, js: bool) -> None:
    rep = random_report(random.Random(seed), template, big=True)
    _check(to_html(rep, js_table=js).encode("utf-8"), "r.html", seed, template, rep)


def test_html_in_gbk_with_a_charset_meta() -> None:
    rep = random_report(random.Random(3), "2019", big=True)
    markup = to_html(rep).replace('<meta charset="utf-8">', '<meta charset="gb2312">')
    _check(markup.encode("gb18030"), "r.htm", 3, "2019", rep)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), template=st.sampled_from(["2019", "2021"]))
def test_docx_round_trip(seed: int, template: str) -> None:
    rep = random_report(random.Random(seed), template, big=True)
    _check(to_docx(rep), "r.docx", seed, template, rep)


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), template=st.sampled_from(["2019", "2021"]))
def test_pdf_round_trip(seed: int, template: str) -> None:
    rep = random_report(random.Random(seed), template, big=True)
    _check(to_pdf(rep), "r.pdf", seed, template, rep)


def test_format_detection_by_content() -> None:
    rep = random_report(random.Random(1), "2021")
    assert detect(to_docx(rep), "report.txt").name == "docx"
    assert detect(to_pdf(rep), "report.html").name == "pdf"
    assert detect(to_html(rep).encode(), "report.txt").name == "html"
    assert detect("一、总体情况\n正文".encode(), "report.html").name == "text"
    assert detect("一、总体情况\n正文".encode(), None, "text/html").name == "html"
    assert detect(b"%PDF-1.4 whatever", None, "text/plain").name == "pdf"
    with pytest.raises(errors.UnsupportedFormat):
        detect(b"PK\x03\x04not a zip", "x.docx")


def test_scanned_pdf_says_it_has_no_text_layer() -> None:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(100, 100, 300, 400, fill=1)  # a page that is only a picture
    c.showPage()
    c.save()
    result = extract(Source(buf.getvalue(), "scan.pdf"))
    assert result.flat() == {"meta.template": "narrative"}
    assert [f.rule for f in result.findings] == ["input.no_text_layer"]


@pytest.mark.slow
def test_pdf_with_thousands_of_pages_is_refused_quickly() -> None:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for _ in range(3000):
        c.showPage()
    c.save()
    t0 = time.perf_counter()
    with pytest.raises(InputTooLarge, match="3000 pages"):
        extract(Source(buf.getvalue(), "huge.pdf"))
    assert time.perf_counter() - t0 < 10


def test_docx_zip_bomb_is_refused_without_inflating() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * (300 * 1024 * 1024) + b"</w:document>")
    data = buf.getvalue()
    assert len(data) < 2 * 1024 * 1024
    t0 = time.perf_counter()
    with pytest.raises(InputTooLarge, match="zip bomb"):
        extract(Source(data, "bomb.docx"))
    assert time.perf_counter() - t0 < 2


def test_broken_docx_and_pdf_are_clear_errors() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "not xml at all <<<")
    with pytest.raises(InputError):
        extract(Source(buf.getvalue(), "broken.docx"))
    with pytest.raises(InputError):
        extract(Source(b"%PDF-1.7\n garbage garbage", "broken.pdf"))


def test_deeply_nested_html_is_bounded() -> None:
    markup = "<html><body>" + "<div>" * 100_000 + "规章 1 2 3" + "</div>" * 100_000 + "</body></html>"
    t0 = time.perf_counter()
    with contextlib.suppress(InputError):
        extract(Source(markup.encode(), "deep.html"))
    assert time.perf_counter() - t0 < 5


def test_fifty_megabyte_upload_is_413() -> None:
    from fastapi.testclient import TestClient

    from service.api.app import create_app
    from service.settings import Settings

    with TestClient(create_app(Settings())) as client:
        r = client.post("/v1/extract", content=b"0" * (50 * 1024 * 1024), headers={"content-type": "text/plain"})
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "input_too_large"
