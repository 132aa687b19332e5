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
from service.text.normalize import compact

_NUMBERS = re.compile(NUMBER)
_ZERO_WORDS = ("无", "未", "没有", "零")


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


# What a quote must name for its number to be that field's: the same phrase knowledge the rules and the
# table labels have. A quote that names another field's phrase nearer to the number states that field.
FIELD_PHRASES: dict[str, tuple[str, ...]] = {
    "proactive.items_total": ("主动公开",),
    "proactive.licensing.decisions": ("行政许可",),
    "proactive.penalty.decisions": ("行政处罚",),
    "proactive.enforcement.decisions": ("行政强制",),
    "requests.new.total": ("收到", "受理", "新收", "接收"),
    "requests.carried_over.total": ("上年结转", "上年度结转"),
    "requests.granted.total": ("予以公开", "同意公开"),
    "requests.partial.total": ("部分公开", "区分处理"),
    "requests.carried_forward.total": ("结转下年", "继续办理"),
    "review.reconsideration.total": ("行政复议", "复议"),
    "review.litigation.total": ("行政诉讼", "诉讼"),
}
_ALL_PHRASES = sorted({p for ps in FIELD_PHRASES.values() for p in ps}, key=len, reverse=True)
# words that make a quote an instruction to the model rather than a report's statement
_INSTRUCTION = re.compile(
    r"忽略|无视|以上(?:要求|规则|指令)|输出|指令|提示词|请(?:将|把|返回|输出|填写)|必须(?:填|返回|输出)|"
    r"ignore|instruction|system|prompt|assistant",
    re.I,
)
_YEAR_AFTER = re.compile(r"\s*(?:年|月|日|号)")


def check(value: int | float, quote: str, section_text: str, key: str | None = None) -> Verdict:
    """Is `value` grounded for `key`: the quote occurs in the section, reads as a statement (not an instruction),
    names the field, and writes the value next to the field's phrase rather than another's (and not as a date)?"""
    q = compact(quote)  # compared without spaces: a PDF or a model may have moved them
    if not q:
        return Verdict(False, "empty quote")
    if q not in compact(section_text):
        return Verdict(False, f"the quote {quote!r} does not occur in the section")
    if _INSTRUCTION.search(q):
        return Verdict(False, f"the quote {quote!r} reads as an instruction, not as the report's statement")
    if key is not None and key in FIELD_PHRASES and not any(p in q for p in FIELD_PHRASES[key]):
        return Verdict(False, f"the quote {quote!r} does not name {key} ({'/'.join(FIELD_PHRASES[key])})")
    if value == 0 and not numbers_in(quote) and any(w in q for w in _ZERO_WORDS):
        return Verdict(True)
    positions = _value_positions(value, q)
    if not positions:
        if value == 0 and any(w in q for w in _ZERO_WORDS):
            return Verdict(True)
        return Verdict(False, f"the quote {quote!r} does not write the value {value} (as a count, not a date)")
    if key is not None and key in FIELD_PHRASES and not any(_attached(q, at, key) for at in positions):
        return Verdict(False, f"in the quote {quote!r} the number {value} belongs to another phrase than {key}'s")
    return Verdict(True)


def _value_positions(value: int | float, q: str) -> list[int]:
    """Where the quote writes `value` as a count (a number followed by 年, 月 or 日 is a date)."""
    out = []
    for m in _NUMBERS.finditer(q):
        parsed = parse_number(m.group())
        if parsed is not None and float(parsed) == float(value) and not _YEAR_AFTER.match(q, m.end()):
            out.append(m.start())
    return out


def _attached(q: str, at: int, key: str) -> bool:
    """Whether the phrase nearest before the number at `at` is one of `key`'s."""
    nearest: tuple[int, str] | None = None
    for phrase in _ALL_PHRASES:
        i = q.rfind(phrase, 0, at)
        if i >= 0 and (nearest is None or i + len(phrase) > nearest[0]):
            nearest = (i + len(phrase), phrase)
    return nearest is not None and nearest[1] in FIELD_PHRASES[key]


def locate(quote: str, text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of the quote in text[start:end], tolerating whitespace the model dropped or added."""
    chars = [re.escape(c) for c in compact(quote)]
    if not chars:
        return None
    m = re.compile(r"\s*".join(chars)).search(unicodedata.normalize("NFKC", text), start, end)
    return (m.start(), m.end()) if m else None
