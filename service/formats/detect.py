"""Format detection by content first, file name and media type second."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from typing import Literal

Format = Literal["text", "html", "docx", "pdf"]

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|div|table|p|span)\b", re.I | re.S
)
_HTML_ANYWHERE = re.compile(rb"<(?:table|tr|td|p|div|br)\b[^>]*>", re.I)
SUFFIXES: dict[str, Format] = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}


def detect(data: bytes, filename: str | None = None, media_type: str | None = None) -> Format | None:
    """The document's format; None for a binary format this service cannot read (e.g. .doc, images)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if _is_docx(data) else None
    if _HTML_START.match(head) or len(_HTML_ANYWHERE.findall(head)) >= 3:
        return "html"
    if media_type and "html" in media_type.lower():
        return "html"
    return "text"


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
