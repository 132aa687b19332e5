"""Load test on loopback: req/s and latency percentiles, and worker memory before, during and after.

    python -m evals.load [--workers 2] [--concurrency 32] [--requests 4000] [--seconds 60] [--flat]
                         [--rounds 1]

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
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import httpx

_T = TypeVar("_T")


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


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def _workers(pid: int) -> list[int]:
    """The extraction worker processes of a `nianbao serve` (none when it extracts in threads of its own)."""
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return []
    workers = []
    for child in (int(p) for p in out.split()):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "multiprocessing.spawn" in cmdline:  # not the resource tracker
            workers.append(child)
    return workers


def _request(host: str, port: int, path: str, name: str, data: bytes) -> bytes:
    """One pre-encoded HTTP/1.1 keep-alive request: the client should spend its CPU on nothing else."""
    media = "text/html" if name.endswith((".html", ".htm")) else "text/plain"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {media}\r\n"
        f"X-Filename: {name}\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


async def _response(reader: asyncio.StreamReader) -> int:
    """Read one response off a keep-alive connection; its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status


async def _run(
    url: str, bodies: list[tuple[str, bytes]], concurrency: int, total: int, seconds: float, flat: bool
) -> tuple[list[float], int, float]:
    """`concurrency` closed-loop clients, each on its own keep-alive connection, round-robin over the reports."""
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    path = "/v1/extract" + ("?flat=true" if flat else "")
    requests = [_request(host, port, path, name, data) for name, data in bodies]
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal sent, errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while sent < total and time.perf_counter() < deadline:
                payload = requests[sent % len(requests)]
                sent += 1
                t0 = time.perf_counter()
                writer.write(payload)
                status = await _response(reader)
                latencies.append((time.perf_counter() - t0) * 1000)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    return latencies, errors, wall


def _drive(coro: Coroutine[Any, Any, _T]) -> _T:
    """uvloop where installed (uvicorn[standard] brings it): the client's own overhead stays small."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


class _PeakRSS:
    """Samples the processes' resident memory every 50 ms while a run goes on; keeps each one's maximum."""

    def __init__(self, pids: list[int]) -> None:
        self.peak = {p: _rss_mb(p) for p in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            for p in self.peak:
                self.peak[p] = max(self.peak[p], _rss_mb(p))

    def __enter__(self) -> _PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _serve(args: argparse.Namespace) -> tuple[subprocess.Popen[bytes], str]:
    """`nianbao serve` on a free loopback port; (process, url) once ready."""
    env = {**os.environ, "NIANBAO_LOG_LEVEL": "warning"}
    exe = shutil.which("nianbao", path=str(Path(sys.executable).parent)) or "nianbao"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([exe, "serve", "--port", str(port), "--workers", str(args.workers)], env=env)
    for _ in range(600):
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    sys.exit("the server did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server (loopback only); default: start one")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--flat", action="store_true", help="ask for flat maps instead of full extractions")
    parser.add_argument(
        "--rounds", type=int, default=1, help="measured runs in a row (memory after each; the last one's latency)"
    )
    parser.add_argument("--corpus", type=Path, default=Path("evals/corpus"))
    args = parser.parse_args()
    bodies = [(p.name, p.read_bytes()) for p in sorted(args.corpus.iterdir()) if p.suffix in (".txt", ".html")]
    proc, url = _serve(args) if args.url is None else (None, args.url)
    if not _loopback(url):
        sys.exit("refusing a non-loopback target: load tests only run against this machine")
    try:
        httpx.get(url + "/readyz", timeout=5).raise_for_status()
        pids = [proc.pid, *_workers(proc.pid)] if proc else []
        idle = {p: _rss_mb(p) for p in pids}
        _drive(_run(url, bodies, args.concurrency, 200, 10, args.flat))  # warm-up
        warm = {p: _rss_mb(p) for p in pids}
        rounds: list[dict[int, float]] = []
        with _PeakRSS(pids) as peak:
            for _ in range(args.rounds):
                cpu0, own0 = {p: _cpu_s(p) for p in pids}, _own_cpu_s()
                lat, errors, wall = _drive(_run(url, bodies, args.concurrency, args.requests, args.seconds, args.flat))
                cpu = {p: _cpu_s(p) - cpu0[p] for p in pids}
                own = _own_cpu_s() - own0
                rounds.append({p: _rss_mb(p) for p in pids})
        time.sleep(2)  # a worker idle for 1 s hands freed heap back (malloc_trim)
        after = {p: _rss_mb(p) for p in pids}
        print(
            f"requests: {len(lat)} in {wall:.2f} s, errors {errors}, concurrency {args.concurrency}, "
            f"workers {args.workers}, {'flat' if args.flat else 'full'} responses"
        )
        print(f"throughput: {len(lat) / wall:.1f} req/s")
        print(
            f"latency ms: p50 {statistics.median(lat):.1f}  p90 {pct(lat, 0.9):.1f}  p99 {pct(lat, 0.99):.1f}  max {max(lat):.1f}"
        )
        if pids:
            # where the two cores went, per request of the last round (this client shares them)
            per = {p: 1000 * cpu[p] / max(1, len(lat)) for p in pids}
            shown = ", ".join(f"{'http' if p == pids[0] else 'worker'} {per[p]:.2f}" for p in pids)
            print(f"CPU ms per request: {shown}, load client {1000 * own / max(1, len(lat)):.2f}")
        for p in pids:
            role = "http  " if proc is not None and p == proc.pid else "worker"
            print(
                f"{role} {p} RSS MB: idle {idle[p]:.1f}, after warm-up {warm[p]:.1f}, "
                f"peak during run {peak.peak[p]:.1f}, 2 s after {after[p]:.1f}"
                + (f"; after each round {', '.join(f'{r[p]:.1f}' for r in rounds)}" if len(rounds) > 1 else "")
            )
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)


if __name__ == "__main__":
    main()
