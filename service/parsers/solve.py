"""Whole-table solving: the readings of all rows chosen together under the template's column rules.

Each row of a flattened table comes with the readings its printed numbers allow (service.parsers.cells).
A row's own arithmetic (总计 = the applicant columns) leaves some rows with several; the column rules
((七)总计 = Σ outcome rows, 一+二 = 七+四) decide between them only jointly. Here every combination of the
open rows is tried against every rule whose rows are all read (bounded), and a cell is given only where
every surviving combination gives it the same value: a row may so be read in part, and a row whose
numbers are not printed at all (a blank row) is read as zeros only where a rule that holds confirms it.
Where no combination satisfies the rules (the report's own arithmetic is wrong), nothing is inferred
from them: rows keep what their own readings agree on, and the checks report the broken rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations, product

from service.parsers.cells import Cell, Num, Reading, values

MAX_COMBINATIONS = 100_000


@dataclass(frozen=True)
class ColumnRule:
    """For every column: sum of `plus` rows == sum of `minus` rows."""

    plus: tuple[str, ...]
    minus: tuple[str, ...]

    @property
    def rows(self) -> tuple[str, ...]:
        return self.plus + self.minus


@dataclass
class Open:
    """A row's candidate readings for the solver. `blank`: the label is printed with no number after it, and
    the one candidate is all zeros, to be kept only where a rule confirms it. `fixed`: a reading kept as printed
    although it breaks the arithmetic (one digit per cell); it takes no part in the rules."""

    readings: list[Reading]
    blank: bool = False
    fixed: bool = False


@dataclass
class Solution:
    """Per row: the cells decided (None where the readings disagree), and how many combinations survived."""

    cells: dict[str, list[Cell | None]] = field(default_factory=dict)
    combinations: int = 0
    consistent: bool = True  # some combination satisfies every rule that could be checked


def _agreed(readings: Sequence[Reading]) -> list[Cell | None]:
    """Each cell on which every reading agrees (the first reading's cell, noted so), else None."""
    first = readings[0]
    if len(readings) == 1:
        return list(first)
    out: list[Cell | None] = []
    for i, cell in enumerate(first):
        if all(r[i].value == cell.value for r in readings[1:]):
            out.append(_with_note(cell, f"all {len(readings)} readings of the row give {cell.value}"))
        else:
            out.append(None)
    return out


def _holds(rule: ColumnRule, pick: dict[str, tuple[Num, ...]]) -> bool:
    width = len(next(iter(pick.values())))
    return all(sum(pick[r][col] for r in rule.plus) == sum(pick[r][col] for r in rule.minus) for col in range(width))


def _survivors(rows: dict[str, Open], rules: Sequence[ColumnRule]) -> tuple[list[str], list[tuple[int, ...]]] | None:
    """The rows the rules involve, and every combination of their readings that satisfies all the rules;
    None when there are too many combinations to try."""
    keys = list(dict.fromkeys(k for rule in rules for k in rule.rows))
    sizes = [len(rows[k].readings) for k in keys]
    if math.prod(sizes) > MAX_COMBINATIONS:
        return None
    vals = {k: [values(r) for r in rows[k].readings] for k in keys}
    found = []
    for combo in product(*(range(n) for n in sizes)):
        pick = {k: vals[k][i] for k, i in zip(keys, combo, strict=True)}
        if all(_holds(rule, pick) for rule in rules):
            found.append(combo)
    return keys, found


def _best(
    rows: dict[str, Open], rules: Sequence[ColumnRule]
) -> tuple[Sequence[ColumnRule], list[str], list[tuple[int, ...]]]:
    """The largest set of rules that the printed numbers can satisfy together, its rows and its surviving
    combinations (a report whose own arithmetic breaks one rule still lets the others decide)."""
    for size in range(len(rules), 0, -1):
        for subset in combinations(rules, size):
            found = _survivors(rows, subset)
            if found is not None and found[1]:
                return subset, *found
    return (), [], []


def solve(rows: dict[str, Open], rules: Sequence[ColumnRule], confirm: bool = False) -> Solution:
    """The cells the rows' readings and the column rules decide together. `confirm`: a row of a rule is given
    only where that rule could be checked and holds (recognised text, where a misread digit can keep a
    row's own total)."""
    active = [r for r in rules if all(k in rows and rows[k].readings and not rows[k].fixed for k in r.rows)]
    held, keys, survivors = _best(rows, active)
    out = Solution(combinations=len(survivors), consistent=bool(survivors) or not active)
    # a rule confirms a blank row only where numbers are printed on both of its sides (an unfilled form's
    # rules hold on nothing but zeros, and confirm nothing)
    confirming = {
        k
        for rule in held
        if any(not rows[k].blank for k in rule.plus) and any(not rows[k].blank for k in rule.minus)
        for k in rule.rows
    }
    for key, row in rows.items():
        if not row.readings:
            continue
        if row.blank and key not in confirming:
            continue  # a blank row is zeros only where a rule that holds says so
        if confirm and any(key in r.rows for r in rules) and key not in keys:
            continue
        readings = row.readings
        if key in keys:
            kept = sorted({combo[keys.index(key)] for combo in survivors})
            readings = [row.readings[i] for i in kept]
        cells = _agreed(readings)
        if row.blank:
            cells = [None if c is None else _with_note(c, BLANK_NOTE) for c in cells]
        elif row.fixed:
            cells = [None if c is None else _with_note(c, AS_PRINTED_NOTE) for c in cells]
        out.cells[key] = cells
    return out


BLANK_NOTE = "no number printed in the row: blank cells, 0 as the column totals confirm"
AS_PRINTED_NOTE = "one digit per cell, as printed; the row's own arithmetic does not hold"


def blank_reading(k: int, at: tuple[int, int]) -> Reading:
    """A row of k blank cells (each 0) at the label's end."""
    return tuple(Cell(0, at[0], at[1], blank=True) for _ in range(k))


def _with_note(cell: Cell, note: str) -> Cell:
    return Cell(cell.value, cell.start, cell.end, cell.unit, cell.blank, note)
