"""The batch run: every discovered document extracted once (by content hash), in parallel worker processes
that are killed at the timeout and replaced (service.workers.pool), each result kept as it comes
(service.batch.state), then the dataset's tables built from all of them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service import errors
from service.batch.crossyear import check_years, organ_groups
from service.batch.state import State, sha256
from service.pipeline import Source
from service.render import failed_row
from service.settings import Settings
from service.workers.jobs import Job
from service.workers.pool import ProcessRunner


@dataclass
class Summary:
    documents: int = 0  # distinct documents (by content)
    files: int = 0
    extracted: int = 0  # read in this run
    reused: int = 0  # already in the state from an earlier run
    failed: int = 0
    with_findings: int = 0
    seconds: float = 0.0
    paths: dict[str, list[str]] = field(default_factory=dict)  # sha256 -> the files with those bytes


Progress = Callable[[int], None]


def _read(path: Path, limit: int) -> bytes:
    size = path.stat().st_size
    if size > limit:
        raise errors.too_large(str(path), size, limit)
    return path.read_bytes()


def _record_error(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, errors.NianbaoError):
        return {"ok": False, "error": exc.to_dict()}
    return {"ok": False, "error": {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}", "context": {}}}


async def _extract_all(
    todo: list[tuple[str, Path]], state: State, settings: Settings, jobs: int, progress: Progress | None
) -> int:
    """Extract the documents not yet in the state; how many were read."""
    runner = ProcessRunner(settings.model_copy(update={"workers": jobs}))
    started = await runner.start()
    if started != "ok":
        raise errors.ConfigError(f"the extraction workers did not start: {started}")
    done = 0
    window = asyncio.Semaphore(2 * jobs)

    async def one(sha: str, path: Path) -> None:
        nonlocal done
        async with window:
            try:
                data = _read(path, settings.max_input_bytes)
                # the worker builds the document's table rows: the parent only collects them
                job = Job(Source(data, path.name), "rows", deadline=time.time() + settings.request_timeout_s - 1)
                async with asyncio.timeout(settings.request_timeout_s):
                    out = await runner.run(job)
                record: dict[str, Any] = {"ok": True}
                body: bytes | None = out.body
            except TimeoutError:
                record, body = _record_error(errors.timed_out(path.name, settings.request_timeout_s)), None
            except (errors.NianbaoError, OSError) as exc:
                record, body = _record_error(exc), None
            state.put(sha, {"sha256": sha, "path": str(path), **record}, body)
            done += 1
            if progress:
                progress(1)

    try:
        await asyncio.gather(*(one(sha, path) for sha, path in todo))
    finally:
        await runner.close()
    return done


def run(
    files: list[Path],
    state: State,
    settings: Settings,
    jobs: int,
    progress: Progress | None = None,
) -> Summary:
    """Extract every distinct document of `files` not already in `state`."""
    t0 = time.perf_counter()
    summary = Summary(files=len(files))
    todo: list[tuple[str, Path]] = []
    for path in files:
        try:
            sha = sha256(path.read_bytes())
        except OSError as exc:
            sha = sha256(f"unreadable:{path}".encode())
            state.put(sha, {"sha256": sha, "path": str(path), **_record_error(exc)})
        first = sha not in summary.paths
        summary.paths.setdefault(sha, []).append(str(path))
        if not first:
            if progress:
                progress(1)
            continue
        if state.done(sha) and state.get(sha) is not None:
            summary.reused += 1
            if progress:
                progress(1)
        else:
            todo.append((sha, path))
    if todo:
        summary.extracted = asyncio.run(_extract_all(todo, state, settings, jobs, progress))
    summary.documents = len(summary.paths)
    summary.seconds = time.perf_counter() - t0
    return summary


def tables(summary: Summary, state: State, overrides: dict[str, str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The reports, values and findings tables of every document of the run (and the cross-year findings)."""
    reports: list[dict[str, Any]] = []
    values: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, dict[str, Any]]] = {}
    for sha, paths in sorted(summary.paths.items(), key=lambda item: sorted(item[1])[0]):
        path = sorted(paths)[0]
        record = state.get(sha) or {"ok": False, "error": {"message": "no result was recorded"}}
        if not record.get("ok") or "rows" not in record:
            row = failed_row(sha, path, str(record.get("error", {}).get("message")))
        else:
            rows = record["rows"]
            row = {**rows["report"], "sha256": sha, "source_path": path}
            doc_values = [{**v, "sha256": sha, "source_path": path} for v in rows["values"]]
            values += doc_values
            by_key[sha] = {v["key"]: v for v in doc_values}
            findings += [{**f, "sha256": sha, "source_path": path} for f in rows["findings"]]
        row["copies"] = len(paths)
        reports.append(row)
    groups = organ_groups((r["meta.organ"] for r in reports if r.get("meta.organ")), overrides)
    for row in reports:
        row["organ_group"] = groups.get(row.get("meta.organ") or "")
    cross = check_years(reports, by_key)
    findings += cross
    for row in reports:
        extra = sum(1 for f in cross if f["sha256"] == row["sha256"])
        row["findings"] += extra
        row["arithmetic_findings"] += extra
    summary.failed = sum(1 for r in reports if r["error"])
    summary.with_findings = sum(1 for r in reports if r["findings"] and not r["error"])
    return {"reports": reports, "values": values, "findings": findings}
