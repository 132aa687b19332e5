"""Response models for schema-constrained LLM extraction, one small model per section.

Every number comes with the verbatim quote it was read from; the service
checks both (grounding) before a value is kept.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class Quoted(BaseModel):
    """A number stated in the text, with the exact words that state it."""

    model_config = ConfigDict(extra="forbid")

    value: int = Field(description="the number exactly as the text states it; never computed")
    quote: str = Field(min_length=1, max_length=200, description="the verbatim words of the text that state it")

    @field_validator("quote")
    @classmethod
    def _quote_in_text(cls, quote: str, info: ValidationInfo) -> str:
        """Re-ask the model when the quote is not in the section (instructor passes the error back)."""
        text = (info.context or {}).get("text")
        if text is not None and _squash(quote) not in _squash(text):
            raise ValueError(f"the quote {quote!r} does not occur verbatim in the text; copy the words exactly")
        return quote


def _squash(s: str) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", s).split())


class ProactiveFacts(BaseModel):
    """二、主动公开: totals a narrative report may state."""

    model_config = ConfigDict(extra="forbid")

    items_total: Quoted | None = Field(default=None, description="全年主动公开政府信息总条数 (one stated total)")
    licensing_decisions: Quoted | None = Field(default=None, description="行政许可 处理决定/新增 数量")
    penalty_decisions: Quoted | None = Field(default=None, description="行政处罚 处理决定/新增 数量")
    enforcement_decisions: Quoted | None = Field(default=None, description="行政强制 处理决定数量")


class RequestFacts(BaseModel):
    """三、依申请公开: counts a narrative report may state."""

    model_config = ConfigDict(extra="forbid")

    new_total: Quoted | None = Field(default=None, description="本年新收/收到 政府信息公开申请 件数")
    carried_over_total: Quoted | None = Field(default=None, description="上年结转 申请件数")
    granted_total: Quoted | None = Field(default=None, description="予以公开 件数")
    partial_total: Quoted | None = Field(default=None, description="部分公开 件数")
    carried_forward_total: Quoted | None = Field(default=None, description="结转下年度 件数")


class ReviewFacts(BaseModel):
    """四、行政复议、行政诉讼: totals a narrative report may state."""

    model_config = ConfigDict(extra="forbid")

    reconsideration_total: Quoted | None = Field(default=None, description="政府信息公开 行政复议 件数")
    litigation_total: Quoted | None = Field(default=None, description="政府信息公开 行政诉讼 件数")


class WholeDocumentFacts(ProactiveFacts, RequestFacts, ReviewFacts):
    """The --whole-document baseline: every narrative field from one call over the whole report."""


# response field -> FIELDS.md key
FIELD_KEYS: dict[str, str] = {
    "items_total": "proactive.items_total",
    "licensing_decisions": "proactive.licensing.decisions",
    "penalty_decisions": "proactive.penalty.decisions",
    "enforcement_decisions": "proactive.enforcement.decisions",
    "new_total": "requests.new.total",
    "carried_over_total": "requests.carried_over.total",
    "granted_total": "requests.granted.total",
    "partial_total": "requests.partial.total",
    "carried_forward_total": "requests.carried_forward.total",
    "reconsideration_total": "review.reconsideration.total",
    "litigation_total": "review.litigation.total",
}
