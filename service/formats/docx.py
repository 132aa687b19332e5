"""DOCX reports -> text: paragraphs and table cells in document order, one cell per line.

Merged cells are emitted once: a horizontally merged cell (gridSpan) is one
cell, a vertically merged continuation (vMerge) is an empty line, so the row
labels and numbers keep the order they are printed in. The archive is
checked before python-docx opens it: a zip bomb is refused, not inflated.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from io import BytesIO

from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from service import errors
from service.text.grid import Grid, GridCell, squash

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_ENTRIES = 2000


def _check_archive(data: bytes, name: str | None) -> None:
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise errors.InputError(f"{name or 'the input'} is not a readable DOCX archive: {exc}", source=name) from exc
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if len(infos) > MAX_ENTRIES or total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
        raise errors.InputTooLarge(
            f"{name or 'the input'} inflates to {total} bytes in {len(infos)} entries "
            f"(ratio {total / packed:.0f}): refused as a possible zip bomb",
            source=name,
            uncompressed=total,
            entries=len(infos),
        )


def docx_to_text(data: bytes, name: str | None = None) -> str:
    return docx_document(data, name)[0]


def docx_document(data: bytes, name: str | None = None) -> tuple[str, list[Grid]]:
    """The document's text (paragraphs and table cells in order, one cell per line) and each table's grid,
    its cells placed in that text."""
    _check_archive(data, name)
    try:
        doc = Document(BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a broken package
        raise errors.InputError(f"{name or 'the input'} is not a readable DOCX document: {exc}", source=name) from exc
    out = _Text()
    grids: list[Grid] = []
    for block in _blocks(doc):
        if isinstance(block, Paragraph):
            out.line(block.text.strip())
        else:
            _table(block, out, grids)
    lead = len(out.text()) - len(out.text().lstrip())
    text = out.text().strip() + "\n"
    if lead:
        grids = [_shifted(g, -lead) for g in grids]
    return text, grids


class _Text:
    """Lines joined by newlines, with the offset where each next line starts."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0

    def line(self, text: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(text)
        self.pos += len(text) + 1
        return start, start + len(text)

    def text(self) -> str:
        return "\n".join(self.parts)


def _shifted(grid: Grid, by: int) -> Grid:
    cells: dict[int, GridCell] = {}
    rows = []
    for row in grid.rows:
        new = []
        for c in row:
            if id(c) not in cells:
                cells[id(c)] = GridCell(c.text, max(0, c.start + by), max(0, c.end + by), c.row, c.col)
            new.append(cells[id(c)])
        rows.append(new)
    return Grid(rows)


def _blocks(doc: object) -> Iterator[Paragraph | Table]:
    body = doc.element.body  # type: ignore[attr-defined]
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, doc)  # type: ignore[arg-type]
        elif child.tag == qn("w:tbl"):
            yield Table(child, doc)  # type: ignore[arg-type]


def _table(table: Table, out: _Text, grids: list[Grid]) -> None:
    """The table's cells, one per line (a vertically merged continuation is an empty line), into `out`; its
    grid (merged cells once, at every position they cover) into `grids`, nested tables after it."""
    rows: list[list[GridCell]] = []
    for r, tr in enumerate(table._tbl.tr_lst):
        row: list[GridCell] = []
        for tc in tr.tc_lst:
            span = max(1, min(int(tc.grid_span or 1), 64))
            col = len(row)
            if tc.vMerge == "continue":
                out.line("")
                above = rows[-1][col] if rows and col < len(rows[-1]) else GridCell("", out.pos, out.pos, r, col)
                row.extend([above] * span)
                continue
            text = "\n".join(p.text.strip() for p in _cell_paragraphs(tc, table)).strip()
            start, end = out.line(text)
            row.extend([GridCell(squash(text), start, end, r, col)] * span)
            for nested in tc.tbl_lst:
                _table(Table(nested, table), out, grids)
        out.line("")
        rows.append(row)
    grids.append(Grid(rows))


def _cell_paragraphs(tc: object, parent: Table) -> Iterator[Paragraph]:
    for p in tc.p_lst:  # type: ignore[attr-defined]
        yield Paragraph(p, parent)
