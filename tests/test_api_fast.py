"""The /v1/extract fast path (service.api.fast) answers exactly as FastAPI's own route does.

Both apps get the same requests, good and bad: same status, same JSON (timings aside), same headers that
matter, and the same metrics label, so skipping FastAPI's routing changes nothing a client can see.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.settings import Settings

KEY = "s3cret"
SETTINGS = Settings(api_key=KEY, max_input_bytes=200_000)


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[TestClient, TestClient]]:
    with (
        TestClient(create_app(SETTINGS)) as fast,
        TestClient(create_app(SETTINGS, fast_path=False)) as reference,
    ):
        yield fast, reference


def _cases(corpus: Path) -> list[tuple[str, dict[str, Any]]]:
    auth = {"authorization": f"Bearer {KEY}"}
    text = next(corpus.glob("002_*.txt")).read_bytes()
    html = next(corpus.glob("*.html")).read_bytes()
    boundary = "0d37f771f3609e9baf6be26654101f5f"
    cases: list[tuple[str, dict[str, Any]]] = [
        ("", {"content": text, "headers": {**auth, "content-type": "text/plain", "x-filename": "a.txt"}}),
        ("", {"content": html, "headers": {**auth, "content-type": "text/html"}}),
        ("", {"content": text.decode().encode("gb18030"), "headers": {**auth, "content-type": "text/plain"}}),
        ("", {"json": {"text": text.decode(), "filename": "r.txt"}, "headers": auth}),
        ("", {"json": {"html": html.decode(), "options": {"flat": True}}, "headers": auth}),
        ("", {"files": {"file": ("r.txt", text)}, "headers": auth}),
        ("", {"json": {"text": ""}, "headers": auth}),
        ("", {"json": {}, "headers": auth}),
        ("", {"content": b"{not json", "headers": {**auth, "content-type": "application/json"}}),
        ("", {"content": b"\x89PNG\r\n", "headers": {**auth, "content-type": "image/png"}}),
        ("", {"content": b"%PDF-1.7 x", "headers": {**auth, "content-type": "application/octet-stream"}}),
        ("", {"content": bytes(range(256)) * 40, "headers": {**auth, "content-type": "text/plain"}}),
        ("", {"content": b"", "headers": {**auth, "content-type": "text/plain"}}),
        ("", {"content": b"a" * 300_000, "headers": {**auth, "content-type": "text/plain"}}),
        (
            "",
            {
                "content": f"--{boundary}\r\nTrue--{boundary}--\r\n".encode(),
                "headers": {**auth, "content-type": f"multipart/form-data; boundary={boundary}"},
            },
        ),
        ("", {"content": text, "headers": {"content-type": "text/plain"}}),
        ("", {"content": text, "headers": {"authorization": "Bearer nope", "content-type": "text/plain"}}),
        ("", {"content": text, "headers": {"x-api-key": KEY, "content-type": "text/plain"}}),
    ]
    for flag in ("true", "1", "yes", "on", "TRUE", "false", "0", "off", "no", "", "maybe", "2"):
        cases.append((f"?flat={flag}", {"content": text, "headers": {**auth, "content-type": "text/plain"}}))
    cases.append(("?flat=maybe", {"content": text, "headers": {"content-type": "text/plain"}}))  # 401 before 422
    cases.append(("?flat=true&flat=false", {"content": text, "headers": {**auth, "content-type": "text/plain"}}))
    cases.append(("?other=1", {"content": text, "headers": {**auth, "content-type": "text/plain"}}))
    return cases


def _comparable(r: httpx.Response) -> tuple[int, Any, dict[str, str | None]]:
    try:
        body: Any = r.json()
    except ValueError:
        body = r.text
    if isinstance(body, dict):
        body.pop("timings_ms", None)
    headers = {h: r.headers.get(h) for h in ("content-type", "www-authenticate", "content-length")}
    if isinstance(body, dict) and "timings_ms" in r.json():
        headers.pop("content-length")  # timings are printed with varying digits
    return r.status_code, body, headers


def test_fast_path_answers_as_the_fastapi_route(pair: tuple[TestClient, TestClient], corpus: Path) -> None:
    fast, reference = pair
    statuses = set()
    for query, kwargs in _cases(corpus):
        got, want = fast.post("/v1/extract" + query, **kwargs), reference.post("/v1/extract" + query, **kwargs)
        assert _comparable(got) == _comparable(want), (query, kwargs.get("headers"))
        assert got.headers["x-request-id"]
        statuses.add(got.status_code)
    assert statuses >= {200, 401, 413, 415, 422}  # the cases reach every kind of answer


def test_other_methods_and_paths_go_on_to_fastapi(pair: tuple[TestClient, TestClient]) -> None:
    fast, reference = pair
    for method, path in (("GET", "/v1/extract"), ("PUT", "/v1/extract"), ("POST", "/v1/extract/"), ("GET", "/healthz")):
        got, want = fast.request(method, path), reference.request(method, path)
        assert (got.status_code, got.json()) == (want.status_code, want.json()), (method, path)


def test_metrics_label_the_fast_path_as_the_route(pair: tuple[TestClient, TestClient]) -> None:
    fast, _ = pair
    fast.post("/v1/extract", content=b"x", headers={"x-api-key": KEY, "content-type": "text/plain"})
    assert 'nianbao_http_requests_total{method="POST",route="/v1/extract",status="200"}' in fast.get("/metrics").text
