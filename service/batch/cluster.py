"""The same batch on a Dask cluster: documents read through fsspec (local paths, s3://, gs://, …), extracted on
the cluster's workers, each in a child process killed at the timeout, the results kept in the client's state
as they complete (so a run killed half way goes on where it stopped).

Why Dask rather than Ray: the work is many independent, CPU-bound tasks of a few milliseconds over files,
which `distributed` schedules with no extra runtime (a pure-Python scheduler and workers from PyPI, a
`LocalCluster` for one machine and tests), and whose workers read fsspec URLs natively; Ray's object store
and its large wheels buy nothing here. A real cluster: `dask-kubernetes` (KubeCluster) or a
`dask-scheduler` with `dask-worker`s that have nianbao installed; pass the scheduler's address.
"""

from __future__ import annotations

import glob
import time
from collections.abc import Iterable
from typing import Any

import orjson

from service import errors
from service.batch.engine import Summary
from service.batch.state import State, sha256
from service.formats.registry import SUFFIXES
from service.settings import Settings


def discover_urls(inputs: Iterable[str]) -> list[str]:
    """Every document under `inputs` (paths or fsspec URLs: files, folders walked, globs), sorted, once."""
    import fsspec

    found: set[str] = set()
    for raw in inputs:
        fs, _, paths = fsspec.get_fs_token_paths(raw)
        protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
        prefix = "" if protocol in ("file", "local") else f"{protocol}://"
        targets = fs.glob(paths[0]) if glob.has_magic(raw) else paths
        for target in targets:
            if fs.isdir(target):
                found.update(prefix + p for p in fs.find(target) if p.lower().endswith(SUFFIXES))
            elif fs.exists(target):
                found.add(prefix + target)
    return sorted(found)


def _task(url: str, settings: dict[str, Any]) -> tuple[str, str, bytes]:
    """On a worker: (sha256, url, the state record as JSON) for one document."""
    import fsspec

    from service.pipeline import Options, Source
    from service.render import renderer
    from service.workers.isolated import extract_isolated

    config = Settings.model_validate(settings)
    try:
        with fsspec.open(url, "rb") as f:
            data = f.read(config.max_input_bytes + 1)
    except OSError as exc:
        sha = sha256(f"unreadable:{url}".encode())
        return sha, url, orjson.dumps({"sha256": sha, "path": url, "ok": False, "error": _error(exc)})
    sha = sha256(data)
    head = {"sha256": sha, "path": url}
    try:
        if len(data) > config.max_input_bytes:
            raise errors.too_large(url, len(data), config.max_input_bytes)
        name = url.rsplit("/", 1)[-1]
        result = extract_isolated(Source(data, name), Options(), config.request_timeout_s, config.worker_max_memory_mb)
        rows = renderer("rows").body(result)
        return sha, url, orjson.dumps({**head, "ok": True})[:-1] + b',"rows":' + rows + b"}"
    except errors.NianbaoError as exc:
        return sha, url, orjson.dumps({**head, "ok": False, "error": exc.to_dict()})


def _error(exc: BaseException) -> dict[str, Any]:
    return {"code": "unreadable", "message": f"{type(exc).__name__}: {exc}", "context": {}}


def run_on_cluster(urls: list[str], state: State, settings: Settings, address: str, jobs: int) -> Summary:
    """Extract every document of `urls` on the cluster at `address` ("local": a LocalCluster of `jobs`
    single-threaded worker processes, started and stopped here)."""
    from distributed import Client, LocalCluster, as_completed

    t0 = time.perf_counter()
    summary = Summary(files=len(urls))
    index = state.index()
    todo = [u for u in urls if not (u in index and state.done(index[u]))]
    for url in urls:
        if url in index and state.done(index[url]):
            summary.paths.setdefault(index[url], []).append(url)
            summary.reused += 1
    local = address == "local"
    cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True) if local else None  # type: ignore[no-untyped-call]
    try:
        with Client(cluster if cluster is not None else address) as client:  # type: ignore[no-untyped-call]
            payload = settings.model_dump(mode="json")
            futures = client.map(_task, todo, settings=payload, pure=False, batch_size=256)
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                sha, url, record = future.result()
                first = sha not in summary.paths
                summary.paths.setdefault(sha, []).append(url)
                state.put_raw(sha, record, url)
                summary.extracted += first
    finally:
        if cluster is not None:
            cluster.close()
    summary.documents = len(summary.paths)
    summary.seconds = time.perf_counter() - t0
    return summary
