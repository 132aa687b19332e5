"""Bytes to text as Chinese government sites serve it: UTF-8 (with or without BOM), GB18030/GBK, UTF-16 with BOM."""

from __future__ import annotations

import re

from service import errors

_MAGIC = {
    b"%PDF": "PDF",
    b"PK\x03\x04": "ZIP/DOCX",
    b"\xd0\xcf\x11\xe0": "OLE (DOC/XLS)",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"\x1f\x8b": "gzip",
}


def sniff_binary(data: bytes) -> str | None:
    """A binary format's name, from its magic bytes."""
    for magic, name in _MAGIC.items():
        if data.startswith(magic):
            return name
    return None


def decode(data: bytes, name: str | None = None, markup: bool = False) -> tuple[str, str]:
    """(text, encoding); raises a clear InputError when the bytes are not report text.

    `markup`: the bytes are an HTML page, mostly ASCII tags, which the binary-garbage check skips faster."""
    if not data or data.isspace():  # what `not data.strip()` says, without copying the body
        raise errors.empty_input(name)
    detected = sniff_binary(data)
    if detected:
        raise errors.binary_input(name, detected)
    # a byte-order mark says the encoding; bytes that then do not decode are not text in any encoding
    for bom, enc, skip in ((b"\xef\xbb\xbf", "utf-8", 3), (b"\xff\xfe", "utf-16", 0), (b"\xfe\xff", "utf-16", 0)):
        if data.startswith(bom):
            try:
                text = data[skip:].decode(enc, errors="strict")
            except UnicodeDecodeError:
                raise errors.undecodable(name, [f"{enc} (by its byte-order mark)"]) from None
            return _checked(text, name, markup), "utf-8-sig" if skip else enc
    tried = []
    for enc in ("utf-8", "gb18030"):
        tried.append(enc)
        try:
            text = data.decode(enc, errors="strict")
        except UnicodeDecodeError:
            continue
        return _checked(text, name, markup), enc
    raise errors.undecodable(name, tried)


# What report text is made of: ASCII, CJK ideographs and punctuation, full-width forms.
# Found as the complement, so that real text (nearly all plausible) costs one scan and a short list.
_IMPLAUSIBLE = re.compile(
    r"[^\t\n\r\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u2e80-\u2fdf\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
)
# Control characters no text file carries (all of them implausible, so counted among those).
_CONTROL = frozenset(map(chr, [*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20)]))


# Printable ASCII and the usual line breaks: plausible, and most of a page's markup.
_ASCII_TEXT = bytes([0x09, 0x0A, 0x0D, *range(0x20, 0x7F)])


def _non_ascii_text(sample: str) -> str:
    """`sample` without its printable-ASCII characters, which are all plausible: the regex then scans only the
    rest (a tenth of an HTML page), at a few instructions a byte for the removal instead of ~60 a character.
    UTF-8 keeps every non-ASCII character in bytes >= 0x80, so deleting ASCII bytes leaves them whole."""
    return sample.encode("utf-8", "surrogatepass").translate(None, _ASCII_TEXT).decode("utf-8", "surrogatepass")


# How much text the binary-garbage check looks at.
_SAMPLE = 65536


def _checked(text: str, name: str | None, markup: bool) -> str:
    """Reject text that decoded but is not text (binary garbage that GB18030 or UTF-16 happens to accept)."""
    sample = text[:_SAMPLE]
    # one scan for both checks; a page's ASCII markup is taken out first (report text, mostly CJK, is not:
    # there the removal costs more than it saves)
    implausible = _IMPLAUSIBLE.findall(_non_ascii_text(sample) if markup else sample)
    bad = sum(1 for ch in implausible if ch in _CONTROL)
    if "\x00" in sample or bad > max(8, len(sample) // 100):
        raise errors.binary_input(name)
    if len(implausible) > 0.4 * len(sample):
        raise errors.binary_input(name)
    if not text or text.isspace():
        raise errors.empty_input(name)
    return text
