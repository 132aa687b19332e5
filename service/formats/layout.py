"""Text laid out as a page shows it: positioned pieces (PDF characters, recognised text boxes) into lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def lines(
    items: Sequence[T],
    extent: Callable[[T], tuple[float, float]],
    left: Callable[[T], float],
    tall: float | None = None,
) -> list[list[T]]:
    """Items grouped into lines, top to bottom, each left to right. `extent` gives an item's (top, bottom) with
    top < bottom; an item joins a line when its vertical middle lies within the line's extent. `tall`: an item
    more than this many times the usual height (a merged cell's text wrapped over rows) joins the line of its
    middle without stretching it over its neighbours."""
    if not items:
        return []
    usual = sorted(b - a for a, b in map(extent, items))[len(items) // 2] if tall is not None else 0.0
    out: list[tuple[float, float, list[T]]] = []
    for item in sorted(items, key=lambda i: sum(extent(i)) / 2):
        top, bottom = extent(item)
        middle = (top + bottom) / 2
        if tall is not None and bottom - top > tall * usual:
            top, bottom = middle - usual / 2, middle + usual / 2
        if out and out[-1][0] <= middle <= out[-1][1]:
            low, high, members = out[-1]
            members.append(item)
            out[-1] = (min(low, top), max(high, bottom), members)
        else:
            out.append((top, bottom, [item]))
    return [sorted(members, key=left) for _, _, members in out]
