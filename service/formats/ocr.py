"""Scanned PDF pages and images -> text and table grids, through RapidOCR (the PP-OCR Chinese models its wheel
ships: nothing is downloaded at run time). An optional extra: `pip install 'nianbao[ocr]'`.

A page is levelled first (`ruled.skew`). Its ruled tables (`service.formats.ruled`) become grids, as an HTML
or DOCX table does: each cell's lines of ink are cropped and recognised on their own, so a blank cell is
blank, a number stays in its column and a label wrapped over lines is one label. The rest of the page (the
title, the prose, an unruled table) is detected and recognised whole, and its boxes become lines as the page
shows them. Page by page, the derived text holds the prose lines and the tables in the order they stand,
one cell per line (as a DOCX's), so the same parsers, rules and checks run.
Every cell and box keeps its page, its place and the recogniser's confidence (`OcrBox`, spans in the derived
text): the pipeline marks the values read from them as method `ocr` and leaves a value null where the
recogniser was unsure or its row breaks the template's arithmetic. A cell with ink that reads as nothing is
`?`: no number, so null with a finding, never a blank cell's zero.
Bounds: pages, pixels per page and the image size are capped before anything is decoded or recognised.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from time import monotonic
from typing import Any

from service import errors
from service.formats import ocr_lines, ruled
from service.formats.layout import lines
from service.text.grid import Grid, GridCell

MAX_OCR_PAGES = 50
MAX_PIXELS = 40_000_000  # an image larger than this (about 6300 x 6300) is refused before decoding
RENDER_DPI = 150
MAX_SIDE = 4000  # a rendered page is scaled down to fit
MAX_SECONDS_PER_PAGE = 60
SEAL_MARGIN = 15  # red over green and blue, out of 255, that marks a seal's ink


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


def ocr_pdf(data: bytes, name: str | None) -> Recognised:
    """What recognition reads on a PDF whose pages have no text layer."""
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
        return _recognise((_render(pdf, i) for i in range(pages)), pages, name)
    finally:
        pdf.close()


def _render(pdf: Any, index: int) -> Any:
    """One page as an image, at the recognition resolution or smaller (a page is rendered only when its turn
    comes, so a long scan never holds more than one page's pixels)."""
    page = pdf[index]
    try:
        width, height = page.get_size()
        scale = min(RENDER_DPI / 72, MAX_SIDE / max(width, height, 1))
        return page.render(scale=scale).to_pil()
    finally:
        page.close()


def ocr_image(data: bytes, name: str | None) -> Recognised:
    """What recognition reads on a PNG or JPEG image."""
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
    return _recognise([rgb], 1, name)


@dataclass(frozen=True)
class Recognised:
    """What recognition made of a scan: the derived text, each recognised piece's span and source, the ruled
    tables as grids placed in that text, and the page count."""

    text: str
    boxes: list[OcrBox]
    grids: list[Grid]
    pages: int


class _Out:
    """Lines joined by newlines, with the offset where each next line starts, and the boxes and grids placed
    in them."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.boxes: list[OcrBox] = []
        self.grids: list[Grid] = []

    def line(self, text: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(text)
        self.pos += len(text) + 1
        return start, start + len(text)

    def result(self, pages: int) -> Recognised:
        return Recognised("\n".join(self.parts) + "\n", self.boxes, self.grids, pages)


Box = tuple[str, tuple[float, float, float, float], float]  # text, (left, top, right, bottom), confidence
UNREAD = "?"  # a cell with ink the recogniser read as nothing


def _recognise(images: Iterable[Any], pages: int, name: str | None) -> Recognised:
    """Page by page, within a time budget of MAX_SECONDS_PER_PAGE for each page (checked between pages: one
    page's work is bounded by its pixels)."""
    out = _Out()
    started = monotonic()
    for number, image in enumerate(images, start=1):
        _page(_gray(image), number, out)
        spent = monotonic() - started
        if spent > MAX_SECONDS_PER_PAGE * number and number < pages:
            raise errors.InputTooLarge(
                f"{name or 'the input'}: recognising its first {number} of {pages} pages took {spent:.0f} s, over "
                f"the {MAX_SECONDS_PER_PAGE} s a page may take",
                source=name,
                pages=pages,
                limit=MAX_SECONDS_PER_PAGE,
            )
    return out.result(pages)


def _gray(image: Any) -> Any:
    """The page in grey, with a red seal's ink taken out: a stamp printed over a table would otherwise be dark
    strokes across its cells (red is as dark as black in grey). Where red dominates green and blue by d, the
    pixel's grey is its red channel lightened by d/2: the seal's ink and its blurred pink fringe go white,
    while toner under the seal (dark in red too) stays dark."""
    import numpy as np

    rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    gray = 0.299 * red + 0.587 * green + 0.114 * blue
    dominance = red - np.maximum(green, blue)
    seal = dominance > SEAL_MARGIN
    gray[seal] = np.minimum(255, red[seal] + dominance[seal] // 2)
    return gray.astype(np.uint8)


def _page(gray: Any, number: int, out: _Out) -> None:
    """One page into `out`: its prose lines and its tables, top to bottom."""
    import cv2

    angle = ruled.skew(gray)
    level, back = ruled.rotate(gray, angle) if abs(angle) >= 0.05 else (gray, None)
    found = ruled.tables(level)
    rest = level.copy()
    for t in found:
        left, top, right, bottom = t.box
        rest[top:bottom, left:right] = 255
    boxes, _ = _engine()(cv2.cvtColor(rest, cv2.COLOR_GRAY2BGR))
    blocks: list[tuple[float, list[Box] | ruled.RuledTable]] = [
        *((min(b[1][1] for b in line), line) for line in _lines(boxes or [])),
        *((float(t.box[1]), t) for t in found),
    ]
    read = _read_cells(level, found)
    for _, item in sorted(blocks, key=lambda b: b[0]):
        if isinstance(item, ruled.RuledTable):
            _table(item, read, number, back, out)
        else:
            _prose_line(item, number, back, out)


def _prose_line(line: list[Box], page: int, back: Any, out: _Out) -> None:
    parts: list[str] = []
    start = out.pos
    for text, box, confidence in line:
        if parts:
            parts.append(" ")
        at = start + sum(len(p) for p in parts)
        parts.append(text)
        out.boxes.append(OcrBox(at, at + len(text), page, _unlevel(box, back), confidence))
    out.line("".join(parts))


def _table(
    table: ruled.RuledTable, read: dict[ruled.CellBox, tuple[str, float]], page: int, back: Any, out: _Out
) -> None:
    """A ruled table into `out`, one cell per line and a blank line after each row (a DOCX's layout), and its
    grid, each cell at every position it covers."""
    rows: list[list[GridCell | None]] = [[None] * table.cols for _ in range(table.rows)]
    by_row: dict[int, list[ruled.CellBox]] = {}
    for cell in table.cells:
        by_row.setdefault(cell.row, []).append(cell)
    for r in range(table.rows):
        for cell in sorted(by_row.get(r, []), key=lambda c: c.col):
            text, confidence = read[cell]
            start, end = out.line(text)
            placed = GridCell(text, start, end, cell.row, cell.col)
            if text:
                out.boxes.append(OcrBox(start, end, page, _unlevel(cell.box, back), confidence))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if r + dr < table.rows and cell.col + dc < table.cols:
                        rows[r + dr][cell.col + dc] = placed
        out.line("")
    empty = GridCell("", out.pos, out.pos)
    out.grids.append(Grid([[c if c is not None else empty for c in row] for row in rows]))


def _read_cells(level: Any, found: list[ruled.RuledTable]) -> dict[ruled.CellBox, tuple[str, float]]:
    """Each cell's text and the recogniser's least confidence over its lines: every line of every cell is
    cropped with a white margin and recognised in one batch (the recogniser reads one line at a time)."""
    import cv2
    import numpy as np

    crops: list[Any] = []
    owners: list[tuple[ruled.CellBox, int]] = []
    for table in found:
        for cell in table.cells:
            for line in ruled.text_lines(level, cell.box):
                left, top, right, bottom = line
                pad = max(4, (bottom - top) // 3)
                crop = np.pad(level[top:bottom, left:right], pad, constant_values=255)
                crops.append(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR))
                owners.append((cell, ruled.glyphs(level, line)))
    texts: dict[ruled.CellBox, list[tuple[str, float]]] = {}
    for (cell, shown), reading in zip(owners, ocr_lines.read(crops, _engine()), strict=True):
        confidence = reading.confidence
        if reading.number and len(reading.text) < shown:  # a character the page shows was not read
            confidence = 0.0
        texts.setdefault(cell, []).append((reading.text, confidence))
    read: dict[ruled.CellBox, tuple[str, float]] = {}
    for table in found:
        for cell in table.cells:
            lines_read = texts.get(cell, [])
            if not lines_read:
                read[cell] = ("", 1.0)
                continue
            joined = _joined([t for t, _ in lines_read])
            read[cell] = (joined or UNREAD, min(c for _, c in lines_read) if joined else 0.0)
    return read


def _joined(parts: list[str]) -> str:
    """A cell's lines as one text: a label wrapped between two Chinese characters joins without a space;
    anything else (two numbers on two lines) keeps one, so two numbers never fuse into one."""
    out = ""
    for part in (p for p in parts if p):
        if out and not (_cjk(out[-1]) and _cjk(part[0])):
            out += " "
        out += part
    return out


def _cjk(ch: str) -> bool:
    return ch > "\u2e80"


def _unlevel(box: tuple[float, float, float, float], back: Any) -> tuple[float, float, float, float]:
    """A box on the levelled page as the bounding box of its corners on the page as it was received."""
    if back is None:
        return tuple(float(v) for v in box)  # type: ignore[return-value]
    left, top, right, bottom = box
    xs, ys = [], []
    for x, y in ((left, top), (right, top), (left, bottom), (right, bottom)):
        xs.append(back[0][0] * x + back[0][1] * y + back[0][2])
        ys.append(back[1][0] * x + back[1][1] * y + back[1][2])
    return (round(min(xs), 1), round(min(ys), 1), round(max(xs), 1), round(max(ys), 1))


def _lines(found: list[Any]) -> list[list[Box]]:
    """Recognised boxes as lines; a box much taller than the text's usual height (a merged label cell's text
    wrapped over rows) does not stretch its line over its neighbours."""
    items: list[Box] = []
    for quad, text, confidence in found:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        items.append((str(text), (min(xs), min(ys), max(xs), max(ys)), float(confidence)))
    return lines(items, lambda b: (b[1][1], b[1][3]), lambda b: b[1][0], tall=2)
