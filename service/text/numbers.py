"""Numeric tokens of a table region: signs, thousands separators, units, blank marks.

A token keeps its span in the normalised text, so every cell read from it
(including the pieces of a run of digits that a crawler fused together) can
point at the characters it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# A cell value: optional sign word, digits with optional thousands separators
# and decimals, optional money unit. Negative forms seen: "-1", "减4", "减少4".
_TOKEN = re.compile(
    r"(?P<sign>[-+](?=\d)|减少?|增加?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<unit>\s*万元|\s*元)?"
)
# A cell that is printed as a dash or slash is a blank cell (counts as 0).
_BLANK = re.compile(r"(?<![^\s|])(?:[-/]|无)(?![^\s|])")
# Digits that are not cell values: page footers, 第二十条第(五)项, (单位:万元), list numbers.
_NOT_VALUES = re.compile(
    r"(?m)^[ \t]*-[ \t]*\d+[ \t]*-[ \t]*$"  # - 3 -
    r"|第\s*\d+\s*页(?:\s*[,/]?\s*共\s*\d+\s*页)?"  # 第3页 共5页
    r"|第\s*二十\s*条\s*第?\s*\(\s*[\d一二三四五六七八九十]+\s*\)\s*项"
    r"|\(\s*\d{1,2}\s*\)"  # (1) numbering
    r"|\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?"  # dates
)
# A list number in front of a label: the "2" of "…0000002.没有现成信息…".
_NUMBERING_AFTER = re.compile(r"\s*[.、]\s*[\u3400-\u9fff]")


@dataclass(frozen=True)
class Token:
    """A number as printed: `text` is the digits (no sign, no separators)."""

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


def _masked(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _NOT_VALUES.finditer(text, start, end)]


def tokenize(text: str, start: int, end: int) -> list[Token]:
    """Numeric tokens in text[start:end], in order, without list numbers, dates and footers."""
    masks = _masked(text, start, end)
    out: list[Token] = []
    mi = 0

    def masked(pos: int) -> bool:
        nonlocal mi
        while mi < len(masks) and masks[mi][1] <= pos:
            mi += 1
        return mi < len(masks) and masks[mi][0] <= pos < masks[mi][1]

    events: list[tuple[int, re.Match[str], bool]] = [(m.start(), m, False) for m in _TOKEN.finditer(text, start, end)]
    events += [(m.start(), m, True) for m in _BLANK.finditer(text, start, end)]
    events.sort(key=lambda e: e[0])
    for _, m, is_blank in events:
        if masked(m.start()):
            continue
        if is_blank:
            out.append(Token(m.start(), m.end(), "0", blank=True))
            continue
        num = m.group("num")
        nstart, nend = m.span("num")
        # peel a list number off the end: "…0000002.没有" -> "000000" + "2."
        if "." not in num and "," not in num and _NUMBERING_AFTER.match(text, nend):
            num = num[:-1]
            nend -= 1
            if not num:
                continue
        sign = m.group("sign") or ""
        unit = (m.group("unit") or "").strip() or None
        tok_start = m.start() if sign else nstart
        tok_end = m.end() if unit and nend == m.end("num") else nend
        out.append(
            Token(
                tok_start,
                tok_end,
                num.replace(",", ""),
                num_start=-1 if "," in num else nstart,
                negative=sign.startswith("-") or sign.startswith("减"),
                unit=unit,
            )
        )
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
