"""四、政府信息公开行政复议、行政诉讼情况: the 15 numbers under a two-level header."""

from __future__ import annotations

import re
from collections.abc import Sequence

from schemas.extraction import Finding
from schemas.fields import REVIEW_GROUPS, REVIEW_OUTCOMES
from service.parsers.cells import Num, row_readings, values
from service.parsers.result import TableValues
from service.parsers.table import MAX_TABLE_CHARS, ROW_WINDOW, first_cluster
from service.text.normalize import spaced
from service.text.numbers import tokenize

_START = re.compile(spaced("行政复议") + "|" + spaced("行政法复议"))
_HEADER_NEAR = re.compile("|".join(spaced(p) for p in ("维持", "纠正", "审结")))
K = len(REVIEW_GROUPS) * len(REVIEW_OUTCOMES)
W = len(REVIEW_OUTCOMES)


def groups_ok(v: Sequence[Num]) -> bool:
    """Each group's 总计 equals its four outcomes."""
    return all(v[g + W - 1] == sum(v[g : g + W - 1]) for g in range(0, K, W))


def read_review(text: str, start: int, end: int, strict: bool = False) -> TableValues | None:
    head = None
    end = min(end, start + MAX_TABLE_CHARS)
    for m in _START.finditer(text, start, end):
        if _HEADER_NEAR.search(text, m.end(), min(end, m.end() + 200)):
            head = m
            break
    if head is None:
        return None
    tokens = first_cluster(text, tokenize(text, head.end(), min(end, head.end() + ROW_WINDOW)))
    if not tokens:
        return None
    seg = (tokens[0].start, tokens[-1].end)
    options = row_readings(tokens, K, groups_ok, seg, strict=strict)
    out = TableValues(span=(head.start(), seg[1]))
    if len(tokens) >= W:  # numbers enough for a table, not a sentence's one or two
        out.printed.update(f"review.{g}.{o}" for g in REVIEW_GROUPS for o in REVIEW_OUTCOMES)
        out.printed.add("review.litigation.total")  # the sum of the two printed litigation totals
    if len(options.readings) != 1:
        n = len(options.readings)
        shown = "; ".join(" ".join(str(v) for v in values(r)) for r in options.readings[:2])
        out.findings.append(
            Finding(
                rule="parse.ambiguous_split" if n else "parse.cell_count",
                kind="parse",
                message=(
                    f"review table: {len(tokens)} numbers printed for {K} cells"
                    + (f"; {n} readings fit ({shown})" if n else "; no reading fits the template")
                    + "; its cells are left null"
                ),
                cells=["review"],
                start=seg[0],
                end=seg[1],
            )
        )
        return out
    reading = options.readings[0]
    i = 0
    for group in REVIEW_GROUPS:
        for outcome in REVIEW_OUTCOMES:
            out.cells[f"review.{group}.{outcome}"] = reading[i]
            i += 1
    return out
