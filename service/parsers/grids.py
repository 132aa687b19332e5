"""The template's tables read from grids (service.text.grid): rows by their labels, columns by their headers.

Where a format kept the cells (HTML, DOCX, markdown), nothing is guessed from row arithmetic: a row is
the grid row whose label cell names it, a column the grid column whose header names it, and a blank cell
inside the printed table is 0 (FIELDS.md), noted as blank. A cell that holds no number is null with a
finding. Rows whose labels a converter lost are placed by position only where the row count is the
template's and the template's arithmetic confirms it. Offsets are the document's (the pipeline maps them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from schemas.extraction import Finding
from schemas.fields import (
    PROACTIVE_2019,
    PROACTIVE_2021,
    REQUEST_COLUMNS,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
    Template,
    request_rows,
)
from service.parsers.cells import Cell, Num
from service.parsers.labels import PROACTIVE_LABELS, REQUEST_LABELS, RowLabel
from service.parsers.result import TableValues
from service.text.grid import Grid, GridCell
from service.text.normalize import compact

_NUMBER = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(万元|元|件|条|个|项)?")
_BLANK_MARKS = frozenset({"", "-", "/", "—", "–", "－", "无", "\\"})


@dataclass(frozen=True)
class Parsed:
    """A value cell's reading: the value, or None when the cell holds something that is no number."""

    value: Num | None
    blank: bool = False
    unit: str | None = None
    start: int = 0  # the number's own span within the cell's text
    end: int = 0


def parse_cell(text: str) -> Parsed:
    t = unicodedata.normalize("NFKC", text).strip()
    if "".join(t.split()) in _BLANK_MARKS:
        return Parsed(0, blank=True)
    m = _NUMBER.fullmatch(t)
    if m is None:
        return Parsed(None)
    digits = m.group(2).replace(",", "")
    value: Num = Decimal(digits) if "." in digits else int(digits)
    if m.group(1) == "-":
        value = -value
    unit = m.group(3) if m.group(3) in ("万元", "元") else None
    return Parsed(value, unit=unit, start=m.start(), end=m.end())


def _is_value(text: str) -> bool:
    return parse_cell(text).value is not None


def _unique(cells: Sequence[GridCell]) -> list[GridCell]:
    """The distinct cells of a row, in order (a merged cell covers several positions)."""
    seen: set[int] = set()
    out = []
    for c in cells:
        if id(c) not in seen:
            seen.add(id(c))
            out.append(c)
    return out


def _label_of(
    row: Sequence[GridCell], labels: dict[str, RowLabel], taken: set[str], order: Sequence[str]
) -> str | None:
    """The row's key: its innermost label cell (the rightmost that is no number) first, then all its label
    cells together; the first key in template order that matches and is not yet taken."""
    texts = [c.text for c in _unique(row) if c.text.strip() and not _is_value(c.text)]
    for text in (texts[-1:], texts):
        joined = compact("".join(text))
        if not joined:
            continue
        for key in order:
            if key not in taken and key in labels and labels[key].pattern.search(joined):
                return key
    return None


def _cell(grid_cell: GridCell, parsed: Parsed, unit: str | None = None) -> Cell:
    if parsed.blank:
        return Cell(0, grid_cell.start, grid_cell.end, blank=True, note="blank cell in the printed table")
    assert parsed.value is not None
    start = grid_cell.start + parsed.start if grid_cell.end > grid_cell.start else grid_cell.start
    end = grid_cell.start + parsed.end if grid_cell.end > grid_cell.start else grid_cell.end
    return Cell(parsed.value, start, min(end, grid_cell.end), parsed.unit or unit)


def _unreadable(where: str, key: str, cell: GridCell) -> Finding:
    return Finding(
        rule="parse.cell_not_a_number",
        kind="parse",
        message=f"{where}: the cell of {key} holds {cell.text[:40]!r}, which is no number; left null",
        cells=[key],
        start=cell.start,
        end=cell.end,
    )


# --- the request table -----------------------------------------------------------------------------

_REQUEST_HEADERS: dict[str, tuple[str, ...]] = {
    "natural_person": ("自然人",),
    "commercial": ("商业企业",),
    "research": ("科研机构",),
    "nonprofit": ("社会公益",),
    "legal_service": ("法律服务",),
    "other_org": ("其他",),
    "total": ("总计", "合计"),
}


def _header_map(row: Sequence[GridCell], headers: dict[str, tuple[str, ...]]) -> dict[int, str]:
    """Column -> key, where a column's own header cell names exactly one key."""
    out: dict[int, str] = {}
    for col, cell in enumerate(row):
        text = compact(cell.text)
        if not text or _is_value(cell.text):
            continue
        found = [k for k, words in headers.items() if any(w in text for w in words)]
        if len(found) == 1 and not (found[0] == "other_org" and "组织" in text):
            out[col] = found[0]  # (法人或其他组织 is the group over the organisation columns, not 其他)
    return out


MIN_HEADER_KEYS = 3


def _request_columns(rows: Sequence[Sequence[GridCell]]) -> dict[int, str] | None:
    """The request table's columns from its header rows: each key in exactly one column."""
    best: dict[int, str] = {}
    for row in rows:
        best.update(_header_map(row, _REQUEST_HEADERS))  # a lower row (商业企业 … 其他) completes the one above
    by_key: dict[str, list[int]] = {}
    for col, key in best.items():
        by_key.setdefault(key, []).append(col)
    if len(by_key) < len(REQUEST_COLUMNS) or any(len(cols) != 1 for cols in by_key.values()):
        return None
    return {cols[0]: key for key, cols in by_key.items()}


@dataclass
class _Rows:
    """Rows found in one table (possibly split over several grids), by key."""

    cells: dict[str, dict[str, tuple[GridCell, Parsed]]]
    labels: dict[str, GridCell]
    unlabelled: list[list[tuple[GridCell, Parsed]]]
    short: list[tuple[str, GridCell]] = field(default_factory=list)  # labelled rows with cells missing


def _collect_request_rows(grids: Sequence[Grid], order: Sequence[str]) -> tuple[_Rows, bool]:
    """Every labelled row under a request header (a grid without one continues the previous grid's table)."""
    rows = _Rows({}, {}, [])
    columns: dict[int, str] | None = None
    found_header = False
    for grid in grids:
        headers = [r for r in grid.rows if len(_header_map(r, _REQUEST_HEADERS)) >= MIN_HEADER_KEYS]
        mapped = _request_columns(headers) if headers else None
        if mapped is not None:
            columns, found_header = mapped, True
        elif headers or columns is None or grid.width <= max(columns):
            continue
        first = min(columns)
        for row in grid.rows:
            if any(row is h for h in headers):
                continue
            if len(row) <= max(columns):
                key = _label_of(row[: min(first, len(row))], REQUEST_LABELS, set(rows.cells), order)
                if key is not None:
                    rows.short.append((key, row[0]))
                continue
            values = {key: (row[col], parse_cell(row[col].text)) for col, key in columns.items()}
            label_cells = [row[c] for c in range(first)]
            key = _label_of(label_cells, REQUEST_LABELS, set(rows.cells), order)
            if key is not None:
                rows.cells[key] = values
                rows.labels[key] = next((c for c in reversed(label_cells) if c.text.strip()), row[0])
            elif (
                not any(compact(c.text) for c in label_cells)
                and all(p.value is not None for _, p in values.values())
                and any(not p.blank for _, p in values.values())
            ):
                rows.unlabelled.append([values[k] for k in REQUEST_COLUMNS])
    return rows, found_header


def read_request_grid(grids: Sequence[Grid]) -> TableValues | None:
    """The request table from the first grids that hold it (a table split over pages continues in the next)."""
    full = [*request_rows(single_other=False), "other"]
    rows, header = _collect_request_rows(grids, full)
    if not header or len(rows.cells) + len(rows.unlabelled) < 3:
        return None
    if rows.cells:
        single = "other" in rows.cells and not ({"other_no_correction", "other_unpaid_fee"} & rows.cells.keys())
    else:  # labels lost: the row count says which （六） the table has
        single = len(rows.unlabelled) == len(request_rows(single_other=True))
    template: Template = "2019" if single else "2021"
    keys = request_rows(single)
    out = TableValues(template=template)
    if rows.unlabelled and not rows.cells:
        _place_by_position(rows.unlabelled, keys, single, out)
        return out
    for key, where in rows.short:
        out.findings.append(
            Finding(
                rule="parse.row_cells_missing",
                kind="parse",
                message=f"requests row {key!r}: the row has fewer cells than the table's columns (a cell was lost "
                "when the row wrapped or was converted); which one cannot be told, so its cells are left null",
                cells=[f"requests.{key}"],
                start=where.start,
                end=where.end,
            )
        )
    if rows.unlabelled:
        out.findings.append(
            Finding(
                rule="parse.unlabelled_rows",
                kind="parse",
                message=f"requests: {len(rows.unlabelled)} row(s) of numbers without a label beside labelled "
                "rows; they are not placed",
                cells=["requests"],
            )
        )
    evidence = rows.labels.get("other" if single else "other_no_correction")
    if evidence is not None:
        out.evidence = (evidence.start, evidence.end)
    for key in keys:
        if key not in rows.cells:
            continue
        label = rows.labels[key]
        out.printed.update(f"requests.{key}.{col}" for col in REQUEST_COLUMNS)
        for col, (gc, parsed) in rows.cells[key].items():
            flat = f"requests.{key}.{col}"
            if parsed.value is None:
                out.findings.append(_unreadable("requests", flat, gc))
                continue
            out.cells[flat] = _cell(gc if gc.end > gc.start or not parsed.blank else _at(label), parsed)
    return out


def _at(label: GridCell) -> GridCell:
    """Where a blank cell without a span of its own points: just after its row's label."""
    return GridCell("", label.end, label.end, label.row, label.col)


def _place_by_position(
    rows: list[list[tuple[GridCell, Parsed]]], keys: Sequence[str], single: bool, out: TableValues
) -> None:
    """Rows of numbers whose labels a converter lost: placed in template order only where there are exactly
    the template's rows and every row total and column rule holds."""
    from service.parsers.requests import column_rules, row_total_ok

    ok = len(rows) == len(keys)
    vals = {key: [p.value or 0 for _, p in row] for key, row in zip(keys, rows, strict=False)}
    if ok:
        ok = all(row_total_ok(v) for v in vals.values()) and all(
            sum(vals[r][c] for r in rule.plus) == sum(vals[r][c] for r in rule.minus)
            for rule in column_rules(single)
            for c in range(len(REQUEST_COLUMNS))
        )
    if not ok:
        out.findings.append(
            Finding(
                rule="parse.unlabelled_rows",
                kind="parse",
                message=f"requests: {len(rows)} rows of numbers without labels, the template has {len(keys)}; "
                "placing them by position is not confirmed by the arithmetic, so they are left null",
                cells=["requests"],
            )
        )
        return
    for key, row in zip(keys, rows, strict=True):
        out.printed.update(f"requests.{key}.{col}" for col in REQUEST_COLUMNS)
        for col, (gc, parsed) in zip(REQUEST_COLUMNS, row, strict=True):
            cell = _cell(gc, parsed)
            cell.note = "row placed by position (its label was lost); the template's arithmetic confirms it"
            out.cells[f"requests.{key}.{col}"] = cell


# --- the 第二十条 tables --------------------------------------------------------------------------------

_PROACTIVE_HEADERS: dict[str, tuple[tuple[str, str], ...]] = {
    # header phrase -> (template, column)
    "本年制发件数": (("2021", "issued"),),
    "本年废止件数": (("2021", "repealed"),),
    "现行有效件数": (("2021", "in_force"),),
    "本年处理决定数量": (("2021", "decisions"),),
    "本年收费金额": (("2021", "amount_wan"),),
    "本年新制作数量": (("2019", "made"),),
    "本年新公开数量": (("2019", "published"),),
    "对外公开总数量": (("2019", "total_published"),),
    "上一年项目数量": (("2019", "prev_count"),),
    "本年增": (("2019", "change"),),
    "处理决定数量": (("2019", "decisions"),),
    "采购项目数量": (("2019", "projects"),),
    "采购总金额": (("2019", "amount_wan"),),
}


_Header = tuple[Template, dict[int, str], dict[int, str | None], GridCell]


def _proactive_header(row: Sequence[GridCell]) -> _Header | None:
    """A header row of one 第二十条 block: its template, column -> column key, each column's unit, and the
    first header cell (the template's evidence)."""
    cols: dict[int, str] = {}
    units: dict[int, str | None] = {}
    templates: set[str] = set()
    for i, cell in enumerate(row):
        text = compact(cell.text)
        hit = next((v for phrase, v in _PROACTIVE_HEADERS.items() if phrase in text), None)
        if hit is None:
            continue
        template, col = hit[0]  # the first phrase that matches: 本年处理决定数量 before 处理决定数量
        templates.add(template)
        cols[i] = col
        units[i] = "元" if re.search(r"[(（](?:单位[:：])?元[)）]|单位[:：]元", text) else None
    if not cols or len(templates) != 1:
        return None
    return templates.pop(), cols, units, row[min(cols)]  # type: ignore[return-value]


def read_proactive_grid(grids: Sequence[Grid]) -> TableValues | None:
    out: TableValues | None = None
    for grid in grids:
        header: _Header | None = None
        for row in grid.rows:
            found = _proactive_header(row)
            if found is not None:
                header = found
                continue
            if header is None:
                continue
            template, cols, units, evidence = header
            columns = PROACTIVE_2021 if template == "2021" else PROACTIVE_2019
            label_cols = range(min(cols))
            item = _label_of([row[c] for c in label_cols if c < len(row)], PROACTIVE_LABELS, set(), list(columns))
            if item is None:
                continue
            if out is None:
                out = TableValues(template=template, evidence=(evidence.start, evidence.end))
            elif out.template != template:
                continue
            _proactive_row(out, item, row, cols, units, columns[item])
    return out if out is not None and out.printed else None


def _proactive_row(
    out: TableValues,
    item: str,
    row: Sequence[GridCell],
    cols: dict[int, str],
    units: dict[int, str | None],
    wanted: tuple[str, ...],
) -> None:
    seen: set[int] = set()
    for i, col in cols.items():
        if col not in wanted or i >= len(row) or id(row[i]) in seen:
            continue
        seen.add(id(row[i]))
        key = f"proactive.{item}.{col}"
        out.printed.add(key)
        parsed = parse_cell(row[i].text)
        if parsed.value is None or (isinstance(parsed.value, Decimal) and not col.endswith("_wan")):
            out.findings.append(_unreadable("proactive", key, row[i]))
            continue
        out.cells[key] = _cell(row[i], parsed, units.get(i))


# --- the review table ----------------------------------------------------------------------------------

_GROUP_WORDS = (
    ("未经复议", "litigation_direct"),
    ("复议后", "litigation_after_reconsideration"),
    ("行政复议", "reconsideration"),
)
_OUTCOME_WORDS = (
    ("维持", "upheld"),
    ("纠正", "corrected"),
    ("其他", "other"),
    ("审结", "pending"),
    ("总计", "total"),
    ("合计", "total"),
)


def read_review_grid(grids: Sequence[Grid]) -> TableValues | None:
    k = len(REVIEW_GROUPS) * len(REVIEW_OUTCOMES)
    for grid in grids:
        for r, row in enumerate(grid.rows):
            cells = _unique(row)
            parsed = [parse_cell(c.text) for c in cells]
            numbers = [(c, p) for c, p in zip(cells, parsed, strict=True) if p.value is not None]
            if len(numbers) < k or r == 0:
                continue
            heads = {
                i: compact("".join(grid.rows[h][i].text for h in range(r) if i < len(grid.rows[h])))
                for i in range(len(row))
            }
            if not any("复议" in h for h in heads.values()):
                continue
            mapped: dict[str, tuple[GridCell, Parsed]] = {}
            for i, cell in enumerate(row):
                group = next((g for w, g in _GROUP_WORDS if w in heads[i]), None)
                outcome = next((o for w, o in _OUTCOME_WORDS if w in heads[i][-6:]), None)
                if group and outcome:
                    mapped.setdefault(f"review.{group}.{outcome}", (cell, parse_cell(cell.text)))
            if len(mapped) != k:
                continue
            out = TableValues(template=None)
            out.printed.update(mapped)
            out.printed.add("review.litigation.total")
            for key, (gc, p) in mapped.items():
                if p.value is None:
                    out.findings.append(_unreadable("review", key, gc))
                else:
                    out.cells[key] = _cell(gc, p)
            return out
    return None


def read_grids(grids: Sequence[Grid]) -> dict[str, TableValues]:
    """Each template table that the grids hold, by name (proactive, requests, review)."""
    out: dict[str, TableValues] = {}
    for name, reader in (
        ("proactive", read_proactive_grid),
        ("requests", read_request_grid),
        ("review", read_review_grid),
    ):
        found = reader(grids)
        if found is not None:
            out[name] = found
    return out
