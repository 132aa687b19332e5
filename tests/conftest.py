from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "evals" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS
