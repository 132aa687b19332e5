"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.extraction import ReportExtraction, Scalar

FlatMap = dict[str, Scalar]


class ExtractOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    use_llm: bool = Field(default=True, description="ask the configured LLM for narrative facts (ignored when none is)")
    flat: bool = Field(default=False, description="return the FIELDS.md flat map instead of the full extraction")


class ExtractRequest(BaseModel):
    """One report: exactly one of `text` or `html`."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, description="the report as plain text")
    html: str | None = Field(default=None, description="the report as an HTML page")
    filename: str | None = Field(default=None, max_length=512)
    source_url: str | None = Field(default=None, max_length=4096)
    options: ExtractOptions = Field(default_factory=ExtractOptions)

    @model_validator(mode="after")
    def _one_body(self) -> ExtractRequest:
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of `text` or `html`")
        return self


class ErrorDetail(BaseModel):
    code: str = Field(description="stable identifier of the fault, one per fault (e.g. invalid_request, empty_input)")
    message: str
    context: dict[str, Any] = Field(default_factory=dict, description="the fault's facts (limits, sizes, problems)")


class ErrorResponse(BaseModel):
    error: ErrorDetail


class BatchLine(BaseModel):
    """One line of the batch response (NDJSON), in input order."""

    index: int
    filename: str | None = None
    ok: bool
    result: ReportExtraction | FlatMap | None = None
    error: ErrorDetail | None = None


class BatchEnd(BaseModel):
    """The last line of a batch response: without it the stream was cut off."""

    end: bool = True
    complete: bool = Field(description="every item was answered; false when the service stopped part way")
    answered: int
    total: int


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    parsers: str
    llm: str
    workers: int = Field(default=0, description="extraction workers able to take a job now")
    converters: dict[str, str] = Field(
        default_factory=dict,
        description="optional readers and whether they are installed: libreoffice (.doc, .wps, .odt)",
    )
