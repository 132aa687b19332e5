"""Hostile documents against a real `nianbao serve`, generated (never stored): each answered within the
timeout plus 5 s, none a 5xx but the 503/504 that are so by design, the worker's memory back under twice
its idle size within 10 s, and the service answering normally after."""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from collections.abc import Iterator

import httpx
import pytest

from evals.load import _rss_mb, _workers
from tests.test_api_e2e import _serve

pytestmark = pytest.mark.slow
TIMEOUT_S = 10


def _flate_bomb(inflated_mb: int) -> bytes:
    """A PDF whose one content stream is a megabyte that inflates to `inflated_mb` MiB (built in chunks)."""
    z = zlib.compressobj(9)
    chunk = b"0 0 m " * (1 << 18)
    body = b"".join(z.compress(chunk) for _ in range(inflated_mb * 2**20 // len(chunk))) + z.flush()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    return (
        b"%PDF-1.4\n"
        + b"".join(b"%d 0 obj " % i + o + b" endobj\n" for i, o in enumerate(objs, 1))
        + (b"trailer << /Root 1 0 R >>\n%%EOF")
    )


def _lying_zip() -> bytes:
    """A DOCX whose document.xml says it is small and inflates to hundreds of megabytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * (200 * 2**20) + b"</w:document>")
    data = bytearray(buf.getvalue())
    # the central directory's declared size for document.xml: 1 KiB
    at = data.rfind(b"word/document.xml") - 46 + 24
    data[at : at + 4] = (1024).to_bytes(4, "little")
    return bytes(data)


def _self_loop_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
        b"4 0 obj 4 0 R endobj\ntrailer << /Root 1 0 R >>\n%%EOF"
    )


HOSTILE = {
    "flate bomb": (_flate_bomb, "application/pdf"),
    "lying zip": (_lying_zip, "application/octet-stream"),
    "self-referencing pdf": (_self_loop_pdf, "application/pdf"),
    "bom then bad bytes": (lambda: b"\xef\xbb\xbf\xff\xfe", "text/plain"),
    "a million attributes": (
        lambda: ("<html><body><p " + " ".join(f'a{i}="x"' for i in range(1_000_000)) + ">x</p></body></html>").encode(),
        "text/html",
    ),
    "deep html": (lambda: ("<div>" * 100_000 + "报告" + "</div>" * 100_000).encode(), "text/html"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    base, proc = _serve("--workers", "1", env={"NIANBAO_REQUEST_TIMEOUT_S": str(TIMEOUT_S)})
    yield base, proc.pid
    proc.kill()
    proc.wait()


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_documents_are_bounded(server: tuple[str, int], name: str) -> None:
    base, pid = server
    make, media = HOSTILE[name]
    body = make() if name != "flate bomb" else make(700)  # type: ignore[operator]
    (worker,) = _workers(pid)
    idle = _rss_mb(worker)
    t0 = time.monotonic()
    r = httpx.post(f"{base}/v1/extract", content=body, headers={"content-type": media}, timeout=TIMEOUT_S + 10)
    assert time.monotonic() - t0 < TIMEOUT_S + 5
    assert r.status_code < 500 or r.status_code in (503, 504), r.text[:300]
    assert r.json()["error"]["code"] if r.status_code >= 400 else r.json()["schema_version"] == "1"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        workers = _workers(pid)
        if workers and all(_rss_mb(w) < 2 * max(idle, 1) for w in workers):
            break
        time.sleep(0.5)
    else:
        pytest.fail(
            f"worker memory did not come back under twice its idle {idle:.0f} MB: {[_rss_mb(w) for w in _workers(pid)]}"
        )
    assert (
        httpx.post(f"{base}/v1/extract", json={"text": "某局2024年政府信息公开工作年度报告"}, timeout=10).status_code
        == 200
    )
