"""Locate the six section headings, whatever their numbering.

Headings seen: `二、`, `2、`, `（5）`, no number at all at a line start, and run
into the previous sentence by a crawler (`…成效。一、总体情况2019年`). Titles
have typos (`行政法复议`) and variants (`存在问题及改进措施`). A phrase counts
as a heading only behind a numbering or at a line start, so the list of
sections in a report's preamble (`本报告包括总体情况、主动公开政府信息情况…`) is
not one; among candidates, a dynamic programme picks the best-numbered
sequence in printed order.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from schemas.fields import SECTION_NAMES

_GOV = r"政\s*府\s*信\s*息\s*公\s*开\s*"
_APPLY = r"申\s*请\s*"
_REVIEW = r"行\s*政\s*法?\s*复\s*议\s*[、,和及与\s]*(?:提\s*起\s*)?行\s*政\s*诉\s*讼\s*(?:的\s*)?(?:情\s*况)?"
_TITLES: dict[str, str] = {
    "overview": r"总\s*体\s*情\s*况|概\s*述",
    "proactive": r"主\s*动\s*公\s*开\s*政\s*府\s*信\s*息\s*(?:的\s*)?(?:工\s*作\s*)?情\s*况",
    "requests": r"收\s*到\s*和\s*处\s*理\s*政\s*府\s*信\s*息\s*公\s*开\s*申\s*请\s*(?:的\s*)?情\s*况"
    r"|依\s*申\s*请\s*公\s*开\s*政\s*府\s*信\s*息\s*(?:的\s*)?情\s*况",
    # (因)?(政府信息公开)?(申请)?行政(法)复议…行政诉讼…, written as one branch per possible first character so
    # that the regex engine skips along by those characters (optional groups first: tried at every position)
    "review": rf"因\s*(?:{_GOV})?(?:{_APPLY})?{_REVIEW}|{_GOV}(?:{_APPLY})?{_REVIEW}|{_APPLY}{_REVIEW}|{_REVIEW}",
    "problems": r"存\s*在\s*(?:的\s*)?(?:主\s*要\s*)?问\s*题\s*(?:及|和|与)\s*(?:其\s*)?改\s*进\s*(?:情\s*况|措\s*施)?",
    "other": r"其\s*他\s*(?:需\s*要\s*)?报\s*告\s*(?:的\s*)?事\s*项",
}
_NUMERALS = "一二三四五六七八九十"
_TOP = re.compile(r"([一二三四五六七八九十]{1,2}|\d{1,2})\s*[、.．]\s*$")
_PAREN = re.compile(r"[(（]\s*([一二三四五六七八九十]{1,2}|\d{1,2})\s*[)）]\s*$")
_LINE_START = re.compile(r"(?:^|\n)[ \t|]*$")
_LOOKBACK = 8


@dataclass(frozen=True)
class Heading:
    name: str
    start: int  # where the heading begins, numbering included
    title_end: int  # where the section's text begins
    text: str
    score: int


def _numeral(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if len(s) == 2 and s[0] == "十":
        return 10 + _NUMERALS.index(s[1]) + 1
    return _NUMERALS.index(s[0]) + 1


_PATTERNS = {name: re.compile(pattern) for name, pattern in _TITLES.items()}
# One character every spelling of the title contains: found with str.find (memchr
# speed), then the title's regex runs only in a window around it. Scanning the
# whole text with six regexes would cost seconds on a 10 MB input.
_ANCHOR_CHARS = {
    "overview": "体述",
    "proactive": "动",
    "requests": "请",
    "review": "讼",
    "problems": "进",
    "other": "项",
}
# The characters each title can begin with (the first characters of its pattern's alternatives).
_FIRST_CHARS = {
    "overview": "总概",
    "proactive": "主",
    "requests": "收依",
    "review": "因政申行",
    "problems": "存",
    "other": "其",
}
_WINDOW = 120
MAX_CANDIDATES = 64  # per section: more means the text is not a report, and the DP must stay small
MAX_ANCHOR_HITS = 4096


def _matches(text: str, name: str) -> list[re.Match[str]]:
    pattern = _PATTERNS[name]
    found: dict[int, re.Match[str]] = {}
    hits = 0
    for ch in _ANCHOR_CHARS[name]:
        pos = text.find(ch)
        while pos >= 0 and hits < MAX_ANCHOR_HITS and len(found) < MAX_CANDIDATES:
            hits += 1
            m = _containing(
                pattern, _FIRST_CHARS[name], text, max(0, pos - _WINDOW), min(len(text), pos + _WINDOW), pos
            )
            if m is not None:
                found.setdefault(m.start(), m)
            pos = text.find(ch, pos + 1)
    return [found[k] for k in sorted(found)]


def _containing(pattern: re.Pattern[str], first: str, text: str, lo: int, hi: int, pos: int) -> re.Match[str] | None:
    """The first match of `pattern.finditer(text, lo, hi)` that contains `pos`, trying the pattern only where
    one of its `first` characters stands (and only up to `pos`): a scan of the whole window cost ~4 times more.

    Same answer as the scan: finditer's next match is the pattern's match at the first position it matches,
    and the one after starts at that match's end."""
    p = lo
    while p <= pos:
        q = -1
        for c in first:
            i = text.find(c, p, pos + 1)
            if i >= 0 and (q < 0 or i < q):
                q = i
        if q < 0:
            return None
        m = pattern.match(text, q, hi)
        if m is None:
            p = q + 1
        elif m.end() > pos:
            return m
        else:
            p = m.end()  # titles are never empty: finditer goes on after the match
    return None


def _candidates(text: str, name: str, ordinal: int) -> list[Heading]:
    out: list[Heading] = []
    for m in _matches(text, name):
        before = text[max(0, m.start() - _LOOKBACK) : m.start()]
        top = _TOP.search(before)
        paren = _PAREN.search(before)
        if top:
            start = m.start() - (len(before) - top.start())
            score = 4 if _numeral(top.group(1)) == ordinal else 3
        elif paren:
            start = m.start() - (len(before) - paren.start())
            score = 2
        elif _LINE_START.search(before):
            start, score = m.start(), 2
        else:
            continue
        out.append(Heading(name, start, m.end(), text[start : m.end()].strip(), score))
    return out


def find_headings(text: str) -> list[Heading]:
    """The best-scoring sequence of section headings in printed order (missing sections skipped).

    Layer by layer (one layer per section), each candidate extends the best chain
    that ends before it: prefix maxima over earlier chains sorted by end keep
    this O(n log n) in the number of candidates.
    """
    # chains ending at some candidate: (title_end, score, heading, previous chain index)
    chains: list[tuple[int, int, Heading, int]] = []
    for i, name in enumerate(SECTION_NAMES):
        ends = sorted(range(len(chains)), key=lambda c: chains[c][0])
        end_keys = [chains[c][0] for c in ends]
        prefix: list[int] = []  # index into chains of the best chain among ends[:n+1]
        for c in ends:
            if not prefix or chains[c][1] > chains[prefix[-1]][1]:
                prefix.append(c)
            else:
                prefix.append(prefix[-1])
        layer = []
        for h in _candidates(text, name, i + 1):
            n = bisect_right(end_keys, h.start)
            if n:
                prev = prefix[n - 1]
                layer.append((h.title_end, chains[prev][1] + h.score, h, prev))
            else:
                layer.append((h.title_end, h.score, h, -1))
        chains.extend(layer)
    if not chains:
        return []
    best = max(range(len(chains)), key=lambda c: (chains[c][1], -chains[c][0]))
    out: list[Heading] = []
    while best >= 0:
        out.append(chains[best][2])
        best = chains[best][3]
    return out[::-1]


@dataclass(frozen=True)
class Section:
    name: str
    heading: str
    start: int  # text start (after the heading)
    end: int


def segment(text: str) -> dict[str, Section]:
    """Section name -> its text span in `text` (normalised offsets)."""
    heads = find_headings(text)
    out: dict[str, Section] = {}
    for i, h in enumerate(heads):
        end = heads[i + 1].start if i + 1 < len(heads) else len(text)
        out[h.name] = Section(h.name, h.text, h.title_end, end)
    return out
