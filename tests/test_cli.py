"""The nianbao command: outputs, files, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import main


def test_extract_one_file_prints_full_json(corpus: Path) -> None:
    path = next(corpus.glob("002_*.txt"))
    result = CliRunner().invoke(main, ["extract", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["meta"]["template"] == "2021"
    assert data["requests"]["new"]["total"]["value"] == 4
    assert data["requests"]["new"]["total"]["provenance"]["method"] == "table"


def test_extract_flat_many_files_to_a_folder(corpus: Path, tmp_path: Path) -> None:
    files = sorted(str(p) for p in corpus.glob("*.txt"))
    out = tmp_path / "results"
    result = CliRunner().invoke(main, ["extract", "--flat", "--out", str(out), *files])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(Path(f).stem + ".json" for f in files)
    flat = json.loads((out / "000_e7921d0d0e50645f.json").read_text("utf-8"))
    assert flat["proactive.items_total"] == 850


def test_a_failed_report_among_many_exits_1_and_the_rest_are_written(corpus: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    good = next(corpus.glob("003_*.txt"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["extract", "--flat", "--out", str(out), str(bad), str(good), "missing.txt"])
    assert result.exit_code == 1
    assert (out / f"{good.stem}.json").exists()
    assert "bad.txt" in result.output and "empty" in result.output
    assert "missing.txt" in result.output


def test_usage_error_exits_2() -> None:
    assert CliRunner().invoke(main, ["extract"]).exit_code == 2
    assert CliRunner().invoke(main, ["eval", "--no-such-flag"]).exit_code == 2


def test_eval_json_and_compare(corpus: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "--corpus", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["invented_total"] == 0
    assert {"overall", "nonzero", "sections", "documents"} <= set(report)
    # a worse previous run: compare says what got better
    previous = json.loads(json.dumps(report))
    previous["overall"]["f1"] = 0.5
    doc = previous["documents"][0]
    doc["missing"].append({"key": "requests.new.total", "gold": 1})
    prev_path = tmp_path / "prev.json"
    prev_path.write_text(json.dumps(previous), "utf-8")
    result = CliRunner().invoke(main, ["eval", "--corpus", str(corpus), "--compare", str(prev_path)])
    assert result.exit_code == 0, result.output
    assert f"compare: F1 0.5 -> {report['overall']['f1']}" in result.output
    assert "missing:requests.new.total" in result.output


def test_eval_table_is_readable(corpus: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "--corpus", str(corpus)])
    assert result.exit_code == 0
    assert "000_e7921d0d0e50645f.txt" in result.output
    assert "non-zero values" in result.output


def test_empty_corpus_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "--corpus", str(tmp_path)])
    assert result.exit_code == 2


def test_console_script_piped_has_no_progress_bar(corpus: Path, tmp_path: Path) -> None:
    exe = shutil.which("nianbao", path=str(Path(sys.executable).parent))
    assert exe is not None
    files = [str(p) for p in sorted(corpus.glob("*.txt"))[:3]]
    proc = subprocess.run([exe, "extract", "--flat", *files], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 3 and all(json.loads(line)["file"] in files for line in lines)
    assert proc.stderr == ""


def test_bad_config_exits_2(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from service.settings import get_settings

    get_settings.cache_clear()
    monkeypatch.setenv("NIANBAO_MAX_INPUT_BYTES", "-5")
    try:
        result = CliRunner().invoke(main, ["eval"])
        assert result.exit_code == 2
        assert "NIANBAO_MAX_INPUT_BYTES" in result.output
    finally:
        monkeypatch.delenv("NIANBAO_MAX_INPUT_BYTES")
        get_settings.cache_clear()


def test_a_document_over_the_timeout_is_stopped_and_the_run_goes_on(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each document is read in a child process killed at the timeout: a clear error, the others written.
    (The child is forked, so the hang planted here in the parent is what it runs.)"""
    import time

    from service.settings import get_settings
    from service.workers import isolated

    real = isolated.extract

    def hangs_on_one(source, options):  # type: ignore[no-untyped-def]
        if source.name == "hangs.txt":
            while True:
                time.sleep(1)
        return real(source, options)

    monkeypatch.setattr(isolated, "extract", hangs_on_one)
    hang = tmp_path / "hangs.txt"
    hang.write_text("某局2024年政府信息公开工作年度报告", "utf-8")
    good = next(corpus.glob("002_*.txt"))
    monkeypatch.setenv("NIANBAO_REQUEST_TIMEOUT_S", "1")
    get_settings.cache_clear()
    try:
        t0 = time.monotonic()
        result = CliRunner().invoke(main, ["extract", "--flat", "--out", str(tmp_path / "out"), str(hang), str(good)])
        elapsed = time.monotonic() - t0
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "took longer than 1 s" in result.output
    assert [p.name for p in (tmp_path / "out").glob("*.json")] == [good.stem + ".json"]
    assert elapsed < 5
