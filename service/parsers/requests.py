"""三、收到和处理政府信息公开申请情况: the 7-column request table.

The table may have the 2019 single （六）其他处理 row or the 2021 three sub-rows,
whatever the rest of the report uses: the rows printed decide.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from schemas.fields import REQUEST_COLUMNS, outcome_rows, request_rows
from service.parsers.cells import Num
from service.parsers.labels import REQUEST_LABELS
from service.parsers.result import TableValues
from service.parsers.solve import ColumnRule
from service.parsers.table import RowSpec, find_anchors, read_table
from service.text.normalize import spaced

_HEADER = re.compile("|".join(spaced(p) for p in ("勾稽关系", "申请人情况")))
_FIRST_ROWS = re.compile("|".join(spaced(p) for p in ("本年新收", "上年结转", "予以公开")))
K = len(REQUEST_COLUMNS)
# every row's flat cell keys, built once (not per cell of every report)
_CELL_KEYS = {
    row: tuple(f"requests.{row}.{col}" for col in REQUEST_COLUMNS)
    for row in dict.fromkeys((*request_rows(single_other=False), *request_rows(single_other=True)))
}


def row_total_ok(v: Sequence[Num]) -> bool:
    """总计 equals the six applicant columns."""
    return v[-1] == sum(v[:-1])


@cache
def specs(single_other: bool) -> tuple[RowSpec, ...]:
    return tuple(RowSpec(key, REQUEST_LABELS[key], K, row_total_ok) for key in request_rows(single_other))


@cache
def column_rules(single_other: bool) -> tuple[ColumnRule, ...]:
    return (
        ColumnRule(("new", "carried_over"), ("total", "carried_forward")),
        ColumnRule(("total",), tuple(outcome_rows(single_other))),
    )


def read_requests(text: str, start: int, end: int, strict: bool = False) -> TableValues | None:
    header = _HEADER.search(text, start, end) or _FIRST_ROWS.search(text, start, end)
    if header is None:
        return None
    start = header.start()
    # 2021 rows when either （六） sub-row is printed, else the single 2019 row
    sub = find_anchors(text, start, end, specs(single_other=False))
    keys = request_rows(single_other=False)
    single = sub[keys.index("other_no_correction")] is None and sub[keys.index("other_unpaid_fee")] is None
    table = read_table(text, start, end, specs(single), column_rules(single), where="requests", strict=strict)
    if table is None:
        return None
    out = TableValues(template="2019" if single else "2021", span=(table.start, table.end))
    other = table.rows["other"] if single else table.rows["other_no_correction"]
    if other.label is not None:
        out.evidence = other.label
    out.findings.extend(table.findings)
    for key, row in table.rows.items():
        for cell_key, cell in zip(_CELL_KEYS[key], row.cells(), strict=True):
            if cell is not None:
                out.cells[cell_key] = cell
    if out.cells and sum(r.label is not None for r in table.rows.values()) >= MIN_PRINTED_ROWS:
        # a table, not a sentence that names a row (本年度上年结转申请1件): its rows are the report's for these keys
        for key, row in table.rows.items():
            if row.label is not None:
                out.printed.update(_CELL_KEYS[key])
    return out


MIN_PRINTED_ROWS = 3
