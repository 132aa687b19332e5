"""Load test on loopback: req/s and latency percentiles, and worker memory before, during and after.

    python -m evals.load [--workers 2] [--concurrency 32] [--requests 4000] [--seconds 60] [--flat]

Starts `nianbao serve` on a free loopback port (or uses --url, which must be a
loopback address), posts the corpus reports round-robin from `--concurrency`
clients, stops after `--requests` requests or `--seconds`, whichever first.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx


def _loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _workers(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return [pid]
    children = [int(p) for p in out.split()]
    # uvicorn's multiprocess supervisor: workers are children; one worker runs in-process
    return [c for c in children if "python" in Path(f"/proc/{c}/cmdline").read_bytes().decode(errors="replace")] or [
        pid
    ]


async def _run(
    url: str, bodies: list[tuple[str, bytes]], concurrency: int, total: int, seconds: float, flat: bool
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def worker() -> None:
            nonlocal sent, errors
            while sent < total and time.perf_counter() < deadline:
                name, data = bodies[sent % len(bodies)]
                sent += 1
                t0 = time.perf_counter()
                r = await client.post(
                    "/v1/extract" + ("?flat=true" if flat else ""),
                    content=data,
                    headers={
                        "content-type": "text/html" if name.endswith(".html") else "text/plain",
                        "x-filename": name,
                    },
                )
                latencies.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - t0
    return latencies, errors, wall


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server (loopback only); default: start one")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--flat", action="store_true", help="ask for flat maps instead of full extractions")
    parser.add_argument("--corpus", type=Path, default=Path("evals/corpus"))
    args = parser.parse_args()
    bodies = [(p.name, p.read_bytes()) for p in sorted(args.corpus.iterdir()) if p.suffix in (".txt", ".html")]
    proc = None
    url = args.url
    if url is None:
        exe = shutil.which("nianbao", path=str(Path(sys.executable).parent)) or "nianbao"
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "NIANBAO_LOG_LEVEL": "warning"}
        proc = subprocess.Popen([exe, "serve", "--port", str(port), "--workers", str(args.workers)], env=env)
        for _ in range(300):
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
    if not _loopback(url):
        sys.exit("refusing a non-loopback target: load tests only run against this machine")
    try:
        pids = _workers(proc.pid) if proc else []
        idle = {p: _rss_mb(p) for p in pids}
        asyncio.run(_run(url, bodies, args.concurrency, 200, 10, args.flat))  # warm-up
        warm = {p: _rss_mb(p) for p in pids}
        lat, errors, wall = asyncio.run(_run(url, bodies, args.concurrency, args.requests, args.seconds, args.flat))
        peak = {p: _rss_mb(p) for p in pids}
        time.sleep(1)
        after = {p: _rss_mb(p) for p in pids}
        print(
            f"requests: {len(lat)} in {wall:.2f} s, errors {errors}, concurrency {args.concurrency}, workers {args.workers}"
        )
        print(f"throughput: {len(lat) / wall:.1f} req/s")
        print(
            f"latency ms: p50 {statistics.median(lat):.1f}  p90 {pct(lat, 0.9):.1f}  p99 {pct(lat, 0.99):.1f}  max {max(lat):.1f}"
        )
        for p in pids:
            print(
                f"worker {p} RSS MB: idle {idle[p]:.1f}, after warm-up {warm[p]:.1f}, end of run {peak[p]:.1f}, 1 s later {after[p]:.1f}"
            )
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)


if __name__ == "__main__":
    main()
