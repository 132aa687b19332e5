"""Random valid tables, rendered in every flattening seen in the corpus, read back exactly."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evals.synth.text import STYLES, random_report, render
from service.pipeline import Source, extract

EXACT_STYLES = [s for s in STYLES if s != "fused"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    template=st.sampled_from(["2019", "2021"]),
    style=st.sampled_from(EXACT_STYLES),
    mixed=st.booleans(),
)
def test_every_value_and_span_round_trips(seed: int, template: str, style: str, mixed: bool) -> None:
    rng = random.Random(seed)
    # "mixed": 2021 proactive columns with the single 2019 （六）其他处理 row, and vice versa
    single_other = (template == "2021") if mixed else None
    report = random_report(rng, template, single_other=single_other, big=True)
    rendered = render(report, style, rng)
    result = extract(Source(rendered.text, format="text"))
    expected = report.flat()
    got = result.flat()
    assert got == expected, _diff(got, expected)
    for key, fv in result.fields().items():
        p = fv.provenance
        assert rendered.text[p.start : p.end] == p.raw
        if p.method.value == "table" and not (p.note or "").startswith("blank"):
            printed = p.raw.replace(",", "").strip()
            value = expected[key]
            assert isinstance(value, int | float)
            assert float(printed) == float(value), (key, p.raw, value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), template=st.sampled_from(["2019", "2021"]))
def test_cells_run_together_are_right_or_null_with_a_finding(seed: int, template: str) -> None:
    """A crawler that ran every cell together: never a wrong value; every null cell is explained."""
    rng = random.Random(seed)
    report = random_report(rng, template)
    rendered = render(report, "fused", rng)
    result = extract(Source(rendered.text, format="text"))
    expected = report.flat()
    got = result.flat()
    flagged = {cell for f in result.findings if f.rule == "parse.repeated_reading" for cell in f.cells}
    wrong = {
        k: (v, expected.get(k))
        for k, v in got.items()
        if expected.get(k) != v and k.rsplit(".", 1)[0] not in flagged  # a flagged reading is not silent
    }
    assert not wrong, wrong
    explained = {cell for f in result.findings if f.kind == "parse" for cell in f.cells}
    for key in expected:
        if key in got or key.startswith("meta.") or key == "review.litigation.total":
            continue
        row = key.rsplit(".", 1)[0]
        assert row in explained or "review" in explained, f"{key} is null without a finding"


def _diff(got: dict[str, object], expected: dict[str, object]) -> str:
    lines = []
    for k in sorted(set(got) | set(expected)):
        if got.get(k) != expected.get(k):
            lines.append(f"{k}: got {got.get(k)!r}, expected {expected.get(k)!r}")
    return "\n".join(lines[:30])
