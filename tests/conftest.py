from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "evals" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS


@pytest.fixture(autouse=True)
def _no_real_llm_calls(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real model calls are impossible unless a test opts in with @pytest.mark.llm_real."""
    if request.node.get_closest_marker("llm_real"):
        return
    import httpx

    real = httpx.HTTPTransport.handle_request

    def guarded(self: httpx.HTTPTransport, req: httpx.Request) -> httpx.Response:
        if req.url.path.endswith(("/chat/completions", "/completions", "/embeddings")):
            raise RuntimeError("real LLM calls are blocked in tests; mark the test with @pytest.mark.llm_real")
        return real(self, req)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", guarded)
