"""One extraction in a child process that can be killed: what the CLI runs for every document it reads.

A hostile document (a PDF page that loops, a bomb) must cost a bounded time and memory and never take the
rest of a run with it: the child is forked (the parent has every module loaded, so it starts at once),
capped in address space, and killed at the timeout; its answer comes back through a pipe.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from schemas.extraction import ReportExtraction
from service import errors
from service.pipeline import Options, Source, extract
from service.workers.limits import cap_address_space


def _child(conn: Connection, source: Source, options: Options, memory_mb: int) -> None:
    try:
        cap_address_space(memory_mb)
        conn.send(("ok", extract(source, options)))
    except MemoryError:
        conn.send(("err", errors.too_much_memory(source.name, memory_mb)))
    except errors.NianbaoError as exc:
        conn.send(("err", exc))
    except Exception as exc:  # a reader's own failure: an error for this document, never the run's
        conn.send(("err", errors.InputError(f"{source.name or 'the input'} could not be read: {exc}")))
    finally:
        conn.close()


def extract_isolated(source: Source, options: Options, timeout_s: float, memory_mb: int) -> ReportExtraction:
    """`extract(source, options)` in a killed-at-timeout child; its errors are raised here."""
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(sender, source, options, memory_mb), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout_s):
            raise errors.timed_out(source.name, timeout_s)
        try:
            status, value = receiver.recv()
        except EOFError:
            raise errors.worker_died(source.name) from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if status == "ok":
        result: ReportExtraction = value
        return result
    raise _error(value)


def _error(value: Any) -> errors.NianbaoError:
    return value if isinstance(value, errors.NianbaoError) else errors.InputError(str(value))
