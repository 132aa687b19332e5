"""Render valid reports in the flattenings real scrapers produce, for round-trip tests.

A `Report` holds values that satisfy the template's arithmetic; `render`
writes it as plain text in one of the styles seen in the corpus and returns
the text with, for every flat key, the printed string of its cell.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from schemas.fields import (
    APPLICANT_COLUMNS,
    PROACTIVE_2019,
    PROACTIVE_2021,
    REQUEST_COLUMNS,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
    outcome_rows,
    request_rows,
)

STYLES = ("lines", "pipe", "tab", "pdf", "pdf_displaced", "fused")

REQUEST_LABEL_TEXT = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "三、本年度办理结果 （一）予以公开",
    "partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied_secret": "（三）不予公开 1.属于国家秘密",
    "denied_law": "2.其他法律行政法规禁止公开",
    "denied_safety": "3.危及“三安全一稳定”",
    "denied_third_party": "4.保护第三方合法权益",
    "denied_internal": "5.属于三类内部事务信息",
    "denied_process": "6.属于四类过程性信息",
    "denied_case_file": "7.属于行政执法案卷",
    "denied_query": "8.属于行政查询事项",
    "unable_not_held": "（四）无法提供 1.本机关不掌握相关政府信息",
    "unable_create": "2.没有现成信息需要另行制作",
    "unable_unclear": "3.补正后申请内容仍不明确",
    "rejected_petition": "（五）不予处理 1.信访举报投诉类申请",
    "rejected_duplicate": "2.重复申请",
    "rejected_publication": "3.要求提供公开出版物",
    "rejected_excessive": "4.无正当理由大量反复申请",
    "rejected_confirm": "5.要求行政机关确认或重新出具已获取信息",
    "other": "（六）其他处理",
    "other_no_correction": "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_misc": "3.其他",
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
PROACTIVE_LABEL_TEXT = {
    "rules": "规章",
    "normative_docs": "规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "enforcement": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
PROACTIVE_HEADERS = {
    "2019": {
        "rules": ("第二十条第（一）项", ("本年新制作数量", "本年新公开数量", "对外公开总数量")),
        "licensing": ("第二十条第（五）项", ("上一年项目数量", "本年增/减", "处理决定数量")),
        "penalty": ("第二十条第（六）项", ("上一年项目数量", "本年增/减", "处理决定数量")),
        "fees": ("第二十条第（八）项", ("上一年项目数量", "本年增/减")),
        "procurement": ("第二十条第（九）项", ("采购项目数量", "采购总金额（单位：万元）")),
    },
    "2021": {
        "rules": ("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数")),
        "licensing": ("第二十条第（五）项", ("本年处理决定数量",)),
        "penalty": ("第二十条第（六）项", ("本年处理决定数量",)),
        "fees": ("第二十条第（八）项", ("本年收费金额（单位：万元）",)),
    },
}


@dataclass
class Report:
    template: str  # "2019" | "2021"
    organ: str
    year: int
    proactive: dict[str, list[int | float]]  # item -> printed values
    requests: dict[str, list[int]]  # row -> 7 values
    review: list[int]  # 15 values
    single_other: bool = False

    def flat(self) -> dict[str, int | float | str]:
        out: dict[str, int | float | str] = {
            "meta.organ": self.organ,
            "meta.year": self.year,
            "meta.template": self.template,
        }
        cols = PROACTIVE_2019 if self.template == "2019" else PROACTIVE_2021
        for item, pvals in self.proactive.items():
            for col, pv in zip(cols[item], pvals, strict=True):
                out[f"proactive.{item}.{col}"] = pv
        for row, vals in self.requests.items():
            for col, v in zip(REQUEST_COLUMNS, vals, strict=True):
                out[f"requests.{row}.{col}"] = v
        i = 0
        for g in REVIEW_GROUPS:
            for o in REVIEW_OUTCOMES:
                out[f"review.{g}.{o}"] = self.review[i]
                i += 1
        out["review.litigation.total"] = self.review[9] + self.review[14]
        return out


def random_report(rng: random.Random, template: str, single_other: bool | None = None, big: bool = False) -> Report:
    def small() -> int:
        r = rng.random()
        if r < 0.55:
            return 0
        if r < 0.85 or not big:
            return rng.randint(1, 9)
        return rng.randint(10, 400)

    single = (template == "2019") if single_other is None else single_other
    outcomes = outcome_rows(single)
    req: dict[str, list[int]] = {row: [0] * 7 for row in request_rows(single)}
    for c in range(len(APPLICANT_COLUMNS)):
        scale = 1 if c == 0 else 0.3
        for row in outcomes:
            req[row][c] = small() if rng.random() < scale else 0
        total = sum(req[row][c] for row in outcomes)
        req["total"][c] = total
        req["carried_forward"][c] = small() if rng.random() < 0.3 else 0
        req["carried_over"][c] = rng.randint(0, total + req["carried_forward"][c]) if rng.random() < 0.3 else 0
        req["new"][c] = total + req["carried_forward"][c] - req["carried_over"][c]
    for cells in req.values():
        cells[6] = sum(cells[:6])
    review: list[int] = []
    for _ in REVIEW_GROUPS:
        four = [small() if rng.random() < 0.3 else 0 for _ in range(4)]
        review += [*four, sum(four)]
    cols = PROACTIVE_2019 if template == "2019" else PROACTIVE_2021
    pro: dict[str, list[int | float]] = {}
    for item, names in cols.items():
        vals: list[int | float] = []
        for name in names:
            if name == "amount_wan":
                vals.append(round(rng.randint(0, 10**6) / 100, 2) if rng.random() < 0.7 else 0)
            elif name == "change":
                vals.append(rng.randint(-5, 20))
            else:
                vals.append(rng.randint(0, 900) if rng.random() < 0.6 else 0)
        pro[item] = vals
    organ = rng.choice(["驻马店市水利局", "三门峡市文化广电和旅游局", "平潭综合实验区交通与建设局", "洪泽区人民政府"])
    return Report(template, organ, rng.randint(2019, 2025), pro, req, review, single)


def _fmt(v: int | float) -> str:
    if isinstance(v, float):
        s = f"{v:.2f}".rstrip("0").rstrip(".")
        return s
    return str(v)


@dataclass
class Rendered:
    text: str
    style: str
    printed: dict[str, str] = field(default_factory=dict)


def _cells(style: str, cells: list[str]) -> str:
    if style == "lines":
        return "".join(f"{c}\n\n" for c in cells)
    if style == "pipe":
        return "".join(f"{c} |\n" for c in cells)
    if style == "tab":
        return "".join(f"\t{c}\n" for c in cells)
    if style == "fused":
        return "".join(cells)
    return " ".join(cells) + "\n"  # pdf


def render(report: Report, style: str, rng: random.Random) -> Rendered:
    """The whole report as text in `style`; the tables flattened as that style flattens them."""
    parts: list[str] = [f"{report.organ}\n{report.year}年政府信息公开工作年度报告\n\n"]
    parts.append("一、总体情况\n本机关认真贯彻落实《条例》，推进政务公开工作。\n")
    parts.append("二、主动公开政府信息情况\n")
    headers = PROACTIVE_HEADERS[report.template]
    for item, vals in report.proactive.items():
        if item in headers:
            article, cols = headers[item]
            parts.append(_cells(style if style != "fused" else "pdf", [article]))
            parts.append(_cells(style if style != "fused" else "pdf", ["信息内容", *cols]))
        label = PROACTIVE_LABEL_TEXT[item]
        if style == "fused":
            parts.append(label + "".join(_fmt(v) for v in vals))
        else:
            parts.append(_row(style, label, [_fmt(v) for v in vals], rng))
    parts.append("\n三、收到和处理政府信息公开申请情况\n")
    parts.append(
        _cells(
            "pdf" if style == "fused" else style,
            [
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                "申请人情况",
                "自然人",
                "法人或其他组织",
                "总计",
                "商业企业",
                "科研机构",
                "社会公益组织",
                "法律服务机构",
                "其他",
            ],
        )
    )
    for row, rvals in report.requests.items():
        label = REQUEST_LABEL_TEXT[row]
        cells = [str(v) for v in rvals]
        if style == "fused":
            parts.append(label + "".join(cells))
        else:
            parts.append(_row(style, label, cells, rng))
    parts.append("\n四、政府信息公开行政复议、行政诉讼情况\n")
    review_header = [
        "行政复议",
        "行政诉讼",
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
        "未经复议直接起诉",
        "复议后起诉",
    ] + ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
    if style == "fused":
        parts.append("".join(review_header) + "".join(str(v) for v in report.review))
    else:
        parts.append(_cells(style, review_header))
        parts.append(_cells(style, [str(v) for v in report.review]))
    parts.append("\n五、存在的主要问题及改进情况\n公开内容有待进一步丰富。\n六、其他需要报告的事项\n无。\n")
    return Rendered("".join(parts), style)


def _row(style: str, label: str, cells: list[str], rng: random.Random) -> str:
    if style == "pdf_displaced" and rng.random() < 0.3:
        # the value line printed above its label, and a page footer between
        footer = f"- {rng.randint(1, 9)} -\n" if rng.random() < 0.5 else ""
        return " ".join(cells) + "\n" + footer + label + "\n"
    if style in ("pdf", "pdf_displaced"):
        return label + " " + " ".join(cells) + "\n"
    return _cells(style, [label, *cells])
