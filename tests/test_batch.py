"""`nianbao batch`: nested folders, same-named files, duplicates and corrupt ones into one dataset; resumable;
cross-year checks; the tables open in DuckDB and openpyxl with the documented columns and types."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from evals.synth.text import random_report, render
from service.cli import main
from service.render import FINDING_COLUMNS, REPORT_COLUMNS, VALUE_COLUMNS

pytestmark = pytest.mark.slow


def _sql(query: str) -> list[tuple]:  # type: ignore[type-arg]
    """DuckDB in a process of its own: its thread pool must not be in a process that forks extraction children."""
    code = "import duckdb, json, sys; print(json.dumps(duckdb.connect().execute(sys.argv[1]).fetchall(), default=str))"
    done = subprocess.run([sys.executable, "-c", code, query], capture_output=True, text=True, check=True)
    return [tuple(row) for row in json.loads(done.stdout)]


def _tree(root: Path, corpus: Path, n: int = 12) -> dict[str, int]:
    """Reports in nested folders: same-named files in different folders, a duplicate, a corrupt PDF."""
    reports = sorted(corpus.glob("*.txt"))[:n]
    for i, path in enumerate(reports):
        target = root / f"region{i % 3}" / f"dept{i}" / "report.txt"
        target.parent.mkdir(parents=True)
        shutil.copy(path, target)
    shutil.copy(reports[0], root / "copy-of-first.txt")
    (root / "broken.pdf").write_bytes(b"%PDF-1.4 not a pdf")
    (root / "notes.xyz").write_text("not a report", "utf-8")
    return {"files": n + 2, "distinct": n + 1}


def _batch(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["batch", *args])
    return result.exit_code, result.output


def test_every_distinct_document_is_one_row_and_nothing_is_lost(tmp_path: Path, corpus: Path) -> None:
    counts = _tree(tmp_path / "in", corpus)
    code, out = _batch(str(tmp_path / "in"), "--out", str(tmp_path / "ds"), "--jobs", "2")
    assert code == 1  # one document failed: said, and the rest written
    table = f"read_parquet('{tmp_path / 'ds' / 'reports.parquet'}')"
    ((rows, distinct, copies),) = _sql(f"select count(*), count(distinct sha256), sum(copies) from {table}")
    assert rows == distinct == counts["distinct"]
    assert copies == counts["files"]
    failed = _sql(f"select source_path from {table} where error is not null")
    assert [Path(f[0]).name for f in failed] == ["broken.pdf"]
    assert f"{counts['files']} files, {counts['distinct']} distinct documents" in out
    # a re-run reads nothing again
    t0 = time.monotonic()
    code, out = _batch(str(tmp_path / "in"), "--out", str(tmp_path / "ds"), "--jobs", "2")
    assert "0 read" in out and f"{counts['distinct']} already done" in out
    assert time.monotonic() - t0 < 10


def test_the_tables_have_the_documented_columns_and_types(tmp_path: Path, corpus: Path) -> None:
    _tree(tmp_path / "in", corpus, 4)
    _batch(str(tmp_path / "in"), "--out", str(tmp_path / "ds"), "--jobs", "1")
    _batch(str(tmp_path / "in"), "--out", str(tmp_path / "ds.xlsx"), "--state", str(tmp_path / "ds.state"))
    duck = {"string": "VARCHAR", "int64": "BIGINT", "float64": "DOUBLE"}
    for name, columns in (("reports", REPORT_COLUMNS), ("values", VALUE_COLUMNS), ("findings", FINDING_COLUMNS)):
        described = _sql(f"describe select * from read_parquet('{tmp_path / 'ds' / f'{name}.parquet'}')")
        assert [(row[0], row[1]) for row in described] == [(c, duck[t]) for c, t in columns]
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "ds.xlsx", read_only=True)
    assert book.sheetnames == ["reports", "values", "findings"]
    header = next(book["reports"].iter_rows(max_row=1, values_only=True))
    assert list(header) == [c for c, _ in REPORT_COLUMNS]
    rows = list(book["values"].iter_rows(min_row=2, values_only=True))
    assert rows and all(isinstance(r[3], int | float) or r[4] is not None for r in rows)


def test_csv_opens_in_excel_as_chinese(tmp_path: Path, corpus: Path) -> None:
    _tree(tmp_path / "in", corpus, 2)
    _batch(str(tmp_path / "in"), "--out", str(tmp_path / "csv"), "--format", "csv")
    data = (tmp_path / "csv" / "reports.csv").read_bytes()
    assert (data.startswith(b"\xef\xbb\xbf") and "三门峡市".encode() in data) or "局".encode() in data


def _series(
    root: Path, organ: str, years: list[int], planted: int | None, written: dict[int, str] | None = None
) -> None:
    """Reports of one organ in consecutive years whose carried-over requests are last year's carried forward
    (one digit-run per cell), except `planted`, whose carried-over total is one off."""
    rng = random.Random(3)
    previous = None
    for year in years:
        report = random_report(rng, "2021")
        report.organ, report.year = (written or {}).get(year, organ), year
        if previous is not None:
            report.requests["carried_over"] = list(previous)
            if year == planted:
                row = list(previous)
                row[0] += 1
                row[-1] += 1
                report.requests["carried_over"] = row
            _rebalance(report)
        previous = report.requests["carried_forward"]
        (root / f"{organ}-{year}.txt").write_text(render(report, "pipe", rng).text, "utf-8")


def _rebalance(report) -> None:  # type: ignore[no-untyped-def]
    """Keep 一+二 = 七+四 after changing 二: the difference goes to 四 (carried forward), column by column."""
    r = report.requests
    r["carried_forward"] = [n + c - t for n, c, t in zip(r["new"], r["carried_over"], r["total"], strict=True)]
    if any(v < 0 for v in r["carried_forward"]):
        r["new"] = [n - f for n, f in zip(r["new"], r["carried_forward"], strict=True)]
        r["carried_forward"] = [0] * len(r["new"])


def test_cross_year_checks_find_the_planted_mismatch_and_nothing_in_a_consistent_series(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    _series(tmp_path / "in", "淮安市水利局", [2021, 2022, 2023], planted=2023)
    # the same bureau, its 2024 report titled without the city: it joins the series (and agrees with 2023)
    _series(
        tmp_path / "in", "淮安市洪泽区统计局", [2021, 2022, 2023, 2024], planted=None, written={2024: "洪泽区统计局"}
    )
    _batch(str(tmp_path / "in"), "--out", str(tmp_path / "ds"))
    rows = _sql(
        f"select source_path, cells, expected, printed from read_parquet('{tmp_path / 'ds' / 'findings.parquet'}') "
        "where rule = 'crossyear.carried_over'"
    )
    assert {Path(r[0]).name for r in rows} == {"淮安市水利局-2023.txt"}
    assert {r[1] for r in rows} == {"requests.carried_over.natural_person", "requests.carried_over.total"}
    groups = _sql(f"select distinct organ_group from read_parquet('{tmp_path / 'ds' / 'reports.parquet'}')")
    assert sorted(g[0] for g in groups) == ["淮安市水利局", "淮安市洪泽区统计局"]


def test_a_run_killed_half_way_completes_when_started_again(tmp_path: Path, corpus: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(60):
        rng = random.Random(i)
        (src / f"r{i}.txt").write_text(render(random_report(rng, "2021", big=True), "fused", rng).text, "utf-8")
    exe = shutil.which("nianbao", path=str(Path(sys.executable).parent))
    assert exe
    args = [exe, "batch", str(src), "--out", str(tmp_path / "ds"), "--jobs", "2"]
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, start_new_session=True)
    state = tmp_path / "ds.state" / "results"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(state.rglob("*.json"))) < 10:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = len(list(state.rglob("*.json")))
    assert 0 < kept < 60
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert f"{60 - kept} read, {kept} already done" in done.stderr or "read" in done.stderr
    assert _sql(f"select count(*) from read_parquet('{tmp_path / 'ds' / 'reports.parquet'}')") == [(60,)]


def test_extract_out_never_overwrites_a_same_named_input(tmp_path: Path, corpus: Path) -> None:
    a, b = tmp_path / "a" / "report.txt", tmp_path / "b" / "report.txt"
    for target, source in ((a, "002_*.txt"), (b, "003_*.txt")):
        target.parent.mkdir()
        shutil.copy(next(corpus.glob(source)), target)
    result = CliRunner().invoke(main, ["extract", "--flat", "--out", str(tmp_path / "out"), str(a), str(b)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "out").glob("*.json"))
    assert len(written) == 2 and written[0].startswith("report.") and "report.json" in written
    maps = [json.loads(p.read_text("utf-8")) for p in (tmp_path / "out").glob("*.json")]
    assert maps[0] != maps[1]


def test_a_local_dask_cluster_gives_the_dataset_the_local_run_gives(tmp_path: Path, corpus: Path) -> None:
    import pyarrow.parquet as pq

    _tree(tmp_path / "in", corpus, 6)
    _batch(str(tmp_path / "in"), "--out", str(tmp_path / "local"), "--jobs", "2")
    code, out = _batch(str(tmp_path / "in"), "--out", str(tmp_path / "dask"), "--cluster", "local", "--jobs", "2")
    assert code == 1, out  # the broken PDF, as in the local run
    for table in ("reports", "values", "findings"):
        local = pq.read_table(tmp_path / "local" / f"{table}.parquet").to_pylist()
        parts = sorted((tmp_path / "dask" / table).glob("part-*.parquet"))
        assert parts
        dask = [row for part in parts for row in pq.read_table(part).to_pylist()]

        def key(row: dict) -> str:  # type: ignore[type-arg]
            return json.dumps(row, sort_keys=True, default=str)

        assert sorted(map(key, local)) == sorted(map(key, dask)), table
    # resumable there too: a second run reads nothing again
    code, out = _batch(str(tmp_path / "in"), "--out", str(tmp_path / "dask"), "--cluster", "local", "--jobs", "2")
    assert "0 read" in out
