"""Scanned PDF pages and images -> text, through RapidOCR (the PP-OCR Chinese models its wheel ships: nothing
is downloaded at run time). An optional extra: `pip install 'nianbao[ocr]'`.

Recognised text boxes become lines as the page shows them (by vertical position, left to right, a space
between boxes), so a table row is its label and its numbers on one line and the same table reader runs.
Every box keeps its page, its place and the recogniser's confidence (`OcrBox`, spans in the derived text):
the pipeline marks the values read from them as method `ocr` and leaves a value null where its box is
below the confidence threshold or its row breaks the template's arithmetic.
Bounds: pages, pixels per page and the image size are capped before anything is decoded or recognised.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from typing import Any

from service import errors
from service.formats.layout import lines

MAX_OCR_PAGES = 50
MAX_PIXELS = 40_000_000  # an image larger than this (about 6300 x 6300) is refused before decoding
RENDER_DPI = 150
MAX_SIDE = 4000  # a rendered page is scaled down to fit


@dataclass(frozen=True)
class OcrBox:
    start: int  # span in the derived text
    end: int
    page: int
    box: tuple[float, float, float, float]
    confidence: float


def available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def _require(name: str | None) -> None:
    if not available():
        raise errors.UnsupportedFormat(
            f"{name or 'the input'} needs text recognition (a scan or an image): install it with "
            "pip install 'nianbao[ocr]'",
            source=name,
            missing="ocr",
        )


def ocr_pdf(data: bytes, name: str | None) -> tuple[str, list[OcrBox], int]:
    """(text, boxes, pages) of a PDF whose pages have no text layer."""
    import pypdfium2 as pdfium

    _require(name)
    pdf = pdfium.PdfDocument(data)
    try:
        pages = len(pdf)
        if pages > MAX_OCR_PAGES:
            raise errors.InputTooLarge(
                f"{name or 'the input'} is a scan of {pages} pages, over the {MAX_OCR_PAGES} this service "
                "recognises for one report",
                source=name,
                pages=pages,
                limit=MAX_OCR_PAGES,
            )
        images = []
        for i in range(pages):
            page = pdf[i]
            width, height = page.get_size()
            scale = min(RENDER_DPI / 72, MAX_SIDE / max(width, height, 1))
            images.append(page.render(scale=scale).to_pil())
            page.close()
    finally:
        pdf.close()
    return _recognise(images)


def ocr_image(data: bytes, name: str | None) -> tuple[str, list[OcrBox], int]:
    """(text, boxes, 1) of a PNG or JPEG image."""
    from PIL import Image

    _require(name)
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only: the size is known before any decoding
        width, height = image.size
    except Image.DecompressionBombError as exc:  # PIL's own bound, far above ours
        raise errors.InputTooLarge(f"{name or 'the input'}: {exc}", source=name, limit=MAX_PIXELS) from exc
    except Exception as exc:  # PIL raises many kinds on a broken image
        raise errors.InputError(f"{name or 'the input'} is not a readable image: {exc}", source=name) from exc
    if width * height > MAX_PIXELS:  # pixels, not bytes: a small PNG can decode to gigabytes
        raise errors.InputTooLarge(
            f"{name or 'the input'} is {width} x {height} pixels, over the limit of {MAX_PIXELS} pixels",
            source=name,
            pixels=width * height,
            limit=MAX_PIXELS,
        )
    scale = min(1.0, MAX_SIDE / max(width, height))
    rgb: Any = image.convert("RGB")
    if scale < 1:
        rgb = rgb.resize((int(width * scale), int(height * scale)))
    return _recognise([rgb])


def _recognise(images: list[Any]) -> tuple[str, list[OcrBox], int]:
    import numpy as np

    lines_out: list[str] = []
    boxes: list[OcrBox] = []
    pos = 0
    for number, image in enumerate(images, start=1):
        found, _ = _engine()(np.asarray(image.convert("RGB")))
        for line in _lines(found or []):
            parts: list[str] = []
            for text, box, confidence in line:
                if parts:
                    parts.append(" ")
                    pos += 1
                parts.append(text)
                boxes.append(OcrBox(pos, pos + len(text), number, box, confidence))
                pos += len(text)
            lines_out.append("".join(parts))
            pos += 1  # the line break
    return "\n".join(lines_out) + "\n", boxes, len(images)


Box = tuple[str, tuple[float, float, float, float], float]  # text, (left, top, right, bottom), confidence


def _lines(found: list[Any]) -> list[list[Box]]:
    """Recognised boxes as lines; a box much taller than the text's usual height (a merged label cell's text
    wrapped over rows) does not stretch its line over its neighbours."""
    items: list[Box] = []
    for quad, text, confidence in found:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        items.append((str(text), (min(xs), min(ys), max(xs), max(ys)), float(confidence)))
    return lines(items, lambda b: (b[1][1], b[1][3]), lambda b: b[1][0], tall=2)
