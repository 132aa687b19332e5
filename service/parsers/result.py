"""What a table reader hands the pipeline: cells under their flat keys, plus findings."""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.extraction import Finding
from schemas.fields import Template
from service.parsers.cells import Cell


@dataclass
class TableValues:
    cells: dict[str, Cell] = field(default_factory=dict)  # flat key -> cell (normalised offsets)
    findings: list[Finding] = field(default_factory=list)
    template: Template | None = None  # what the table's own headers or rows say
    evidence: tuple[int, int] | None = None  # span of the header or row that says it
    span: tuple[int, int] | None = None  # the table's extent
    # the cell keys of every row whose label the report prints, read or not: prose never fills these
    printed: set[str] = field(default_factory=set)
