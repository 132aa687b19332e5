"""Slow and greedy clients against a real `nianbao serve`: each answered or closed within its bound, and the
service stays responsive meanwhile."""

from __future__ import annotations

import socket
import statistics
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlparse

import httpx
import pytest

from tests.test_api_e2e import _serve

pytestmark = pytest.mark.slow
BODY_TIMEOUT_S = 1.5


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    base, proc = _serve("--workers", "1", env={"NIANBAO_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S)})
    yield base
    proc.kill()
    proc.wait()


def _raw(base: str, request: bytes, wait_s: float) -> tuple[bytes, float]:
    """Send `request` as is; (what came back before the server closed or `wait_s` passed, seconds taken)."""
    url = urlparse(base)
    t0 = time.monotonic()
    with socket.create_connection((url.hostname, url.port), timeout=wait_s) as s:
        s.sendall(request)
        got = b""
        try:
            while chunk := s.recv(65536):
                got += chunk
                if b"\r\n\r\n" in got and (b"connection: close" in got.lower() or len(got) > 4096):
                    break
        except TimeoutError:
            pass
    return got, time.monotonic() - t0


def test_an_oversized_header_is_431(server: str) -> None:
    head = b"POST /v1/extract HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n"
    got, took = _raw(server, head, 10)
    assert got.startswith(b"HTTP/1.1 431"), got[:100]
    assert took < 5


def test_a_body_shorter_than_its_length_is_408(server: str) -> None:
    req = b"POST /v1/extract HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nabc"
    got, took = _raw(server, req, BODY_TIMEOUT_S + 10)
    assert got.startswith(b"HTTP/1.1 408"), got[:100]
    assert took < BODY_TIMEOUT_S + 5


def test_an_unterminated_multipart_body_is_408(server: str) -> None:
    part = b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nsome text'
    req = (
        b"POST /v1/extract HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XX\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + f"{len(part):x}\r\n".encode() + part + b"\r\n"
    )
    got, took = _raw(server, req, BODY_TIMEOUT_S + 10)
    assert got.startswith(b"HTTP/1.1 408"), got[:100]
    assert took < BODY_TIMEOUT_S + 5


def test_healthz_stays_fast_while_slow_clients_hold_connections(server: str) -> None:
    stop = threading.Event()

    def slowloris() -> None:
        req = b"POST /v1/extract HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\nab"
        while not stop.is_set():
            _raw(server, req, BODY_TIMEOUT_S + 2)

    threads = [threading.Thread(target=slowloris, daemon=True) for _ in range(20)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.3)
        times = []
        with httpx.Client(base_url=server, timeout=5) as client:
            for _ in range(40):
                t0 = time.monotonic()
                assert client.get("/healthz").status_code == 200
                times.append(time.monotonic() - t0)
                time.sleep(0.02)
        assert statistics.median(times) < 0.05
    finally:
        stop.set()
        for t in threads:
            t.join(BODY_TIMEOUT_S + 5)


def test_a_client_that_leaves_is_not_a_server_error(server: str) -> None:
    req = b"POST /v1/extract HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nab"
    url = urlparse(server)
    with socket.create_connection((url.hostname, url.port)) as s:
        s.sendall(req)
        time.sleep(0.2)
    time.sleep(0.5)
    metrics = httpx.get(f"{server}/metrics").text
    assert 'status="500"' not in metrics
    assert 'status="499"' in metrics  # counted as what it is: the client closed the request
