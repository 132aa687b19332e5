"""HTML pages as government sites publish them -> text with one table cell per line.

Word-exported markup splits one number over several `<span>`s (`202`, `4`), so
inline elements are joined without separators; block elements and table
cells end a line, and an empty cell is an empty line. Script, style and
navigation chrome are dropped. The page title (or its ArticleTitle meta) is
the first line, since many pages print the report's title only there.
"""

from __future__ import annotations

import re

from lxml import etree, html

_SKIP = {"script", "style", "noscript", "template", "head", "iframe", "object", "svg", "select", "button"}
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "aside",
    "nav",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "caption",
    "blockquote",
    "pre",
    "form",
    "fieldset",
    "center",
    "hr",
    "address",
    "figure",
}
_CELL = {"td", "th"}
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_TITLE_SUFFIX = re.compile(r"[_|｜-].*$")


_JS_TABLE = re.compile(r"<table\b.*</table\s*>", re.I | re.S)
_JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_JS_SIMPLE = {"n": "\n", "t": "\t", "r": "", "/": "/", '"': '"', "'": "'", "\\": "\\"}


def _parse(markup: str) -> html.HtmlElement | None:
    parser = html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        return html.document_fromstring(markup.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _js_unescape(s: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] in "ux" and len(e) > 1:
            return chr(int(e[1:], 16))
        return _JS_SIMPLE.get(e, e)

    return _JS_ESCAPE.sub(one, s)


def _script_tables(script: str) -> str:
    """Tables that a page writes from a JavaScript string (document.write, innerHTML): their text."""
    if "<table" not in script.lower():
        return ""
    found = _JS_TABLE.search(script)
    if found is None:
        return ""
    root = _parse("<html><body>" + _js_unescape(found.group()) + "</body></html>")
    return _walk(root) if root is not None else ""


def html_to_text(markup: str) -> str:
    """The page's text: blocks and cells on their own lines, inline runs joined."""
    root = _parse(markup)
    if root is None:
        return ""
    title = _title(root)
    text = (title + "\n" if title else "") + _walk(root)
    return _collapse([line.strip() for line in text.split("\n")])


def _walk(root: html.HtmlElement) -> str:
    out: list[str] = []
    skip_depth = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _SKIP:
                if tag == "script" and not skip_depth and el.text:
                    out.append("\n" + _script_tables(el.text) + "\n")
                skip_depth += 1
                continue
            if skip_depth:
                continue
            if tag == "br" or tag in _BLOCK or tag in _CELL:
                out.append("\n")
            if el.text:
                out.append(_SPACES.sub(" ", el.text.replace("\n", " ")))
        else:
            if tag in _SKIP:
                skip_depth -= 1
            elif not skip_depth and (tag in _BLOCK or tag in _CELL):
                out.append("\n")
            if not skip_depth and el.tail and el.getparent() is not None:
                out.append(_SPACES.sub(" ", el.tail.replace("\n", " ")))
    return "".join(out)


def _collapse(lines: list[str]) -> str:
    """At most one empty line in a row (an empty cell stays visible as one)."""
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out).strip() + "\n"


def _title(root: html.HtmlElement) -> str:
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() == "articletitle" and meta.get("content"):
            return str(meta.get("content")).strip()
    found = root.find(".//title")
    if found is not None and found.text:
        return _TITLE_SUFFIX.sub("", found.text.strip())
    return ""
