"""On-disk cache of LLM responses, keyed by model, mode, prompt, schema and text: a repeated eval costs no calls."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


class ResponseCache:
    def __init__(self, directory: str | Path) -> None:
        self.dir = Path(directory)

    @staticmethod
    def key(*parts: str) -> str:
        h = hashlib.sha256()
        for p in parts:
            h.update(p.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()

    def get(self, key: str) -> dict[str, Any] | None:
        path = self.dir / key[:2] / f"{key}.json"
        try:
            data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data

    def put(self, key: str, value: dict[str, Any]) -> None:
        folder = self.dir / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f, ensure_ascii=False)
        os.replace(tmp, folder / f"{key}.json")  # atomic: concurrent workers never read half a file
