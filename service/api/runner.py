"""Where extractions run: a thread of the HTTP process (one worker), or a pool of worker processes.

Why a pool behind one HTTP process rather than uvicorn's own `--workers`: uvicorn's workers share one
listening socket, and whichever wakes first accepts a whole burst of keep-alive connections. A scraper
opening 32 connections at once had 30 of them served by one worker (16.9 s of CPU against 2.2 s on the
other), so the second core idled and latency doubled. Handing every request to a shared pool balances
per request, not per connection, and keeps one place for metrics.

A job crosses the process boundary as plain data and comes back already rendered as JSON bytes plus the
few facts the metrics need, so nothing large is pickled twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import io
import json
import multiprocessing
import pickle
import select
import signal
import socket
import struct
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Literal, Protocol

import anyio

from service import errors
from service.api.logs import log
from service.draft import Draft
from service.pipeline import NarrativeLLM, draft_bytes, draft_html, draft_text
from service.settings import Settings

SELF_TEST = (
    "某局2024年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n申请人情况\n"
    "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1\n"
)


# Job and Rendered cross the process boundary: plain (not slots) dataclasses pickle by their __dict__ in C,
# where slots ones go through dataclasses.fields() on both ends of every job.
@dataclass(frozen=True)
class Job:
    """One report to extract: text or HTML from a JSON request, or raw bytes (format detected by content)."""

    kind: Literal["text", "html", "bytes"]
    payload: str | bytes
    name: str | None = None
    media_type: str | None = None
    use_llm: bool = True
    flat: bool = False


@dataclass(frozen=True)
class Rendered:
    """The response body, and what the metrics count."""

    body: bytes
    format: str
    rules: tuple[str, ...]
    llm_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_hits: int = 0


def extract_job(job: Job, llm: NarrativeLLM | None) -> Draft:
    """The pipeline call a job stands for."""
    llm = llm if job.use_llm else None
    if job.kind == "bytes":
        assert isinstance(job.payload, bytes)
        return draft_bytes(job.payload, job.name, job.media_type, llm)
    assert isinstance(job.payload, str)
    if job.kind == "html":
        return draft_html(job.payload, name=job.name, llm=llm)
    if not job.payload.strip():
        raise errors.empty_input(job.name)
    return draft_text(job.payload, name=job.name, llm=llm)


def run_job(job: Job, llm: NarrativeLLM | None) -> Rendered:
    draft = extract_job(job, llm)
    usage = draft.payload["llm"]
    return Rendered(
        body=draft.to_json(job.flat),
        format=draft.payload["source"]["format"],
        rules=tuple(f.rule for f in draft.findings),
        llm_calls=usage["calls"],
        input_tokens=usage["input_tokens"],
        output_tokens=usage["output_tokens"],
        cache_hits=usage["cache_hits"],
    )


# The State Council's blank 2021 form (spec/template-2021-blank.txt): every section and table label, no numbers.
BLANK_FORM = Path(__file__).with_name("blank-2021.txt")
# A full 2021 report, every cell printed (evals.synth, seed 2021, `|`-separated cells), and its values: it also
# fills the caches that the first real reports would, so a worker's idle memory is its working size.
FULL_REPORT = Path(__file__).with_name("warmup-2021.txt")
FULL_REPORT_VALUES = Path(__file__).with_name("warmup-2021.flat.json")


def _as_html(text: str) -> str:
    """A page with the text's lines as table cells, as Word exports them."""
    cells = "</td></tr><tr><td>".join(text.splitlines())
    return f"<html><body><table><tr><td>{cells}</td></tr></table></body></html>"


def self_test() -> str:
    """Parsers are loaded and right: a tiny table reads exactly (as text and as HTML), the blank 2021 form
    is recognised as the 2021 template with all six sections and no value at all (nothing invented), and a
    full 2021 report reads every value exactly (as text and as HTML). It also warms every parsing path
    before the first request."""
    if draft_text(SELF_TEST).flat().get("requests.new.total") != 1:
        return "self-test failed: a one-row request table did not read as 1"
    blank_text = BLANK_FORM.read_text("utf-8")
    blank = draft_text(blank_text)
    if blank.payload["meta"]["template"] != "2021" or len(blank.payload["sections"]) != 6 or blank.values:
        return "self-test failed: the blank 2021 form was not read as an empty 2021 report"
    table = draft_html(_as_html(SELF_TEST)).values.get("requests.new.total", {})
    if table.get("value") != 1:
        return "self-test failed: the same table as HTML did not read as 1"
    if draft_html(_as_html(blank_text)).values:
        return "self-test failed: a value was read from the blank 2021 form as HTML"
    full = FULL_REPORT.read_bytes()
    expected = json.loads(FULL_REPORT_VALUES.read_text("utf-8"))
    for draft in (draft_bytes(full, FULL_REPORT.name), draft_html(_as_html(full.decode("utf-8")))):
        if draft.flat() != expected:
            return "self-test failed: a full 2021 report did not read exactly"
    return "ok"


class Runner(Protocol):
    async def start(self) -> str: ...

    async def run(self, job: Job) -> Rendered: ...

    async def close(self) -> None: ...

    def live(self) -> int:
        """Extraction workers able to take a job now (readyz reports it; none means not ready)."""
        ...


class ThreadRunner:
    """One worker: extractions run in threads of this process, bounded in number, off the event loop."""

    def __init__(self, settings: Settings, llm: NarrativeLLM | None) -> None:
        self.settings = settings
        self.llm = llm
        self.limiter: anyio.CapacityLimiter | None = None

    async def start(self) -> str:
        self.limiter = anyio.CapacityLimiter(self.settings.cpu_concurrency)
        return await anyio.to_thread.run_sync(self_test, limiter=self.limiter)

    async def run(self, job: Job) -> Rendered:
        return await anyio.to_thread.run_sync(run_job, job, self.llm, limiter=self.limiter, abandon_on_cancel=True)

    async def close(self) -> None:
        return None

    def live(self) -> int:
        return 1


# --- worker processes ----------------------------------------------------------
# Each worker is a spawned process on one end of a socket pair; jobs and answers cross it as
# length-prefixed pickles. No executor threads: the event loop reads the answers itself, which cost
# 0.19 ms of the HTTP process's CPU per job against 0.75 ms through concurrent.futures' pool.

_HEADER = struct.Struct("!I")


def _frame(obj: object) -> bytes:
    """One message on the wire: its length, then its pickle."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _send(stream: io.BufferedIOBase, obj: object) -> None:
    stream.write(_frame(obj))
    stream.flush()


def _receive(stream: io.BufferedIOBase) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    return pickle.loads(stream.read(_HEADER.unpack(header)[0]))


async def _areceive(reader: asyncio.StreamReader) -> Any:
    (size,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
    return pickle.loads(await reader.readexactly(size))


def _portable(exc: Exception) -> Exception:
    """The exception itself when it survives pickling (NianbaoError does), else its text."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _settle_gc() -> None:
    """After start-up: what was imported stays (frozen out of the collector's scans), and young collections
    run every 10,000 allocations instead of 700. An extraction allocates a few thousand short-lived
    objects and makes no cycles worth chasing; measured 5-10% of a job's CPU went to collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


_IDLE_TRIM_S = 1.0


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, where there is one: freed C heap (libxml2 trees, big strings) is not returned to
    the system otherwise, and a worker would keep the high-water mark of its largest report."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def worker_main(sock: socket.socket, settings: Settings) -> None:
    """A worker process: initialise, say whether the self-test passed, then answer jobs until the socket closes.

    The HTTP process closing its end (shutdown, or its own death) is what ends a worker."""
    # Ctrl-C in a terminal, and a service manager stopping the whole group, signal every process; only the
    # HTTP process decides when work stops (after finishing what is in flight), by closing the socket
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from service.llm.factory import build

    stream = sock.makefile("rwb")
    try:
        llm = build(settings)
        answer = self_test()
        _settle_gc()
        _send(stream, ("ok", answer))
    except Exception as exc:
        _send(stream, ("err", _portable(exc)))
        return
    trim = _malloc_trim()
    busy = False
    while True:
        # one job at a time is in flight per worker, so the buffer is empty here and the socket tells the truth
        if busy and trim is not None and not select.select([sock], [], [], _IDLE_TRIM_S)[0]:
            trim(0)  # a burst is over: hand the heap's free pages back, so the worker returns to its idle size
            busy = False
        try:
            job = _receive(stream)
        except (EOFError, OSError):
            return
        busy = True
        try:
            reply: tuple[str, object] = ("ok", run_job(job, llm))
        except Exception as exc:
            reply = ("err", _portable(exc))
        _send(stream, reply)


@dataclass(eq=False)
class _Pending:
    """A queued job; `job` is dropped as soon as its request stops waiting."""

    job: Job | None
    future: asyncio.Future[Rendered]


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    task: asyncio.Task[None] | None = None


class ProcessRunner:
    """N worker processes taking jobs from one FIFO queue: balanced per request, whatever the connections.

    A worker that dies is replaced at once (its process sentinel is watched) and the job it had, if any,
    is answered with WorkerDied; a job still running when the request timeout passes gets its worker
    killed and replaced, so a runaway input cannot hold it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self.tasks: set[asyncio.Task[None]] = set()
        self.workers: set[_Worker] = set()
        self.closing = False

    async def start(self) -> str:
        answers = await asyncio.gather(*(self._spawn() for _ in range(self.settings.workers)))
        failed = [a for a in answers if a != "ok"]
        return "ok" if not failed else f"self-test failed: {failed[0]}"

    async def _spawn(self) -> str:
        ours, theirs = socket.socketpair()
        process = multiprocessing.get_context("spawn").Process(
            target=worker_main, args=(theirs, self.settings), name="nianbao-worker", daemon=True
        )
        await anyio.to_thread.run_sync(process.start)
        theirs.close()
        reader, writer = await asyncio.open_connection(sock=ours, limit=2**16)
        worker = _Worker(process, reader, writer)
        try:
            status, answer = await _areceive(reader)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            answer, status = f"worker exited at start-up ({exc})", "err"
        if status != "ok" or answer != "ok":
            self._kill(worker)
            return str(answer)
        self.workers.add(worker)
        worker.task = self._background(self._serve(worker))
        asyncio.get_running_loop().add_reader(process.sentinel, self._died, worker)
        return "ok"

    def _background(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def _died(self, worker: _Worker) -> None:
        """The process ended (killed, out of memory) whether or not it had a job: replace it now."""
        if worker.task is not None:
            worker.task.cancel()  # its job, if any, is answered WorkerDied by _serve
        self._replace(worker)

    async def _serve(self, worker: _Worker) -> None:
        """Feed one worker, one job at a time; replace it if it dies or overruns."""
        current: _Pending | None = None
        try:
            while True:
                current = None
                current = await self.queue.get()
                job, future = current.job, current.future
                if job is None or future.done():  # the request gave up (timeout, disconnect) before its turn
                    continue
                try:
                    worker.writer.write(_frame(job))
                    async with asyncio.timeout(self.settings.request_timeout_s):
                        status, answer = await _areceive(worker.reader)
                except TimeoutError as exc:
                    if not future.done():
                        future.set_exception(exc)
                    self._replace(worker)
                    return
                except (asyncio.IncompleteReadError, ConnectionError):
                    if not future.done():
                        future.set_exception(errors.worker_died(job.name))
                    self._replace(worker)
                    return
                if not future.done():
                    if status == "ok":
                        future.set_result(answer)
                    else:
                        future.set_exception(answer)
        except asyncio.CancelledError:
            if current is not None and current.job is not None and not current.future.done():
                current.future.set_exception(errors.worker_died(current.job.name))
            raise

    def _retire(self, worker: _Worker) -> None:
        """No more jobs for it: unwatched, and its socket closed (which ends a live worker's loop)."""
        self.workers.discard(worker)
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(worker.process.sentinel)
        worker.writer.close()

    def _kill(self, worker: _Worker) -> None:
        self._retire(worker)
        if worker.process.is_alive():
            worker.process.kill()

    def _replace(self, worker: _Worker) -> None:
        """Once per worker (death and a failed read may both report it): kill it, start another."""
        if worker not in self.workers:
            return
        self._kill(worker)
        if not self.closing:
            self._background(self._respawn())

    async def _respawn(self) -> None:
        answer = await self._spawn()
        if answer != "ok":
            log.error("worker restart failed", extra={"fields": {"why": answer}})

    def live(self) -> int:
        return len(self.workers)

    async def run(self, job: Job) -> Rendered:
        pending = _Pending(job, asyncio.get_running_loop().create_future())
        self.queue.put_nowait(pending)
        try:
            return await pending.future
        finally:
            # answered, timed out or the client left: a report still queued must not keep its body in memory
            pending.job = None

    async def close(self) -> None:
        """After uvicorn has finished the in-flight requests: close the sockets, so the workers exit."""
        self.closing = True
        for task in list(self.tasks):
            task.cancel()
        workers = list(self.workers)
        for worker in workers:
            self._retire(worker)
        for worker in workers:
            await anyio.to_thread.run_sync(worker.process.join, 5)
            if worker.process.is_alive():
                worker.process.kill()


def make_runner(settings: Settings, llm: NarrativeLLM | None) -> Runner:
    return ProcessRunner(settings) if settings.workers > 1 else ThreadRunner(settings, llm)
