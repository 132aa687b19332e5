"""The one table model of every format that has cells (HTML, DOCX, markdown pipe tables).

A `Grid` is a table after rowspan/colspan expansion: every (row, column) position holds the `GridCell`
that covers it (a merged cell is the same object at each of its positions), with the cell's text and its
span in the document's text (the received text, or the text the service derived and returns), so a value
read from a cell points at what the reader can see. Formats build grids; service.parsers.grids reads the
template's tables from them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, eq=False)
class GridCell:
    """One printed cell: its text (whitespace squeezed) and [start, end) in the document's text."""

    text: str
    start: int
    end: int
    row: int = 0  # top-left position after expansion
    col: int = 0


@dataclass
class Grid:
    rows: list[list[GridCell]] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """A cell's text for matching: whitespace of any kind collapsed to one space, trimmed."""
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class RawCell:
    """A cell as a format reads it, before expansion."""

    text: str
    start: int
    end: int
    rowspan: int = 1
    colspan: int = 1


def expand(rows: Sequence[Iterable[RawCell]], max_cells: int = 20_000) -> Grid:
    """Rows of cells with rowspan/colspan into a grid (the HTML table model: a cell takes the first free
    position of its row). Spans and the grid's size are capped, so a hostile `rowspan=100000` costs nothing."""
    placed: list[dict[int, GridCell]] = [{} for _ in rows]
    count = 0
    for r, cells in enumerate(rows):
        c = 0
        for raw in cells:
            while c in placed[r]:
                c += 1
            cell = GridCell(raw.text, raw.start, raw.end, r, c)
            width = max(1, min(raw.colspan, 64))
            for dr in range(max(1, min(raw.rowspan, len(rows) - r))):
                for dc in range(width):
                    if count < max_cells and c + dc not in placed[r + dr]:
                        placed[r + dr][c + dc] = cell
                        count += 1
            c += width
    out = Grid()
    for r, row in enumerate(placed):
        empty = GridCell("", 0, 0, r, 0)
        out.rows.append([row.get(c, empty) for c in range(max(row) + 1 if row else 0)])
    return out


class Locator:
    """Finds each cell's text in the document's text, in order: formats that derive text by another walk
    (HTML's stylesheet) place their cells by searching forward from the previous cell."""

    def __init__(self, text: str, start: int = 0) -> None:
        self.text = text
        self.pos = start

    def anchor(self, texts: Sequence[str]) -> bool:
        """Move to where the first few non-empty cells of a table stand one after the other (a single cell's
        words may also stand in the prose before the table). False when they are not found."""
        first = [t for t in texts if t.strip()][:3]
        if not first:
            return True
        pattern = re.compile(r"\s*".join(_spaced(t) for t in first))
        m = pattern.search(self.text, self.pos)
        if m is None:
            return False
        self.pos = m.start()
        return True

    def place(self, cell_text: str) -> tuple[int, int]:
        """The span of `cell_text` (whitespace-insensitive) at or after the last one; an empty cell, or one not
        found, is an empty span where the search stands."""
        if not cell_text.strip():
            return self.pos, self.pos
        m = re.compile(_spaced(cell_text)).search(self.text, self.pos)
        if m is None:
            return self.pos, self.pos
        self.pos = m.end()
        return m.start(), m.end()


MAX_MATCHED_CHARS = 40  # a cell is found by its first characters (a long cell costs no more to place)


def _spaced(text: str) -> str:
    chars = "".join(text.split())[:MAX_MATCHED_CHARS]
    return r"\s*".join(re.escape(ch) for ch in chars)
