"""Output renderers, one registry: how a ReportExtraction becomes what a caller asked for.

A new output format is one `Renderer` in `RENDERERS`. `data` gives JSON-shaped data (the CLI indents it,
the batch stream splices it into its lines); `body` gives the bytes an HTTP response carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from schemas.extraction import ReportExtraction


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


RENDERERS: dict[str, Renderer] = {
    r.name: r
    for r in (
        Renderer("json", _full, "the full extraction: every value with its span and method, findings, sections"),
        Renderer("flat", _flat, "the FIELDS.md flat map: key -> value, unstated fields absent"),
    )
}


def renderer(name: str) -> Renderer:
    """The renderer called `name`; KeyError names the ones there are."""
    try:
        return RENDERERS[name]
    except KeyError:
        raise KeyError(f"no renderer {name!r}; there are {', '.join(RENDERERS)}") from None
