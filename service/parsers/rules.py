"""Deterministic phrase rules for facts that reports write as prose.

The phrasings recur across organs (收到…申请N件, 行政复议N件, 主动公开…信息N条);
each rule reads the number from the phrase that states it and keeps the
phrase's span. A rule only states what the sentence states: approximate
counts (900余条, 1000多条) are not read, and a field whose sentences give
different numbers is left null with a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from schemas.extraction import Finding
from service.text.cnnum import NUMBER, parse_number

_N = rf"(?P<n>{NUMBER})"
_NOT_APPROX = r"(?!\s*(?:余|多|以上|左右))"
_CLAUSE = r"[^。；;，,\n]"
# a clause's words that do not make the count a sub-item's (其他, 其中, 包括, …类)
_GAP = r"(?:(?!其他|其中|包括|类|依申请)[^。；;，,\n])"
MAX_SECTION_CHARS = 200_000  # narrative beyond this in one section is not a report's prose


@dataclass(frozen=True)
class Rule:
    key: str
    pattern: re.Pattern[str]
    sections: tuple[str, ...]  # where the sentence may stand, in order of preference
    zero: bool = False  # the phrase states zero (未收到…, 无…)
    # words that, earlier in the same clause, make the phrase a part's count rather than the total's
    not_after: tuple[str, ...] = ()


def _r(key: str, pattern: str, sections: tuple[str, ...], zero: bool = False, not_after: tuple[str, ...] = ()) -> Rule:
    return Rule(key, re.compile(pattern), sections, zero, not_after)


_SUB_ITEM = ("其他", "其中", "包括")


RULES: tuple[Rule, ...] = (
    # the year's total of proactively disclosed items; never a sub-item's count (…其他政府信息1条, 其中…,
    # …类信息N条), never what an organ "should" disclose (应当主动公开的…)
    _r(
        "proactive.items_total",
        rf"主动公开(?<![应需]主动公开)(?<!应当主动公开){_GAP}{{0,40}}?信息(?:总?数|总量)?\s*(?:为|共|达)?\s*{_N}\s*条{_NOT_APPROX}",
        ("overview", "proactive"),
        not_after=_SUB_ITEM,
    ),
    _r(
        "proactive.items_total",
        rf"主动公开的?\s*{_N}\s*条(?:政府)?信息",
        ("overview", "proactive"),
        not_after=_SUB_ITEM,
    ),
    _r(
        "proactive.items_total",
        rf"(?:共|全年|累计|通过){_GAP}{{0,40}}?(?:公布|公开)\s*政府信息\s*{_N}\s*条{_NOT_APPROX}",
        ("overview", "proactive"),
        not_after=_SUB_ITEM,
    ),
    _r(
        "requests.new.total",
        rf"(?:收到|受理|新收|接收){_CLAUSE}{{0,12}}?(?:依申请公开|信息公开申请|公开申请){_CLAUSE}{{0,8}}?"
        rf"(?<![\d.]){_N}\s*(?:件|个|份){_NOT_APPROX}",
        ("requests", "overview"),
    ),
    _r(
        "requests.new.total",
        r"(?:未|没有)\s*(?:收到|受理)\s*(?:任何\s*)?(?:政府信息公开申请|依申请公开)",
        ("requests", "overview"),
        zero=True,
    ),
    _r(
        "review.reconsideration.total",
        rf"行政复议(?:案件|申请)?\s*(?:共\s*)?{_N}\s*(?:件|起|宗){_NOT_APPROX}",
        ("review", "overview"),
    ),
    _r(
        "review.litigation.total",
        rf"行政诉讼(?:案件)?\s*(?:共\s*)?{_N}\s*(?:件|起|宗){_NOT_APPROX}",
        ("review", "overview"),
    ),
    _r(
        "review.reconsideration.total",
        r"(?:无|未发生|没有|未收到)\s*(?:因?政府信息公开(?:申请)?(?:引起|引发)?的?\s*)?(?:提起\s*)?行政复议",
        ("review",),
        zero=True,
    ),
    _r(
        "review.litigation.total",
        r"(?:无|未发生|没有|未收到)\s*(?:因?政府信息公开(?:申请)?(?:引起|引发)?的?\s*)?(?:提起\s*)?"
        r"(?:行政复议\s*(?:和|及|、|或)\s*)?(?:提起\s*)?行政诉讼",
        ("review",),
        zero=True,
    ),
)


@dataclass(frozen=True)
class RuleHit:
    key: str
    value: int | float
    start: int  # span of the phrase (normalised offsets)
    end: int
    num_start: int | None  # span of the number itself, when printed
    num_end: int | None


def apply_rules(
    text: str, sections: dict[str, tuple[int, int]], skip: Iterable[str] = ()
) -> tuple[list[RuleHit], list[Finding]]:
    """Rule hits for keys not in `skip`: one per key, only where every stating sentence agrees."""
    skipped = set(skip)
    hits: dict[str, list[RuleHit]] = {}
    for rule in RULES:
        if rule.key in skipped:
            continue
        for name in rule.sections:
            if name not in sections:
                continue
            start, end = sections[name]
            end = min(end, start + MAX_SECTION_CHARS)
            found = list(_hits(rule, text, start, end))
            if found:
                hits.setdefault(rule.key, []).extend(found)
                break
    out: list[RuleHit] = []
    findings: list[Finding] = []
    for key, found in hits.items():
        distinct = sorted({h.value for h in found})
        if len(distinct) == 1:
            out.append(found[0])
        else:
            findings.append(
                Finding(
                    rule="rule.conflict",
                    kind="parse",
                    message=f"{key}: the narrative states different numbers ({', '.join(map(str, distinct))}); left null",
                    cells=[key],
                    start=found[0].start,
                    end=found[-1].end,
                )
            )
    return out, findings


_CLAUSE_ENDS = "。；;，,\n"


def _in_a_part(rule: Rule, text: str, start: int, at: int) -> bool:
    """Whether the clause before `at` names a part (其他…, 其中…): the count is then not the total's."""
    if not rule.not_after:
        return False
    clause = max(start, *(text.rfind(c, start, at) + 1 for c in _CLAUSE_ENDS))
    return any(w in text[clause:at] for w in rule.not_after)


def _hits(rule: Rule, text: str, start: int, end: int) -> Iterable[RuleHit]:
    for m in rule.pattern.finditer(text, start, end):
        if _in_a_part(rule, text, start, m.start()):
            continue
        if rule.zero:
            yield RuleHit(rule.key, 0, m.start(), m.end(), None, None)
            continue
        value = parse_number(m.group("n"))
        if value is None:
            continue
        yield RuleHit(rule.key, value, m.start(), m.end(), m.start("n"), m.end("n"))
