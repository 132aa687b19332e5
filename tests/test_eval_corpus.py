"""The eval over evals/corpus, with the thresholds the project promises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evals.harness import load_cases, run_eval, score_document
from service.formats.registry import SUFFIXES
from service.pipeline import Source, extract

SEED_TABLE_REPORTS = ("000_", "002_", "003_", "004_")
HARD_REPORTS = ("02_hongze-district-2023_pdf", "05_pingtan-2019_flattened")


def _extract(path: Path) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    result = extract(Source(path.read_bytes(), path.name))
    return dict(result.flat()), {k: fv.provenance.method.value for k, fv in result.fields().items()}, {}


@pytest.fixture(scope="module")
def report(corpus: Path) -> dict[str, Any]:
    cases = load_cases(corpus, SUFFIXES)
    assert len(cases) >= 8
    return run_eval(cases, _extract).to_dict()


def _doc(report: dict[str, Any], prefix: str) -> dict[str, Any]:
    (doc,) = [d for d in report["documents"] if d["name"].startswith(prefix) and d["name"].endswith(".txt")]
    return doc


def test_no_invented_values_anywhere(report: dict[str, Any]) -> None:
    assert report["invented_total"] == 0
    assert report["documents_failed"] == 0


@pytest.mark.parametrize("prefix", SEED_TABLE_REPORTS)
def test_seed_table_reports_are_all_right(report: dict[str, Any], prefix: str) -> None:
    doc = _doc(report, prefix)
    assert doc["perfect"], (doc["wrong"], doc["missing"], doc["invented"])


@pytest.mark.parametrize("prefix", HARD_REPORTS)
def test_hard_real_reports(report: dict[str, Any], prefix: str) -> None:
    doc = _doc(report, prefix)
    assert doc["f1"] >= 0.98
    assert doc["invented"] == []


def test_overall_thresholds(report: dict[str, Any]) -> None:
    assert report["overall"]["f1"] >= 0.99
    assert report["nonzero"]["f1"] >= 0.98


def test_002_broken_total_and_balance_are_findings(corpus: Path) -> None:
    (path,) = corpus.glob("002_*.txt")
    result = extract(Source(path.read_bytes(), path.name))
    rules = {(f.rule, next(iter(f.cells))) for f in result.findings}
    assert ("requests.outcome_total", "requests.total.total") in rules
    assert ("requests.balance", "requests.total.total") in rules
    (f,) = [f for f in result.findings if f.rule == "requests.outcome_total" and f.cells[0] == "requests.total.total"]
    assert (f.expected, f.printed) == (4, 0)
    assert result.flat()["requests.total.total"] == 0  # printed, not corrected


def test_every_value_has_a_span_into_the_received_text(corpus: Path) -> None:
    for path in sorted(corpus.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        result = extract(Source(path.read_bytes(), path.name))
        for key, fv in result.fields().items():
            p = fv.provenance
            assert 0 <= p.start <= p.end <= len(text), key
            assert text[p.start : p.end] == p.raw, key


class TestScoring:
    """FIELDS.md scoring, case by case."""

    def test_exact_wrong_missing_invented(self) -> None:
        gold = {"a.x": 1, "a.y": 0, "a.z": 5}
        doc = score_document("d", {"a.x": 1, "a.y": 3, "a.w": 0}, gold)
        assert (doc.all.tp, doc.all.fp, doc.all.fn) == (1, 2, 2)
        assert [w["key"] for w in doc.wrong] == ["a.y"]
        assert [m["key"] for m in doc.missing] == ["a.z"]
        assert [i["key"] for i in doc.invented] == ["a.w"]
        # non-zero: a.x tp; a.y wrong (predicted non-zero) fp; a.z missing fn; a.w=0 not counted
        assert (doc.nonzero.tp, doc.nonzero.fp, doc.nonzero.fn) == (1, 1, 1)

    def test_any_of_with_null(self) -> None:
        gold = {"k": {"any_of": [3, None]}}
        assert (score_document("d", {}, gold).all.fn) == 0
        doc = score_document("d", {"k": 4}, gold)
        assert (doc.all.tp, doc.all.fp, doc.all.fn) == (0, 1, 0)
        assert score_document("d", {"k": 3}, gold).all.tp == 1

    def test_any_of_without_null(self) -> None:
        gold = {"k": {"any_of": [0, 5]}}
        assert score_document("d", {}, gold).all.fn == 1
        doc = score_document("d", {"k": 4}, gold)
        assert (doc.all.fp, doc.all.fn) == (1, 1)

    def test_money_tolerance_and_text_normalisation(self) -> None:
        doc = score_document(
            "d",
            {"p.amount_wan": 7539.4432520000001, "meta.organ": " 平潭综合实验区 "},
            {"p.amount_wan": 7539.443252, "meta.organ": "平潭综合实验区"},
        )
        assert doc.all.tp == 2
        assert score_document("d", {"p.count": 1.0000001}, {"p.count": 1}).all.fp == 1

    def test_null_prediction_is_absent(self) -> None:
        doc = score_document("d", {"k": None}, {})
        assert doc.all.fp == 0


# Cells the saved text cannot decide: `政府集中采购178810055` (17 projects and 8810055 元 run together, with no
# rule over the two cells) splits as 17|8810055 or 1|78810055 or 178|810055 …; leaving them out is right.
UNDECIDABLE = {
    ("48_jinjingpianqu-jjp-2020.txt", "proactive.procurement.projects"),
    ("48_jinjingpianqu-jjp-2020.txt", "proactive.procurement.amount_wan"),
}


def test_every_definite_field_is_right(report: dict[str, Any]) -> None:
    for d in report["documents"]:
        assert d["wrong"] == [], (d["name"], d["wrong"])
        missing = {(d["name"], m["key"]) for m in d["missing"]}
        assert missing <= UNDECIDABLE, (d["name"], missing - UNDECIDABLE)
