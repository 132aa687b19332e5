"""The parsers' self-test: run by every extraction worker before it takes a job (and by /readyz's answer).

A tiny table must read exactly (as text and as HTML), the State Council's blank 2021 form
(spec/template-2021-blank.txt) must be recognised as the 2021 template with all six sections and no value
at all (nothing invented), and a full generated 2021 report (evals.synth, seed 2021, every cell printed)
must read every value exactly, as text and as HTML. It also warms every parsing path, so the first real
reports cost what the later ones do.
"""

from __future__ import annotations

import json
from pathlib import Path

from service.pipeline import Source, extract

HERE = Path(__file__).parent
TINY = (
    "某局2024年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n申请人情况\n"
    "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1\n"
)
BLANK_FORM = HERE / "blank-2021.txt"
FULL_REPORT = HERE / "warmup-2021.txt"
FULL_REPORT_VALUES = HERE / "warmup-2021.flat.json"


def as_html(text: str) -> str:
    """A page with the text's lines as table cells, as Word exports them."""
    cells = "</td></tr><tr><td>".join(text.splitlines())
    return f"<html><body><table><tr><td>{cells}</td></tr></table></body></html>"


def self_test() -> str:
    """ "ok", or what failed."""
    if extract(Source(TINY, format="text")).flat().get("requests.new.total") != 1:
        return "self-test failed: a one-row request table did not read as 1"
    if extract(Source(as_html(TINY), format="html")).flat().get("requests.new.total") != 1:
        return "self-test failed: the same table as HTML did not read as 1"
    blank_text = BLANK_FORM.read_text("utf-8")
    blank = extract(Source(blank_text, format="text"))
    if blank.meta.template != "2021" or len(blank.sections) != 6 or blank.fields():
        return "self-test failed: the blank 2021 form was not read as an empty 2021 report"
    if extract(Source(as_html(blank_text), format="html")).fields():
        return "self-test failed: a value was read from the blank 2021 form as HTML"
    full = FULL_REPORT.read_bytes()
    expected = json.loads(FULL_REPORT_VALUES.read_text("utf-8"))
    for source in (Source(full, FULL_REPORT.name), Source(as_html(full.decode("utf-8")), format="html")):
        if extract(source).flat() != expected:
            return "self-test failed: a full 2021 report did not read exactly"
    return "ok"
