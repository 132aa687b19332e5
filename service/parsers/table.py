"""Read a standard table from flattened text: find row labels, give each row its cells.

Two readings of the same text are tried, and both must be complete to count:

* anchored: the numbers between a row's label and the next label are its
  cells (one cell per line, `|` or tab separated, cells run together, blank
  cells dropped);
* sequential: when a PDF text layer displaced values from their labels (a
  value line printed above its wrapped label), every row has all its cells
  printed, so the numbers of the whole table are dealt to the rows in order.

A row that neither reading settles keeps null cells and gets a finding.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

from schemas.extraction import Finding
from service.parsers.cells import Cell, Reading, RowCheck, RowReadings, row_readings, values
from service.parsers.labels import RowLabel
from service.parsers.solve import ColumnRule, Open, blank_reading, solve
from service.text.numbers import Token, tokenize

_PROSE = re.compile(r"[\u3400-\u9fff]\s*[\u3400-\u9fff]")


@dataclass(frozen=True)
class RowSpec:
    key: str
    label: RowLabel
    k: int
    check: RowCheck | None = None
    # a run that repeats one number k times reads as that number (898989 -> 89 89 89): only for rows
    # where equal cells are the normal case (2019: 本年新制作 / 本年新公开 / 对外公开总数量), and flagged
    repeats: bool = False


@dataclass
class RowResult:
    spec: RowSpec
    label: tuple[int, int] | None
    seg: tuple[int, int]
    tokens: list[Token]
    options: RowReadings
    chosen: Reading | None = None  # every cell decided
    decided: list[Cell | None] | None = None  # the cells decided, where only some are

    def cells(self) -> list[Cell | None]:
        """The row's cells, None where undecided."""
        if self.chosen is not None:
            return list(self.chosen)
        return self.decided or [None] * self.spec.k


@dataclass
class TableRead:
    rows: dict[str, RowResult]
    mode: str  # anchored | sequential
    start: int
    end: int
    region_start: int  # where the table's region begins: a value line may stand above the first label
    findings: list[Finding] = field(default_factory=list)


# Bounds that keep a table read linear on any input: a printed table never spans
# more than this many characters, nor a row (label and cells) more than ROW_WINDOW.
MAX_TABLE_CHARS = 40_000
ROW_WINDOW = 4_000


def find_anchors(text: str, start: int, end: int, specs: Sequence[RowSpec]) -> list[tuple[int, int] | None]:
    """Label spans in printed order; a label found only after the next row's label counts as missing."""
    out: list[tuple[int, int] | None] = []
    pos = start
    end = min(end, start + MAX_TABLE_CHARS)
    for i, spec in enumerate(specs):
        # the first label may be anywhere in the table's region; each next one follows within a row's reach
        limit = end if all(a is None for a in out) else min(end, pos + ROW_WINDOW)
        m = spec.label.pattern.search(text, pos, limit)
        if m is None:
            out.append(None)
            continue
        if i + 1 < len(specs):
            nxt = specs[i + 1].label.pattern.search(text, pos, limit)
            if nxt is not None and nxt.start() < m.start():
                out.append(None)
                continue
        out.append((m.start(), m.end()))
        pos = m.end()
    return out


def first_cluster(text: str, tokens: list[Token]) -> list[Token]:
    """The tokens up to the first stretch of prose (the numbers after a table are not its cells)."""
    for i in range(1, len(tokens)):
        if _PROSE.search(text, tokens[i - 1].end, tokens[i].start):
            return tokens[:i]
    return tokens


def read_table(
    text: str,
    start: int,
    end: int,
    specs: Sequence[RowSpec],
    column_rules: Sequence[ColumnRule] = (),
    where: str = "table",
    strict: bool = False,
) -> TableRead | None:
    """Read rows `specs` from text[start:end]; None when no row label is there at all."""
    anchors = find_anchors(text, start, end, specs)
    found = [i for i, a in enumerate(anchors) if a is not None]
    if not found:
        return None
    rows: dict[str, RowResult] = {}
    table_end = start
    first_label = anchors[found[0]]
    last_label = anchors[found[-1]]
    assert first_label is not None and last_label is not None
    # one tokenisation for the whole table; rows take their slices
    all_tokens = tokenize(text, first_label[1], min(end, last_label[1] + ROW_WINDOW))
    starts = [t.start for t in all_tokens]
    for n, i in enumerate(found):
        spec, anchor = specs[i], anchors[i]
        assert anchor is not None
        last = n + 1 == len(found)
        seg_end = end if last else anchors[found[n + 1]][0]  # type: ignore[index]
        seg_end = min(seg_end, anchor[1] + ROW_WINDOW)
        tokens = all_tokens[bisect_left(starts, anchor[1]) : bisect_left(starts, seg_end)]
        tokens = [t for t in tokens if t.end <= seg_end]
        if last:
            tokens = first_cluster(text, tokens)
        seg = (anchor[1], tokens[-1].end if tokens else anchor[1])
        table_end = max(table_end, seg[1])
        rows[spec.key] = RowResult(
            spec, anchor, seg, tokens, row_readings(tokens, spec.k, spec.check, seg, spec.repeats, strict)
        )
    for spec in specs:
        if spec.key not in rows:
            rows[spec.key] = RowResult(spec, None, (start, start), [], RowReadings([], "missing"))
    if not strict:  # recognised lines are laid out by position: no value line stands away from its label
        _repair_displaced(text, [rows[specs[i].key] for i in found])
    table = TableRead(rows, "anchored", first_label[0], table_end, start)
    _choose(table, column_rules, blanks=False, strict=strict)
    if any(r.chosen is None for r in rows.values()):
        seq = None if strict else _sequential(text, table, specs)
        if seq is not None:
            table = seq
            _choose(table, column_rules, blanks=False, strict=strict)
        elif not strict and _undisturbed(text, table):
            # rows printed with no number at all are blank rows, where the column totals confirm it
            _choose(table, column_rules, blanks=True)
    table.findings = _problems(table, where)
    return table


def _undisturbed(text: str, table: TableRead) -> bool:
    """No sign that values stand away from their labels: no number between the table's start and its first
    label, and no row dealt or overflowing (a PDF text layer's displaced value lines leave empty rows too)."""
    if tokenize(text, table.region_start, table.start):
        return False
    return not any(r.options.how in ("displaced", "overflow") for r in table.rows.values())


MAX_DISPLACED_WINDOW = 6


def _repair_displaced(text: str, rows: list[RowResult]) -> None:
    """Where a value line stands above its label, deal the numbers of a short run of rows in order.

    A row with more numbers than cells next to rows with fewer is the mark of
    a PDF text layer that printed a row's values before its (wrapped) label.
    Within the smallest window of neighbouring rows whose numbers add up to
    exactly their cells, the numbers are dealt to the rows in printed order.
    """
    i = 0
    while i < len(rows):
        if len(rows[i].tokens) == rows[i].spec.k:
            i += 1
            continue
        have = need = 0
        for j in range(i, min(len(rows), i + MAX_DISPLACED_WINDOW)):
            have += len(rows[j].tokens)
            need += rows[j].spec.k
            if have == need and j > i:
                if _deal(text, rows[i : j + 1]):
                    i = j
                break
            if have < need - rows[i].spec.k or have > need + rows[i].spec.k:
                break
        i += 1


def _whole_lines(text: str, chunks: Sequence[Sequence[Token]]) -> bool:
    """Each chunk is one printed line of its own: displacement moves whole value lines, never single cells."""
    prev_end = -1
    for chunk in chunks:
        if "\n" in text[chunk[0].start : chunk[-1].end]:
            return False
        if prev_end >= 0 and "\n" not in text[prev_end : chunk[0].start]:
            return False
        prev_end = chunk[-1].end
    return True


def _deal(text: str, window: list[RowResult]) -> bool:
    """Deal the window's numbers to its rows in order, as whole lines; keep it only if every row's arithmetic holds."""
    tokens = [t for r in window for t in r.tokens]
    chunks = []
    pos = 0
    for r in window:
        chunks.append(tokens[pos : pos + r.spec.k])
        pos += r.spec.k
    if not _whole_lines(text, chunks):
        return False
    dealt = []
    for r, chunk in zip(window, chunks, strict=True):
        seg = (chunk[0].start, chunk[-1].end)
        options = row_readings(chunk, r.spec.k, r.spec.check, seg)
        reading = options.readings[0]
        if r.spec.check is not None and not r.spec.check(values(reading)):
            return False
        options.how = "displaced"
        dealt.append((chunk, seg, options))
    for r, (chunk, seg, options) in zip(window, dealt, strict=True):
        r.tokens, r.seg, r.options = chunk, seg, options
    return True


def _as_printed(row: RowResult) -> Reading | None:
    """One digit per cell, where the row's digits are exactly its cells and no reading fits the arithmetic:
    that is what the report printed (`3000000` for 7 cells), and the checks say what it breaks."""
    tokens = row.tokens
    if not tokens or any(t.blank or t.num_start < 0 or not t.digits.isdigit() or t.negative for t in tokens):
        return None
    if sum(len(t.digits) for t in tokens) != row.spec.k:
        return None
    return tuple(Cell(int(d), t.num_start + i, t.num_start + i + 1) for t in tokens for i, d in enumerate(t.digits))


def _open(row: RowResult, blanks: bool) -> Open:
    if row.options.readings:
        return Open(row.options.readings)
    if blanks and row.options.how == "empty" and row.label is not None:
        return Open([blank_reading(row.spec.k, (row.label[1], row.label[1]))], blank=True)
    if row.options.how in ("fused", "dropped"):
        printed = _as_printed(row)
        if printed is not None:
            return Open([printed], fixed=True)
    return Open([])


def _choose(table: TableRead, rules: Sequence[ColumnRule], blanks: bool, strict: bool = False) -> None:
    """Settle every row the readings and the column rules decide together (service.parsers.solve); `blanks`:
    rows printed without numbers may be read as blank rows."""
    solution = solve({key: _open(row, blanks) for key, row in table.rows.items()}, rules, confirm=strict)
    for key, row in table.rows.items():
        cells = solution.cells.get(key)
        row.chosen, row.decided = None, None
        if cells is None:
            continue
        if all(c is not None for c in cells):
            row.chosen = tuple(c for c in cells if c is not None)
        elif any(c is not None for c in cells):
            row.decided = cells


def _sequential(text: str, table: TableRead, specs: Sequence[RowSpec]) -> TableRead | None:
    """Deal the table's numbers to the rows in order, when their count is exactly the cell count."""
    tokens = tokenize(text, max(table.region_start, table.start - ROW_WINDOW), table.end)
    need = sum(s.k for s in specs)
    if len(tokens) != need:
        return None
    bounds = [sum(s.k for s in specs[:i]) for i in range(len(specs) + 1)]
    if not _whole_lines(text, [tokens[bounds[i] : bounds[i + 1]] for i in range(len(specs))]):
        return None
    rows: dict[str, RowResult] = {}
    pos = 0
    for spec in specs:
        chunk = tokens[pos : pos + spec.k]
        pos += spec.k
        old = table.rows[spec.key]
        seg = (chunk[0].start, chunk[-1].end)
        reading = tuple(row_readings(chunk, spec.k, None, seg).readings[0])
        if spec.check is not None and not spec.check(values(reading)):
            return None  # a misdealt table breaks its rows' arithmetic; never keep one
        options = RowReadings([reading], "sequential", 1)
        rows[spec.key] = RowResult(spec, old.label, seg, chunk, options)
    return TableRead(rows, "sequential", min(tokens[0].start, table.start), table.end, table.region_start)


def _problems(table: TableRead, where: str) -> list[Finding]:
    """A finding for every row not read whole (and for a run read as equal numbers): what was found, and why
    the cells are left null."""
    out: list[Finding] = []
    for key, row in table.rows.items():
        if row.chosen is not None and row.options.how != "repeated":
            continue
        rule, msg = _why(row, f"{where} row {key!r}")
        start, end = (row.label[0], row.seg[1]) if row.label else (None, None)
        out.append(Finding(rule=rule, kind="parse", message=msg, cells=[f"{where}.{key}"], start=start, end=end))
    return out


def _shown(readings: Sequence[Reading]) -> str:
    return "; ".join(" ".join(str(v) for v in values(r)) for r in readings[:3]) + ("; …" if len(readings) > 3 else "")


def _why(row: RowResult, what: str) -> tuple[str, str]:
    """(rule, message) for a row that is not read whole."""
    k, how, n = row.spec.k, row.options.how, len(row.options.readings)
    if row.chosen is not None:  # "repeated"
        shown = " ".join(str(v) for v in values(row.chosen))
        return "parse.repeated_reading", (
            f"{what}: the run of digits was read as {k} equal numbers ({shown}); "
            f"{row.options.tried - 1} other split(s) of the same digits exist"
        )
    if row.decided is not None:
        read = sum(c is not None for c in row.decided)
        return "parse.partial_row", (
            f"{what}: {read} of its {k} cells are the same in every reading of the printed numbers "
            f"({_shown(row.options.readings)}) and are read; the others are left null"
        )
    null = "its cells are left null"
    if how == "missing":
        return "parse.row_not_found", f"{what}: label not found; {null}"
    if how == "empty":
        return "parse.no_values", f"{what}: no numbers printed after the label; {null}"
    if how in ("overflow", "cell_count"):
        return "parse.cell_count", f"{what}: {len(row.tokens)} numbers where the template has {k} cells; {null}"
    if how == "too_many":
        return "parse.ambiguous_split", f"{what}: the run of digits allows too many readings; {null}"
    if n == 0:
        return "parse.ambiguous_split", (
            f"{what}: no reading of the printed digits into {k} cells satisfies the template's arithmetic; {null}"
        )
    return "parse.ambiguous_split" if how == "fused" else "parse.dropped_cells", (
        f"{what}: {n} readings of the printed numbers fit the template ({_shown(row.options.readings)}); {null}"
    )
