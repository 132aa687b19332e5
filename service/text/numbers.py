"""Numeric tokens of a table region: signs, thousands separators, units, blank marks.

A token keeps its span in the normalised text, so every cell read from it
(including the pieces of a run of digits that a crawler fused together) can
point at the characters it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# Digit runs are found by a regex with a plain character-class start (fast to
# scan past CJK labels); what surrounds each run then decides what it is:
# a sign word before it ("-1", "减4", "减少4"), a money unit after it, a list
# number in front of a label ("…0000002.没有"), or no value at all (dates,
# (1) numbering, 第3页, page footers "- 3 -"). A blank-cell mark ("-", "/",
# "无" standing alone) is a cell that counts as 0.
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")  # 1,060.5 | 23 | 0.5
_BLANK = re.compile(r"(?<![^\s|])[-/无](?![^\s|])")  # a mark with blank or | on both sides
_UNIT_AFTER = re.compile(r"\s*(万元|元)")
_FOOTER = re.compile(r"^[ \t]*-[ \t]*\d+[ \t]*-[ \t]*$", re.M)  # a page footer line: - 3 -
_FOOTER_CORE = re.compile(r"-[ \t]*\d+[ \t]*-")  # what every footer contains: looked for first
# A list number in front of a label: the "2" of "…0000002.没有现成信息…".
_NUMBERING_AFTER = re.compile(r"\s*[.、]\s*[\u3400-\u9fff]")


def _next_char(text: str, pos: int) -> str:
    """The first non-blank character at or after pos (within a short reach)."""
    c = text[pos : pos + 1]
    if c not in _PAD:
        return c
    return text[pos : pos + 4].lstrip(" \t\u3000")[:1]


_PAD = frozenset(" \t\u3000")


def _not_a_value(text: str, s: int, e: int, after: str) -> bool:
    """Dates, (1) numbering and 第3页/共5页 carry digits that are no cell's value.

    `after` is the first non-blank character after the digits."""
    if after in ("年", "月", "日") and "." not in text[s:e]:
        return True
    before = text[s - 1 : s] if s else ""
    if e - s <= 2 and after == ")" and (before == "(" or text[max(0, s - 3) : s].rstrip(" \t").endswith("(")):
        return True
    return before in ("第", "共") and after == "页"


@dataclass(slots=True)
class Token:
    """A number as printed: `digits` without sign or separators."""

    start: int
    end: int
    digits: str  # "1060.6", "23", "000023"; fused runs are split later
    num_start: int = -1  # offset of the first digit (after a sign word); -1 when not splittable
    negative: bool = False
    unit: str | None = None  # "万元" or "元" when printed with the value
    blank: bool = False  # a "-" or "/" cell

    @property
    def value(self) -> int | Decimal:
        if self.blank:
            return 0
        v: int | Decimal = Decimal(self.digits) if "." in self.digits else int(self.digits)
        return -v if self.negative else v


def _numbering_after(text: str, pos: int) -> bool:
    """A list number's separator and label follow at pos ("2." before "没有…")."""
    return _NUMBERING_AFTER.match(text, pos) is not None


def tokenize(text: str, start: int, end: int) -> list[Token]:
    """Numeric tokens in text[start:end], in order, without list numbers, dates and footers."""
    out: list[Token] = []
    footers = [m.span() for m in _FOOTER.finditer(text, start, end)] if _FOOTER_CORE.search(text, start, end) else []

    def in_footer(pos: int) -> bool:
        return any(a <= pos < b for a, b in footers)

    marks = [m.start() for m in _BLANK.finditer(text, start, end)]
    spans = [m.span() for m in _DIGITS.finditer(text, start, end)]
    blanks = [b for b in marks if not (footers and in_footer(b))]
    bi = 0
    for nstart, match_end in spans:
        nend = match_end
        if footers and in_footer(nstart):
            continue
        while bi < len(blanks) and blanks[bi] < nstart:
            out.append(Token(blanks[bi], blanks[bi] + 1, "0", blank=True))
            bi += 1
        after = _next_char(text, nend)
        if _not_a_value(text, nstart, nend, after):
            continue
        num = text[nstart:nend]
        # peel a list number off the end: "…0000002.没有" -> "000000" + "2."
        if (
            "." not in num
            and "," not in num
            and text[nend : nend + 1] in (".", "、", " ", "\n", "\t")
            and _numbering_after(text, nend)
        ):
            num = num[:-1]
            nend -= 1
            if not num:
                continue
        sign_start = nstart
        before = text[nstart - 1 : nstart] if nstart > start else ""
        if before in ("-", "+", "减", "增"):
            sign_start = nstart - 1
        elif before in ("少", "加") and text[nstart - 2 : nstart] in ("减少", "增加") and nstart - 2 >= start:
            sign_start = nstart - 2
        unit_end = nend
        unit = None
        if nend == match_end and after in ("万", "元"):
            u = _UNIT_AFTER.match(text, nend, end)
            if u is not None:
                unit_end, unit = u.end(), u.group(1)
        out.append(
            Token(
                sign_start,
                unit_end,
                num.replace(",", "") if "," in num else num,
                -1 if "," in num else nstart,
                text[sign_start] in "-减" if sign_start < nstart else False,
                unit,
            )
        )
    out.extend(Token(b, b + 1, "0", blank=True) for b in blanks[bi:])
    return out


def to_wan(value: int | Decimal, unit: str | None) -> int | float:
    """A money amount in 万元 (FIELDS.md): 元 are divided by 10,000."""
    amount = Decimal(value)
    if unit == "元":
        amount = amount / Decimal(10000)
    return number(amount)


def number(value: int | Decimal) -> int | float:
    """Plain JSON number: int when integral."""
    if isinstance(value, int):
        return value
    if value == value.to_integral_value():
        return int(value)
    return float(value)
