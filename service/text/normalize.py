"""Offset-keeping normalisation: NFKC, line endings, invisible characters.

Every parser works on the normalised text, and every span it reports is
mapped back to the text the service received, so a reviewer can find the
value where it was printed. Normalisation is per character, so the map is a
short list of anchors around the few characters whose replacement is not one
character long (most reports have none), and building it is linear.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache

# Characters that carry nothing: zero-width spaces and joiners, BOM, soft hyphen.
_DROP = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
# Punctuation that NFKC leaves alone but reports use interchangeably.
_EXTRA = {
    "\r": "\n",
    "\u2028": "\n",
    "\u2029": "\n",
    "\u2014": "-",  # em dash, used as a minus or a blank-cell mark
    "\u2013": "-",
    "\u2212": "-",  # minus sign
    "\u3001": "、",
}


@lru_cache(maxsize=65536)
def _replacement(ch: str) -> str:
    """What `ch` becomes: never a character that would itself be replaced (NFKC makes ﹘ an em dash, which is
    then "-"), so the order in which characters are replaced cannot change the text."""
    if ch in _DROP:
        return ""
    if ch in _EXTRA:
        return _EXTRA[ch]
    nfkc = unicodedata.normalize("NFKC", ch)
    return "".join(_EXTRA.get(c, c) for c in nfkc if c not in _DROP)


@dataclass(frozen=True)
class NormText:
    """Normalised text plus the map from its offsets back to the original's."""

    original: str
    text: str
    # Anchors: at normalised offset norm[i] the original offset is orig[i];
    # widths[i] is the original width of a replaced character (0 marks an
    # identity run, where offsets advance together).
    _norm: list[int] = field(default_factory=list, repr=False)
    _orig: list[int] = field(default_factory=list, repr=False)
    _fixed: list[bool] = field(default_factory=list, repr=False)

    def to_original(self, pos: int) -> int:
        """Original offset of the character at normalised offset `pos`."""
        if not self._norm:
            return min(pos, len(self.original))
        i = bisect_right(self._norm, pos) - 1
        if i < 0:
            return pos
        if self._fixed[i]:
            return self._orig[i]
        return min(self._orig[i] + (pos - self._norm[i]), len(self.original))

    def to_normalised(self, pos: int) -> int:
        """Normalised offset of the original offset `pos` (inside a replaced character: where its replacement is)."""
        if not self._norm:
            return min(pos, len(self.text))
        i = bisect_right(self._orig, pos) - 1
        if i < 0:
            return pos
        if self._fixed[i]:
            return self._norm[i]
        return min(self._norm[i] + (pos - self._orig[i]), len(self.text))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the normalised [start, end)."""
        if not self._norm and 0 <= start <= end <= len(self.original):
            return start, end  # most reports normalise character for character: offsets are the same
        ostart = self.to_original(start)
        if end <= start:
            return ostart, ostart
        return ostart, max(ostart, self.to_original(end - 1) + 1)


# The commonest characters of report text outside ASCII and CJK (counted over the corpus), split into those
# normalisation keeps and those it swaps for one other character. They are looked for with `in` (a few
# instructions a character) rather than by the scan below: every run of them the scan found cost a string
# and a list slot, half of what normalising cost.
_FREQUENT = "、，。（）“”《》；：\u00a0"
_KEPT = "".join(ch for ch in _FREQUENT if _replacement(ch) == ch)
_SWAPS = {ch: _replacement(ch) for ch in _FREQUENT if _replacement(ch) != ch and len(_replacement(ch)) == 1}
_OTHERS = f"[^\\x00-\\x0c\\x0e-\\x7f\\u4e00-\\u9fff{_KEPT}{''.join(_SWAPS)}]"
# Characters that normalisation may change, but those above: everything else outside ASCII and the CJK
# unified ideographs. Scanning for these (in C) is what keeps a 10 MB text fast; the class is written once
# before its repetition so that the regex engine skips along by it (`[...]+` is tried at every position).
_CANDIDATES = re.compile(_OTHERS + _OTHERS + "*")


# Traditional characters every report would show if it were written in them (報告, 數據, 申請, 處理, 總計,
# 開, 復, 訴, 結轉, 與, 為, 會, 關, 權): three or more of them and the text is read as traditional.
_TRADITIONAL_MARKS = frozenset("報數據請處總計開復訴結轉與為會關權議則")
_MIN_TRADITIONAL_MARKS = 3


@cache
def _t2s() -> dict[str, str]:
    """Traditional -> simplified, character for character (zhconv's table)."""
    from zhconv import zhconv

    zhconv.loaddict()
    return {k: v for k, v in zhconv.zhcdicts["zh2Hans"].items() if len(k) == 1 and len(v) == 1 and k != v}


def traditional(text: str) -> bool:
    return len(_TRADITIONAL_MARKS.intersection(text[:200_000])) >= _MIN_TRADITIONAL_MARKS


def _simplified(text: str) -> str:
    """The text in simplified characters at the same offsets: zhconv's phrase conversion (反覆申請 -> 反复申请)
    where it keeps the length, else character for character."""
    import zhconv

    converted = str(zhconv.convert(text, "zh-cn"))
    if len(converted) == len(text):
        return converted
    t2s = _t2s()
    return text.translate({ord(ch): t2s[ch] for ch in set(text) if ch in t2s})


def normalize(original: str) -> NormText:
    """NFKC plus the replacements above (and traditional characters to simplified ones, where the text is
    written in them), keeping a map back to `original`."""
    if traditional(original):
        received, original = original, _simplified(original)
        return replace(normalize(original), original=received)
    table: dict[str, str] = {ch: rep for ch, rep in _SWAPS.items() if ch in original}
    for ch in set("".join(_CANDIDATES.findall(original))):
        rep = _replacement(ch)
        if rep != ch:
            table[ch] = rep
    crlf = "\r\n" in original
    odd = [c for c, rep in table.items() if len(rep) != 1 or (crlf and c == "\r")]
    # same length: offsets unchanged
    text = original.translate(
        {ord(ch): rep for ch, rep in table.items() if len(rep) == 1 and not (crlf and ch == "\r")}
    )
    if crlf:
        odd.append("\r\n")
    if not odd:
        return NormText(original, text)
    pattern = re.compile("|".join(re.escape(c) for c in sorted(odd, key=len, reverse=True)))
    pieces: list[str] = []
    norm: list[int] = []
    orig: list[int] = []
    fixed: list[bool] = []
    n = 0
    last = 0
    for m in pattern.finditer(text):
        if m.start() > last:
            norm.append(n)
            orig.append(last)
            fixed.append(False)
            pieces.append(text[last : m.start()])
            n += m.start() - last
        rep = "\n" if m.group() in ("\r\n", "\r") else table[m.group()]
        norm.append(n)
        orig.append(m.start())
        fixed.append(True)
        pieces.append(rep)
        n += len(rep)
        last = m.end()
    norm.append(n)
    orig.append(last)
    fixed.append(False)
    pieces.append(text[last:])
    return NormText(original, "".join(pieces), norm, orig, fixed)


_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])[ \t\u3000]+(?=[\u3400-\u9fff])")


def squeeze(text: str) -> str:
    """Drop whitespace between CJK characters (`自然 人` -> `自然人`) and trim."""
    return _CJK_GAP.sub("", text).strip()


def spaced(literal: str) -> str:
    """A regex for `literal` that tolerates whitespace (and line breaks) between its characters."""
    return r"\s*".join(re.escape(ch) for ch in literal)


def compact(text: str) -> str:
    """NFKC without any whitespace: what two texts share where a PDF, a converter or a model moved spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())
