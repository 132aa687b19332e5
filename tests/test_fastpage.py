"""The tree-less page reader (service.formats.fastpage) against libxml2 + the stylesheet: the same text, or None.

Pages are generated from the elements, entities and slips that real government pages carry (unclosed <p>
and <td>, stray end tags, '>' in quoted attributes, Word's <o:p>, scripts, comments, odd entities, CRLF),
and every page the fast reader accepts must read exactly as the parser reads it."""

from __future__ import annotations

import random
from pathlib import Path
from typing import ClassVar

import pytest
from lxml import etree

from service.formats import fastpage, html

ROOT = Path(__file__).resolve().parents[1]
CORPUS_PAGE = ROOT / "evals" / "corpus" / "33_jiaotongjianshe-jtj-2024.html"


def _parsed(markup: str) -> str:
    """html_to_text through the parser alone."""
    return html.html_to_text(markup, fast=False)


def _fast(markup: str) -> str:
    """html_to_text through the fast reader where it reads the page (compiled or not)."""
    return html.html_to_text(markup, fast=True)


def test_the_corpus_page_is_read_without_the_parser_to_the_same_text() -> None:
    data = CORPUS_PAGE.read_bytes()
    markup = data.decode("utf-8")
    assert fastpage.flatten(markup, data) is not None
    assert html.html_to_text(markup, data, fast=True) == _parsed(markup)


def test_the_table_of_implied_end_tags_is_libxml2s() -> None:
    """Every (open element, start tag) pair the reader meets: libxml2 nests the new element, or closes the
    open one first exactly where _CLOSED_BY says so."""
    olds = sorted(fastpage._CONTAINERS | {"text", "st1:chsdate"})
    news = olds + sorted(fastpage._VOID | fastpage._RAW)
    derived: dict[str, frozenset[str]] = {}
    for old in olds:
        closing = set()
        for new in news:
            inner = f"<{new}>" if new in fastpage._VOID else f"<{new}>b</{new}>"
            root = etree.fromstring(f"<html><body><{old}>a{inner}c</{old}></body></html>".encode(), html._PARSER)
            element = root.find("body")[0]
            if not (element.tag == old and len(element) and element[0].tag == new):
                closing.add(new)
        if closing:
            derived[old] = frozenset(closing)
    assert derived == fastpage._CLOSED_BY


@pytest.mark.parametrize("name", sorted(fastpage._ENTITIES))
def test_every_listed_entity_reads_as_libxml2_reads_it(name: str) -> None:
    markup = f"<html><body><p>a&{name};b</p></body></html>"
    assert fastpage.flatten(markup) is not None
    assert _fast(markup) == _parsed(markup)


# pages where libxml2's rules are easy to get wrong: each reads as the parser reads it, or goes to the parser
_EDGES = [
    "<html><body><div><td>x</div>y</td>z</body></html>",  # </div> does not cross an open cell
    "<html><body><div><table><tr><td>x</div>y</td></tr></table>z</div></body></html>",
    "<html><body><span><div>x</span>y</div>z</body></html>",  # </span> crosses a <div> (ranked higher)
    "<html><body><div><td>x</div>y</body></html>",
    "<html><body><span><div>x</span>y</body></html>",
    "<html><body><table><tr><td><div>x</td>y</div></td></tr></table></body></html>",
    "<html><body><b><i>x</b>y</i>z</body></html>",  # misnested inline elements
    "<html><body><p>a<table><tr><td>1</td></tr></table>b</p></body></html>",  # <table> closes the <p>
    '<html><body><p a"b="c>d">q</p></body></html>',  # a quote in an attribute's name
    '<html><body><p x=1"y>z">q</p></body></html>',  # a quote in an unquoted value
    '<html><body><p x = "y>z">q</p></body></html>',
    "<html><body><select><option>a<option>b</select>c</body></html>",
    "<html><body><p>1</p></body></html><p>2</p>",  # content after </html>
    "<html><body>a<br/>b</br>c</body></html>",  # </br>
    "<html><body><div/>x</div>y</body></html>",
]


@pytest.mark.parametrize("markup", _EDGES)
def test_edge_pages_read_the_same_or_go_to_the_parser(markup: str) -> None:
    if fastpage.flatten(markup) is not None:
        assert _fast(markup) == _parsed(markup)


# --- generated pages ---------------------------------------------------------------------------------

_CONTAINERS = [
    *["p", "div", "span", "td", "th", "tr", "table", "tbody", "thead", "b", "font", "a", "li", "ul", "ol"],
    *["h1", "h3", "center", "strong", "o:p", "st1:chsdate", "text", "section", "button", "select", "option"],
    *["noscript", "i", "u", "sup", "form", "pre", "dl", "dt", "dd", "caption", "em", "label", "small"],
    *["blockquote", "fieldset", "nobr", "object", "template", "svg", "textarea", "xmp", "title", "colgroup"],
]
_VOIDS = ["br", "img", "hr", "input", "meta", "link", "col", "wbr"]
_TEXTS = [
    *["1", "23", "4,560", "0", "规章", "发文", "申请", "  ", "\n", "\t", " ", "\u3000", "—", "\u00a0", "\ufeff"],
    *["&nbsp;", "&amp;", "&lt;", "&gt;", "&#65;", "&#x4e00;", "A & B", "&ldquo;", "\r\n", "\r", "- 3 -"],
]
# what real pages carry less often, most of which sends a page to the parser
_ODD_TEXTS = [
    *["&#12;", "&#128;", "&#0;", "&#xD800;"],
    *["&copy", "&bogus;", "&", "&#", "&hellip;", "<", ">", "a<b", "</", "\u2028"],
    *["\x0c", "\x85", "\x01", "\ufffe", "😀", "&apos;", "&quot;", "&#x1F600;", "&#xFFFE;"],
]
_ATTRIBUTES = [
    *["", "", "", "", "", ' class="MsoNormal"', " class=x", " title='a>b'", " onclick=\"f('x')\""],
    *[' ms-visible="a&&b.length>0"', '\tstyle="width:1px"\n', ' name="ArticleTitle" content="标题 &amp; 年报"'],
    *[' name="articletitle" content=""', " content='T' name=ArticleTitle"],
]
_ODD_ATTRIBUTES = [
    *[' a="b"c', " a='b", ' x="1" x="2"', " /", " a=b/", " a=\"x'>\" b='y\">'", ' a"b="c>d"', ' x=1"y>z"'],
    *[' x = "y>z"', " x=\n'y>z'", " x='\"'"],
]


class _Page:
    close_rate = 0.85  # how often an element gets its end tag
    containers: ClassVar[list[str]] = _CONTAINERS

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def text(self) -> str:
        rng = self.rng
        return "".join(rng.choice(_ODD_TEXTS if rng.random() < 0.03 else _TEXTS) for _ in range(rng.randint(1, 3)))

    def tag(self, name: str) -> str:
        rng = self.rng
        if rng.random() < 0.1:
            name = name.upper()
        return f"<{name}{rng.choice(_ODD_ATTRIBUTES if rng.random() < 0.03 else _ATTRIBUTES)}>"

    def nodes(self, depth: int) -> str:
        rng = self.rng
        out = []
        for _ in range(rng.randint(0, 4)):
            roll = rng.random()
            if roll < 0.3:
                out.append(self.text())
            elif roll < 0.4:
                out.append(self.tag(rng.choice(_VOIDS)))
            elif roll < 0.44:
                out.append(rng.choice(["<!-- c -->", "<!---->", "<!-- <p> -->", "<!-- c -->"]))
            elif roll < 0.45:
                out.append(rng.choice(["<!-->", "<!--->", "<!-- a --!> b -->", "<!-- x"]))
            elif roll < 0.5:
                body = rng.choice(["var a = 1;", "if (a<b) {}", "document.write('<table><tr><td>9</td></tr></table>')"])
                body = rng.choice([body, "<!-- x -->", "a = '</scr' + 'ipt>'"])
                out.append(rng.choice(["<script>", "<script type='text/javascript'>", "<style>", "<iframe>"]))
                out.append(body)
                out.append(rng.choice(["</script>", "</SCRIPT >", "</style>", "</iframe>"]))
            elif roll < 0.53:
                out.append(f"</{rng.choice(self.containers)}>")  # a stray end tag
            elif depth < 6:
                name = rng.choice(self.containers)
                out.append(self.tag(name) + self.nodes(depth + 1))
                if rng.random() < self.close_rate:
                    out.append(f"</{name}>")
        return "".join(out)

    def page(self) -> str:
        rng = self.rng
        head = rng.choice(
            [
                "<head><title>某局2024年报_某市人民政府</title></head>",
                '<head><meta charset="utf-8"><meta name="ArticleTitle" content="某局 &amp; 年报"><title>x</title></head>',
                "<head><title>a &amp; b</title><style>p { color: red }</style><script>var x;</script></head>",
                "<head></head>",
                "",
                "<title>no head</title>",
            ]
        )
        doctype = rng.choice(
            ["", "<!DOCTYPE html>", '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN">', "<?xml version='1.0'?>"]
        )
        body = self.nodes(0)
        tail = rng.choice(["</body></html>", "</body></html>\n", "</html>", "", "</body></html>x", "</body>\n"])
        frame = rng.random()
        if frame < 0.85:
            return f"{doctype}<html>{head}\n<body>{body}{tail}"
        if frame < 0.93:
            return f"<html><body>{body}"
        return f"{head}{body}"


class _SloppyTables(_Page):
    """Tables, paragraphs and lists with half their end tags missing: libxml2's implied end tags at work."""

    close_rate = 0.5
    containers: ClassVar[list[str]] = [
        *["p", "div", "span", "td", "th", "tr", "table", "tbody", "li", "ul", "a", "b", "font", "h2", "center"],
        *["form", "dl", "dt", "dd", "caption", "select", "option", "optgroup", "o:p", "address", "u", "small"],
    ]


@pytest.mark.parametrize(
    ("page", "pages", "least_fast"),
    [(_Page, 4000, 1000), (_SloppyTables, 3000, 300)],
    ids=["mixed", "sloppy-tables"],
)
def test_generated_pages_read_the_same_or_go_to_the_parser(page: type[_Page], pages: int, least_fast: int) -> None:
    """Every page the fast reader accepts reads as the parser reads it; and enough are accepted that the
    comparison means something."""
    fast = 0
    for seed in range(pages):
        markup = page(random.Random(seed)).page()
        if fastpage.flatten(markup) is None:
            continue
        fast += 1
        assert _fast(markup) == _parsed(markup), f"seed {seed}: {markup!r}"
    assert fast >= least_fast, f"only {fast} of {pages} generated pages read without the parser"
