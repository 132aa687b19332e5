"""How the flattening of a page treats its elements (service.formats.html's stylesheet)."""

from __future__ import annotations

import re
from typing import Final

# Elements whose content is not report text: nothing of them is kept but what follows them.
SKIP: Final = frozenset(
    {"script", "style", "noscript", "template", "head", "iframe", "object", "svg", "select", "button"}
)
# Elements that end a line before and after them.
BLOCK: Final = frozenset(
    {
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
)
# Table cells: a line of their own, like blocks (an empty cell is an empty line).
CELL: Final = frozenset({"td", "th"})
# Stands for a structural line break while a page is flattened: the page's own newlines are spaces.
BREAK: Final = "\ue000"
# What follows the report's name in a page title: the site's name ("…年度报告_某某区人民政府").
TITLE_SUFFIX: Final = re.compile(r"[_|｜-].*$")
# Where a script may write a table (document.write, innerHTML): such a script's text is read as a page.
TABLE_TAG: Final = re.compile(r"<table", re.I)
