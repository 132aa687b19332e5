"""The template's own arithmetic (勾稽关系), checked beside the printed values.

Values are never changed to make a rule hold: a broken rule is a finding that
names the cells, the value the rule expects and the value printed.
"""

from __future__ import annotations

from collections.abc import Mapping

from schemas.extraction import Finding, Scalar
from schemas.fields import APPLICANT_COLUMNS, REQUEST_COLUMNS, REVIEW_GROUPS, outcome_rows

_OUTCOMES = ("upheld", "corrected", "other", "pending")


def _num(flat: Mapping[str, Scalar], key: str) -> float | None:
    v = flat.get(key)
    return float(v) if isinstance(v, int | float) else None


def _rule(
    flat: Mapping[str, Scalar], rule: str, total_key: str, parts: list[str], plus: list[str], message: str
) -> Finding | None:
    """`total_key` (+ `plus`) must equal the sum of `parts`; None when it holds or a cell is unknown."""
    keys = [total_key, *plus, *parts]
    nums = [_num(flat, k) for k in keys]
    if any(n is None for n in nums):
        return None
    printed = sum(n for n in nums[: 1 + len(plus)] if n is not None)
    expected = sum(n for n in nums[1 + len(plus) :] if n is not None)
    if abs(printed - expected) < 1e-9:
        return None
    return Finding(rule=rule, kind="arithmetic", message=message, cells=keys, expected=expected, printed=printed)


def check(flat: Mapping[str, Scalar]) -> list[Finding]:
    """Every arithmetic rule of the template that the values break."""
    out: list[Finding | None] = []
    single = any(k.startswith("requests.other.") for k in flat)
    outcomes = outcome_rows(single)
    for col in REQUEST_COLUMNS:
        out.append(
            _rule(
                flat,
                "requests.balance",
                f"requests.total.{col}",
                [f"requests.new.{col}", f"requests.carried_over.{col}"],
                [f"requests.carried_forward.{col}"],
                f"第一项加第二项之和等于第三项加第四项之和 ({col}): 本年新收 + 上年结转 "
                "should equal （七）总计 + 结转下年度",
            )
        )
        out.append(
            _rule(
                flat,
                "requests.outcome_total",
                f"requests.total.{col}",
                [f"requests.{row}.{col}" for row in outcomes],
                [],
                f"（七）总计 ({col}) should equal the sum of the outcome rows （一）–（六）",
            )
        )
    for row in ("new", "carried_over", *outcomes, "total", "carried_forward"):
        out.append(
            _rule(
                flat,
                "requests.row_total",
                f"requests.{row}.total",
                [f"requests.{row}.{col}" for col in APPLICANT_COLUMNS],
                [],
                f"总计 of row {row} should equal its six applicant columns",
            )
        )
    for group in REVIEW_GROUPS:
        out.append(
            _rule(
                flat,
                "review.group_total",
                f"review.{group}.total",
                [f"review.{group}.{o}" for o in _OUTCOMES],
                [],
                f"{group} 总计 should equal 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
            )
        )
    return [f for f in out if f is not None]
