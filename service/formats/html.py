"""HTML pages as government sites publish them -> text with one table cell per line.

Word-exported markup splits one number over several `<span>`s (`202`, `4`), so
inline elements are joined without separators; block elements and table
cells end a line, and an empty cell is an empty line. Script, style and
navigation chrome are dropped. The page title (or its ArticleTitle meta) is
the first line, since many pages print the report's title only there.
"""

from __future__ import annotations

import re

from lxml import etree

from service import errors
from service.formats.elements import BLOCK, BREAK, CELL, SKIP, TABLE_TAG, TITLE_SUFFIX
from service.text.grid import Grid, Locator, RawCell, expand, squash

_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


_JS_TABLE = re.compile(r"<table\b.*</table\s*>", re.I | re.S)
_JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_JS_SIMPLE = {"n": "\n", "t": "\t", "r": "", "/": "/", '"': '"', "'": "'", "\\": "\\"}


# lxml's plain etree HTML parser: lxml.html's element classes cost a Python-level class lookup for
# every element the walk touches (a third of the conversion time), and nothing here needs them.
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


# A start tag longer than this is no page's markup (a million attributes cost libxml2 quadratic time):
# such a tag keeps its name and loses its attributes before parsing.
_HUGE_TAG = re.compile(rb"<([a-zA-Z][\w:-]{0,31})[^<>]{8192,}>")


def _parse(markup: str | bytes) -> etree._Element | None:
    """The tree of a page given as text, or as its UTF-8 bytes."""
    data = markup.encode("utf-8") if isinstance(markup, str) else markup
    data = _HUGE_TAG.sub(rb"<\1>", data)
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    if any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for e in _PARSER.error_log):
        raise errors.InputError(
            "the page nests its elements deeper than an HTML parser follows (libxml2's limit of 256 levels): "
            "it cannot be read as a page; send its text instead",
            limit=256,
        )
    return root


def _js_unescape(s: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] in "ux" and len(e) > 1:
            return chr(int(e[1:], 16))
        return _JS_SIMPLE.get(e, e)

    return _JS_ESCAPE.sub(one, s)


def _script_tables(script: str) -> str:
    """Tables that a page writes from a JavaScript string (document.write, innerHTML): their text."""
    if TABLE_TAG.search(script) is None:  # most scripts write no table: skip the costlier search
        return ""
    found = _JS_TABLE.search(script)
    if found is None:
        return ""
    root = _parse("<html><body>" + _js_unescape(found.group()) + "</body></html>")
    return _walk(root) if root is not None else ""


def html_to_text(markup: str | bytes) -> str:
    """The page's text: blocks and cells on their own lines, inline runs joined; the title first."""
    return html_document(markup)[0]


def html_document(markup: str | bytes) -> tuple[str, list[Grid]]:
    """The page's text, and the grid of every table that holds no other table, its cells placed in that text."""
    root = _parse(markup)
    if root is None:
        return "", []
    tables = _leaf_tables(root)  # before the walk: it marks script tables in the tree
    title, text = _title(root), _walk(root)
    text = _collapse([line.strip() for line in ((title + "\n" if title else "") + text).split("\n")])
    locator = Locator(text, len(title))
    grids = []
    for rows in tables:
        if not locator.anchor([c.text for row in rows for c in row]):
            continue
        placed = [[RawCell(c.text, *locator.place(c.text), c.rowspan, c.colspan) for c in row] for row in rows]
        grids.append(expand(placed))
    return text, grids


MAX_TABLE_ROWS = 2000


def _span(cell: etree._Element, name: str) -> int:
    value = str(cell.get(name) or "1").strip()
    return int(value) if value.isdigit() and 0 < int(value) < 10_000 else 1


def _leaf_tables(root: etree._Element) -> list[list[list[RawCell]]]:
    """The rows of each table that holds no other table (page layout tables hold the report's ones), each
    cell's text as the walk gives it, spans not yet placed."""
    out = []
    for table in root.iter("table"):
        if any(True for _ in table.iterdescendants("table")):
            continue
        if any(a.tag in SKIP for a in table.iterancestors()):
            continue
        rows = []
        for tr in table.iter("tr"):
            cells = [c for c in tr if c.tag in CELL]
            rows.append([RawCell(_cell_text(c), 0, 0, _span(c, "rowspan"), _span(c, "colspan")) for c in cells])
            if len(rows) >= MAX_TABLE_ROWS:
                break
        if rows:
            out.append(rows)
    return out


def _cell_text(cell: etree._Element) -> str:
    """A cell's text as the flattening keeps it (skipped elements give only their tails), squeezed."""
    parts: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(cell, False)]
    while stack:
        el, tail_only = stack.pop()
        if not tail_only:
            if isinstance(el.tag, str) and el.tag in SKIP:
                tail_only = True
            else:
                # a line break or a block inside a cell separates what stands before and after it
                parts.append(" " if el.tag == "br" or el.tag in BLOCK else "")
                parts.append(el.text or "")
                stack.append((el, True))
                stack.extend((child, False) for child in reversed(el))
                continue
        if el is not cell and el.tail:
            parts.append(el.tail)
    return squash("".join(parts))


_TABLES_ATTR = "data-nianbao-tables"


def _stylesheet() -> etree.XSLT:
    """Flattening as XSLT, so libxslt visits the elements: the same walk in Python cost 4-5 ms on a 150 KB page.

    A line break before and after every block and cell, one before every <br>; skipped elements give
    nothing but their tail (a following text node); a script that writes a table gives that table's text."""
    brk = f"<xsl:text>{BREAK}</xsl:text>"
    return etree.XSLT(
        etree.XML(
            '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
            '<xsl:output method="text" encoding="UTF-8"/>'
            f'<xsl:template match="{"|".join(sorted(SKIP))}"/>'
            f'<xsl:template match="script[@{_TABLES_ATTR}]">{brk}<xsl:value-of select="@{_TABLES_ATTR}"/>{brk}'
            "</xsl:template>"
            f'<xsl:template match="br">{brk}</xsl:template>'
            f'<xsl:template match="{"|".join(sorted(BLOCK | CELL))}">{brk}<xsl:apply-templates/>{brk}'
            "</xsl:template>"
            "</xsl:stylesheet>"
        )
    )


_FLATTEN = _stylesheet()


def _walk(root: etree._Element) -> str:
    """The tree's text with a line break before and after every block and cell, and before every <br>."""
    for script in root.iter("script"):
        tables = _script_tables(script.text) if script.text else ""
        if tables and not any(a.tag in SKIP for a in script.iterancestors()):
            script.set(_TABLES_ATTR, tables.replace("\n", BREAK))
    return _squeeze(str(_FLATTEN(root)))


def _squeeze(flat: str) -> str:
    """The stylesheet's output as lines: the page's own line breaks and runs of blanks are one space."""
    return _SPACES.sub(" ", flat.replace("\n", " ")).replace(BREAK, "\n")


def _collapse(lines: list[str]) -> str:
    """At most one empty line in a row (an empty cell stays visible as one)."""
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out).strip() + "\n"


def _title(root: etree._Element) -> str:
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() == "articletitle" and meta.get("content"):
            return str(meta.get("content")).strip()
    found = root.find(".//title")
    if found is not None and found.text:
        return TITLE_SUFFIX.sub("", found.text.strip())
    return ""
