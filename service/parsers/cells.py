"""From the numeric tokens of one row to its cells, and every reading the tokens allow.

A row printed with one token per cell has one reading. A crawler that ran the
cells together (`5800000 58`) or a page that dropped blank cells leaves
several; the readings are enumerated (bounded) and filtered by the row's own
arithmetic. The caller settles what is still open with column arithmetic, or
leaves the cells null with a finding: nothing here picks a reading silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from service.text.numbers import Token

Num = int | Decimal
RowCheck = Callable[[Sequence[Num]], bool]

MAX_READINGS = 20000  # enumeration budget per row; beyond it the row is ambiguous


@dataclass(slots=True)
class Cell:
    value: Num
    start: int
    end: int
    unit: str | None = None
    blank: bool = False  # a blank cell: printed as - or /, or dropped by the page
    note: str | None = None


Reading = tuple[Cell, ...]


def values(reading: Reading) -> tuple[Num, ...]:
    return tuple(c.value for c in reading)


def _printed(tok: Token) -> Cell:
    return Cell(tok.value, tok.start, tok.end, tok.unit, blank=tok.blank, note="blank cell" if tok.blank else None)


def _pieces(tok: Token, parts: int) -> Iterator[list[Cell]]:
    """Ways to cut one fused token into `parts` cells, no piece with a leading zero."""
    if parts == 1:
        yield [_printed(tok)]
        return
    if tok.blank:
        return
    digits = tok.digits
    if tok.num_start < 0:
        return
    int_len = digits.index(".") if "." in digits else len(digits)
    offset = tok.num_start

    def cuts(pos: int, left: int) -> Iterator[list[int]]:
        if left == 1:
            piece = digits[pos:]
            if piece and (piece[0] != "0" or len(piece) == 1 or piece[1] == "."):
                yield [len(digits)]
            return
        if pos < len(digits) and digits[pos] == "0":
            ends: Iterator[int] = iter((pos + 1,))
        else:
            ends = iter(range(pos + 1, int_len))
        for end in ends:
            if end >= int_len:
                break
            for rest in cuts(end, left - 1):
                yield [end, *rest]

    for bounds in cuts(0, parts):
        cells: list[Cell] = []
        prev = 0
        for i, b in enumerate(bounds):
            text = digits[prev:b]
            v: Num = Decimal(text) if "." in text else int(text)
            if i == 0 and tok.negative:
                v = -v
            last = i == len(bounds) - 1
            cells.append(
                Cell(
                    v,
                    tok.start if i == 0 else offset + prev,
                    offset + b if not last else tok.end,
                    tok.unit if last else None,
                    note=f"split from the fused run {digits!r}",
                )
            )
            prev = b
        yield cells


def _fused(tokens: Sequence[Token], k: int) -> Iterator[Reading]:
    """Readings that split fused tokens into exactly k cells."""
    memo: dict[tuple[int, int], list[list[Cell]]] = {}

    def pieces(i: int, parts: int) -> list[list[Cell]]:
        if (i, parts) not in memo:
            memo[i, parts] = list(_pieces(tokens[i], parts))
        return memo[i, parts]

    def go(i: int, left: int) -> Iterator[list[Cell]]:
        if i == len(tokens):
            if left == 0:
                yield []
            return
        remaining = len(tokens) - i - 1
        for parts in range(1, left - remaining + 1):
            # a run of zeros has exactly one split: one 0 per digit
            if tokens[i].digits.strip("0") == "" and parts != len(tokens[i].digits) and parts != 1:
                continue
            for head in pieces(i, parts):
                for tail in go(i + 1, left - parts):
                    yield head + tail

    for cells in go(0, k):
        yield tuple(cells)


def _dropped(tokens: Sequence[Token], k: int, seg: tuple[int, int]) -> Iterator[Reading]:
    """Readings that put the printed tokens in order into k cells, the rest blank (0)."""
    if all(t.value == 0 for t in tokens):
        positions: Iterator[tuple[int, ...]] = iter((tuple(range(len(tokens))),))
    else:
        positions = combinations(range(k), len(tokens))
    for pos in positions:
        cells = [Cell(0, seg[0], seg[1], blank=True, note="blank cell (not printed)") for _ in range(k)]
        for p, tok in zip(pos, tokens, strict=True):
            cells[p] = _printed(tok)
        yield tuple(cells)


@dataclass
class RowReadings:
    readings: list[Reading]
    how: str  # printed | fused | dropped | repeated | displaced | sequential | overflow | empty | too_many
    tried: int = 0  # readings enumerated (for "repeated": readings that fitted)


def row_readings(
    tokens: Sequence[Token], k: int, check: RowCheck | None, seg: tuple[int, int], repeats: bool = False
) -> RowReadings:
    """All readings of a row's tokens as k cells that pass the row's own arithmetic."""
    if not tokens:
        return RowReadings([], "empty")
    if len(tokens) > k:
        return RowReadings([], "overflow")
    if len(tokens) == k:
        return RowReadings([tuple(_printed(t) for t in tokens)], "printed", 1)
    for how, gen in (("fused", _fused(tokens, k)), ("dropped", _dropped(tokens, k, seg))):
        kept: dict[tuple[Num, ...], Reading] = {}
        tried = 0
        for reading in gen:
            tried += 1
            if tried > MAX_READINGS:
                return RowReadings([], "too_many", tried)
            if check is None or check(values(reading)):
                kept.setdefault(values(reading), reading)
        if tried:
            found = list(kept.values())
            if repeats and len(found) > 1:
                equal = [r for r in found if len(set(values(r))) == 1]
                if len(equal) == 1:
                    return RowReadings(equal, "repeated", len(found))
            return RowReadings(found, how, tried)
    return RowReadings([], "empty")
