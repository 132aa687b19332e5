"""Markdown as PDF converters and OCR tools write it (MinerU, docling, marker, markitdown, PaddleOCR style).

The derived text is the markdown without its markup (heading marks, emphasis, `<br>` inside cells, the
`---` rule under a table's header), so titles and labels read as the report prints them; a pipe table
stays one row per line, its cells between `|`, and becomes a grid (service.text.grid) whose cells point
into that text. A table that a page break split continues in the next table (service.parsers.grids).
"""

from __future__ import annotations

import re

from service.text.grid import Grid, RawCell, expand, squash

_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_EMPHASIS = re.compile(r"\*\*|__")
_BR = re.compile(r"<br\s*/?>", re.I)
_PIPE = re.compile(r"(?<!\\)\|")
_TAGS = re.compile(r"</?(?:span|sup|sub|b|i|strong|em|u|font)\b[^>]*>", re.I)
MAX_TABLE_ROWS = 2000


def looks_like_markdown(data: bytes) -> bool | None:
    """A pipe table's header rule (`|---|---|`) on a line of its own, or two or more `#` headings; never a page
    that begins as markup."""
    head = data[: 1 << 20].decode("utf-8", errors="ignore").lstrip("\ufeff")
    if head.lstrip().startswith("<"):
        return None
    if any(_RULE.match(line) and "|" in line for line in head.splitlines()):
        return True
    return True if len(re.findall(r"(?m)^#{1,6}\s+\S", head)) >= 2 else None


def _clean(line: str) -> str:
    line = _HEADING.sub("", line)
    line = _BR.sub(" ", line)
    line = _TAGS.sub("", line)
    return _EMPHASIS.sub("", line)


def markdown_document(markup: str) -> tuple[str, list[Grid]]:
    """The text without markup, and a grid for every pipe table, its cells placed in that text."""
    out: list[str] = []
    pos = 0
    grids: list[Grid] = []
    table: list[list[RawCell]] = []
    for raw in markup.splitlines():
        stripped = raw.strip()
        is_row = stripped.startswith("|") or (stripped.count("|") >= 2 and bool(table))
        if _RULE.match(stripped) and "-" in stripped and (table or "|" in stripped):
            continue  # the rule under a header row: no text of its own
        if not is_row:
            if table:
                grids.append(expand(table))
                table = []
            line = _clean(raw)
            out.append(line)
            pos += len(line) + 1
            continue
        cells, line = _row(stripped, pos)
        if len(table) < MAX_TABLE_ROWS:
            table.append(cells)
        out.append(line)
        pos += len(line) + 1
    if table:
        grids.append(expand(table))
    return "\n".join(out).rstrip("\n") + "\n", grids


def _row(line: str, pos: int) -> tuple[list[RawCell], str]:
    """One table row as cells (their spans in the derived line that starts at `pos`) and that line."""
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    parts = _PIPE.split(inner)
    cells: list[RawCell] = []
    text = "|"
    for part in parts:
        cell = squash(_clean(part).replace("\\|", "|"))
        start = pos + len(text) + 1
        text += f" {cell} |"
        cells.append(RawCell(cell, start, start + len(cell)))
    return cells, text
