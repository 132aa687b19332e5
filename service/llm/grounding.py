"""Grounding: an LLM value is kept only if its quote is in the section and the value is written in the quote.

Numbers in a quote are read as printed: Arabic digits (with thousands
separators), Chinese numerals (六件, 一千二百条) and mixed forms (1.2万), through
cn2an. Zero needs an explicit 0, 零, 无, 未 or 没有 in the quote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from service.text.cnnum import NUMBER, parse_number

_NUMBERS = re.compile(NUMBER)
_ZERO_WORDS = ("无", "未", "没有", "零")


def squash(s: str) -> str:
    """NFKC without whitespace: quotes are compared where a PDF or a model may have moved spaces."""
    return "".join(unicodedata.normalize("NFKC", s).split())


def numbers_in(quote: str) -> set[float]:
    out: set[float] = set()
    for m in _NUMBERS.finditer(unicodedata.normalize("NFKC", quote)):
        v = parse_number(m.group())
        if v is not None:
            out.add(float(v))
    return out


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""


def check(value: int | float, quote: str, section_text: str) -> Verdict:
    """Is `value` grounded: the quote occurs in the section, and the quote writes the value?"""
    q = squash(quote)
    if not q:
        return Verdict(False, "empty quote")
    if q not in squash(section_text):
        return Verdict(False, f"the quote {quote!r} does not occur in the section")
    found = numbers_in(quote)
    if float(value) in found:
        return Verdict(True)
    if value == 0 and any(w in q for w in _ZERO_WORDS):
        return Verdict(True)
    return Verdict(False, f"the quote {quote!r} does not write the value {value}")


def locate(quote: str, text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of the quote in text[start:end], tolerating whitespace the model dropped or added."""
    chars = [re.escape(c) for c in squash(quote)]
    if not chars:
        return None
    m = re.compile(r"\s*".join(chars)).search(unicodedata.normalize("NFKC", text), start, end)
    return (m.start(), m.end()) if m else None
