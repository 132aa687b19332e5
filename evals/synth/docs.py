"""Render a random valid report as government sites and offices write it: HTML, DOCX, PDF."""

from __future__ import annotations

import html
import io
from collections.abc import Iterator

from evals.synth.text import PROACTIVE_HEADERS, PROACTIVE_LABEL_TEXT, Report, _fmt

GROUPS = {
    "granted": ("三、本年度办理结果", None, "（一）予以公开"),
    "partial": ("三、本年度办理结果", None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    "denied_secret": ("三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"),
    "denied_law": ("三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开"),
    "denied_safety": ("三、本年度办理结果", "（三）不予公开", "3.危及“三安全一稳定”"),
    "denied_third_party": ("三、本年度办理结果", "（三）不予公开", "4.保护第三方合法权益"),
    "denied_internal": ("三、本年度办理结果", "（三）不予公开", "5.属于三类内部事务信息"),
    "denied_process": ("三、本年度办理结果", "（三）不予公开", "6.属于四类过程性信息"),
    "denied_case_file": ("三、本年度办理结果", "（三）不予公开", "7.属于行政执法案卷"),
    "denied_query": ("三、本年度办理结果", "（三）不予公开", "8.属于行政查询事项"),
    "unable_not_held": ("三、本年度办理结果", "（四）无法提供", "1.本机关不掌握相关政府信息"),
    "unable_create": ("三、本年度办理结果", "（四）无法提供", "2.没有现成信息需要另行制作"),
    "unable_unclear": ("三、本年度办理结果", "（四）无法提供", "3.补正后申请内容仍不明确"),
    "rejected_petition": ("三、本年度办理结果", "（五）不予处理", "1.信访举报投诉类申请"),
    "rejected_duplicate": ("三、本年度办理结果", "（五）不予处理", "2.重复申请"),
    "rejected_publication": ("三、本年度办理结果", "（五）不予处理", "3.要求提供公开出版物"),
    "rejected_excessive": ("三、本年度办理结果", "（五）不予处理", "4.无正当理由大量反复申请"),
    "rejected_confirm": ("三、本年度办理结果", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    "other": ("三、本年度办理结果", None, "（六）其他处理"),
    "other_no_correction": (
        "三、本年度办理结果",
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    "other_unpaid_fee": (
        "三、本年度办理结果",
        "（六）其他处理",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    "other_misc": ("三、本年度办理结果", "（六）其他处理", "3.其他"),
    "total": ("三、本年度办理结果", None, "（七）总计"),
}
TOP = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "carried_forward": "四、结转下年度继续办理",
}
HEADER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANTS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")


def _grid_requests(report: Report) -> list[list[tuple[str, int, int]]]:
    """Rows of (text, rowspan, colspan) as the template prints the request table (10 columns)."""
    rows: list[list[tuple[str, int, int]]] = [
        [(HEADER, 3, 3), ("申请人情况", 1, 7)],
        [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
        [(a, 1, 1) for a in APPLICANTS],
    ]
    keys = list(report.requests)
    group_rows = [k for k in keys if k in GROUPS]
    first_group = True
    seen_sub: set[str] = set()
    for key in keys:
        vals = [(str(v), 1, 1) for v in report.requests[key]]
        if key in TOP:
            rows.append([(TOP[key], 1, 3), *vals])
            continue
        group, sub, label = GROUPS[key]
        row: list[tuple[str, int, int]] = []
        if first_group:
            row.append((group, len(group_rows), 1))
            first_group = False
        if sub is None:
            row.append((label, 1, 2))
        else:
            if sub not in seen_sub:
                seen_sub.add(sub)
                row.append((sub, sum(1 for k in group_rows if GROUPS[k][1] == sub), 1))
            row.append((label, 1, 1))
        rows.append(row + vals)
    return rows


def _grid_review(report: Report) -> list[list[tuple[str, int, int]]]:
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [*[(o, 2, 1) for o in outcomes], ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        [(o, 1, 1) for o in outcomes * 2],
        [(str(v), 1, 1) for v in report.review],
    ]


def _grid_proactive(report: Report) -> list[list[tuple[str, int, int]]]:
    headers = PROACTIVE_HEADERS[report.template]
    rows: list[list[tuple[str, int, int]]] = []
    for item, vals in report.proactive.items():
        if item in headers:
            article, cols = headers[item]
            rows.append([(article, 1, 4)])
            span = 3 // len(cols)
            rows.append(
                [
                    ("信息内容", 1, 1),
                    *[(c, 1, span if len(cols) != 2 or i == 0 else 3 - span) for i, c in enumerate(cols)],
                ]
            )
        span = 3 // len(vals)
        rows.append(
            [
                (PROACTIVE_LABEL_TEXT[item], 1, 1),
                *[(_fmt(v), 1, span if len(vals) != 2 or i == 0 else 3 - span) for i, v in enumerate(vals)],
            ]
        )
    return rows


def _title(report: Report) -> str:
    return f"{report.organ}{report.year}年政府信息公开工作年度报告"


# --- HTML, as a Word export inside a site's page chrome -------------------------------------


def _word_cell(text: str) -> str:
    # Word splits runs: a number may arrive as several spans
    if text.isdigit() and len(text) > 1:
        mid = len(text) // 2
        inner = f'<span style="font-family:仿宋_GB2312">{text[:mid]}</span><span lang="EN-US">{text[mid:]}</span>'
    else:
        inner = f'<span style="font-family:宋体">{html.escape(text)}</span>'
    return f'<p class="MsoNormal" align="center">{inner}</p>'


def _html_table(rows: list[list[tuple[str, int, int]]]) -> str:
    out = ['<table class="MsoNormalTable" border="1" cellspacing="0"><tbody>']
    for row in rows:
        out.append("<tr>")
        for text, rs, cs in row:
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            out.append(f'<td{attrs} valign="center">{_word_cell(text)}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def to_html(report: Report, js_table: bool = False) -> str:
    review = _html_table(_grid_review(report))
    if js_table:
        escaped = review.replace('"', '\\"')
        review = f'<script>document.write("{escaped}");</script>'
    body = (
        f"<h1>{_title(report)}</h1>"
        '<p class="MsoNormal"><span>一、总体情况</span></p><p class="MsoNormal">本机关推进政务公开。&nbsp;</p>'
        '<p class="MsoNormal"><b>二、主动公开政府信息情况</b></p>'
        + _html_table(_grid_proactive(report))
        + '<p class="MsoNormal"><b>三、收到和处理政府信息公开申请情况</b></p>'
        + _html_table(_grid_requests(report))
        + '<p class="MsoNormal"><b>四、政府信息公开行政复议、行政诉讼情况</b></p>'
        + review
        + '<p class="MsoNormal">五、存在的主要问题及改进情况</p><p>公开内容有待丰富。</p>'
        '<p class="MsoNormal">六、其他需要报告的事项</p><p>无。</p>'
    )
    chrome = '<div class="nav"><a href="/">首页</a> <a href="/zwgk">政务公开</a> 2025年1月</div>'
    footer = '<div class="footer">主办单位 网站标识码3306830002 ICP备11041973号-1</div>'
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{_title(report)}_政府信息公开年报</title>'
        f"<style>td {{ border: 1px }}</style></head><body>{chrome}"
        f'<table class="layout"><tr><td><div class="article">{body}</div></td></tr></table>{footer}</body></html>'
    )


def _placed(rows: list[list[tuple[str, int, int]]]) -> Iterator[tuple[int, int, str, int, int]]:
    """(row, column, text, rowspan, colspan) of every cell, columns shifted past cells merged from above."""
    occupied: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in occupied:
                c += 1
            yield r, c, text, rs, cs
            occupied.update((r + dr, c + dc) for dr in range(rs) for dc in range(cs))
            c += cs


# --- DOCX with python-docx, merged cells -----------------------------------------------------


def _docx_table(doc: object, rows: list[list[tuple[str, int, int]]], ncols: int) -> None:
    table = doc.add_table(rows=len(rows), cols=ncols)  # type: ignore[attr-defined]
    for r, c, text, rs, cs in _placed(rows):
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = text


def to_docx(report: Report) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph(_title(report))
    doc.add_paragraph("一、总体情况")
    doc.add_paragraph("本机关推进政务公开。")
    doc.add_paragraph("二、主动公开政府信息情况")
    _docx_table(doc, _grid_proactive(report), 4)
    doc.add_paragraph("三、收到和处理政府信息公开申请情况")
    _docx_table(doc, _grid_requests(report), 10)
    doc.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    _docx_table(doc, _grid_review(report), 15)
    doc.add_paragraph("五、存在的主要问题及改进情况")
    doc.add_paragraph("六、其他需要报告的事项")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --- PDF with reportlab's built-in CJK CID font (no font files) ---------------------------------


def to_pdf(report: Report) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cn", fontName="STSong-Light", fontSize=8, leading=10, wordWrap="CJK")

    def table(rows: list[list[tuple[str, int, int]]], ncols: int, width: float) -> Table:
        grid: list[list[object]] = [["" for _ in range(ncols)] for _ in rows]
        spans = []
        for r, c, text, rs, cs in _placed(rows):
            grid[r][c] = Paragraph(html.escape(text), style)
            if rs > 1 or cs > 1:
                spans.append(("SPAN", (c, r), (c + cs - 1, r + rs - 1)))
        t = Table(grid, colWidths=[width / ncols] * ncols)
        t.setStyle(
            TableStyle(
                [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), *spans]
            )
        )
        return t

    buf = io.BytesIO()
    page = (landscape(A4)[0], 1600)  # tall enough for the request table's merged label column
    doc = SimpleDocTemplate(buf, pagesize=page)
    w = page[0] - 80
    story = [
        Paragraph(_title(report), style),
        Paragraph("一、总体情况", style),
        Paragraph("本机关推进政务公开。", style),
        Paragraph("二、主动公开政府信息情况", style),
        table(_grid_proactive(report), 4, w * 0.6),
        Spacer(1, 8),
        Paragraph("三、收到和处理政府信息公开申请情况", style),
        table(_grid_requests(report), 10, w),
        Spacer(1, 8),
        Paragraph("四、政府信息公开行政复议、行政诉讼情况", style),
        table(_grid_review(report), 15, w),
        Paragraph("五、存在的主要问题及改进情况", style),
        Paragraph("六、其他需要报告的事项", style),
    ]
    doc.build(story)
    return buf.getvalue()


__all__ = ["to_docx", "to_html", "to_pdf"]
