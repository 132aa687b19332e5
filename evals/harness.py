"""The eval harness: FIELDS.md scoring of flat maps against hand-labelled gold files.

Cases are loaded from a corpus folder: every `NAME.gold.json` is scored against
each report file of the same stem in a supported format, so one gold file
can score the same report saved as text and as HTML.
"""

from __future__ import annotations

import json
import statistics
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas.extraction import Scalar

GOLD_SUFFIX = ".gold.json"
SECTIONS = ("meta", "proactive", "requests", "review")
MONEY_TOLERANCE = 1e-6

Gold = Mapping[str, Any]
Predicted = Mapping[str, Scalar | None]


@dataclass(frozen=True)
class Case:
    name: str  # report file name, e.g. 000_x.txt
    report: Path
    gold: dict[str, Any]


def load_cases(corpus: Path, suffixes: Iterable[str]) -> list[Case]:
    """One case per (gold file, report file of the same stem in a supported format)."""
    wanted = tuple(suffixes)
    cases = []
    for gold_path in sorted(corpus.glob(f"*{GOLD_SUFFIX}")):
        stem = gold_path.name[: -len(GOLD_SUFFIX)]
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        for report in sorted(corpus.glob(f"{stem}.*")):
            if report.name.endswith(GOLD_SUFFIX) or report.suffix.lower() not in wanted:
                continue
            cases.append(Case(report.name, report, gold))
    return cases


def _norm_text(v: str) -> str:
    return unicodedata.normalize("NFKC", v).strip()


def same(pred: Scalar, gold: Any, key: str = "") -> bool:
    """FIELDS.md equality: numbers exactly, money to 1e-6, text NFKC-normalised and trimmed."""
    if gold is None:
        return False
    if isinstance(pred, bool) or isinstance(gold, bool):
        return False
    if isinstance(pred, str) or isinstance(gold, str):
        return isinstance(pred, str) and isinstance(gold, str) and _norm_text(pred) == _norm_text(gold)
    if key.endswith("_wan"):
        return abs(float(pred) - float(gold)) <= MONEY_TOLERANCE
    return bool(pred == gold)


def _nonzero(v: Any) -> bool:
    return v is not None and not (isinstance(v, int | float) and not isinstance(v, bool) and v == 0)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class DocScore:
    name: str
    all: Counts = field(default_factory=Counts)
    nonzero: Counts = field(default_factory=Counts)
    sections: dict[str, Counts] = field(default_factory=lambda: {s: Counts() for s in SECTIONS})
    wrong: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)
    invented: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    ms: float = 0.0
    by_method: dict[str, Counts] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)  # e.g. LLM calls and tokens

    @property
    def perfect(self) -> bool:
        return self.error is None and self.all.fp == 0 and self.all.fn == 0


def _tally(
    doc: DocScore, key: str, tp: int, fp: int, fn: int, nz_tp: int, nz_fp: int, nz_fn: int, method: str | None
) -> None:
    delta = Counts(tp, fp, fn)
    doc.all.add(delta)
    doc.nonzero.add(Counts(nz_tp, nz_fp, nz_fn))
    section = key.split(".", 1)[0]
    doc.sections.setdefault(section, Counts()).add(delta)
    if method is not None:
        doc.by_method.setdefault(method, Counts()).add(Counts(tp, fp, 0))


def score_document(name: str, predicted: Predicted, gold: Gold, methods: Mapping[str, str] | None = None) -> DocScore:
    """Score one flat map against one gold map (FIELDS.md, 'Scoring')."""
    doc = DocScore(name)
    methods = methods or {}
    pred = {k: v for k, v in predicted.items() if v is not None}
    for key, g in gold.items():
        p = pred.get(key)
        method = methods.get(key)
        if isinstance(g, dict) and "any_of" in g:
            options = list(g["any_of"])
            null_ok = None in options
            g_nz = any(_nonzero(o) for o in options if o is not None) and not null_ok
            if p is None:
                if not null_ok:
                    _tally(doc, key, 0, 0, 1, 0, 0, int(g_nz), None)
                    doc.missing.append({"key": key, "gold": g})
                continue
            if any(same(p, o, key) for o in options):
                _tally(doc, key, 1, 0, 0, int(_nonzero(p)), 0, 0, method)
            else:
                fn = 0 if null_ok else 1
                _tally(doc, key, 0, 1, fn, 0, int(_nonzero(p)), fn * int(g_nz), method)
                doc.wrong.append({"key": key, "predicted": p, "gold": g})
            continue
        if p is None:
            if g is None:
                continue
            _tally(doc, key, 0, 0, 1, 0, 0, int(_nonzero(g)), None)
            doc.missing.append({"key": key, "gold": g})
        elif same(p, g, key):
            _tally(doc, key, 1, 0, 0, int(_nonzero(p)), 0, 0, method)
        else:
            _tally(doc, key, 0, 1, 1, 0, int(_nonzero(p)), int(_nonzero(g)), method)
            doc.wrong.append({"key": key, "predicted": p, "gold": g})
    for key, p in pred.items():
        if key not in gold:
            _tally(doc, key, 0, 1, 0, 0, int(_nonzero(p)), 0, methods.get(key))
            doc.invented.append({"key": key, "predicted": p})
    return doc


@dataclass
class EvalReport:
    documents: list[DocScore]

    def totals(self) -> tuple[Counts, Counts, dict[str, Counts], dict[str, Counts]]:
        overall, nonzero = Counts(), Counts()
        sections: dict[str, Counts] = {s: Counts() for s in SECTIONS}
        by_method: dict[str, Counts] = {}
        for d in self.documents:
            overall.add(d.all)
            nonzero.add(d.nonzero)
            for s, c in d.sections.items():
                sections.setdefault(s, Counts()).add(c)
            for m, c in d.by_method.items():
                by_method.setdefault(m, Counts()).add(c)
        return overall, nonzero, sections, by_method

    def to_dict(self) -> dict[str, Any]:
        overall, nonzero, sections, by_method = self.totals()
        times = [d.ms for d in self.documents if d.error is None]
        return {
            "overall": overall.to_dict(),
            "nonzero": nonzero.to_dict(),
            "sections": {s: c.to_dict() for s, c in sections.items()},
            "by_method": {m: {"correct": c.tp, "wrong_or_invented": c.fp} for m, c in sorted(by_method.items())},
            "documents_total": len(self.documents),
            "documents_perfect": sum(d.perfect for d in self.documents),
            "documents_failed": sum(d.error is not None for d in self.documents),
            "invented_total": sum(len(d.invented) for d in self.documents),
            "ms_median": round(statistics.median(times), 3) if times else None,
            "llm": {
                k: sum(int(d.info.get("llm", {}).get(k, 0)) for d in self.documents)
                for k in ("calls", "input_tokens", "output_tokens", "cache_hits")
            },
            "documents": [
                {
                    "name": d.name,
                    **d.all.to_dict(),
                    "nonzero": d.nonzero.to_dict(),
                    "sections": {s: c.to_dict() for s, c in d.sections.items()},
                    "perfect": d.perfect,
                    "wrong": d.wrong,
                    "missing": d.missing,
                    "invented": d.invented,
                    "error": d.error,
                    "ms": round(d.ms, 3),
                    **({"info": d.info} if d.info else {}),
                }
                for d in self.documents
            ],
        }


Extractor = Callable[[Path], tuple[Mapping[str, Scalar | None], Mapping[str, str], Mapping[str, Any]]]


def run_eval(cases: Iterable[Case], extract: Extractor) -> EvalReport:
    """Extract every case and score it; an extraction error counts every gold key as missing."""
    docs = []
    for case in cases:
        t0 = time.perf_counter()
        info: Mapping[str, Any] = {}
        try:
            flat, methods, info = extract(case.report)
            error = None
        except Exception as exc:  # an eval must score a crash, not stop at it
            flat, methods, error = {}, {}, f"{type(exc).__name__}: {exc}"
        ms = (time.perf_counter() - t0) * 1000
        doc = score_document(case.name, flat, case.gold, methods)
        doc.error, doc.ms, doc.info = error, ms, dict(info)
        docs.append(doc)
    return EvalReport(docs)


def compare(current: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
    """What got better or worse between two `EvalReport.to_dict()` results."""

    def problems(doc: Mapping[str, Any]) -> set[str]:
        return {f"{kind}:{item['key']}" for kind in ("wrong", "missing", "invented") for item in doc.get(kind, [])}

    prev_docs = {d["name"]: d for d in previous.get("documents", [])}
    cur_docs = {d["name"]: d for d in current.get("documents", [])}
    docs = []
    for name in sorted(set(prev_docs) | set(cur_docs)):
        cur, prev = cur_docs.get(name), prev_docs.get(name)
        if cur is None or prev is None:
            docs.append({"name": name, "status": "added" if prev is None else "removed"})
            continue
        fixed = sorted(problems(prev) - problems(cur))
        broken = sorted(problems(cur) - problems(prev))
        if fixed or broken or cur["f1"] != prev["f1"]:
            docs.append(
                {"name": name, "f1_before": prev["f1"], "f1_after": cur["f1"], "fixed": fixed, "broken": broken}
            )

    def pair(before: Any, after: Any) -> dict[str, Any]:
        return {"before": before, "after": after}

    return {
        "f1": pair(previous.get("overall", {}).get("f1"), current.get("overall", {}).get("f1")),
        "nonzero_f1": pair(previous.get("nonzero", {}).get("f1"), current.get("nonzero", {}).get("f1")),
        "invented_total": pair(previous.get("invented_total"), current.get("invented_total")),
        "documents_perfect": pair(previous.get("documents_perfect"), current.get("documents_perfect")),
        "documents": docs,
    }
