"""Output renderers, one module: how a ReportExtraction becomes what a caller asked for.

A new per-report output is one `Renderer` in `RENDERERS`: `data` gives JSON-shaped data (the CLI indents it,
the batch stream splices it into its lines), `body` the bytes an HTTP response carries. The dataset tables
(reports, values, findings) are rows built here too, with their columns and types; service.batch writes
them as Parquet, CSV, Excel or JSONL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from schemas.extraction import ReportExtraction
from schemas.fields import MONEY_SUFFIX, catalogue


@dataclass(frozen=True)
class Renderer:
    name: str
    data: Callable[[ReportExtraction], Any]
    description: str
    media_type: str = "application/json"

    def body(self, result: ReportExtraction) -> bytes:
        return orjson.dumps(self.data(result))


def _full(result: ReportExtraction) -> dict[str, Any]:
    return result.model_dump(mode="json")


def _flat(result: ReportExtraction) -> dict[str, Any]:
    return dict(result.flat())


def _rows(result: ReportExtraction) -> dict[str, Any]:
    """The document's rows of the three dataset tables (its sha256 and path are the batch's to fill in)."""
    return {
        "report": report_row(result, "", ""),
        "values": value_rows(result, "", ""),
        "findings": finding_rows(result, "", ""),
    }


RENDERERS: dict[str, Renderer] = {
    r.name: r
    for r in (
        Renderer("json", _full, "the full extraction: every value with its span and method, findings, sections"),
        Renderer("flat", _flat, "the FIELDS.md flat map: key -> value, unstated fields absent"),
        Renderer("rows", _rows, "the document's rows of the dataset tables (reports, values, findings)"),
    )
}


def renderer(name: str) -> Renderer:
    """The renderer called `name`; KeyError names the ones there are."""
    try:
        return RENDERERS[name]
    except KeyError:
        raise KeyError(f"no renderer {name!r}; there are {', '.join(RENDERERS)}") from None


# --- dataset rows: one report row, one row per value, one per finding (service.batch writes the tables) ---

KEYS: tuple[str, ...] = catalogue()
TEXT_KEYS = frozenset({"meta.organ", "meta.template"})
REPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("sha256", "string"),
    ("source_path", "string"),
    ("copies", "int64"),
    ("format", "string"),
    ("error", "string"),
    ("organ_group", "string"),
    ("findings", "int64"),
    ("arithmetic_findings", "int64"),
    ("parse_findings", "int64"),
    *((key, "string" if key in TEXT_KEYS else "float64" if key.endswith(MONEY_SUFFIX) else "int64") for key in KEYS),
)
VALUE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("sha256", "string"),
    ("source_path", "string"),
    ("key", "string"),
    ("value", "float64"),
    ("value_text", "string"),
    ("method", "string"),
    ("raw", "string"),
    ("start", "int64"),
    ("end", "int64"),
    ("note", "string"),
)
FINDING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("sha256", "string"),
    ("source_path", "string"),
    ("rule", "string"),
    ("kind", "string"),
    ("message", "string"),
    ("cells", "string"),
    ("expected", "float64"),
    ("printed", "float64"),
    ("start", "int64"),
    ("end", "int64"),
)


def report_row(result: ReportExtraction, sha256: str, path: str) -> dict[str, Any]:
    """The document's row of the reports table: where it came from, its finding counts, every key's value."""
    flat = result.flat()
    kinds = [f.kind for f in result.findings]
    row: dict[str, Any] = {
        "sha256": sha256,
        "source_path": path,
        "copies": 1,
        "format": result.source.format,
        "error": None,
        "organ_group": None,
        "findings": len(kinds),
        "arithmetic_findings": kinds.count("arithmetic"),
        "parse_findings": kinds.count("parse"),
    }
    row.update({key: flat.get(key) for key in KEYS})
    return row


def failed_row(sha256: str, path: str, error: str) -> dict[str, Any]:
    """A document that could not be read: its row carries the error and no value."""
    return {
        **dict.fromkeys(name for name, _ in REPORT_COLUMNS),
        "sha256": sha256,
        "source_path": path,
        "copies": 1,
        "error": error,
        "findings": 0,
        "arithmetic_findings": 0,
        "parse_findings": 0,
    }


def value_rows(result: ReportExtraction, sha256: str, path: str) -> list[dict[str, Any]]:
    out = []
    for key, fv in result.fields().items():
        p = fv.provenance
        number = fv.value if isinstance(fv.value, int | float) and not isinstance(fv.value, bool) else None
        out.append(
            {
                "sha256": sha256,
                "source_path": path,
                "key": key,
                "value": None if number is None else float(number),
                "value_text": None if number is not None else str(fv.value),
                "method": p.method.value,
                "raw": p.raw,
                "start": p.start,
                "end": p.end,
                "note": p.note,
            }
        )
    return out


def finding_rows(result: ReportExtraction, sha256: str, path: str) -> list[dict[str, Any]]:
    return [
        {
            "sha256": sha256,
            "source_path": path,
            "rule": f.rule,
            "kind": f.kind,
            "message": f.message,
            "cells": ",".join(f.cells),
            "expected": f.expected,
            "printed": f.printed,
            "start": f.start,
            "end": f.end,
        }
        for f in result.findings
    ]
