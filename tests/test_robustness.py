"""Generated reports in every hard class (evals.robustness): every value right, or null with a finding."""

from __future__ import annotations

import pytest

from evals.robustness import CLASSES, EXACT, score_class


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_never_a_wrong_or_invented_value(name: str) -> None:
    score = score_class(name, 8 if name in ("docx", "pdf") else 25, seed=11)
    assert score.wrong == 0, score.examples
    assert score.invented == 0
    assert score.unexplained == 0, "a value left null without a finding saying why"
    if name in EXACT:
        assert score.missing == 0, score.examples
