"""Reports as the hard real-world classes print them, generated: blank-cell HTML, converters' markdown
(merged cells repeated or left empty, `<br>` in cells, tables split across pages, labels lost, cells
dropped from a wrapped row) and traditional characters. Each renderer returns the document and the
keys it may leave null (cells whose printed form no longer decides them); every other value must come back.
"""

from __future__ import annotations

import html
import random

from evals.synth.docs import _grid_proactive, _grid_requests, _grid_review, _placed, _title, to_html
from evals.synth.text import Report, render
from schemas.fields import REQUEST_COLUMNS

MARKDOWN_STYLES = ("mineru", "docling", "br", "split", "lost_labels", "dropped")
_BLANKS = ("", "&nbsp;", "<p></p>", "<p>&nbsp;</p>", "-", "/", "—", " ")


def html_blank_zeros(report: Report, rng: random.Random) -> str:
    """The Word-export page with every 0 printed as one of the ways pages leave a cell blank."""
    zero = '<span style="font-family:宋体">0</span>'  # how to_html writes a one-digit cell
    pieces = to_html(report).split(zero)
    return pieces[0] + "".join(rng.choice(_BLANKS) + p for p in pieces[1:])


def _matrix(rows: list[list[tuple[str, int, int]]], ncols: int, repeat: bool) -> list[list[str]]:
    """The table as a full matrix; a merged cell's text in every position it covers, or only its first."""
    grid = [["" for _ in range(ncols)] for _ in rows]
    for r, c, text, rs, cs in _placed(rows):
        for dr in range(rs):
            for dc in range(cs):
                if r + dr < len(grid) and c + dc < ncols and (repeat or (dr == 0 and dc == 0)):
                    grid[r + dr][c + dc] = text
    return grid


def _pipe(matrix: list[list[str]], header_rows: int) -> list[str]:
    lines = []
    for i, row in enumerate(matrix):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
        if i == max(0, header_rows - 1):
            lines.append("|" + "|".join(["---"] * len(row)) + "|")
    return lines


def _br(text: str, rng: random.Random) -> str:
    if len(text) < 4 or any(ch.isdigit() for ch in text):
        return text
    cut = rng.randint(1, len(text) - 1)
    return text[:cut] + "<br>" + text[cut:]


def to_markdown(report: Report, style: str, rng: random.Random) -> tuple[str, set[str]]:
    """The report as a PDF converter writes markdown in `style`; (text, keys that may be null)."""
    repeat = style in ("docling", "split", "lost_labels", "dropped")
    may_be_null: set[str] = set()
    proactive = _matrix(_grid_proactive(report), 4, repeat)
    requests = _matrix(_grid_requests(report), 10, repeat)
    review = _matrix(_grid_review(report), 15, repeat)
    if style == "br":
        for m in (proactive, requests, review):
            for row in m:
                row[:] = [_br(c, rng) for c in row]
    if style == "lost_labels":
        for row in requests[3:]:
            row[:3] = ["", "", ""]
    if style == "dropped":
        keys = list(report.requests)
        i = rng.randrange(len(keys))
        row = requests[3 + i]
        del row[rng.randrange(3, len(row))]
        may_be_null.update(f"requests.{keys[i]}.{c}" for c in REQUEST_COLUMNS)
    lines = [
        f"# {_title(report)}",
        "",
        "## 一、总体情况",
        "",
        "本机关推进政务公开。",
        "",
        "## 二、主动公开政府信息情况",
        "",
    ]
    lines += _pipe(proactive, 1)
    lines += ["", "## 三、收到和处理政府信息公开申请情况", ""]
    if style == "split":
        cut = rng.randint(8, len(requests) - 3)
        lines += _pipe(requests[:cut], 3)
        lines += ["", "- 2 -", ""]
        lines += _pipe(requests[cut:], 1)
    else:
        lines += _pipe(requests, 3)
    lines += ["", "## 四、政府信息公开行政复议、行政诉讼情况", ""]
    lines += _pipe(review, 3)
    lines += [
        "",
        "## 五、存在的主要问题及改进情况",
        "",
        "公开内容有待丰富。",
        "",
        "## 六、其他需要报告的事项",
        "",
        "无。",
        "",
    ]
    return "\n".join(lines), may_be_null


def traditional(text: str) -> str:
    """The text in traditional characters, as Hong Kong and Taiwan mirrors of a page serve it."""
    import zhconv

    return str(zhconv.convert(text, "zh-hant"))


def traditional_text(report: Report, style: str, rng: random.Random) -> str:
    return traditional(render(report, style, rng).text)


def traditional_html(report: Report) -> str:
    return traditional(html.unescape(to_html(report)))


__all__ = ["MARKDOWN_STYLES", "html_blank_zeros", "to_markdown", "traditional_html", "traditional_text"]
