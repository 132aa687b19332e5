"""The field catalogue of FIELDS.md: row, column and group keys of both templates.

Parsers, checks and the eval harness all read the key names from here, so a
key is spelt in exactly one place.
"""

from __future__ import annotations

from typing import Final, Literal

Template = Literal["2019", "2021", "narrative"]

REQUEST_COLUMNS: Final = (
    "natural_person",
    "commercial",
    "research",
    "nonprofit",
    "legal_service",
    "other_org",
    "total",
)
APPLICANT_COLUMNS: Final = REQUEST_COLUMNS[:-1]

# Outcome rows (三、本年度办理结果) shared by both templates, before （六）.
_OUTCOMES_COMMON: Final = (
    "granted",
    "partial",
    "denied_secret",
    "denied_law",
    "denied_safety",
    "denied_third_party",
    "denied_internal",
    "denied_process",
    "denied_case_file",
    "denied_query",
    "unable_not_held",
    "unable_create",
    "unable_unclear",
    "rejected_petition",
    "rejected_duplicate",
    "rejected_publication",
    "rejected_excessive",
    "rejected_confirm",
)
OTHER_ROWS_2019: Final = ("other",)
OTHER_ROWS_2021: Final = ("other_no_correction", "other_unpaid_fee", "other_misc")


def outcome_rows(single_other: bool) -> tuple[str, ...]:
    """Outcome rows (summed by （七）总计) for a table with one or three （六） rows."""
    return _OUTCOMES_COMMON + (OTHER_ROWS_2019 if single_other else OTHER_ROWS_2021)


def request_rows(single_other: bool) -> tuple[str, ...]:
    """All request-table rows in printed order."""
    return ("new", "carried_over", *outcome_rows(single_other), "total", "carried_forward")


REVIEW_GROUPS: Final = ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
REVIEW_OUTCOMES: Final = ("upheld", "corrected", "other", "pending", "total")

# proactive item -> columns, per template, in printed order.
PROACTIVE_2019: Final[dict[str, tuple[str, ...]]] = {
    "rules": ("made", "published", "total_published"),
    "normative_docs": ("made", "published", "total_published"),
    "licensing": ("prev_count", "change", "decisions"),
    "other_services": ("prev_count", "change", "decisions"),
    "penalty": ("prev_count", "change", "decisions"),
    "enforcement": ("prev_count", "change", "decisions"),
    "fees": ("prev_count", "change"),
    "procurement": ("projects", "amount_wan"),
}
PROACTIVE_2021: Final[dict[str, tuple[str, ...]]] = {
    "rules": ("issued", "repealed", "in_force"),
    "normative_docs": ("issued", "repealed", "in_force"),
    "licensing": ("decisions",),
    "penalty": ("decisions",),
    "enforcement": ("decisions",),
    "fees": ("amount_wan",),
}

MONEY_SUFFIX: Final = "_wan"
SECTION_NAMES: Final = ("overview", "proactive", "requests", "review", "problems", "other")


def catalogue() -> tuple[str, ...]:
    """Every FIELDS.md key, in the catalogue's order (meta, proactive of both templates, requests, review)."""
    keys: list[str] = ["meta.organ", "meta.year", "meta.template"]
    for table in (PROACTIVE_2021, PROACTIVE_2019):
        for item, cols in table.items():
            keys += [f"proactive.{item}.{c}" for c in cols if f"proactive.{item}.{c}" not in keys]
    keys.append("proactive.items_total")
    rows = dict.fromkeys((*request_rows(single_other=False), *request_rows(single_other=True)))
    keys += [f"requests.{row}.{col}" for row in rows for col in REQUEST_COLUMNS]
    keys += [f"review.{g}.{o}" for g in REVIEW_GROUPS for o in REVIEW_OUTCOMES]
    keys.append("review.litigation.total")
    return tuple(keys)
