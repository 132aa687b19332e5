"""Scans and images through text recognition (RapidOCR, its wheel's models): never a wrong value; values that
are kept carry method ocr, their page, box and confidence; hostile sizes are refused before decoding."""

from __future__ import annotations

import io
import random

import pytest

from evals.synth.docs import to_pdf
from evals.synth.text import random_report
from service import errors
from service.formats import ocr
from service.pipeline import Source, extract

pytestmark = pytest.mark.slow
if not ocr.available():
    pytest.skip("rapidocr_onnxruntime is not installed (pip install 'nianbao[ocr]')", allow_module_level=True)


def _scan(seed: int) -> tuple[object, bytes]:
    """A generated report printed to PDF, rasterised at 150 dpi, saved as an image-only PDF (a scan)."""
    import pypdfium2 as pdfium

    report = random_report(random.Random(seed), "2021")
    pdf = pdfium.PdfDocument(to_pdf(report))
    image = pdf[0].render(scale=150 / 72).to_pil().convert("RGB")
    buf = io.BytesIO()
    image.save(buf, "PDF", resolution=150)
    return report, buf.getvalue()


def test_a_scanned_report_reads_no_wrong_value_and_says_where_each_came_from() -> None:
    report, data = _scan(1)
    result = extract(Source(data, "scan.pdf"))
    got, expected = result.flat(), report.flat()  # type: ignore[attr-defined]
    assert [k for k in expected if k in got and got[k] != expected[k]] == []
    assert not [k for k in got if k not in expected]
    recognised = [fv for k, fv in result.fields().items() if not k.startswith("meta.")]
    assert recognised and all(fv.provenance.method.value == "ocr" for fv in recognised)
    source = recognised[0].provenance.ocr
    assert source is not None and source.page == 1 and 0 < source.confidence <= 1 and len(source.box) == 4
    assert result.text and all(
        result.text[fv.provenance.start : fv.provenance.end] == fv.provenance.raw for fv in recognised
    )
    missing = [k for k in expected if k not in got]
    assert not missing or any(f.kind in ("parse", "ocr") for f in result.findings)


def test_an_image_too_large_is_refused_before_it_is_decoded() -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buf, "PNG")
    with pytest.raises(errors.InputTooLarge, match="pixels"):
        extract(Source(buf.getvalue(), "huge.png"))
