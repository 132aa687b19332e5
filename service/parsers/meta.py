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
_NOT_ORGAN = re.compile(r"报告|情况|工作|公开|发布|时间|来源|投稿|目录|附件|本局|我局|本机关|报送|现将|印发|转发|如下")
# what an organ's name ends with: a government, an office, a bureau …, or the area it governs
_ORGAN_END = re.compile(
    r"(?:人民政府|政府|办公室|办公厅|委员会|管委会|局|厅|委|办|署|院|中心|部|处|所|站|队|街道|镇|乡|片区|区|市|县|省|州|旗|盟|会|社|馆|园)$"
)


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
    if not _ORGAN_OK.match(name) or _NOT_ORGAN.search(name) or not _ORGAN_END.search(name):
        return None
    return name


# The signature that closes a report (or a letter-form report, 此函): the organ, then the date it was signed.
_SIGNATURE = re.compile(
    r"(?P<organ>[\u3400-\u9fff()（）]{2,40}?(?:人民政府|办公室|办公厅|委员会|管委会|局|厅|委|办|署|院|中心|部|处|所|站|队|街道|镇|乡|片区))"
    r"[\s,，]*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$"
)
_SIGNATURE_CHARS = 200


def _signature(text: str) -> Found | None:
    """The organ that signed the report at its end, where the title names none."""
    tail_start = max(0, len(text.rstrip()) - _SIGNATURE_CHARS)
    m = _SIGNATURE.search(text.rstrip(), tail_start)
    if m is None:
        return None
    raw = m.group("organ")
    # the organ is the signature's last clause: what follows the last sentence end or line break before it
    cut = max(raw.rfind(c) for c in "。；;\n") + 1
    name = _clean_organ(raw[cut:])
    if name is None:
        return None
    start = m.start("organ") + cut
    return Found(name, start, start + len(raw) - cut)


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
    if organ is None:
        organ = _signature(text)
    if year is None:
        m2 = _PERIOD.search(text[: _HEAD_CHARS * 4])
        if m2:
            year = Found(int(m2.group(1)), m2.start(1), m2.end(1))
    return MetaRead(organ, year)
