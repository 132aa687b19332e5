"""PDF reports (text layer) -> text, page by page, with PDFium (pypdfium2).

Each page's characters are laid out as the page shows them: grouped into lines by their vertical position,
ordered left to right, with a space where a gap separates them (a table row becomes its label and its
numbers on one line, as `pdftotext -layout` prints it), whatever order the content stream drew them in.
PDFium reads a text layer and its character boxes in a few milliseconds a page, where pdfminer's page
interpretation took a tenth of a second. Page footers stay in the text: the table reader ignores them.
A PDF with no text layer (a scan) yields no text and the caller reports that it needs OCR.
"""

from __future__ import annotations

import itertools
import re
import zlib
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from service import errors
from service.formats.layout import lines

MAX_PAGES = 200
MAX_CHARS_PER_PAGE = 50_000  # a page's text layer beyond this is not a report page's


@dataclass(frozen=True, slots=True)
class _Char:
    ch: str
    left: float
    bottom: float
    right: float
    top: float


# What a PDF's compressed streams may inflate to, all together: a flate bomb (a megabyte that inflates to
# gigabytes) is refused before PDFium inflates it.
MAX_INFLATED = 512 * 1024 * 1024
_STREAM = re.compile(rb"stream\r?\n")


def check_inflation(data: bytes, name: str | None = None) -> None:
    """Inflate every Flate stream with a bound on the total, discarding the output: InputTooLarge past it."""
    left = MAX_INFLATED
    for m in _STREAM.finditer(data):
        end = data.find(b"endstream", m.end())
        if end < 0:
            break
        inflater = zlib.decompressobj()
        chunk = data[m.end() : end]
        try:
            while chunk and left > 0:
                out = inflater.decompress(chunk, min(left, 1 << 24))
                left -= len(out)
                chunk = inflater.unconsumed_tail
        except zlib.error:
            continue  # not a Flate stream (an image, another filter): PDFium reads it as it is
        if left <= 0:
            raise errors.InputTooLarge(
                f"{name or 'the input'}'s compressed streams inflate to more than {MAX_INFLATED // 2**20} MiB: "
                "refused as a possible decompression bomb",
                source=name,
                limit=MAX_INFLATED,
            )


def pdf_to_text(data: bytes, name: str | None = None) -> tuple[str, int]:
    """(text, pages); raises a clear error for an unreadable or oversized PDF."""
    who = name or "the input"
    check_inflation(data, name)
    try:
        pdf = pdfium.PdfDocument(data)
    except (pdfium.PdfiumError, ValueError, TypeError) as exc:
        raise errors.InputError(f"{who} is not a readable PDF: {exc}", source=name) from exc
    try:
        pages = len(pdf)
        if pages > MAX_PAGES:
            raise errors.InputTooLarge(
                f"{who} has {pages} pages, over the limit of {MAX_PAGES} for one report",
                source=name,
                pages=pages,
                limit=MAX_PAGES,
            )
        out = []
        for i in range(pages):
            try:
                out.append(_page_text(pdf[i]))
            except pdfium.PdfiumError as exc:
                raise errors.InputError(f"{who} has an unreadable page ({i + 1}): {exc}", source=name) from exc
        return "\n".join(t for t in out if t).strip() + "\n", pages
    finally:
        pdf.close()


def _chars(page: pdfium.PdfPage) -> list[_Char]:
    textpage = page.get_textpage()
    try:
        out = []
        for i in range(min(textpage.count_chars(), MAX_CHARS_PER_PAGE)):
            code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
            if code <= 0x20 or code == 0xFFFE or 0xD800 <= code <= 0xDFFF:
                continue  # spaces and line breaks are rebuilt from the geometry
            left, bottom, right, top = textpage.get_charbox(i)
            out.append(_Char(chr(code), left, bottom, right, top))
        return out
    finally:
        textpage.close()


def _page_text(page: pdfium.PdfPage) -> str:
    try:
        # PDF space counts y upwards: a character's top is above its bottom
        rows = lines(_chars(page), lambda c: (-c.top, -c.bottom), lambda c: c.left)
        return "\n".join(_line_text(line) for line in rows)
    finally:
        page.close()


# a gap wider than this share of the characters' height is a space (between cells, words, numbers)
_SPACE_GAP = 0.25
_NUMBER_GAP = 0.8
_NUMERIC = frozenset("0123456789.,-+−")


def _line_text(line: list[_Char]) -> str:
    parts = [line[0].ch]
    for prev, c in itertools.pairwise(line):
        height = max(prev.top - prev.bottom, c.top - c.bottom, 1.0)
        # inside a number (a sign, a decimal point or a thousands comma is a narrow glyph in a wide box) only a
        # cell's gap separates characters
        numeric = prev.ch in _NUMERIC and c.ch in _NUMERIC
        if c.left - prev.right > (_NUMBER_GAP if numeric else _SPACE_GAP) * height:
            parts.append(" ")
        parts.append(c.ch)
    return "".join(parts)
