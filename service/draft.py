"""The pipeline's output before it becomes a ReportExtraction: the document as plain JSON-shaped data.

Why: validating ~200 FieldValue/Provenance models and dumping them again cost 1.2 ms of a 5 ms
extraction, and the HTTP service only needs the JSON. A Draft renders straight to JSON bytes (orjson)
and builds the pydantic model only for callers that want one. Both give the same document: the
payload is complete (every field the model has, in its order) and tests/test_draft.py compares the
two renderings on every corpus report and generated ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel

from schemas.extraction import Finding, ReportExtraction, Scalar


def _default(obj: object) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    raise TypeError(f"cannot render {type(obj).__name__} as JSON")


@dataclass(slots=True)
class Draft:
    """`payload` has ReportExtraction's shape; `values` maps each FIELDS.md key to its FieldValue dict."""

    payload: dict[str, Any]
    values: dict[str, dict[str, Any]]

    @property
    def findings(self) -> list[Finding]:
        findings: list[Finding] = self.payload["findings"]
        return findings

    def model(self) -> ReportExtraction:
        return ReportExtraction.model_validate(self.payload)

    def flat(self) -> dict[str, Scalar]:
        """The FIELDS.md flat map, as ReportExtraction.flat() gives it."""
        out: dict[str, Scalar] = {"meta.template": self.payload["meta"]["template"]}
        out.update({key: v["value"] for key, v in self.values.items()})
        return dict(sorted(out.items()))

    def to_json(self, flat: bool = False) -> bytes:
        return orjson.dumps(self.flat() if flat else self.payload, default=_default)
