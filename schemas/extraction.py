"""The document model: every value with where it came from, and what the report breaks.

`ReportExtraction.flat()` gives exactly the FIELDS.md keys; everything else in
the model (spans, methods, findings, section texts) is there so that a reader
can check each number against the source.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.fields import Template

Scalar = int | float | str


class Method(StrEnum):
    """How a value was obtained."""

    TABLE = "table"  # read from a printed standard table
    RULE = "rule"  # a deterministic phrase rule over narrative text
    LLM = "llm"  # schema-constrained LLM extraction, grounded in a quote
    DERIVED = "derived"  # a sum FIELDS.md defines over printed cells (review.litigation.total)
    OCR = "ocr"  # read from a table of a scanned page or an image, through text recognition


class Provenance(BaseModel):
    """Where a value came from: raw source text and its [start, end) span in the received text."""

    model_config = ConfigDict(frozen=True)

    raw: str = Field(description="the source text the value was read from")
    start: int = Field(ge=0, description="offset of the first character, in the text the service received")
    end: int = Field(ge=0, description="offset one past the last character")
    method: Method
    note: str | None = Field(default=None, description="how the raw text became the value, where not obvious")
    ocr: OCRSource | None = Field(default=None, description="where a recognised value stands on its page (method ocr)")


class OCRSource(BaseModel):
    """A recognised value's place: the page (from 1), the text box in page pixels, the recogniser's confidence."""

    model_config = ConfigDict(frozen=True)

    page: int
    box: tuple[float, float, float, float] = Field(description="left, top, right, bottom")
    confidence: float


class FieldValue(BaseModel):
    """One extracted value with its provenance."""

    model_config = ConfigDict(frozen=True)

    value: Scalar
    provenance: Provenance


FindingKind = Literal["arithmetic", "parse", "input", "llm", "ocr"]


class Finding(BaseModel):
    """Something the reader should know: a broken template rule, or a value left null and why."""

    rule: str = Field(description="stable identifier, e.g. requests.balance or parse.ambiguous_split")
    kind: FindingKind
    message: str
    cells: list[str] = Field(default_factory=list, description="flat keys of the cells involved")
    expected: float | None = None
    printed: float | None = None
    start: int | None = None
    end: int | None = None


class SectionText(BaseModel):
    """One of the six sections of the report, as located by its heading."""

    name: str
    heading: str
    start: int
    end: int
    text: str


class Meta(BaseModel):
    organ: FieldValue | None = None
    year: FieldValue | None = None
    template: Template = "narrative"
    template_evidence: Provenance | None = None


class SourceInfo(BaseModel):
    name: str | None = None
    url: str | None = Field(default=None, description="where the report was found (the request's source_url)")
    format: str = "text"
    encoding: str | None = None
    chars: int = 0


class LLMReport(BaseModel):
    """Whether the LLM ran for this report, and what it cost."""

    used: bool = False
    reason: str | None = Field(default="no LLM configured", description="why it was not used, when it was not")
    model: str | None = None
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_hits: int = 0


class ReportExtraction(BaseModel):
    """Everything read from one report."""

    schema_version: Literal["1"] = "1"
    source: SourceInfo = Field(default_factory=SourceInfo)
    meta: Meta = Field(default_factory=Meta)
    proactive: dict[str, FieldValue] = Field(
        default_factory=dict, description="keys as in FIELDS.md without the proactive. prefix"
    )
    requests: dict[str, dict[str, FieldValue]] = Field(default_factory=dict, description="row -> column -> value")
    review: dict[str, dict[str, FieldValue]] = Field(default_factory=dict, description="group -> outcome -> value")
    sections: list[SectionText] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    methods: list[Method] = Field(default_factory=list, description="methods that produced at least one value")
    text: str | None = Field(
        default=None,
        description="the text that spans index, where the service derived it from a document (HTML, DOCX, PDF); "
        "for plain text input, spans index the text as sent",
    )
    llm: LLMReport = Field(default_factory=lambda: LLMReport())
    timings_ms: dict[str, float] = Field(default_factory=dict)

    def fields(self) -> dict[str, FieldValue]:
        """Every extracted value under its FIELDS.md key."""
        out: dict[str, FieldValue] = {}
        if self.meta.organ is not None:
            out["meta.organ"] = self.meta.organ
        if self.meta.year is not None:
            out["meta.year"] = self.meta.year
        for key, fv in self.proactive.items():
            out[f"proactive.{key}"] = fv
        for section, table in (("requests", self.requests), ("review", self.review)):
            for row, cols in table.items():
                for col, fv in cols.items():
                    out[f"{section}.{row}.{col}"] = fv
        return out

    def flat(self) -> dict[str, Scalar]:
        """The FIELDS.md flat map (values only; unstated fields are absent)."""
        out: dict[str, Scalar] = {"meta.template": self.meta.template}
        out.update({key: fv.value for key, fv in self.fields().items()})
        return dict(sorted(out.items()))
