"""`--workers N`: extraction worker processes behind the HTTP process, replaced when they die or overrun."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import socket
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.pipeline import Source, extract
from service.settings import Settings
from service.workers.jobs import Job
from service.workers.pool import ProcessRunner

pytestmark = pytest.mark.slow


def _pids(client: TestClient) -> set[int]:
    runner = client.app.state.runner  # type: ignore[attr-defined]
    assert isinstance(runner, ProcessRunner)
    return {w.process.pid for w in runner.workers if w.process.pid is not None}


def _replaced(client: TestClient, before: set[int], n: int) -> set[int]:
    """The worker pids once `n` workers run again and the set differs from `before`."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pids = _pids(client)
        if len(pids) == n and pids != before:
            return pids
        time.sleep(0.1)
    pytest.fail(f"{n} workers did not come back")


def test_requests_are_shared_by_the_workers_and_answer_as_in_process(corpus: Path) -> None:
    with TestClient(create_app(Settings(workers=2))) as client:
        ready = client.get("/readyz").json()
        assert ready["status"] == "ready" and ready["workers"] == 2
        assert len(_pids(client)) == 2
        for path in sorted(p for p in corpus.iterdir() if p.suffix in (".txt", ".html")):
            r = client.post("/v1/extract?flat=true", content=path.read_bytes(), headers={"x-filename": path.name})
            assert r.status_code == 200, r.text
            assert r.json() == extract(Source(path.read_bytes(), path.name)).flat(), path.name
        r = client.post("/v1/extract", json={"text": ""})
        assert r.status_code == 422 and r.json()["error"]["code"] == "empty_input"  # errors cross the process boundary


def test_a_worker_that_dies_is_replaced_and_its_request_gets_503(corpus: Path) -> None:
    report = next(corpus.glob("002_*.txt")).read_bytes()
    with TestClient(create_app(Settings(workers=2))) as client:
        before = _pids(client)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)  # idle: replaced without any request failing
        after = _replaced(client, before, 2)
        assert victim not in after
        for _ in range(4):
            assert client.post("/v1/extract", content=report).status_code == 200
        big = ("一、总体情况 本年度收到申请 123 件，办结 45 件。\n" * 250_000).encode()  # 17 MB: ~0.6 s
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pending = pool.submit(client.post, "/v1/extract", content=big)
            time.sleep(0.15)  # the job is running in one of the workers
            for pid in after:
                os.kill(pid, signal.SIGKILL)
            r = pending.result(30)
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "worker_died"
        before = after
        after = _replaced(client, before, 2)
        assert not after & before  # both replaced: the one that had the job and the idle one
        for _ in range(4):
            assert client.post("/v1/extract", content=report).status_code == 200


def test_a_job_over_the_timeout_gets_504_and_its_worker_is_replaced(corpus: Path) -> None:
    big = ("一、总体情况 本年度收到申请 123 件，办结 45 件。\n" * 150_000).encode()  # 5 MB: far over 50 ms
    with TestClient(create_app(Settings(workers=2, request_timeout_s=0.05))) as client:
        before = _pids(client)
        r = client.post("/v1/extract", content=big)
        assert r.status_code == 504, r.text
        assert r.json()["error"]["code"] == "timeout"
        after = _replaced(client, before, 2)
        assert len(after - before) == 1  # the overrunning worker was killed and replaced, the other kept


@pytest.mark.llm_real  # a loopback endpoint that refuses: the provider must really try it
@pytest.mark.parametrize("workers", [1, 2])
def test_an_llm_that_is_down_degrades_the_answer_never_a_5xx(workers: int, corpus: Path) -> None:
    with socket.socket() as s:  # a loopback port nothing listens on: connections are refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(
        workers=workers, llm_base_url=f"http://127.0.0.1:{port}/v1", llm_cache_dir=None, llm_transport_retries=1
    )
    report = next(corpus.glob("001_*.txt")).read_bytes()  # narrative: the LLM is asked
    with TestClient(create_app(settings)) as client:
        r = client.post("/v1/extract", content=report)
        assert r.status_code == 200, r.text
        body = r.json()
        assert any(f["rule"] == "llm.unavailable" for f in body["findings"])
        assert body["proactive"]["items_total"]["value"] == 142  # the phrase rules still answer
        assert 'nianbao_llm_calls_total{outcome="unavailable"}' in client.get("/metrics").text


@pytest.mark.llm_real  # a loopback endpoint that accepts and never answers: the provider must really wait on it
def test_a_hanging_llm_gets_what_is_left_of_the_request_and_the_tables_answer(corpus: Path) -> None:
    import time

    with socket.socket() as hanging:
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(16)  # connections are accepted by the kernel; nothing ever answers
        port = hanging.getsockname()[1]
        settings = Settings(
            workers=1,
            request_timeout_s=4,
            llm_timeout_s=60,
            llm_base_url=f"http://127.0.0.1:{port}/v1",
            llm_cache_dir=None,
        )
        report = next(corpus.glob("001_*.txt")).read_bytes()
        with TestClient(create_app(settings)) as client:
            t0 = time.monotonic()
            r = client.post("/v1/extract", content=report)
            took = time.monotonic() - t0
        assert r.status_code == 200, r.text
        assert took < settings.request_timeout_s
        body = r.json()
        assert any(f["rule"] == "llm.unavailable" for f in body["findings"])
        assert body["proactive"]["items_total"]["value"] == 142


def test_a_request_that_stops_waiting_leaves_no_body_in_the_queue() -> None:
    async def scenario() -> None:
        runner = ProcessRunner(Settings(workers=2))  # not started: nothing takes the job off the queue
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(runner.run(Job(Source(b"x" * 1_000_000))), 0.05)
        pending = runner.queue.get_nowait()
        assert pending.job is None  # a worker that pops it later skips it; the megabyte is already freed
        assert pending.future.cancelled()

    asyncio.run(scenario())
