"""Whole-table solving over flattened text: joint readings, blank rows, rows read in part, rows as printed."""

from __future__ import annotations

from evals.synth.text import REQUEST_LABEL_TEXT
from schemas.fields import outcome_rows, request_rows
from service.pipeline import Source, extract

HEAD = (
    "某局2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\n申请人情况\n"
)
# the 2021 request rows, labelled as the template prints them (the generators' labels), spaces run together
LABELS = {k: v.replace(" ", "") for k, v in REQUEST_LABEL_TEXT.items() if k in request_rows(single_other=False)}


def _fused(rows: dict[str, str]) -> str:
    """A crawler's fused table: every label followed by its digits run together ('' for a blank row)."""
    return HEAD + "".join(LABELS[k] + rows.get(k, "0000000") for k in LABELS) + "\n四、政府信息公开行政复议"


def _flat(rows: dict[str, str]) -> dict[str, object]:
    return dict(extract(Source(_fused(rows), format="text")).flat())


def test_blank_rows_are_zeros_where_the_column_totals_confirm() -> None:
    rows = {"new": "4000004", "granted": "2000002", "unable_not_held": "2000002", "total": "4000004"}
    flat = _flat({**rows, "other_unpaid_fee": "", "other_misc": ""})
    for key in ("other_unpaid_fee", "other_misc"):
        assert [flat[f"requests.{key}.{c}"] for c in ("natural_person", "total")] == [0, 0]


def test_a_blank_row_is_not_zero_when_the_totals_say_otherwise() -> None:
    """(七) prints 5 but the outcome rows add up to 4: the blank row may hold the missing request."""
    rows = {"new": "5000005", "granted": "2000002", "unable_not_held": "2000002", "total": "5000005"}
    flat = _flat({**rows, "other_misc": ""})
    assert "requests.other_misc.total" not in flat
    assert "requests.other_misc.natural_person" not in flat


def test_fused_rows_are_chosen_together_by_the_column_totals() -> None:
    """'130010115' reads 1,3,0,0,10,1,15 or 13,0,0,1,0,1,15, both adding up; 一+二 = 七+四 leaves one."""
    printed = " 13 0 0 1 0 1 15 "
    rows = {"new": "130010115", "granted": printed, "total": printed}
    flat = _flat(rows)
    assert [flat[f"requests.new.{c}"] for c in ("natural_person", "commercial", "nonprofit", "legal_service")] == [
        13,
        0,
        1,
        0,
    ]
    alone = extract(Source(_fused({"new": "130010115"}), format="text"))
    assert "requests.new.natural_person" not in alone.flat()  # without the totals, both readings stand


def test_one_digit_per_cell_is_what_was_printed_when_nothing_fits() -> None:
    """(七)总计 '1000000' for 7 cells: no reading makes the row add up; the digits are the cells."""
    flat = _flat({"new": "1000001", "granted": "1000001", "total": "1000000"})
    assert [flat[f"requests.total.{c}"] for c in ("natural_person", "commercial", "total")] == [1, 0, 0]
    result = extract(Source(_fused({"new": "1000001", "granted": "1000001", "total": "1000000"}), format="text"))
    assert any(f.rule == "requests.row_total" and "requests.total.total" in f.cells for f in result.findings)
    assert "as printed" in (result.requests["total"]["natural_person"].provenance.note or "")


def test_a_row_is_read_in_part_where_every_reading_agrees() -> None:
    """2019 行政许可 '4800' for three cells: 48|0|0 or 4|80|0; the decisions cell is 0 either way."""
    text = (
        "某局2020年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（五）项\n信息内容"
        "上一年项目数量本年增/减处理决定数量行政许可4800其他对外管理服务事项000\n三、收到和处理政府信息公开申请情况"
    )
    result = extract(Source(text, format="text"))
    flat = result.flat()
    assert flat["proactive.licensing.decisions"] == 0
    assert "proactive.licensing.prev_count" not in flat and "proactive.licensing.change" not in flat
    assert any(f.rule == "parse.partial_row" for f in result.findings)


def test_outcome_rows_are_the_template_rows() -> None:
    assert [k for k in LABELS if k in outcome_rows(single_other=False)] == list(outcome_rows(single_other=False))


def test_prose_never_overrides_a_printed_table_and_says_where_they_differ() -> None:
    rows = {"new": "3000003", "granted": "3000003", "total": "3000003"}
    text = "一、总体情况\n全年共受理政府信息公开申请5件（含上年结转2件）。\n" + _fused(rows)
    result = extract(Source(text, format="text"))
    assert result.flat()["requests.new.total"] == 3
    (mismatch,) = [f for f in result.findings if f.rule == "report.prose_table_mismatch"]
    assert mismatch.cells == ["requests.new.total"] and mismatch.printed == 5
    assert mismatch.start is not None and "受理" in text[mismatch.start : mismatch.end]


def test_prose_does_not_fill_a_printed_row_left_null() -> None:
    """The request table prints the 一 row but its digits cannot be read: the sentence does not fill it."""
    rows = {"new": "99999999", "granted": "3000003", "total": "3000003"}
    text = "一、总体情况\n本年度收到政府信息公开申请3件。\n" + _fused(rows)
    flat = extract(Source(text, format="text")).flat()
    assert "requests.new.total" not in flat


def test_a_sub_items_count_is_not_the_total() -> None:
    text = (
        "某局2021年政府信息公开工作年度报告\n一、总体情况\n全年共在门户网站公开政府信息267条，包括规范性文件4条；"
        "法律、法规、规章和国家有关规定应当主动公开的其他政府信息1条；其他因主动公开的政府信息数56条。"
    )
    assert extract(Source(text, format="text")).flat()["proactive.items_total"] == 267
