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
    """One cell's value and span."""

    value: Num
    start: int
    end: int
    unit: str | None = None
    blank: bool = False  # a blank cell: printed as - or /, empty, or dropped by the page
    note: str | None = None


Reading = tuple[Cell, ...]


def values(reading: Reading) -> tuple[Num, ...]:
    return tuple(c.value for c in reading)


def _printed(tok: Token) -> Cell:
    return Cell(tok.value, tok.start, tok.end, tok.unit, blank=tok.blank, note="blank cell" if tok.blank else None)


def _cuts(tok: Token, parts: int) -> list[tuple[tuple[Num, ...], tuple[int, ...]]]:
    """Ways to cut one fused token into `parts` cells, no piece with a leading zero: (values, cut ends).

    Values only: most ways fail the row's arithmetic, so cells are built (by `_cut_cells`) only for the
    readings that pass."""
    if parts == 1:
        return [((tok.value,), ())]
    if tok.blank or tok.num_start < 0:
        return []
    digits = tok.digits
    int_len = _max_parts(tok)  # digits before the decimal point

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

    out = []
    for bounds in cuts(0, parts):
        vals: list[Num] = []
        prev = 0
        for b in bounds:
            text = digits[prev:b]
            vals.append(Decimal(text) if "." in text else int(text))
            prev = b
        if tok.negative:
            vals[0] = -vals[0]
        out.append((tuple(vals), tuple(bounds)))
    return out


def _cut_cells(tok: Token, bounds: tuple[int, ...], vals: tuple[Num, ...]) -> list[Cell]:
    """The cells of one cut (`bounds` empty: the token printed as one cell)."""
    if not bounds:
        return [_printed(tok)]
    digits, offset = tok.digits, tok.num_start
    cells = []
    prev = 0
    for i, b in enumerate(bounds):
        last = i == len(bounds) - 1
        cells.append(
            Cell(
                vals[i],
                tok.start if i == 0 else offset + prev,
                offset + b if not last else tok.end,
                tok.unit if last else None,
                note=f"split from the fused run {digits!r}",
            )
        )
        prev = b
    return cells


def _max_parts(tok: Token) -> int:
    """How many cells `_cuts` can make of one token: one per digit before the decimal point, or just one."""
    if tok.blank or tok.num_start < 0:
        return 1
    digits = tok.digits
    return digits.index(".") if "." in digits else len(digits)


def _fused(tokens: Sequence[Token], k: int) -> Iterator[tuple[tuple[Num, ...], Callable[[], Reading]]]:
    """Readings that split fused tokens into exactly k cells: (values, how to build the reading)."""
    memo: dict[tuple[int, int], list[tuple[tuple[Num, ...], tuple[int, ...]]]] = {}

    def options(i: int, parts: int) -> list[tuple[tuple[Num, ...], tuple[int, ...]]]:
        if (i, parts) not in memo:
            memo[i, parts] = _cuts(tokens[i], parts)
        return memo[i, parts]

    # the most cells each token can be cut into, and what the tokens after it can take: counts of parts that
    # cannot add up to k are never tried (they yield nothing, and enumerating their cuts cost the most)
    caps = [_max_parts(t) for t in tokens]
    after = [sum(caps[i + 1 :]) for i in range(len(tokens))]

    def go(i: int, left: int) -> Iterator[tuple[tuple[Num, ...], tuple[tuple[int, ...], ...]]]:
        if i == len(tokens):
            if left == 0:
                yield (), ()
            return
        remaining = len(tokens) - i - 1
        for parts in range(max(1, left - after[i]), min(left - remaining, caps[i]) + 1):
            # a run of zeros has exactly one split: one 0 per digit
            if tokens[i].digits.strip("0") == "" and parts != len(tokens[i].digits) and parts != 1:
                continue
            for vals, bounds in options(i, parts):
                for tail_vals, tail_bounds in go(i + 1, left - parts):
                    yield vals + tail_vals, (bounds, *tail_bounds)

    def builder(vals: tuple[Num, ...], cuts: tuple[tuple[int, ...], ...]) -> Callable[[], Reading]:
        def build() -> Reading:
            cells: list[Cell] = []
            pos = 0
            for tok, bounds in zip(tokens, cuts, strict=True):
                n = len(bounds) or 1
                cells.extend(_cut_cells(tok, bounds, vals[pos : pos + n]))
                pos += n
            return tuple(cells)

        return build

    for vals, cuts in go(0, k):
        yield vals, builder(vals, cuts)


def _dropped(
    tokens: Sequence[Token], k: int, seg: tuple[int, int]
) -> Iterator[tuple[tuple[Num, ...], Callable[[], Reading]]]:
    """Readings that put the printed tokens in order into k cells, the rest blank (0): (values, builder)."""
    if all(t.value == 0 for t in tokens):
        positions: Iterator[tuple[int, ...]] = iter((tuple(range(len(tokens))),))
    else:
        positions = combinations(range(k), len(tokens))
    printed = [t.value for t in tokens]
    for pos in positions:
        vals: list[Num] = [0] * k
        for p, v in zip(pos, printed, strict=True):
            vals[p] = v
        yield tuple(vals), _dropped_builder(tokens, k, seg, pos)


def _dropped_builder(
    tokens: Sequence[Token], k: int, seg: tuple[int, int], pos: tuple[int, ...]
) -> Callable[[], Reading]:
    def build() -> Reading:
        cells = [Cell(0, seg[0], seg[1], blank=True, note="blank cell (not printed)") for _ in range(k)]
        for p, tok in zip(pos, tokens, strict=True):
            cells[p] = _printed(tok)
        return tuple(cells)

    return build


@dataclass
class RowReadings:
    readings: list[Reading]
    how: str  # printed | fused | dropped | repeated | displaced | sequential | overflow | empty | too_many
    tried: int = 0  # readings enumerated (for "repeated": readings that fitted)


def row_readings(
    tokens: Sequence[Token],
    k: int,
    check: RowCheck | None,
    seg: tuple[int, int],
    repeats: bool = False,
    strict: bool = False,
) -> RowReadings:
    """All readings of a row's tokens as k cells that pass the row's own arithmetic. `strict`: only one token
    per cell (recognised text, where a digit the recogniser missed is no blank cell and two cells it ran
    together are no fused run)."""
    if not tokens:
        return RowReadings([], "empty")
    if len(tokens) > k:
        return RowReadings([], "overflow")
    if len(tokens) == k:
        return RowReadings([tuple(_printed(t) for t in tokens)], "printed", 1)
    if strict:
        return RowReadings([], "cell_count")
    for how, gen in (("fused", _fused(tokens, k)), ("dropped", _dropped(tokens, k, seg))):
        kept: dict[tuple[Num, ...], Reading] = {}
        tried = 0
        for vals, build in gen:
            tried += 1
            if tried > MAX_READINGS:
                return RowReadings([], "too_many", tried)
            if (check is None or check(vals)) and vals not in kept:
                kept[vals] = build()
        if tried:
            found = list(kept.values())
            if repeats and len(found) > 1:
                equal = [r for r in found if len(set(values(r))) == 1]
                if len(equal) == 1:
                    return RowReadings(equal, "repeated", len(found))
            return RowReadings(found, how, tried)
    return RowReadings([], "empty")
