"""Title, organ and year.

Titles come in several shapes: `驻马店市…局2020年政府信息公开工作年度报告`,
`2022年嵊州市…局政府信息公开工作年度报告`, the organ on the line above the
year (`三门峡市文化广电和旅游局` / `2024年政府信息公开工作年度报告`), and a
crawler's `标题:` header. The year is the year the report covers; where no
title states one, the statistics period (`统计期限自2019年1月1日起至2019年12月31日止`)
does. Nothing is guessed from a publication date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.text.normalize import squeeze

_HEAD_CHARS = 4000
_TITLE = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?P<mid>[^\n\d]{0,40}?)\s*政\s*府\s*信\s*息\s*公\s*开\s*(?:工\s*作\s*)?年\s*度?\s*报\s*告"
)
_PERIOD = re.compile(r"统计期限?\s*(?:为|是)?\s*(?:自|从)?\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_ORGAN_OK = re.compile(r"^[\u3400-\u9fff()（）]{2,40}$")
_PREFIXES = re.compile(r"^(?:标题\s*[:：]|关于|[|\s])+")
_SUFFIXES = re.compile(r"(?:关于|的|[|\s])+$")
_NOT_ORGAN = re.compile(r"报告|情况|工作|公开|发布|时间|来源|投稿|目录|附件")


@dataclass(frozen=True)
class Found:
    value: str | int
    start: int
    end: int


@dataclass(frozen=True)
class MetaRead:
    organ: Found | None
    year: Found | None


def _clean_organ(raw: str) -> str | None:
    name = _SUFFIXES.sub("", _PREFIXES.sub("", squeeze(raw)))
    name = re.sub(r"\s+", "", name)
    if not _ORGAN_OK.match(name) or _NOT_ORGAN.search(name):
        return None
    return name


def read_meta(text: str) -> MetaRead:
    head = text[:_HEAD_CHARS]
    organ: Found | None = None
    year: Found | None = None
    for m in _TITLE.finditer(head):
        year = year or Found(int(m.group("year")), m.start("year"), m.end("year"))
        line_start = head.rfind("\n", 0, m.start()) + 1
        candidates: list[tuple[str, int]] = [(head[line_start : m.start()], line_start)]
        if m.group("mid").strip():
            candidates.append((m.group("mid"), m.start("mid")))
        if not head[line_start : m.start()].strip(" \t|"):
            prev_end = line_start - 1
            while prev_end > 0:
                prev_start = head.rfind("\n", 0, prev_end) + 1
                if head[prev_start:prev_end].strip():
                    candidates.append((head[prev_start:prev_end], prev_start))
                    break
                prev_end = prev_start - 1
        for raw, pos in candidates:
            name = _clean_organ(raw)
            if name:
                first = name[0]
                offset = raw.find(first)
                organ = Found(name, pos + max(offset, 0), pos + len(raw.rstrip(" \t|")))
                break
        if organ:
            break
    if year is None:
        m2 = _PERIOD.search(text[: _HEAD_CHARS * 4])
        if m2:
            year = Found(int(m2.group(1)), m2.start(1), m2.end(1))
    return MetaRead(organ, year)
