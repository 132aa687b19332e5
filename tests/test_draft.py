"""The Draft's own JSON (what the HTTP service sends) is the ReportExtraction's JSON, field for field."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evals.synth.docs import to_html
from evals.synth.text import STYLES, random_report, render
from schemas.extraction import ReportExtraction
from service.draft import Draft
from service.pipeline import draft_bytes, draft_text


def _same(draft: Draft) -> None:
    model = draft.model()
    fast = json.loads(draft.to_json())
    assert fast == json.loads(model.model_dump_json())
    assert list(fast) == list(ReportExtraction.model_fields)  # complete, in the model's order
    assert ReportExtraction.model_validate_json(draft.to_json()) == model
    assert json.loads(draft.to_json(flat=True)) == model.flat() == draft.flat()


def test_every_corpus_report(corpus: Path) -> None:
    paths = sorted(p for p in corpus.iterdir() if p.suffix in (".txt", ".html"))
    assert len(paths) >= 9
    for path in paths:
        _same(draft_bytes(path.read_bytes(), path.name))


@pytest.mark.parametrize(
    "data",
    [
        "某局2024年政府信息公开工作年度报告\n一、总体情况\n本年度无数据。".encode(),
        "二、主动公开政府信息情况\n规章 -1 元\n".encode("gb18030"),
        b"<html><body><table><tr><td>x</td></tr></table></body></html>",
    ],
)
def test_edge_documents(data: bytes) -> None:
    _same(draft_bytes(data))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), template=st.sampled_from(["2019", "2021"]), style=st.sampled_from(STYLES))
def test_generated_reports(seed: int, template: str, style: str) -> None:
    rng = random.Random(seed)
    report = random_report(rng, template)
    _same(draft_text(render(report, style, rng).text))
    _same(draft_bytes(to_html(report).encode(), "r.html"))
