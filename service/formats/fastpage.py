"""Pages flattened without building a tree: exactly what libxml2's HTML parser and the flattening stylesheet
of service.formats.html give, or None where the page needs the parser.

Why: libxml2 builds a tree for all of a 150 KB government page (navigation, scripts, footers) at ~90
instructions a byte, where the report is a few tables: the parse and the walk were a third of what a
worker spent on the corpus. A scan from tag to tag with str.find gives the same text for about two thirds
of that, compiled (mypyc); as plain Python it costs more than libxml2, so html.py uses it only compiled.

It copies what libxml2 does with the pages CMSs and Word exports produce: the end tags it implies (an
unclosed <p> before a <div>, a <td> after an unclosed <td>), the ranks that decide whether a misplaced end
tag closes anything, raw-text scripts, skipped elements, unknown elements read as inline ones, '>' inside
quoted attribute values, CRLF, a list of entities. It gives up (None) at the first thing it does not copy:
another HTML 4 element, an entity not in the list, control characters, a '<' that starts no tag, a script
that writes a table or holds an HTML comment, text outside the body, an end tag that closes nothing.
tests/test_fastpage.py compares the two readings on generated pages (malformed ones included), edge cases
and the corpus page; tests/test_compiled.py does so for the compiled reader.
"""

from __future__ import annotations

import re
from typing import Final

from service.formats.elements import BLOCK, BREAK, CELL, SKIP, TABLE_TAG, TITLE_SUFFIX

# Inline elements read as plain containers (their text joins the line). Others give up.
_INLINE: Final = frozenset(
    {
        "a",
        "abbr",
        "acronym",
        "b",
        "bdo",
        "big",
        "cite",
        "code",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "kbd",
        "label",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "tt",
        "u",
        "var",
        "sup",
        "sub",
        "o:p",
        "nobr",
        "mark",
        "option",  # a <select>'s options (the select is skipped)
        "optgroup",
    }
)
_LINES: Final = BLOCK | CELL
# Skipped elements whose content libxml2 parses as markup: nothing of them is output, but their nesting counts.
_SKIPPED: Final = SKIP - {"head", "script", "style", "iframe"}
_CONTAINERS: Final = _INLINE | (_LINES - {"hr"}) | _SKIPPED
# Elements libxml2 knows to be empty; <br> ends a line, <hr> is a block (a line break before and after).
_VOID: Final = frozenset({"br", "img", "input", "col", "area", "param", "meta", "link", "base", "hr"})
# Elements whose content is raw text to libxml2 (up to their end tag), all of them skipped.
_RAW: Final = frozenset({"script", "style", "iframe"})
# The HTML 4 elements libxml2 knows (and a few it reads as raw text): any other name is an element without
# rules of its own (<o:p>, <st1:chsdate>, <section> alike), read as an inline container.
_KNOWN: Final = frozenset(
    [
        "a",
        "abbr",
        "acronym",
        "address",
        "applet",
        "area",
        "b",
        "base",
        "basefont",
        "bdo",
        "big",
        "blockquote",
        "body",
        "br",
        "button",
        "caption",
        "center",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "dfn",
        "dir",
        "div",
        "dl",
        "dt",
        "em",
        "embed",
        "fieldset",
        "font",
        "form",
        "frame",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "hr",
        "html",
        "i",
        "iframe",
        "img",
        "input",
        "ins",
        "isindex",
        "kbd",
        "label",
        "legend",
        "li",
        "link",
        "map",
        "menu",
        "meta",
        "noframes",
        "noscript",
        "object",
        "ol",
        "optgroup",
        "option",
        "p",
        "param",
        "pre",
        "q",
        "s",
        "samp",
        "script",
        "select",
        "small",
        "span",
        "strike",
        "strong",
        "style",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "tt",
        "u",
        "ul",
        "var",
        "xmp",
        "plaintext",
        "listing",
        "noembed",
        "math",
        "svg",
        "template",
        "image",
        "nobr",
        "wbr",
        "source",
        "track",
        "picture",
        "video",
        "audio",
        "canvas",
    ]
)
_GENERIC_NAME = re.compile(r"[a-z][a-z0-9]*(?:[:_.-][a-z0-9]+)*")
# Start tags that make libxml2 close the open element first (its table of implied end tags, for the
# elements above): the tree is then not the markup's nesting, so those pages go to the parser.
# tests/test_fastpage.py derives this table from the parser again and requires it equal.
_CLOSED_BY: Final[dict[str, frozenset[str]]] = {
    "address": frozenset({"dd", "dl", "dt", "form", "li", "ul"}),
    "caption": frozenset({"col", "tbody", "tfoot", "thead", "tr"}),
    "dd": frozenset({"dt"}),
    "dl": frozenset({"form", "li"}),
    "dt": frozenset({"dd", "dl"}),
    "form": frozenset({"form"}),
    **dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), frozenset({"fieldset", "form", "li", "p", "table"})),
    "li": frozenset({"li"}),
    "ol": frozenset({"form"}),
    "p": frozenset(
        {
            "address",
            "blockquote",
            "caption",
            "center",
            "col",
            "dd",
            "div",
            "dl",
            "dt",
            "fieldset",
            "form",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "hr",
            "li",
            "ol",
            "p",
            "pre",
            "table",
            "tbody",
            "td",
            "tfoot",
            "th",
            "tr",
            "ul",
        }
    ),
    "pre": frozenset({"dd", "dl", "dt", "fieldset", "form", "li", "table", "ul"}),
    "tbody": frozenset({"tbody", "tfoot"}),
    "td": frozenset({"tbody", "td", "tfoot", "th", "tr"}),
    "tfoot": frozenset({"tbody"}),
    "th": frozenset({"tbody", "td", "tfoot", "th", "tr"}),
    "thead": frozenset({"tbody", "tfoot"}),
    "tr": frozenset({"tbody", "tfoot", "tr"}),
    "ul": frozenset({"address", "form", "pre"}),
    "a": frozenset({"a", "fieldset", "table", "td", "th"}),
    "b": frozenset({"center", "p", "td", "th"}),
    "big": frozenset({"p"}),
    "font": frozenset({"center", "td", "th"}),
    "i": frozenset({"center", "p", "td", "th"}),
    "s": frozenset({"p"}),
    "small": frozenset({"p"}),
    "span": frozenset({"td", "th"}),
    "strike": frozenset({"p"}),
    "tt": frozenset({"p"}),
    "u": frozenset({"p", "td", "th"}),
    "option": frozenset({"optgroup", "option"}),
}
_NONE: Final[frozenset[str]] = frozenset()
# libxml2's ranks for misplaced end tags: one closes the elements inside its element only when none of them
# ranks higher (others rank 100).
_END_RANK: Final = {
    "div": 150,
    "td": 160,
    "th": 160,
    "tr": 170,
    "thead": 180,
    "tbody": 180,
    "tfoot": 180,
    "table": 190,
    "head": 200,
    "body": 200,
    "html": 220,
}
# Deeper nesting goes to the parser, whose own depth limit then decides.
_MAX_DEPTH: Final = 200

# Entities read here (with their ';'); any other goes to the parser.
_ENTITIES: Final = {
    "nbsp": "\u00a0",
    "amp": "&",
    "lt": "<",
    "gt": ">",
    "quot": '"',
    "apos": "'",
    "copy": "\u00a9",
    "reg": "\u00ae",
    "middot": "\u00b7",
    "ldquo": "\u201c",
    "rdquo": "\u201d",
    "lsquo": "\u2018",
    "rsquo": "\u2019",
    "mdash": "\u2014",
    "ndash": "\u2013",
    "hellip": "\u2026",
    "ensp": "\u2002",
    "emsp": "\u2003",
    "thinsp": "\u2009",
    "times": "\u00d7",
    "divide": "\u00f7",
    "yen": "\u00a5",
    "deg": "\u00b0",
    "bull": "\u2022",
    "laquo": "\u00ab",
    "raquo": "\u00bb",
    "plusmn": "\u00b1",
    "sect": "\u00a7",
    "permil": "\u2030",
}
_REFERENCE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{0,15}));")
# what may follow a '&' that is a plain ampersand to libxml2 as to HTML5 (no reference starts there)
_REF_START: Final = frozenset("#0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

_NAME = re.compile(r"[A-Za-z][^\t\n\f />]*")
# names read without the pattern (none holds a blank, '/' or '>')
_NAMES: Final = _CONTAINERS | _VOID | _RAW | {"html", "head", "body", "title"}
# What a start tag in the body does, by name (one lookup instead of a test per set).
_LINE_CONTAINER: Final = 0  # a line before and after
_INLINE_CONTAINER: Final = 1
_SKIPPED_CONTAINER: Final = 2  # nothing inside is output
_RAW_TEXT: Final = 3
_META: Final = 4
_BR: Final = 5
_HR: Final = 6
_OTHER_VOID: Final = 7
_UNKNOWN: Final = 8
_KINDS: Final[dict[str, int]] = {
    **{name: _INLINE_CONTAINER for name in _INLINE},
    **{name: _LINE_CONTAINER for name in _LINES - {"hr"}},
    **{name: _SKIPPED_CONTAINER for name in _SKIPPED},
    **{name: _RAW_TEXT for name in _RAW},
    **{name: _OTHER_VOID for name in _VOID},
    "meta": _META,
    "br": _BR,
    "hr": _HR,
}
_LETTERS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SLASH_OR_BLANK: Final = frozenset("/ \t\n\f")
_END = re.compile(r"</([A-Za-z][^\t\n\f />]*)[\t\n\f ]*>")
_ATTRIBUTE = re.compile(
    r"""([^\t\n\f />"'=][^\t\n\f />"'=]*)(?:[\t\n\f ]*=[\t\n\f ]*(?:"([^"]*)"|'([^']*)'|([^\t\n\f >"'=<`]+)))?"""
)
_RAW_END = {name: re.compile(rf"</{name}[\t\n\f />]", re.I) for name in ("script", "style", "iframe", "title")}
# Control characters (C0 but tab and line breaks, DEL): libxml2 replaces or drops them.
_PLAIN_BYTES: Final = bytes([0x09, 0x0A, 0x0D, *range(0x20, 0x7F), *range(0x80, 0x100)])
_C1 = re.compile(rb"\xc2[\x80-\x9f]")


class _GiveUp(Exception):
    """The page needs the parser."""


def flatten(markup: str, utf8: bytes | None = None) -> tuple[str, str] | None:
    """(title, text): the page's title as html._title reads it, and its text with BREAK at every line
    break the stylesheet makes, before spaces are squeezed; None when the page needs the parser.

    `utf8`: the page's bytes when they are `markup` in UTF-8 (spares encoding it for the control check)."""
    try:
        data = markup.encode("utf-8") if utf8 is None else utf8
    except UnicodeEncodeError:
        return None
    if data.translate(None, _PLAIN_BYTES) or _C1.search(data) is not None:
        return None
    if "\r" in markup:
        markup = markup.replace("\r\n", "\n").replace("\r", "\n")
    try:
        return _Reader(markup).read()
    except _GiveUp:
        return None


def _text(raw: str) -> str:
    """Character data with its references resolved (only those in the list above)."""
    amp = raw.find("&")
    if amp < 0:
        return raw
    out: list[str] = []
    pos = 0
    while amp >= 0:
        nxt = raw[amp + 1 : amp + 2]
        if nxt and nxt in _REF_START:
            m = _REFERENCE.match(raw, amp)
            if m is None:
                raise _GiveUp
            out.append(raw[pos:amp])
            out.append(_resolve(m))
            pos = m.end()
        amp = raw.find("&", max(pos, amp + 1))
    out.append(raw[pos:])
    return "".join(out)


def _resolve(m: re.Match[str]) -> str:
    name = m.group(3)
    if name is not None:
        if name not in _ENTITIES:
            raise _GiveUp
        return _ENTITIES[name]
    dec = m.group(1)
    code = int(dec) if dec is not None else int(m.group(2), 16)
    # printable code points only: libxml2 maps the rest (NUL, C1, surrogates, ...) its own way
    if code in (9, 10) or 0x20 <= code < 0x7F or 0xA0 <= code < 0xD800 or 0xE000 <= code < 0xFDD0:
        return chr(code)
    if 0xFDF0 <= code <= 0xFFFD or (0x10000 <= code <= 0x10FFFF and (code & 0xFFFE) != 0xFFFE):
        return chr(code)
    raise _GiveUp


def _tag_end(s: str, pos: int, gt: int) -> int:
    """The '>' ending the tag whose attributes start at pos (gt: the first '>' from there, or -1). A quote opens
    a value only after '=' (HTML5), and a quoted value may hold '>'; a quote anywhere else is the parser's
    business."""
    if gt < 0:
        raise _GiveUp
    dq = s.find('"', pos, gt)
    sq = s.find("'", pos, gt)
    while dq >= 0 or sq >= 0:
        q = dq if sq < 0 or 0 <= dq < sq else sq
        if s[q - 1] != "=" and not s[pos:q].rstrip(" \t\n\f").endswith("="):
            raise _GiveUp
        close = s.find(s[q], q + 1)
        if close < 0:
            raise _GiveUp
        pos = close + 1
        if close > gt:  # the '>' was inside the value
            gt = s.find(">", pos)
            if gt < 0:
                raise _GiveUp
            dq = s.find('"', pos, gt)
            sq = s.find("'", pos, gt)
        else:  # a quote found before the value's end was inside it: look again from past the value
            if 0 <= dq < pos:
                dq = s.find('"', pos, gt)
            if 0 <= sq < pos:
                sq = s.find("'", pos, gt)
    return gt


def _blank(s: str) -> bool:
    return not s.strip(" \t\n")


class _Reader:
    """One pass over the page, from '<' to '<'."""

    def __init__(self, markup: str) -> None:
        self.s = markup
        self.out: list[str] = []
        self.stack: list[str] = []
        self.skipping = 0  # open elements whose content is not output
        self.meta_title: str | None = None
        self.title: str | None = None
        # where the scan is in the page's frame: 0 before <html>, 1 in <html>, 2 in <head>, 3 after </head>,
        # 4 in <body>, 5 after </body>
        self.phase = 0

    def read(self) -> tuple[str, str]:
        s = self.s
        n = len(s)
        pos = 0
        while pos < n:
            lt = s.find("<", pos)
            if lt < 0:
                lt = n
            if lt > pos:
                self._characters(pos, lt)
            if lt + 1 >= n:
                if lt < n:
                    raise _GiveUp  # a '<' ending the page
                break
            c = s[lt + 1]
            if c == "/":
                pos = self._end_tag(lt)
            elif c == "!":
                pos = self._markup_declaration(lt)
            elif c == "?":
                pos = self._processing_instruction(lt)
            elif c in _LETTERS:
                pos = self._start_tag(lt)
            else:
                raise _GiveUp  # a '<' that starts no tag
        if self.phase < 4:
            raise _GiveUp  # no body: libxml2 would imply one
        while len(self.stack) > 1:
            self._pop()
        if self.meta_title is not None:
            title = self.meta_title.strip()
        else:
            title = TITLE_SUFFIX.sub("", self.title.strip()) if self.title else ""
        return title, "".join(self.out)

    def _characters(self, start: int, end: int) -> None:
        if self.phase == 4:
            if not self.skipping:  # skipped text is not output, and libxml2 takes any entity there
                self.out.append(_text(self.s[start:end]))
        elif not _blank(self.s[start:end]):
            raise _GiveUp  # text outside the body: libxml2 moves it or implies elements

    def _start_tag(self, lt: int) -> int:
        s = self.s
        gt = s.find(">", lt)
        space = s.find(" ", lt, gt)
        after_name = space if space >= 0 else gt
        name = s[lt + 1 : after_name].lower()
        if name not in _NAMES:  # not a plain "<td " or "<td>": the name's end by the pattern
            found = _NAME.match(s, lt + 1)
            assert found is not None  # a letter follows the '<'
            after_name = found.end()
            name = s[lt + 1 : after_name].lower()
        gt = _tag_end(s, after_name, gt)
        end = gt + 1
        if s[gt - 1] in _SLASH_OR_BLANK and s[after_name:gt].rstrip(" \t\n\f").endswith("/") and name not in _VOID:
            raise _GiveUp  # <div/>: libxml2 closes it, HTML5 would not
        phase = self.phase
        if phase == 4:
            # libxml2 closes the open element while the new tag is one that ends it (an unclosed <p> before a <div>)
            while name in _CLOSED_BY.get(self.stack[-1], _NONE):
                self._pop()
            kind = _KINDS.get(name, _UNKNOWN)
            if kind == _UNKNOWN:
                if name in _KNOWN or _GENERIC_NAME.fullmatch(name) is None:
                    raise _GiveUp
                kind = _INLINE_CONTAINER
            if kind <= _SKIPPED_CONTAINER:
                if len(self.stack) >= _MAX_DEPTH:
                    raise _GiveUp
                if kind == _SKIPPED_CONTAINER:
                    self.skipping += 1
                elif kind == _LINE_CONTAINER and not self.skipping:
                    self.out.append(BREAK)
                self.stack.append(name)
            elif kind == _RAW_TEXT:
                return self._raw(name, end)
            elif kind == _META:
                self._meta(s[after_name:gt])
            elif not self.skipping:
                if kind == _BR:
                    self.out.append(BREAK)
                elif kind == _HR:
                    self.out.append(BREAK + BREAK)
            return end
        if name == "html" and phase == 0:
            self.phase = 1
        elif name == "head" and phase == 1:
            self.phase = 2
        elif name == "body" and phase in (1, 3):
            self.phase = 4
            self.stack.append("body")
        elif phase == 2 and name in ("meta", "link", "base"):
            if name == "meta":
                self._meta(s[after_name:gt])
        elif phase == 2 and name in _RAW:
            return self._raw(name, end)
        elif phase == 2 and name == "title" and self.title is None:
            close = self._raw_end("title", end)
            self.title = _text(self.s[end:close])
            return self._end_of(close, "title")
        else:
            raise _GiveUp
        return end

    def _raw(self, name: str, start: int) -> int:
        """A script or style: its text runs to its end tag; a script writing a table, or holding what HTML5
        reads as an escaped section, goes to the parser."""
        close = self._raw_end(name, start)
        if name == "script" and (self.s.find("<!--", start, close) >= 0 or TABLE_TAG.search(self.s, start, close)):
            raise _GiveUp
        return self._end_of(close, name)

    def _raw_end(self, name: str, start: int) -> int:
        m = _RAW_END[name].search(self.s, start)
        if m is None:
            raise _GiveUp
        return m.start()

    def _end_of(self, close: int, name: str) -> int:
        m = _END.match(self.s, close)
        if m is None or m.group(1).lower() != name:
            raise _GiveUp
        return m.end()

    def _end_tag(self, lt: int) -> int:
        s = self.s
        gt = s.find(">", lt)
        name = s[lt + 2 : gt].lower() if gt > 0 else ""
        end = gt + 1
        if name not in _CONTAINERS:  # not the plain </p> of a known element: read by the pattern
            m = _END.match(s, lt)
            if m is None:
                raise _GiveUp
            name, end = m.group(1).lower(), m.end()
        phase = self.phase
        if phase == 4:
            self._close(name)
            if name == "body":
                self.phase = 5
        elif phase == 2 and name == "head":
            self.phase = 3
        elif phase == 5 and name == "html":
            self.phase = 6
        else:
            raise _GiveUp
        return end

    def _pop(self) -> None:
        """The innermost open element ends; never the body (nothing closes it implicitly, and _close and read
        stop above it)."""
        kind = _KINDS.get(self.stack.pop(), _INLINE_CONTAINER)
        if kind == _SKIPPED_CONTAINER:
            self.skipping -= 1
        elif kind == _LINE_CONTAINER and not self.skipping:
            self.out.append(BREAK)

    def _close(self, name: str) -> None:
        """An end tag, as libxml2 takes one: it closes the innermost open element of that name and every
        element inside it, unless an element ranked higher (a cell, row or table for a <span>'s end) comes
        first. One that closes nothing goes to the parser (libxml2 ignores some and answers others)."""
        stack = self.stack
        rank = _END_RANK.get(name, 100)
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] == name:
                break
            if _END_RANK.get(stack[i], 100) > rank:
                raise _GiveUp
        else:
            raise _GiveUp
        if name == "body":
            if len(stack) != 1:
                raise _GiveUp
            stack.pop()
            return
        while len(stack) > i:
            self._pop()

    def _markup_declaration(self, lt: int) -> int:
        s = self.s
        if s.startswith("<!--", lt):
            body = lt + 4
            if s.startswith((">", "->"), body):
                raise _GiveUp  # <!--> and <!--->, HTML5's empty comments
            close = s.find("-->", body)
            if close < 0 or s.find("--!>", body, close + 3) >= 0:
                raise _GiveUp
            return close + 3
        if self.phase == 0 and s[lt + 2 : lt + 9].lower() == "doctype":
            close = s.find(">", lt)
            if close < 0:
                raise _GiveUp
            return close + 1
        raise _GiveUp

    def _processing_instruction(self, lt: int) -> int:
        close = self.s.find(">", lt)
        if self.phase != 0 or close < 0:
            raise _GiveUp
        return close + 1

    def _meta(self, attributes: str) -> None:
        """The first <meta name="ArticleTitle"> with a content is the page's title (html._title)."""
        if self.meta_title is not None or ("rticle" not in attributes.lower() and "&" not in attributes):
            return
        seen: dict[str, str | None] = {}
        for m in _ATTRIBUTE.finditer(attributes):
            key = m.group(1).lower()
            if key in seen:
                raise _GiveUp  # repeated attributes: which one wins is libxml2's business
            value = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
            seen[key] = None if value is None else _text(value)
        name, content = seen.get("name"), seen.get("content")
        if name is not None and name.lower() == "articletitle" and content:
            self.meta_title = content
