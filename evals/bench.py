"""Benchmark: milliseconds to extract one report, per format, on one core.

    python -m evals.bench [--corpus evals/corpus] [--repeat 50]

Each report is extracted once to warm up, then `--repeat` times; the median
and p95 are over all timed runs of all reports of a format. Not a test: the
numbers depend on the machine, so they are printed, not asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import time
from pathlib import Path

from service.formats.registry import SUFFIXES
from service.pipeline import Source, extract


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[idx]


def _synthetic(n: int) -> list[tuple[str, bytes]]:
    """Generated reports (both templates) as HTML, DOCX and PDF: the corpus has no DOCX or PDF files."""
    import random

    from evals.synth.docs import to_docx, to_html, to_pdf
    from evals.synth.text import random_report

    out = []
    for i in range(n):
        report = random_report(random.Random(i), "2021" if i % 2 else "2019", big=True)
        out.append((f"synthetic-{i}.html", to_html(report).encode()))
        out.append((f"synthetic-{i}.docx", to_docx(report)))
        out.append((f"synthetic-{i}.pdf", to_pdf(report)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path("evals/corpus"))
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--synthetic", type=int, default=4, help="also time N generated reports per format (html, docx, pdf)"
    )
    args = parser.parse_args()
    _pin_one_core()
    by_format: dict[str, list[float]] = {}
    per_report: dict[str, float] = {}
    samples = [
        (path.name, path.read_bytes())
        for path in sorted(args.corpus.iterdir())
        if path.suffix.lower() in SUFFIXES and (path.parent / f"{path.stem}.gold.json").exists()
    ]
    samples += _synthetic(args.synthetic)
    for name, data in samples:
        extract(Source(data, name))
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            extract(Source(data, name))
            times.append((time.perf_counter() - t0) * 1000)
        by_format.setdefault(name.rsplit(".", 1)[-1].lower(), []).extend(times)
        per_report[name] = statistics.median(times)
    summary = {
        fmt: {
            "reports": sum(1 for n in per_report if n.lower().endswith("." + fmt)),
            "median_ms": round(statistics.median(t), 3),
            "p95_ms": round(percentile(t, 0.95), 3),
        }
        for fmt, t in sorted(by_format.items())
    }
    if args.json:
        print(json.dumps({"formats": summary, "per_report_median_ms": per_report}, indent=2, ensure_ascii=False))
        return
    for name, ms in per_report.items():
        print(f"{name:50s} {ms:8.3f} ms (median)")
    for fmt, s in summary.items():
        print(
            f"{fmt}: {s['reports']} reports, median {s['median_ms']:.3f} ms, p95 {s['p95_ms']:.3f} ms per report (one core)"
        )


if __name__ == "__main__":
    main()
