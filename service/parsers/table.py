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
from collections.abc import Sequence
from dataclasses import dataclass, field

from schemas.extraction import Finding
from service.parsers.cells import Reading, RowCheck, RowReadings, row_readings, values
from service.parsers.labels import RowLabel
from service.text.numbers import Token, tokenize

_PROSE = re.compile(r"[\u3400-\u9fff]\s*[\u3400-\u9fff]")
MAX_COLUMN_CANDIDATES = 200


@dataclass(frozen=True)
class RowSpec:
    key: str
    label: RowLabel
    k: int
    check: RowCheck | None = None


@dataclass(frozen=True)
class ColumnRule:
    """For every column: sum of `plus` rows == sum of `minus` rows."""

    plus: tuple[str, ...]
    minus: tuple[str, ...]

    @property
    def rows(self) -> tuple[str, ...]:
        return self.plus + self.minus


@dataclass
class RowResult:
    spec: RowSpec
    label: tuple[int, int] | None
    seg: tuple[int, int]
    tokens: list[Token]
    options: RowReadings
    chosen: Reading | None = None


@dataclass
class TableRead:
    rows: dict[str, RowResult]
    mode: str  # anchored | sequential
    start: int
    end: int
    findings: list[Finding] = field(default_factory=list)


def find_anchors(text: str, start: int, end: int, specs: Sequence[RowSpec]) -> list[tuple[int, int] | None]:
    """Label spans in printed order; a label found only after the next row's label counts as missing."""
    out: list[tuple[int, int] | None] = []
    pos = start
    for i, spec in enumerate(specs):
        m = spec.label.pattern.search(text, pos, end)
        if m is None:
            out.append(None)
            continue
        if i + 1 < len(specs):
            nxt = specs[i + 1].label.pattern.search(text, pos, end)
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
) -> TableRead | None:
    """Read rows `specs` from text[start:end]; None when no row label is there at all."""
    anchors = find_anchors(text, start, end, specs)
    found = [i for i, a in enumerate(anchors) if a is not None]
    if not found:
        return None
    rows: dict[str, RowResult] = {}
    table_end = start
    for n, i in enumerate(found):
        spec, anchor = specs[i], anchors[i]
        assert anchor is not None
        last = n + 1 == len(found)
        seg_end = end if last else anchors[found[n + 1]][0]  # type: ignore[index]
        tokens = tokenize(text, anchor[1], seg_end)
        if last:
            tokens = first_cluster(text, tokens)
        seg = (anchor[1], tokens[-1].end if tokens else anchor[1])
        table_end = max(table_end, seg[1])
        rows[spec.key] = RowResult(spec, anchor, seg, tokens, row_readings(tokens, spec.k, spec.check, seg))
    for i, spec in enumerate(specs):
        if spec.key not in rows:
            rows[spec.key] = RowResult(spec, None, (start, start), [], RowReadings([], "missing"))
    first = anchors[found[0]]
    assert first is not None
    table = TableRead(rows, "anchored", first[0], table_end)
    _choose(table, column_rules)
    if any(r.chosen is None for r in rows.values()):
        seq = _sequential(text, table, specs)
        if seq is not None:
            table = seq
            _choose(table, column_rules)
    table.findings = _problems(table, where)
    return table


def _choose(table: TableRead, rules: Sequence[ColumnRule]) -> None:
    for row in table.rows.values():
        if len(row.options.readings) == 1:
            row.chosen = row.options.readings[0]
    _resolve_columns(table.rows, rules)


def _resolve_columns(rows: dict[str, RowResult], rules: Sequence[ColumnRule]) -> None:
    """Settle rows with several readings by the column arithmetic, where the other rows are known."""
    changed = True
    while changed:
        changed = False
        for key, row in rows.items():
            if row.chosen is not None or not 1 < len(row.options.readings) <= MAX_COLUMN_CANDIDATES:
                continue
            keep = [cand for cand in row.options.readings if _fits(key, cand, rows, rules)]
            if len(keep) == 1:
                row.chosen = keep[0]
                changed = True
            elif keep and len(keep) < len(row.options.readings):
                row.options.readings = keep
                changed = True


def _fits(key: str, cand: Reading, rows: dict[str, RowResult], rules: Sequence[ColumnRule]) -> bool:
    for rule in rules:
        if key not in rule.rows:
            continue
        others = [r for r in rule.rows if r != key]
        if any(r not in rows or rows[r].chosen is None for r in others):
            continue

        def vals(r: str) -> tuple[object, ...]:
            chosen = cand if r == key else rows[r].chosen
            assert chosen is not None
            return values(chosen)

        for col in range(len(cand)):
            lhs = sum(vals(r)[col] for r in rule.plus)  # type: ignore[misc]
            rhs = sum(vals(r)[col] for r in rule.minus)  # type: ignore[misc]
            if lhs != rhs:
                return False
    return True


def _sequential(text: str, table: TableRead, specs: Sequence[RowSpec]) -> TableRead | None:
    """Deal the table's numbers to the rows in order, when their count is exactly the cell count."""
    tokens = tokenize(text, table.start, table.end)
    need = sum(s.k for s in specs)
    if len(tokens) != need:
        return None
    rows: dict[str, RowResult] = {}
    pos = 0
    for spec in specs:
        chunk = tokens[pos : pos + spec.k]
        pos += spec.k
        old = table.rows[spec.key]
        seg = (chunk[0].start, chunk[-1].end)
        reading = tuple(row_readings(chunk, spec.k, None, seg).readings[0])
        options = RowReadings([reading], "sequential", 1)
        rows[spec.key] = RowResult(spec, old.label, seg, chunk, options)
    return TableRead(rows, "sequential", table.start, table.end)


def _problems(table: TableRead, where: str) -> list[Finding]:
    out: list[Finding] = []
    for key, row in table.rows.items():
        if row.chosen is not None:
            continue
        cells = [f"{where}.{key}"]
        n = len(row.options.readings)
        how = row.options.how
        if how == "missing":
            msg = f"{where} row {key!r}: label not found; its cells are left null"
            rule = "parse.row_not_found"
        elif how == "empty":
            msg = f"{where} row {key!r}: no numbers printed after the label; its cells are left null"
            rule = "parse.no_values"
        elif how == "overflow":
            msg = (
                f"{where} row {key!r}: {len(row.tokens)} numbers where the template has "
                f"{row.spec.k} cells; its cells are left null"
            )
            rule = "parse.cell_count"
        elif how == "too_many":
            msg = f"{where} row {key!r}: the run of digits allows too many readings; its cells are left null"
            rule = "parse.ambiguous_split"
        elif n == 0:
            msg = (
                f"{where} row {key!r}: no reading of the printed digits into {row.spec.k} cells "
                "satisfies the template's arithmetic; its cells are left null"
            )
            rule = "parse.ambiguous_split"
        else:
            shown = "; ".join(" ".join(str(v) for v in values(r)) for r in row.options.readings[:3])
            msg = (
                f"{where} row {key!r}: {n} readings of the printed numbers fit the template "
                f"({shown}{'; …' if n > 3 else ''}); its cells are left null"
            )
            rule = "parse.ambiguous_split" if how == "fused" else "parse.dropped_cells"
        start, end = (row.label[0], row.seg[1]) if row.label else (None, None)
        out.append(Finding(rule=rule, kind="parse", message=msg, cells=cells, start=start, end=end))
    return out
