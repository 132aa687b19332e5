"""二、主动公开政府信息情况: the 第二十条 tables of either template."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from schemas.extraction import Finding
from schemas.fields import MONEY_SUFFIX, PROACTIVE_2019, PROACTIVE_2021, Template
from service.parsers.cells import Cell
from service.parsers.labels import HEADERS_2019, HEADERS_2021, PROACTIVE_LABELS, PROACTIVE_START
from service.parsers.result import TableValues
from service.parsers.table import RowSpec, read_table

# the amount column's header says 元 (单位：元, 采购总金额（元）), not 万元
_UNIT_YUAN = re.compile(r"单\s*位\s*[:：]?\s*元|[（(]\s*(?:单\s*位\s*[:：]?\s*)?元\s*[)）]")


def detect_template(text: str, start: int, end: int) -> tuple[Template, tuple[int, int]] | None:
    """Which template the 第二十条 column headers belong to, and the header that says so."""
    new = list(HEADERS_2021.finditer(text, start, end))
    old = list(HEADERS_2019.finditer(text, start, end))
    if not new and not old:
        return None
    if len(new) >= len(old):
        return "2021", new[0].span()
    return "2019", old[0].span()


@cache
def _specs(template: Template) -> tuple[RowSpec, ...]:
    columns = PROACTIVE_2019 if template == "2019" else PROACTIVE_2021
    return tuple(
        RowSpec(item, PROACTIVE_LABELS[item], len(cols), repeats=cols == ("made", "published", "total_published"))
        for item, cols in columns.items()
    )


def read_proactive(text: str, start: int, end: int, strict: bool = False) -> TableValues | None:
    m = PROACTIVE_START.search(text, start, end)
    if m is None:
        return None
    detected = detect_template(text, m.start(), end)
    if detected is None:
        return None
    template, evidence = detected
    columns = PROACTIVE_2019 if template == "2019" else PROACTIVE_2021
    table = read_table(text, m.start(), end, _specs(template), where="proactive", strict=strict)
    if table is None:
        return None
    out = TableValues(template=template, evidence=evidence, span=(table.start, table.end))
    out.findings.extend(table.findings)
    for item, cols in columns.items():
        row = table.rows[item]
        for col, cell in zip(cols, row.cells(), strict=True):
            if cell is None:
                continue
            key = f"proactive.{item}.{col}"
            if col.endswith(MONEY_SUFFIX):
                if cell.unit is None and _header_says_yuan(text, m.start(), row.seg[0]):
                    # the amount is in 元 by its header; the pipeline converts (to_wan), as for "…元" cells
                    cell = Cell(cell.value, cell.start, cell.end, "元", cell.blank, cell.note)
            elif isinstance(cell.value, Decimal):
                out.findings.append(
                    Finding(
                        rule="parse.not_a_count",
                        kind="parse",
                        message=f"{key}: {cell.value} printed where the template has a count; left null",
                        cells=[key],
                        start=cell.start,
                        end=cell.end,
                    )
                )
                continue
            out.cells[key] = cell
    # the 第二十条 column headers are printed (a table, not a sentence): its labelled rows are the report's,
    # read or not
    for item, cols in columns.items():
        if table.rows[item].label is not None:
            out.printed.update(f"proactive.{item}.{col}" for col in cols)
    return out


def _header_says_yuan(text: str, table_start: int, row_start: int) -> bool:
    header_start = text.rfind("信息内容", table_start, row_start)
    return bool(_UNIT_YUAN.search(text, max(header_start, table_start), row_start))
