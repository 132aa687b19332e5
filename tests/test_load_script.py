"""The load script the throughput figures come from runs end to end: a real server, its output parsed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def test_load_script_reports_throughput_latency_and_memory() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "evals.load", "--requests", "60", "--seconds", "20", "--concurrency", "4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert re.search(r"requests: 60 in [\d.]+ s, errors 0, concurrency 4, workers 2", out), out
    assert re.search(r"throughput: [\d.]+ req/s", out)
    assert re.search(r"latency ms: p50 [\d.]+ +p90 [\d.]+ +p99 [\d.]+", out)
    assert len(re.findall(r"^worker \d+ RSS MB: idle [\d.]+", out, re.M)) == 2
    assert re.search(r"^http +\d+ RSS MB", out, re.M)


def test_load_script_refuses_a_remote_target() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "evals.load", "--url", "http://192.0.2.1:80", "--requests", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "loopback" in done.stderr
