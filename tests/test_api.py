"""The HTTP API through FastAPI's test client (the real uvicorn run is in test_api_e2e)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.pipeline import Source, extract
from service.settings import Settings


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as c:
        yield c


def _report(corpus: Path, prefix: str) -> Path:
    return next(corpus.glob(f"{prefix}*.txt"))


def test_health_ready_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body.pop("converters").keys() == {"libreoffice"}
    assert body == {"status": "ready", "parsers": "ok", "llm": "not configured", "workers": 1}
    client.post("/v1/extract", json={"text": "x"})
    text = client.get("/metrics").text
    assert 'nianbao_http_requests_total{method="POST",route="/v1/extract",status="200"}' in text
    assert "nianbao_http_request_duration_seconds_bucket" in text


def test_json_body_full_and_flat(client: TestClient, corpus: Path) -> None:
    path = _report(corpus, "002_")
    text = path.read_text("utf-8")
    full = client.post("/v1/extract", json={"text": text, "filename": path.name})
    assert full.status_code == 200
    body = full.json()
    assert body["source"]["name"] == path.name
    assert body["methods"] == ["derived", "rule", "table"]
    assert body["llm"]["used"] is False and body["llm"]["reason"] == "no LLM configured"
    assert "total_ms" in body["timings_ms"]
    span = body["requests"]["new"]["total"]["provenance"]
    assert text[span["start"] : span["end"]] == span["raw"] == "4"
    assert {f["rule"] for f in body["findings"]} >= {"requests.balance", "requests.outcome_total"}
    flat = client.post("/v1/extract?flat=true", json={"text": text}).json()
    assert flat == extract(Source(path.read_bytes())).flat()
    assert client.post("/v1/extract", json={"text": text, "options": {"flat": True}}).json() == flat


def test_every_corpus_report_flat_equals_the_cli(client: TestClient, corpus: Path) -> None:
    for path in sorted(corpus.iterdir()):
        if path.suffix not in (".txt", ".html"):
            continue
        got = client.post("/v1/extract?flat=true", files={"file": (path.name, path.read_bytes())})
        assert got.status_code == 200, (path.name, got.text)
        assert got.json() == extract(Source(path.read_bytes(), path.name)).flat(), path.name


def test_raw_bodies_in_utf8_and_gbk(client: TestClient, corpus: Path) -> None:
    text = _report(corpus, "004_").read_text("utf-8")
    for data in (text.encode("utf-8"), text.encode("gb18030")):
        r = client.post("/v1/extract?flat=true", content=data, headers={"content-type": "text/plain"})
        assert r.status_code == 200
        assert r.json()["meta.organ"] == "正宁县文体广电和旅游局"


def test_html_body(client: TestClient, corpus: Path) -> None:
    markup = next(corpus.glob("33_*.html")).read_text("utf-8")
    r = client.post("/v1/extract", json={"html": markup})
    assert r.status_code == 200
    body = r.json()
    assert body["source"]["format"] == "html"
    span = body["requests"]["new"]["total"]["provenance"]
    assert body["text"][span["start"] : span["end"]] == "58"


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"json": {"text": ""}}, 422, "empty_input"),
        ({"json": {}}, 422, "invalid_request"),
        ({"json": {"text": "a", "html": "b"}}, 422, "invalid_request"),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 422, "invalid_request"),
        ({"content": b"%PDF-1.7 x", "headers": {"content-type": "application/pdf"}}, 422, "invalid_input"),
        ({"content": b"\x89PNG\r\n", "headers": {"content-type": "image/png"}}, 422, "invalid_input"),
        ({"content": b"\x00\x01garbage", "headers": {"content-type": "image/gif"}}, 415, "unsupported_format"),
        ({"content": b"%PDF-1.7 x", "headers": {"content-type": "application/octet-stream"}}, 422, "invalid_input"),
        ({"content": b"PK\x03\x04 not a docx", "headers": {"content-type": "application/octet-stream"}}, 415, None),
        ({"content": bytes(range(256)) * 40, "headers": {"content-type": "text/plain"}}, 422, None),
        ({"content": b"\xff\xfe\xfa" * 10, "headers": {"content-type": "text/plain"}}, 422, None),
    ],
)
def test_bad_input_is_a_clear_json_error(client: TestClient, kwargs: dict, status: int, code: str | None) -> None:  # type: ignore[type-arg]
    r = client.post("/v1/extract", **kwargs)
    assert r.status_code in (status, 415), r.text
    err = r.json()["error"]
    assert err["message"]
    if code:
        assert err["code"] == code
    assert r.headers["x-request-id"]


def test_body_over_the_limit_is_413() -> None:
    with TestClient(create_app(Settings(max_input_bytes=1000))) as c:
        r = c.post("/v1/extract", content=b"a" * 5000, headers={"content-type": "text/plain"})
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "input_too_large"

        def chunks() -> Iterator[bytes]:
            for _ in range(10):
                yield b"b" * 500

        r = c.post("/v1/extract", content=chunks(), headers={"content-type": "text/plain"})
        assert r.status_code == 413


def test_api_key_when_configured() -> None:
    with TestClient(create_app(Settings(api_key="s3cret"))) as c:
        assert c.post("/v1/extract", json={"text": "x"}).status_code == 401
        assert c.post("/v1/extract", json={"text": "x"}, headers={"authorization": "Bearer nope"}).status_code == 401
        assert c.post("/v1/extract", json={"text": "x"}, headers={"authorization": "Bearer s3cret"}).status_code == 200
        assert c.post("/v1/extract", json={"text": "x"}, headers={"x-api-key": "s3cret"}).status_code == 200
        assert c.get("/healthz").status_code == 200


def test_request_timeout_is_504(corpus: Path) -> None:
    """A job over the request timeout is answered 504 and its worker replaced; the next request is served."""
    report = next(corpus.glob("22_*.html")).read_bytes()
    with TestClient(create_app(Settings(request_timeout_s=0.001))) as c:
        r = c.post("/v1/extract", content=report, headers={"content-type": "text/html"})
        assert r.status_code == 504
        assert r.json()["error"]["code"] == "timeout"
    with TestClient(create_app(Settings(request_timeout_s=5))) as c:
        assert c.post("/v1/extract", json={"text": "x"}).status_code == 200


def test_batch_json_and_ndjson_in_order_with_one_bad_line(client: TestClient, corpus: Path) -> None:
    texts = [p.read_text("utf-8") for p in sorted(corpus.glob("*.txt"))[:3]]
    items = [{"text": t, "filename": f"r{i}"} for i, t in enumerate(texts)]
    items.insert(1, {"text": ""})
    r = client.post("/v1/extract/batch?flat=true", json=items)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ndjson")
    *lines, end = [json.loads(line) for line in r.text.splitlines()]
    assert end == {"end": True, "complete": True, "answered": 4, "total": 4}
    assert [line["index"] for line in lines] == [0, 1, 2, 3]
    assert [line["ok"] for line in lines] == [True, False, True, True]
    assert lines[1]["error"]["code"] == "empty_input"
    assert lines[0]["result"] == extract(Source(texts[0].encode())).flat()
    ndjson = "\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n{broken\n"
    r = client.post("/v1/extract/batch", content=ndjson.encode(), headers={"content-type": "application/x-ndjson"})
    *lines, end = [json.loads(line) for line in r.text.splitlines()]
    assert end["complete"] and end["answered"] == 5
    assert len(lines) == 5 and lines[4]["ok"] is False and lines[4]["error"]["code"] == "invalid_request"
    assert lines[0]["result"]["meta"]["template"] == "2019"


def test_batch_limits() -> None:
    with TestClient(create_app(Settings(batch_max_items=2))) as c:
        r = c.post("/v1/extract/batch", json=[{"text": "a"}] * 3)
        assert r.status_code == 422
        assert c.post("/v1/extract/batch", json={"text": "a"}).status_code == 422


def test_structured_logs_carry_the_request_id(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    from service.logs import JsonFormatter

    caplog.set_level("INFO", logger="nianbao")
    r = client.post("/v1/extract", json={"text": "x"}, headers={"x-request-id": "abc123"})
    assert r.headers["x-request-id"] == "abc123"
    lines = [json.loads(JsonFormatter().format(rec)) for rec in caplog.records]
    assert any(line["request_id"] == "abc123" and line["status"] == 200 for line in lines if line["msg"] == "request")


def test_broken_multipart_is_422(client: TestClient) -> None:
    boundary = "0d37f771f3609e9baf6be26654101f5f"
    r = client.post(
        "/v1/extract",
        content=f"--{boundary}\r\nTrue--{boundary}--\r\n".encode(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_request"


def test_not_ready_without_a_live_worker() -> None:
    class NoWorkers:
        def live(self) -> int:
            return 0

    with TestClient(create_app(Settings())) as c:
        runner = c.app.state.runner  # type: ignore[attr-defined]
        c.app.state.runner = NoWorkers()  # type: ignore[attr-defined]
        try:
            r = c.get("/readyz")
            assert r.status_code == 503
            assert r.json()["status"] == "not ready" and r.json()["workers"] == 0
        finally:
            c.app.state.runner = runner  # type: ignore[attr-defined]


def test_self_test_full_report_is_the_generated_one() -> None:
    """The worker self-test's full report is evals.synth's (seed 2021) with its values, not a hand-edited file."""
    import random

    from evals.synth.text import random_report, render
    from service.selftest import FULL_REPORT, FULL_REPORT_VALUES

    rng = random.Random(2021)
    report = random_report(rng, "2021", big=True)
    assert FULL_REPORT.read_text("utf-8") == render(report, "pipe", rng).text
    assert json.loads(FULL_REPORT_VALUES.read_text("utf-8")) == report.flat()


def test_docs_are_served_offline(client: TestClient) -> None:
    """/docs loads Swagger UI from the app itself: every script and style it names is served here."""
    import re

    page = client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_a_document_is_accepted_with_its_own_media_type(client: TestClient) -> None:
    import random

    from evals.synth.docs import to_docx, to_pdf
    from evals.synth.text import random_report

    report = random_report(random.Random(7), "2021")
    for media, data in (
        ("application/pdf", to_pdf(report)),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", to_docx(report)),
    ):
        r = client.post("/v1/extract?flat=true", content=data, headers={"content-type": media})
        assert r.status_code == 200, r.text
        assert r.json()["requests.new.total"] == report.flat()["requests.new.total"]


def test_source_url_comes_back(client: TestClient) -> None:
    url = "https://example.gov.cn/art/2024/1/1/art_1.html"
    r = client.post("/v1/extract", json={"text": "某局2024年政府信息公开工作年度报告", "source_url": url})
    assert r.json()["source"]["url"] == url
    r = client.post("/v1/extract", content="报告".encode(), headers={"content-type": "text/plain", "x-source-url": url})
    assert r.json()["source"]["url"] == url


def test_nothing_read_is_a_finding(client: TestClient) -> None:
    r = client.post("/v1/extract", json={"text": "今天天气很好，我们去公园散步。"})
    assert r.status_code == 200
    assert [f["rule"] for f in r.json()["findings"]] == ["report.nothing_read"]


def test_batch_refuses_plain_text(client: TestClient) -> None:
    r = client.post("/v1/extract/batch", content="一行\n两行\n".encode(), headers={"content-type": "text/plain"})
    assert r.status_code == 415
    assert r.json()["error"]["code"] == "unsupported_format"


@pytest.mark.parametrize(
    ("kwargs", "route"),
    [
        ({"json": {}}, "/v1/extract"),
        ({"json": [{"nope": 1}]}, "/v1/extract/batch"),
        ({"content": b"{bad", "headers": {"content-type": "application/json"}}, "/v1/extract"),
        ({"content": b"[" * 1001 + b"]" * 1001, "headers": {"content-type": "application/json"}}, "/v1/extract/batch"),
        ({"content": b"[" + b"9" * 4301 + b"]", "headers": {"content-type": "application/json"}}, "/v1/extract/batch"),
        ({"params": {"flat": "maybe"}, "json": {"text": "x"}}, "/v1/extract"),
    ],
)
def test_one_fault_one_code_always_with_context(client: TestClient, kwargs: dict, route: str) -> None:  # type: ignore[type-arg]
    r = client.post(route, **kwargs)
    if route.endswith("batch") and r.status_code == 200:
        line, _end = [json.loads(x) for x in r.text.splitlines()]
        error = line["error"]
    else:
        assert r.status_code == 422, r.text
        error = r.json()["error"]
    assert error["code"] == "invalid_request"
    assert isinstance(error["context"], dict)
