"""find_anchors reuses the next label's search for the next row; the answer must be the plain two-search one."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from service.parsers import requests, table
from service.parsers.table import RowSpec
from service.text.normalize import normalize

CORPUS = Path(__file__).resolve().parents[1] / "evals" / "corpus"


def _plain(text: str, start: int, end: int, specs: Sequence[RowSpec]) -> list[tuple[int, int] | None]:
    out: list[tuple[int, int] | None] = []
    pos = start
    end = min(end, start + table.MAX_TABLE_CHARS)
    for i, spec in enumerate(specs):
        limit = end if all(a is None for a in out) else min(end, pos + table.ROW_WINDOW)
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


def _shuffled_report(rng: random.Random, text: str) -> str:
    """Pieces of the report repeated and moved, with long prose between: labels out of order, far apart
    (past a row's reach) and overlapping."""
    pieces = []
    for _ in range(rng.randint(2, 8)):
        start = rng.randint(0, len(text))
        pieces.append(text[start : start + rng.randint(0, 1500)])
        if rng.random() < 0.4:
            pieces.append("情况说明。" * rng.randint(500, 1200))
    return "".join(pieces)


def test_anchors_equal_the_plain_search_on_every_window_and_order() -> None:
    rng = random.Random(7)
    texts = [normalize(path.read_text("utf-8")).text for path in sorted(CORPUS.glob("*.txt"))]
    texts += [_shuffled_report(rng, rng.choice(texts)) for _ in range(40)]
    for text in texts:
        for single in (False, True):
            specs = list(requests.specs(single))
            assert table.find_anchors(text, 0, len(text), specs) == _plain(text, 0, len(text), specs)
            for _ in range(30):
                start = rng.randint(0, len(text))
                end = rng.randint(start, len(text))
                shuffled = rng.sample(specs, len(specs))
                assert table.find_anchors(text, start, end, shuffled) == _plain(text, start, end, shuffled)
