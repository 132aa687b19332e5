"""Scans and images through text recognition (RapidOCR, its wheel's models): never a wrong value and at least
95% of values right, clean or noisy; values that are kept carry method ocr, their page, box and confidence;
hostile sizes are refused before decoding."""

from __future__ import annotations

import io
import random

import pytest

from evals.ocr_eval import scan
from evals.synth.docs import to_pdf
from evals.synth.text import random_report
from service import errors
from service.formats import ocr, ruled
from service.pipeline import Source, extract

pytestmark = pytest.mark.slow
if not ocr.available():
    pytest.skip("rapidocr_onnxruntime is not installed (pip install 'nianbao[ocr]')", allow_module_level=True)


def _scan(seed: int, noisy: bool = False, stamped: bool = False) -> tuple[object, bytes]:
    """A generated report printed to PDF, rasterised at 150 dpi, saved as an image-only PDF (a scan); noisy:
    rotated up to 1 degree and JPEG-compressed; stamped: a red seal over the request table."""
    rng = random.Random(seed)
    report = random_report(rng, "2021" if seed % 2 else "2019")
    return report, scan(to_pdf(report), noisy, rng, stamped=stamped)


def _right(report: object, result: object) -> float:
    got, expected = result.flat(), report.flat()  # type: ignore[attr-defined]
    assert [k for k in expected if k in got and got[k] != expected[k]] == []
    assert not [k for k in got if k not in expected]
    return sum(1 for k in expected if k in got) / len(expected)


@pytest.mark.parametrize(
    ("seed", "noisy", "stamped", "least"),
    [
        (1, False, False, 0.95),
        (2, False, False, 0.95),
        (3, True, False, 0.95),
        (5, True, False, 0.95),
        (108, True, False, 0.95),  # its `-3` once read as `3`: the minus sign is a glyph the reading lacks
        (4, True, True, 0.85),
    ],
)
def test_a_scanned_report_reads_no_wrong_value_and_nearly_every_value(
    seed: int, noisy: bool, stamped: bool, least: float
) -> None:
    """Clean and noisy scans: at least 95% of values right; under a red seal, where the seal breaks a ruling
    line and two cells read as one, those cells are null: at least 85%. Never a wrong one."""
    report, data = _scan(seed, noisy, stamped)
    result = extract(Source(data, "scan.pdf"))
    assert _right(report, result) >= least


def test_a_scanned_report_says_where_each_value_came_from() -> None:
    report, data = _scan(1)
    result = extract(Source(data, "scan.pdf"))
    got, expected = result.flat(), report.flat()  # type: ignore[attr-defined]
    _right(report, result)
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


def test_a_scan_of_2000_pages_is_refused_before_any_page_is_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(2000):
        pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    monkeypatch.setattr(ocr, "_render", lambda *_: pytest.fail("a page was rendered"))
    with pytest.raises(errors.InputTooLarge, match="2000 pages"):
        extract(Source(buf.getvalue(), "long-scan.pdf"))


def test_recognition_stops_when_pages_take_longer_than_their_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each page's work is bounded by its pixels; a document's pages together by the budget per page."""
    from PIL import Image

    image = Image.new("RGB", (200, 200), "white")
    clock = iter(float(t) for t in range(0, 10_000, 100))
    monkeypatch.setattr(ocr, "monotonic", lambda: next(clock))
    monkeypatch.setattr(ocr, "MAX_SECONDS_PER_PAGE", 50)
    with pytest.raises(errors.InputTooLarge, match="took"):
        ocr._recognise([image, image, image], 3, "slow.pdf")


def test_a_table_split_over_two_scanned_pages_reads_as_one() -> None:
    """The request table cut between two rows, its second half on the next page without a header (as an A4
    scan prints it): the grid reader continues it."""
    import pypdfium2 as pdfium

    report = random_report(random.Random(1), "2021")
    image = pdfium.PdfDocument(to_pdf(report))[0].render(scale=150 / 72).to_pil().convert("RGB")
    requests = ruled.tables(ocr._gray(image))[1]
    tops = sorted({c.box[1] for c in requests.cells})
    cut = tops[len(tops) // 2] - 1  # on a ruling line, which both pages keep
    first, second = image.crop((0, 0, image.width, cut + 2)), image.crop((0, cut - 2, image.width, image.height))
    buf = io.BytesIO()
    first.save(buf, "PDF", resolution=150, save_all=True, append_images=[second])
    result = extract(Source(buf.getvalue(), "split.pdf"))
    assert _right(report, result) == 1.0
    assert {fv.provenance.ocr.page for k, fv in result.fields().items() if k.startswith("requests.")} == {1, 2}  # type: ignore[union-attr]
