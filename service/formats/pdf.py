"""PDF reports (text layer) -> text, page by page, with pdfplumber.

Tables found on a page are written one row per line (cells separated by
spaces, merged cells left out), in their place among the page's other text
lines; the rest of the page is its text layer. Page footers stay in the text:
the table reader ignores them. A PDF with no text layer (a scan) yields no
text and the caller reports that it needs OCR.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pdfplumber
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from service import errors

MAX_PAGES = 200


def pdf_to_text(data: bytes, name: str | None = None) -> tuple[str, int]:
    """(text, pages); raises a clear error for an unreadable or oversized PDF."""
    try:
        pdf = pdfplumber.open(BytesIO(data))
    except (PdfminerException, PDFSyntaxError, ValueError, TypeError, KeyError) as exc:
        raise errors.InputError(f"{name or 'the input'} is not a readable PDF: {exc}", source=name) from exc
    with pdf:
        try:
            pages = pdf.pages
        except Exception as exc:  # pdfminer raises many kinds on a broken page tree
            raise errors.InputError(f"{name or 'the input'} is not a readable PDF: {exc}", source=name) from exc
        if len(pages) > MAX_PAGES:
            raise errors.InputTooLarge(
                f"{name or 'the input'} has {len(pages)} pages, over the limit of {MAX_PAGES} for one report",
                source=name,
                pages=len(pages),
                limit=MAX_PAGES,
            )
        try:
            out = [_page_text(page) for page in pages]
        except Exception as exc:  # a damaged content stream: a clear error, never a traceback
            raise errors.InputError(f"{name or 'the input'} has an unreadable page: {exc}", source=name) from exc
        return "\n".join(t for t in out if t).strip() + "\n", len(pages)


def _page_text(page: Any) -> str:
    try:
        tables = page.find_tables()
    except Exception:  # a malformed page: fall back to its plain text
        tables = []
    blocks: list[tuple[float, str]] = []
    bboxes = [t.bbox for t in tables]
    for table in tables:
        rows = table.extract()
        lines = [" ".join(_cell(c) for c in row if c) for row in rows]
        blocks.append((table.bbox[1], "\n".join(line for line in lines if line.strip())))

    def outside(obj: dict[str, Any]) -> bool:
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in bboxes)

    rest = page.filter(outside) if bboxes else page
    for line in rest.extract_text_lines(return_chars=False):
        blocks.append((line["top"], line["text"]))
    blocks.sort(key=lambda b: b[0])
    return "\n".join(text for _, text in blocks if text.strip())


def _cell(value: str) -> str:
    return " ".join(value.split())
