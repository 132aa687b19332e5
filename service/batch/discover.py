"""Which files a batch reads: files named, folders walked (recursively), globs expanded; each once."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from service.formats.registry import SUFFIXES


def discover(inputs: Iterable[str]) -> list[Path]:
    """Every document under `inputs`, sorted, each path once. A folder contributes its files with a report's
    suffix (.txt, .html, .pdf, .docx, .md, …); a file named outright is read whatever its name."""
    found: dict[str, Path] = {}
    for raw in inputs:
        matches = [Path(m) for m in sorted(glob.glob(raw, recursive=True))] if glob.has_magic(raw) else [Path(raw)]
        for path in matches:
            if path.is_dir():
                for p in sorted(path.rglob("*")):
                    if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.endswith(".gold.json"):
                        found.setdefault(str(p), p)
            elif path.is_file():
                found.setdefault(str(path), path)
    return [found[k] for k in sorted(found)]
