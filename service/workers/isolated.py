"""One extraction in a child process that can be killed: what the CLI runs for every document it reads.

A hostile document (a PDF page that loops, a bomb) must cost a bounded time and memory and never take the
rest of a run with it: the child is forked (the parent has every module loaded, so it starts at once),
capped in address space, and killed at the timeout; its answer comes back through a pipe.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from typing import Any

from schemas.extraction import ReportExtraction
from service import errors
from service.pipeline import Options, Source, extract
from service.workers.limits import cap_address_space


def _child(fd: int, source: Source, options: Options, memory_mb: int) -> None:
    """In the forked child: extract, write the pickled answer to `fd`, and leave without running the parent's
    exit handlers."""
    try:
        cap_address_space(memory_mb)
        answer: tuple[str, Any] = ("ok", extract(source, options))
    except MemoryError:
        answer = ("err", errors.too_much_memory(source.name, memory_mb))
    except errors.NianbaoError as exc:
        answer = ("err", exc)
    except Exception as exc:  # a reader's own failure: an error for this document, never the run's
        answer = ("err", errors.InputError(f"{source.name or 'the input'} could not be read: {exc}"))
    try:
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os._exit(0)


def extract_isolated(source: Source, options: Options, timeout_s: float, memory_mb: int) -> ReportExtraction:
    """`extract(source, options)` in a forked child killed at the timeout; its errors are raised here. A plain
    fork (not multiprocessing's), so that it also runs inside daemonic processes such as Dask's workers."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        _child(write_fd, source, options, memory_mb)
    os.close(write_fd)
    deadline = time.monotonic() + timeout_s
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_fd], [], [], left)[0]:
                raise errors.timed_out(source.name, timeout_s)
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        _reap(pid)
    if not chunks:
        raise errors.worker_died(source.name)
    try:
        status, value = pickle.loads(b"".join(chunks))
    except Exception:
        raise errors.worker_died(source.name) from None
    if status == "ok":
        result: ReportExtraction = value
        return result
    raise value if isinstance(value, errors.NianbaoError) else errors.InputError(str(value))


def _reap(pid: int) -> None:
    """End the child (if it still runs) and collect it, so that no zombie is left."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    except ChildProcessError:
        pass
