"""Ruled tables in a page image: the ruling lines give the cells, so a scanned table keeps its structure.

A text recogniser's boxes do not say which cell a number stands in: a blank cell leaves no box, a merged
label cell's text wraps over several rows, and lines of boxes drift with the slightest rotation. The lines a
printed table is ruled with do say it. This module finds them with OpenCV's morphology (a long thin opening
keeps only runs of ink at least a cell wide, which text never is), takes each white area the lines enclose
as one cell, and places the cells on the rows and columns their edges share, spans included. It also finds
the page's skew (from straight-line fits of its long horizontal runs), since a scanner rarely feeds a page
straight.

No library does this for us: OpenCV has the morphology and the connected components, not the table model,
and table-structure models would mean a download at run time. Nothing here recognises text: `service.formats
.ocr` crops each cell's lines and reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INK = 200  # a pixel darker than this is ink: a hairline blurred by JPEG or rotation stays ink
TEXT_INK = 170  # ... and for a cell's text, a stricter level, so JPEG halos do not make a blank cell inked
MIN_LINE = 40  # pixels: a run of ink at least this long is a ruling line (a character is never this long)
MIN_CELL = 8  # pixels: a white area narrower or lower than this between lines is no cell
MIN_INK_AREA = 4  # pixels: an ink speck smaller than this (scanner dust, JPEG noise) is not text
MAX_SKEW = 3.0  # degrees searched either way


@dataclass(frozen=True)
class CellBox:
    """One cell of a ruled table: its box in the (deskewed) page image and its place in the table."""

    box: tuple[int, int, int, int]  # left, top, right, bottom
    row: int
    col: int
    rowspan: int
    colspan: int


@dataclass(frozen=True)
class RuledTable:
    box: tuple[int, int, int, int]
    cells: tuple[CellBox, ...]
    rows: int
    cols: int


def skew(gray: Any) -> float:
    """The angle (degrees, counter-clockwise) to rotate the page by so that its ruling lines are level: each
    long horizontal run of ink (a short opening keeps a line tilted by up to MAX_SKEW, drops text) is fitted
    with a straight line, and the fits' median, weighted by their length, is the page's tilt. A page with no
    long line is taken as level (its text is recognised line by line, which a slight tilt does not disturb)."""
    import cv2
    import numpy as np

    ink = (np.asarray(gray) < INK).astype(np.uint8) * 255
    runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 1)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    slopes: list[tuple[float, int]] = []
    limit = np.tan(np.radians(MAX_SKEW))
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i][:4])
        if w < 4 * MIN_LINE or h > w * limit + 6:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        slopes.append((float(np.polyfit(xs, ys, 1)[0]), w))
    if not slopes:
        return 0.0
    slopes.sort()
    half, total = sum(w for _, w in slopes) / 2, 0
    for slope, w in slopes:
        total += w
        if total >= half:
            return float(np.degrees(np.arctan(slope)))
    return 0.0


def rotate(gray: Any, angle: float) -> tuple[Any, Any]:
    """The page rotated by `angle` about its centre (white where it was off the page), and the 2x3 matrix that
    maps rotated coordinates back to the original page's."""
    import cv2

    h, w = gray.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    out = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    return out, cv2.invertAffineTransform(m)


def tables(gray: Any) -> list[RuledTable]:
    """The ruled tables of a level page, top to bottom, each with its cells."""
    import cv2
    import numpy as np

    ink = (np.asarray(gray) < INK).astype(np.uint8) * 255
    rect = cv2.getStructuringElement
    hor = cv2.morphologyEx(ink, cv2.MORPH_OPEN, rect(cv2.MORPH_RECT, (MIN_LINE, 1)))
    ver = cv2.morphologyEx(ink, cv2.MORPH_OPEN, rect(cv2.MORPH_RECT, (1, MIN_LINE)))
    # bridge small breaks in a line (a faint stretch, a dropped pixel) along its own direction
    ruling = cv2.bitwise_or(
        cv2.dilate(hor, rect(cv2.MORPH_RECT, (9, 3))), cv2.dilate(ver, rect(cv2.MORPH_RECT, (3, 9)))
    )
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ruling, connectivity=8)
    found = []
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i][:4])
        if w < 2 * MIN_LINE or h < MIN_LINE:
            continue
        cells = _cells((labels[y : y + h, x : x + w] != i).astype(np.uint8), x, y)
        if len(cells) >= 2:
            found.append(_placed((x, y, x + w, y + h), cells))
    return sorted(found, key=lambda t: (t.box[1], t.box[0]))


def _cells(white: Any, x: int, y: int) -> list[tuple[int, int, int, int]]:
    """The white areas enclosed by one table's lines (the area outside the table touches its bounding box)."""
    import cv2

    h, w = white.shape
    count, _, stats, _ = cv2.connectedComponentsWithStats(white, connectivity=4)
    out = []
    for j in range(1, count):
        cx, cy, cw, ch = (int(v) for v in stats[j][:4])
        if cx == 0 or cy == 0 or cx + cw >= w or cy + ch >= h or cw < MIN_CELL or ch < MIN_CELL:
            continue
        out.append((x + cx, y + cy, x + cx + cw, y + cy + ch))
    return out


def _edges(values: list[int], tolerance: int) -> list[int]:
    """Edge positions, near ones (the same line seen from two cells) merged into their mean."""
    groups: list[list[int]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tolerance:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [round(sum(g) / len(g)) for g in groups]


def _placed(box: tuple[int, int, int, int], cells: list[tuple[int, int, int, int]]) -> RuledTable:
    """Cells on the table's rows and columns: a cell's row is the edge its top stands on, its rowspan the
    number of row edges from its top to its bottom (columns likewise)."""
    tolerance = 6
    tops = _edges([c[1] for c in cells] + [c[3] for c in cells], tolerance)
    lefts = _edges([c[0] for c in cells] + [c[2] for c in cells], tolerance)

    def index(edges: list[int], v: int) -> int:
        return min(range(len(edges)), key=lambda k: abs(edges[k] - v))

    placed = []
    for left, top, right, bottom in cells:
        row, col = index(tops, top), index(lefts, left)
        rowspan = max(1, _count_between(tops, top, bottom, tolerance))
        colspan = max(1, _count_between(lefts, left, right, tolerance))
        placed.append(CellBox((left, top, right, bottom), row, col, rowspan, colspan))
    rows = 1 + max((c.row + c.rowspan - 1 for c in placed), default=0)
    cols = 1 + max((c.col + c.colspan - 1 for c in placed), default=0)
    ordered = sorted(placed, key=lambda c: (c.row, c.col))
    return RuledTable(box, tuple(ordered), rows, cols)


def _count_between(edges: list[int], start: int, end: int, tolerance: int) -> int:
    """How many edges stand in [start, end): the rows (or columns) a cell covers. A cell's far side is the
    inner side of the next line, so an edge within `tolerance` of it belongs to the next cell."""
    return sum(1 for e in edges if start - tolerance <= e < end - tolerance)


def _ink(gray: Any, box: tuple[int, int, int, int]) -> Any:
    """The text ink inside a box, specks too small to be a stroke left out."""
    import cv2
    import numpy as np

    x0, y0, x1, y1 = box
    ink = (np.asarray(gray)[y0:y1, x0:x1] < TEXT_INK).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = np.zeros(count, dtype=bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= MIN_INK_AREA
    return keep[labels]


def glyphs(gray: Any, box: tuple[int, int, int, int]) -> int:
    """How many glyphs a line of text shows: runs of columns with ink, split by columns with none. Printed
    digits stand apart, so a number read with fewer characters than this has lost one (a thin minus sign,
    a narrow 1); glyphs that touch make this smaller, never larger."""
    import numpy as np

    columns = _ink(gray, box).any(axis=0)
    return int(np.count_nonzero(columns[1:] & ~columns[:-1]) + int(columns[:1].sum())) if columns.size else 0


def text_lines(gray: Any, box: tuple[int, int, int, int]) -> list[tuple[int, int, int, int]]:
    """The lines of text inside a cell, top to bottom, each as the box of its ink: rows of the cell with no
    ink separate them. Ink specks too small to be a stroke are ignored; a cell with no ink has no lines."""
    import numpy as np

    left, top, right, bottom = box
    inset = 3  # off the ruling lines' blurred edges
    x0, y0, x1, y1 = left + inset, top + inset, right - inset, bottom - inset
    if x1 - x0 < 2 or y1 - y0 < 2:
        return []
    ink = _ink(gray, (x0, y0, x1, y1))
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        return []
    out = []
    breaks = np.flatnonzero(np.diff(rows) > 1)
    for a, b in zip(np.r_[0, breaks + 1], np.r_[breaks, rows.size - 1], strict=True):
        r0, r1 = int(rows[a]), int(rows[b]) + 1
        cols = np.flatnonzero(ink[r0:r1].any(axis=0))
        out.append((x0 + int(cols[0]), y0 + r0, x0 + int(cols[-1]) + 1, y0 + r1))
    return _merge_marks(out)


def _merge_marks(lines: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """A band much lower than its neighbours (the dot over a character split off by a blank pixel row) joins
    the band below it, so a line is never cut in two."""
    if len(lines) < 2:
        return lines
    height = max(b[3] - b[1] for b in lines)
    out: list[tuple[int, int, int, int]] = []
    pending: tuple[int, int, int, int] | None = None
    for b in lines:
        if pending is not None:
            b = (min(pending[0], b[0]), pending[1], max(pending[2], b[2]), b[3])
            pending = None
        if b[3] - b[1] < height / 3 and b is not lines[-1]:
            pending = b
            continue
        out.append(b)
    if pending is not None:
        out.append(pending)
    return out
