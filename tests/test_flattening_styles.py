"""Each flattening seen in the corpus, in a small hand-written table."""

from __future__ import annotations

from service.pipeline import Source, extract

HEAD = "二、主动公开政府信息情况\n"
REVIEW_HEAD = "四、政府信息公开行政复议、行政诉讼情况\n"


def flat(text: str) -> dict[str, object]:
    return dict(extract(Source(text, format="text")).flat())


def test_one_cell_per_line_with_dropped_blank_cells() -> None:
    text = (
        "三、收到和处理政府信息公开申请情况\n申请人情况\n\n自然人\n\n总计\n\n"
        "一、本年新收政府信息公开申请数量\n\n 0\n\n0\n\n 0\n\n0\n\n"
        "二、上年结转政府信息公开申请数量\n\n0\n\n0\n\n0\n\n0\n\n0\n\n0\n\n0\n\n" + REVIEW_HEAD
    )
    f = flat(text)
    assert all(f[f"requests.new.{c}"] == 0 for c in ("natural_person", "other_org", "total"))


def test_pipe_separated() -> None:
    text = (
        HEAD + "第二十条第(一)项 |\n||||\n信息内容 |\n本年制发件数 |\n本年废止件数 |\n现行有效件数 |\n|\n"
        "规章 |\n0 |\n0 |\n0 |\n|\n行政规范性文件 |\n2 |\n1 |\n9 |\n"
    )
    f = flat(text)
    assert (f["proactive.normative_docs.issued"], f["proactive.normative_docs.repealed"]) == (2, 1)
    assert f["proactive.normative_docs.in_force"] == 9
    assert f["meta.template"] == "2021"


def test_tab_indented_word_export_with_wrapped_labels() -> None:
    text = (
        "三、收到和处理政府信息公开申请情况\n\t（本列数据的勾稽关系为：第一项加第二项之和，等 于第三项加第四项之和）\n"
        "\t申请人情况\n\n\t\n\t\n自然 人\n\t法人或其他组织\n\t\n\n总计\n\n"
        "\t一、本年新收政府信息公开申请数量\n\t4\n\t0\n\t0\n\t0\n\t0\n\t0\n\t4\n\n"
        "\t\n\n\n三、本 年度办 理结果\n\t（一）予以公开\n\t1\n\t0\n\t0\n\t0\n\t0\n\t0\n\t1\n\n"
        "\t\n\t（六）其 他处理\n\t1.申请人无正当理由逾期不补正、 行政机关不再处理其政府信息公开 申请\n\t\n0\n\t\n0\n\t\n0\n"
        "\t\n0\n\t\n0\n\t\n0\n\t\n0\n\n" + REVIEW_HEAD
    )
    f = flat(text)
    assert f["requests.new.natural_person"] == 4
    assert f["requests.granted.total"] == 1
    assert f["requests.other_no_correction.total"] == 0


def test_pdf_text_with_values_above_their_labels_and_footers() -> None:
    rows = [
        ("一、本年新收政府信息公开申请数量", "21 0 0 0 0 0 21", False),
        ("二、上年结转政府信息公开申请数量", "0 0 0 0 0 0 0", False),
        ("（一）予以公开", "17 0 0 0 0 0 17", True),
    ]
    body = "三、收到和处理政府信息公开申请情况\n申请人情况\n"
    for label, values, displaced in rows:
        body += f"{values}\n- 2 -\n{label}\n" if displaced else f"{label} {values}\n"
    body += "（二）部分公开 4 0 0 0 0 0 4\n"
    f = flat(body)
    assert f["requests.granted.natural_person"] == 17
    assert f["requests.partial.total"] == 4


def test_review_values_after_a_broken_header() -> None:
    text = (
        REVIEW_HEAD + "行政复议 行政诉讼\n未经复议直接起诉 复议后起诉\n结果 结果 其他 尚未\n总 计\n"
        "维持 纠正 结果 审结 结果 结果 其他 尚未 结果 结果 其他 尚未\n总 计 总计\n维持 纠正 结果 审结 维持 纠正 结果 审结\n"
        "10 1 0 0 0 0 0 0 0 0 5 0 0 0 0\n五、存在的主要问题及改进情况\n"
    )
    f = flat(text)
    assert f["review.reconsideration.upheld"] == 10
    assert f["review.reconsideration.total"] == 0  # printed, although the rule says 11
    assert f["review.litigation.total"] == 0
    findings = extract(Source(text, format="text")).findings
    assert any(x.rule == "review.group_total" and x.expected == 11 and x.printed == 0 for x in findings)


def test_crawler_ran_every_cell_together() -> None:
    text = (
        "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
        "未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计"
        "21317000001324019 五、存在的主要问题及改进情况"
    )
    f = flat(text)
    assert [
        f[f"review.litigation_after_reconsideration.{o}"] for o in ("upheld", "corrected", "other", "pending", "total")
    ] == [13, 2, 4, 0, 19]
    assert f["review.litigation.total"] == 19


def test_label_typos_still_match() -> None:
    text = (
        "三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\n"
        "（三）不予公开 1.属于国家秘密 0 0 0 0 0 0 0\n2.其他法律行政止公开 3 0 0 0 0 0 3\n"
        "3.危及“三安全一隐患” 0 0 0 0 0 0 0\n4.保护第三方合法权益 0 0 0 0 0 0 0\n5.属于三类内容事务信息 2 0 0 0 0 0 2\n"
    )
    f = flat(text)
    assert f["requests.denied_law.total"] == 3
    assert f["requests.denied_internal.natural_person"] == 2


def test_ambiguous_cells_are_null_with_a_finding() -> None:
    text = (
        HEAD + "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件3123"
        "第二十条第（五）项信息内容本年处理决定数量行政许可0"
    )
    result = extract(Source(text, format="text"))
    f = result.flat()
    assert f["proactive.rules.issued"] == 0
    assert "proactive.normative_docs.issued" not in f
    assert any(x.rule == "parse.ambiguous_split" and "proactive.normative_docs" in x.cells for x in result.findings)


def test_amounts_in_yuan_become_wan_by_unit_or_header() -> None:
    head = "二、主动公开政府信息情况\n第二十条第（九）项\n信息内容 采购项目数量 采购总金额"
    assert flat(head + "\n政府集中采购 135 75394432.52元\n")["proactive.procurement.amount_wan"] == 7539.443252
    assert flat(head + "(单位:元)\n政府集中采购 3 12000\n")["proactive.procurement.amount_wan"] == 1.2
    assert flat(head + "(单位:万元)\n政府集中采购 3 12000\n")["proactive.procurement.amount_wan"] == 12000
