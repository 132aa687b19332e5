"""Row labels of the standard tables, as key phrases that survive real-world typos.

Each row is found by any of a few short phrases rather than its full label:
labels are wrapped, split by PDF line breaks (`重 新出具`), or misprinted
(`其他法律行政止公开`, `三安全一隐患`, `属于三类内容事务信息`). Phrases are matched
with whitespace allowed between characters and searched in printed order,
so a phrase only has to be distinctive after the previous row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from service.text.normalize import spaced


@dataclass(frozen=True)
class RowLabel:
    key: str
    phrases: tuple[str, ...]
    # A regex that must precede the phrase (within the label) for it to count.
    prefix: str = ""
    # compiled once here: table reads look it up a hundred times per report
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", _compile(self.phrases, self.prefix))


@cache
def _compile(phrases: tuple[str, ...], prefix: str) -> re.Pattern[str]:
    body = "|".join(spaced(p) for p in phrases)
    return re.compile(f"{prefix}(?:{body})")


REQUEST_LABELS: dict[str, RowLabel] = {
    r.key: r
    for r in (
        RowLabel("new", ("本年新收", "本年度新收", "新收政府信息公开申请")),
        RowLabel("carried_over", ("上年结转",)),
        RowLabel("granted", ("予以公开",)),
        RowLabel("partial", ("部分公开",)),
        RowLabel("denied_secret", ("国家秘密",)),
        RowLabel("denied_law", ("法律行政", "禁止公开")),
        RowLabel("denied_safety", ("三安全", "一稳定", "一隐患")),
        RowLabel("denied_third_party", ("第三方",)),
        RowLabel("denied_internal", ("内部事务", "三类内", "内容事务")),
        RowLabel("denied_process", ("过程性", "四类过程")),
        RowLabel("denied_case_file", ("执法案卷", "案卷")),
        RowLabel("denied_query", ("行政查询", "查询事项")),
        RowLabel("unable_not_held", ("不掌握",)),
        RowLabel("unable_create", ("另行制作", "现成信息")),
        RowLabel("unable_unclear", ("补正后", "仍不明确")),
        RowLabel("rejected_petition", ("信访", "举报投诉")),
        RowLabel("rejected_duplicate", ("重复申请",)),
        RowLabel("rejected_publication", ("公开出版物", "出版物")),
        RowLabel("rejected_excessive", ("大量反复", "反复申请")),
        RowLabel("rejected_confirm", ("重新出具", "确认或重", "已获取信息")),
        RowLabel("other", ("其他处理",)),
        RowLabel("other_no_correction", ("逾期不补正", "不补正")),
        RowLabel("other_unpaid_fee", ("收费通知", "缴纳费用")),
        RowLabel("other_misc", ("其他",), prefix=r"3\s*[.、]\s*"),
        RowLabel("total", ("总计", "合计")),
        RowLabel("carried_forward", ("结转下年", "继续办理")),
    )
}

PROACTIVE_LABELS: dict[str, RowLabel] = {
    r.key: r
    for r in (
        RowLabel("rules", ("规章",)),
        RowLabel("normative_docs", ("规范性文件",)),
        RowLabel("licensing", ("行政许可",)),
        RowLabel("other_services", ("其他对外管理服务事项", "对外管理服务")),
        RowLabel("penalty", ("行政处罚",)),
        RowLabel("enforcement", ("行政强制",)),
        RowLabel("fees", ("行政事业性收费", "事业性收费")),
        RowLabel("procurement", ("政府集中采购", "集中采购")),
    )
}

# Column headers that tell the two templates apart (第二十条 tables).
HEADERS_2021 = re.compile(
    "|".join(spaced(p) for p in ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "本年处理决定数量"))
)
HEADERS_2019 = re.compile(
    "|".join(
        spaced(p) for p in ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量")
    )
)
PROACTIVE_START = re.compile(spaced("第二十条") + "|" + spaced("信息内容"))
REVIEW_HEADER_END = re.compile(
    "|".join(spaced(p) for p in ("总计", "总结", "合计", "审结", "结果", "维持", "纠正", "起诉"))
)
