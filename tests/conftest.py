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
    """Real model calls are refused by the provider itself unless a test opts in with @pytest.mark.llm_real:
    in this process, and in every server or worker process a test starts (they inherit the environment)."""
    from service.llm import provider

    allowed = request.node.get_closest_marker("llm_real") is not None
    monkeypatch.setattr(provider, "ALLOW_MODEL_REQUESTS", allowed)
    monkeypatch.setenv(provider.ALLOW_ENV, "1" if allowed else "0")
