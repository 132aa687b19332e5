"""A real `nianbao serve --workers 2` (uvicorn + worker processes) on loopback: the flat map equals the CLI's;
SIGTERM finishes in-flight work."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(*args: str, env: dict[str, str] | None = None) -> tuple[str, subprocess.Popen[bytes]]:
    """`nianbao serve ARGS` on a free loopback port, once /readyz says ready."""
    exe = shutil.which("nianbao", path=str(Path(sys.executable).parent))
    assert exe is not None
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "NIANBAO_GRACEFUL_SHUTDOWN_S": "20", **(env or {})},
        start_new_session=True,  # its own process group, as under a service manager
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return base, proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("server did not become ready")


@pytest.fixture
def server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    base, proc = _serve("--workers", "2")
    yield base, proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_workers_default_to_one_per_cpu() -> None:
    base, proc = _serve(env={"NIANBAO_WORKERS": "0"})  # 0, the default: one per CPU
    try:
        assert httpx.get(f"{base}/readyz", timeout=5).json()["workers"] == len(os.sched_getaffinity(0))
    finally:
        proc.kill()
        proc.wait()


def test_flat_map_over_http_equals_the_cli(server: tuple[str, subprocess.Popen[bytes]], corpus: Path) -> None:
    base, _ = server
    exe = shutil.which("nianbao", path=str(Path(sys.executable).parent))
    assert exe is not None
    reports = sorted(p for p in corpus.iterdir() if p.suffix in (".txt", ".html"))
    cli = subprocess.run([exe, "extract", "--flat", *map(str, reports)], capture_output=True, text=True, check=True)
    by_file = {json.loads(line)["file"]: json.loads(line)["result"] for line in cli.stdout.splitlines()}
    with httpx.Client(base_url=base, timeout=30) as client:
        for path in reports:
            r = client.post("/v1/extract?flat=true", files={"file": (path.name, path.read_bytes())})
            assert r.status_code == 200, r.text
            assert r.json() == by_file[str(path)], path.name
            assert r.headers["x-request-id"]


def test_sigterm_finishes_in_flight_requests(server: tuple[str, subprocess.Popen[bytes]], corpus: Path) -> None:
    base, proc = server
    text = next(corpus.glob("05_*.txt")).read_text("utf-8")
    items = [{"text": text, "filename": f"r{i}"} for i in range(1000)]
    result: dict[str, object] = {}

    def post() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            r = client.post("/v1/extract/batch?flat=true", json=items)
            result["status"] = r.status_code
            result["lines"] = [json.loads(line) for line in r.text.splitlines()]

    t = threading.Thread(target=post)
    t.start()
    time.sleep(0.3)  # the batch is being processed
    os.killpg(proc.pid, signal.SIGTERM)  # the whole group, workers included, as docker stop / systemd do
    t.join(60)
    # uvicorn re-raises the signal once it has shut down gracefully, so -SIGTERM is a clean exit
    assert proc.wait(30) in (0, -signal.SIGTERM)
    assert proc.stderr is not None
    assert b'"msg": "stopped"' in proc.stderr.read()
    assert result["status"] == 200
    lines = result["lines"]
    assert isinstance(lines, list)
    *answers, end = lines
    # the stream ends in-band: the items answered before the stop, all of them right, and a line that says so
    assert end["end"] and end["complete"] is False and end["answered"] == len(answers) < 1000
    assert [a["index"] for a in answers] == list(range(len(answers))) and all(a["ok"] for a in answers)


def test_every_line_the_service_writes_is_json_with_the_request_id(corpus: Path) -> None:
    base, proc = _serve("--workers", "1")
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            client.post("/v1/extract", content=b"\xef\xbb\xbf\xff", headers={"content-type": "text/plain"})
            client.post(
                "/v1/extract", content=b"--x\r\nbroken", headers={"content-type": "multipart/form-data; boundary=x"}
            )
            client.post("/v1/extract", json={"text": next(corpus.glob("002_*.txt")).read_text("utf-8")})
            client.get("/nowhere")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    assert proc.stderr is not None
    lines = [line for line in proc.stderr.read().decode("utf-8").splitlines() if line.strip()]
    assert lines
    parsed = [json.loads(line) for line in lines]  # every line one JSON object
    requests = [p for p in parsed if p.get("msg") == "request" and p["path"] != "/readyz"]
    assert len(requests) == 4 and all(p["request_id"] for p in requests)
    assert not any(p.get("status") == 500 for p in requests)
