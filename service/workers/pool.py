"""Where the service's extractions run: a pool of worker processes (one or more), never the HTTP process.

Reports are untrusted input: a hostile one can loop or inflate, and only a process can be killed. Each
worker is capped in memory and replaced when it overruns the request timeout, dies, or grew past its
recycle mark (service.workers.limits).

Why a pool behind one HTTP process rather than uvicorn's own `--workers`: uvicorn's workers share one
listening socket, and whichever wakes first accepts a whole burst of keep-alive connections. A scraper
opening 32 connections at once had 30 of them served by one worker (16.9 s of CPU against 2.2 s on the
other), so the second core idled and latency doubled. Handing every request to a shared pool balances
per request, not per connection, and keeps one place for metrics.

Why written here rather than concurrent.futures' or pebble's pool: those hand work out through a result
thread and a pipe per pool, which cost the HTTP process several times the CPU per job of reading each worker's
socket from the event loop, and neither kills one job's worker at a per-job timeout while keeping the
others (pebble does, but with a process per task). Jobs are framed pickles (service.workers.jobs).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import io
import multiprocessing
import pickle
import select
import signal
import socket
import struct
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

import anyio

from service import errors
from service.logs import log, request_id, setup_logging
from service.selftest import self_test
from service.settings import Settings
from service.workers.jobs import Job, Rendered, run_job
from service.workers.limits import cap_address_space, rss_mb


class Runner(Protocol):
    async def start(self) -> str: ...

    async def run(self, job: Job) -> Rendered: ...

    async def close(self) -> None: ...

    def live(self) -> int:
        """Extraction workers able to take a job now (readyz reports it; none means not ready)."""
        ...


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
    """After start-up: what was imported stays, frozen out of the collector's scans."""
    gc.collect()
    gc.freeze()


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
    setup_logging(settings.log_level)
    try:
        cap_address_space(settings.worker_max_memory_mb)
        llm = build(settings)
        answer = self_test()
        _settle_gc()
        idle = rss_mb()
        _send(stream, ("ok", answer))
    except Exception as exc:
        _send(stream, ("err", _portable(exc)))
        return
    trim = _malloc_trim()
    busy = False
    while True:
        # one job at a time is in flight per worker, so the buffer is empty here and the socket tells the truth
        if busy and not select.select([sock], [], [], _IDLE_TRIM_S)[0]:
            # a burst is over: collect what cycles it left, hand the heap's free pages back, so the worker
            # returns to its idle size
            gc.collect()
            if trim is not None:
                trim(0)
            busy = False
        try:
            job = _receive(stream)
        except (EOFError, OSError):
            return
        busy = True
        token = request_id.set(job.request_id)  # the worker's log lines carry the request's id
        try:
            reply: tuple[str, object] = ("ok", run_job(job, llm))
        except MemoryError:
            reply = ("err", errors.too_much_memory(job.source.name, settings.worker_max_memory_mb))
        except errors.NianbaoError as exc:
            reply = ("err", exc)
        except Exception as exc:  # a reader's own failure: logged (one JSON line), answered as an error
            log.error("extraction failed", exc_info=exc)
            reply = ("err", _portable(exc))
        finally:
            request_id.reset(token)
        retiring = _grew(settings.worker_recycle_ratio * idle, trim)
        _send(stream, (*reply, retiring))  # the pool sends no further job to a worker that says it retires
        if retiring:
            log.info("worker recycled", extra={"fields": {"rss_mb": round(rss_mb(), 1), "idle_mb": round(idle, 1)}})
            return  # the pool starts another


def _grew(mark: float, trim: Callable[[int], int] | None) -> bool:
    """Whether this worker stays above `mark` MiB once its heap is collected and trimmed (a native library
    kept what a hostile document made it allocate)."""
    if not mark or rss_mb() <= mark:
        return False
    gc.collect()
    if trim is not None:
        trim(0)
    return rss_mb() > mark


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
        answers = await asyncio.gather(*(self._spawn() for _ in range(max(1, self.settings.workers))))
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
                        status, answer, retiring = await _areceive(worker.reader)
                except TimeoutError as exc:
                    if not future.done():
                        future.set_exception(exc)
                    self._replace(worker)
                    return
                except (asyncio.IncompleteReadError, ConnectionError):
                    if not future.done():
                        future.set_exception(errors.worker_died(job.source.name))
                    self._replace(worker)
                    return
                if not future.done():
                    if status == "ok":
                        future.set_result(answer)
                    else:
                        future.set_exception(answer)
                if retiring:
                    self._replace(worker)
                    return
        except asyncio.CancelledError:
            if current is not None and current.job is not None and not current.future.done():
                current.future.set_exception(errors.worker_died(current.job.source.name))
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


def make_runner(settings: Settings) -> Runner:
    return ProcessRunner(settings)
