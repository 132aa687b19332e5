"""The input formats, one entry each: how a document is recognised, how it is read, and when it has nothing to read.

A new input format is one `Format` in `FORMATS` (and its reader module beside this one): detection, the
media types the API accepts, the file suffixes the CLI and the eval walk, and the reader all come from here.
Detection goes by content first (magic bytes, then a format's own sniff), the declared media type and file
suffix second, so a scraper's misnamed `.txt` that is really a PDF is read as a PDF.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from schemas.extraction import Finding
from service import errors
from service.text.decode import decode, sniff_binary
from service.text.grid import Grid

if TYPE_CHECKING:
    from service.formats.ocr import OcrBox, Recognised


@dataclass(frozen=True)
class Document:
    """What a reader made of the input: the text the parsers read, and how it relates to what was sent.

    `derived`: the text was derived from a document (HTML, DOCX, PDF) and is returned with the response,
    since spans index it; otherwise spans index the received text itself. `empty`: a finding when the
    document is valid but holds nothing readable (a scan without a text layer): the result is then empty,
    with that finding, rather than an error."""

    text: str
    format: str
    encoding: str | None = None
    derived: bool = False
    pages: int | None = None
    empty: Finding | None = None
    grids: tuple[Grid, ...] = ()  # the document's tables with their cells, where the format keeps them
    ocr: tuple[OcrBox, ...] = ()  # recognised text boxes (a scan, an image): spans in `text`, page, confidence


Reader = Callable[[bytes | str, str | None], Document]


@dataclass(frozen=True)
class Format:
    name: str
    read: Reader
    magic: tuple[bytes, ...] = ()
    media_types: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    # content check beyond magic bytes: True is this format, None is "not decided by content"
    sniff: Callable[[bytes], bool | None] | None = None


def _require_bytes(data: bytes | str, what: str, name: str | None) -> bytes:
    if isinstance(data, str):
        raise errors.InputError(f"{what} is a binary document: send its bytes, not text", source=name)
    return data


def _text_of(data: bytes | str, name: str | None, markup: bool) -> tuple[str, str | None]:
    if isinstance(data, str):
        if not data.strip():
            raise errors.empty_input(name)
        return data, None
    return decode(data, name, markup=markup)


def _read_text(data: bytes | str, name: str | None) -> Document:
    text, encoding = _text_of(data, name, markup=False)
    return Document(text, "text", encoding)


def _derived(
    text: str, fmt: str, name: str | None, encoding: str | None = None, grids: list[Grid] | None = None
) -> Document:
    if not text.strip():
        raise errors.empty_input(name)
    return Document(text, fmt, encoding, derived=True, grids=tuple(grids or ()))


def _read_html(data: bytes | str, name: str | None) -> Document:
    from service.formats.html import html_document

    markup, encoding = _text_of(data, name, markup=True)
    text, grids = html_document(markup)
    return _derived(text, "html", name, encoding, grids)


def _read_markdown(data: bytes | str, name: str | None) -> Document:
    from service.formats.markdown import markdown_document

    markup, encoding = _text_of(data, name, markup=False)
    text, grids = markdown_document(markup)
    return _derived(text, "markdown", name, encoding, grids)


def _sniff_markdown(data: bytes) -> bool | None:
    from service.formats.markdown import looks_like_markdown

    return looks_like_markdown(data)


def _read_docx(data: bytes | str, name: str | None) -> Document:
    from service.formats.docx import docx_document

    text, grids = docx_document(_require_bytes(data, "a DOCX file", name), name)
    return _derived(text, "docx", name, grids=grids)


# A PDF page with less text than this in its text layer is taken for a scan.
_MIN_CHARS_PER_PAGE = 5


def _read_pdf(data: bytes | str, name: str | None) -> Document:
    from service.formats import ocr
    from service.formats.pdf import pdf_to_text

    raw = _require_bytes(data, "a PDF file", name)
    text, pages = pdf_to_text(raw, name)
    if len(text.strip()) >= _MIN_CHARS_PER_PAGE * max(1, pages):
        return Document(text, "pdf", derived=True, pages=pages)
    if ocr.available():
        scanned = ocr.ocr_pdf(raw, name)
        if scanned.text.strip():
            return _recognised(scanned, "pdf")
    finding = Finding(
        rule="input.no_text_layer",
        kind="input",
        message=f"the PDF's {pages} page(s) have no text layer (a scan?)"
        + (
            "; text recognition found nothing on them"
            if ocr.available()
            else ": reading it needs text recognition, pip install 'nianbao[ocr]'"
        ),
    )
    return Document(text, "pdf", derived=True, pages=pages, empty=finding)


def _read_image(data: bytes | str, name: str | None) -> Document:
    from service.formats.ocr import ocr_image

    scanned = ocr_image(_require_bytes(data, "an image", name), name)
    if not scanned.text.strip():
        finding = Finding(rule="input.no_text", kind="input", message="text recognition found no text in the image")
        return Document(scanned.text, "image", derived=True, pages=scanned.pages, empty=finding)
    return _recognised(scanned, "image")


def _recognised(scanned: Recognised, fmt: str) -> Document:
    return Document(
        scanned.text, fmt, derived=True, pages=scanned.pages, grids=tuple(scanned.grids), ocr=tuple(scanned.boxes)
    )


def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            return z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return []


def _is_docx(data: bytes) -> bool:
    return "word/document.xml" in _zip_names(data)


def _is_odt(data: bytes) -> bool:
    """An OpenDocument text: its first entry `mimetype` says so (stored uncompressed at a fixed place)."""
    return b"application/vnd.oasis.opendocument.text" in data[:200] and "content.xml" in _zip_names(data)


def _converted(suffix: str, fmt: str) -> Reader:
    """A reader for a format LibreOffice converts to DOCX (service.formats.office)."""

    def read(data: bytes | str, name: str | None) -> Document:
        from service.formats.docx import docx_document
        from service.formats.office import to_docx

        text, grids = docx_document(to_docx(_require_bytes(data, f"a {fmt} file", name), suffix, name), name)
        return _derived(text, fmt, name, grids=grids)

    return read


_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|div|table|p|span)\b", re.I | re.S
)
_HTML_ANYWHERE = re.compile(rb"<(?:table|tr|td|p|div|br)\b[^>]*>", re.I)


def _looks_like_html(data: bytes) -> bool | None:
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    return True if _HTML_START.match(head) or len(_HTML_ANYWHERE.findall(head)) >= 3 else None


DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

FORMATS: tuple[Format, ...] = (
    Format("pdf", _read_pdf, magic=(b"%PDF",), media_types=("application/pdf",), suffixes=(".pdf",)),
    Format(
        "docx",
        _read_docx,
        magic=(b"PK\x03\x04",),
        media_types=(DOCX_MEDIA_TYPE,),
        suffixes=(".docx",),
        sniff=_is_docx,
    ),
    Format(
        "image",
        _read_image,
        magic=(b"\x89PNG", b"\xff\xd8\xff"),
        media_types=("image/png", "image/jpeg"),
        suffixes=(".png", ".jpg", ".jpeg"),
    ),
    Format(
        "odt",
        _converted(".odt", "odt"),
        magic=(b"PK\x03\x04",),
        media_types=("application/vnd.oasis.opendocument.text",),
        suffixes=(".odt",),
        sniff=_is_odt,
    ),
    # OLE compound files: Word 97-2003 .doc and WPS .wps (both written by LibreOffice's filters)
    Format(
        "doc",
        _converted(".doc", "doc"),
        magic=(b"\xd0\xcf\x11\xe0",),
        media_types=("application/msword", "application/vnd.ms-works", "application/kswps"),
        suffixes=(".doc", ".wps"),
    ),
    Format(
        "markdown",
        _read_markdown,
        media_types=("text/markdown", "text/x-markdown"),
        suffixes=(".md", ".markdown"),
        sniff=_sniff_markdown,
    ),
    Format(
        "html",
        _read_html,
        media_types=("text/html", "application/xhtml+xml"),
        suffixes=(".html", ".htm", ".shtml"),
        sniff=_looks_like_html,
    ),
    # the fallback: whatever is not recognised as another format is read as text (and refused by decode if not)
    Format("text", _read_text, media_types=("text/plain",), suffixes=(".txt", ".text")),
)
BY_NAME: dict[str, Format] = {f.name: f for f in FORMATS}
TEXT = BY_NAME["text"]

SUFFIXES: tuple[str, ...] = tuple(s for f in FORMATS for s in f.suffixes)
MEDIA_TYPES: tuple[str, ...] = tuple(m for f in FORMATS for m in f.media_types)


def detect(data: bytes, name: str | None = None, media_type: str | None = None) -> Format:
    """The document's format; raises UnsupportedFormat for a binary format no entry reads (.doc, images)."""
    head = data[:8].lstrip(b"\xef\xbb\xbf")
    by_magic = [fmt for fmt in FORMATS if fmt.magic and head.startswith(fmt.magic)]
    for fmt in by_magic:
        if fmt.sniff is None or fmt.sniff(data):
            return fmt
    if by_magic:
        raise errors.binary_input(name, sniff_binary(head))
    for fmt in FORMATS:
        if fmt.sniff is not None and not fmt.magic and fmt.sniff(data):
            return fmt
    declared = (media_type or "").split(";")[0].strip().lower()
    for fmt in FORMATS:
        if declared in fmt.media_types and not fmt.magic:
            return fmt
    return TEXT


def read(data: bytes | str, name: str | None = None, media_type: str | None = None, fmt: str | None = None) -> Document:
    """The input as a Document. `fmt` names the format outright (a JSON request's `text` or `html`)."""
    if fmt is not None:
        return BY_NAME[fmt].read(data, name)
    if isinstance(data, str):
        return TEXT.read(data, name)
    return detect(data, name, media_type).read(data, name)
