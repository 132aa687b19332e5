"""The template's own arithmetic (勾稽关系), checked beside the printed values.

Values are never changed to make a rule hold: a broken rule is a finding that
names the cells, the value the rule expects and the value printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from schemas.extraction import Finding, Scalar
from schemas.fields import APPLICANT_COLUMNS, REQUEST_COLUMNS, REVIEW_GROUPS, outcome_rows

_OUTCOMES = ("upheld", "corrected", "other", "pending")


@dataclass(frozen=True, slots=True)
class _Rule:
    """`total` (+ `plus`) must equal the sum of `parts`."""

    rule: str
    total: str
    parts: tuple[str, ...]
    plus: tuple[str, ...]
    message: str


# `flat` is typed dict, not Mapping: compiled, a dict lookup is then a C call instead of a method call
def _value(flat: dict[str, Scalar], key: str) -> float | None:
    v = flat.get(key)
    return float(v) if isinstance(v, (int, float)) else None  # a tuple: `int | float` builds a union per call


def _broken(flat: dict[str, Scalar], r: _Rule) -> Finding | None:
    """The finding when the rule is broken; None when it holds or a cell is unknown."""
    printed = expected = 0.0
    for key in (r.total, *r.plus):
        v = _value(flat, key)
        if v is None:
            return None
        printed += v
    for key in r.parts:
        v = _value(flat, key)
        if v is None:
            return None
        expected += v
    if abs(printed - expected) < 1e-9:
        return None
    cells = [r.total, *r.plus, *r.parts]
    return Finding(rule=r.rule, kind="arithmetic", message=r.message, cells=cells, expected=expected, printed=printed)


@cache
def _rules(single: bool) -> tuple[_Rule, ...]:
    """The template's rules, built once per layout of the outcome rows (the 2019 single 其他处理 row or not)."""
    out: list[_Rule] = []
    outcomes = outcome_rows(single)
    for col in REQUEST_COLUMNS:
        out.append(
            _Rule(
                "requests.balance",
                f"requests.total.{col}",
                (f"requests.new.{col}", f"requests.carried_over.{col}"),
                (f"requests.carried_forward.{col}",),
                f"第一项加第二项之和等于第三项加第四项之和 ({col}): 本年新收 + 上年结转 "
                "should equal （七）总计 + 结转下年度",
            )
        )
        out.append(
            _Rule(
                "requests.outcome_total",
                f"requests.total.{col}",
                tuple(f"requests.{row}.{col}" for row in outcomes),
                (),
                f"（七）总计 ({col}) should equal the sum of the outcome rows （一）–（六）",
            )
        )
    for row in ("new", "carried_over", *outcomes, "total", "carried_forward"):
        out.append(
            _Rule(
                "requests.row_total",
                f"requests.{row}.total",
                tuple(f"requests.{row}.{col}" for col in APPLICANT_COLUMNS),
                (),
                f"总计 of row {row} should equal its six applicant columns",
            )
        )
    for group in REVIEW_GROUPS:
        out.append(
            _Rule(
                "review.group_total",
                f"review.{group}.total",
                tuple(f"review.{group}.{o}" for o in _OUTCOMES),
                (),
                f"{group} 总计 should equal 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
            )
        )
    return tuple(out)


def check(flat: dict[str, Scalar]) -> list[Finding]:
    """Every arithmetic rule of the template that the values break."""
    single = any(k.startswith("requests.other.") for k in flat)
    return [f for f in (_broken(flat, r) for r in _rules(single)) if f is not None]
