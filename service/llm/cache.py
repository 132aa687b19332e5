"""On-disk cache of validated LLM answers, keyed by endpoint, model, mode, prompt, schema and text, with an
expiry: a repeated eval costs no calls, and an answer is never served past its age or from another endpoint."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any


class ResponseCache:
    def __init__(self, directory: str | Path, ttl_s: float = 30 * 86400) -> None:
        self.dir = Path(directory)
        self.ttl_s = ttl_s

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
        if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > self.ttl_s:
            return None
        return data

    def put(self, key: str, value: dict[str, Any]) -> None:
        folder = self.dir / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({**value, "at": time.time()}, f, ensure_ascii=False)
        os.replace(tmp, folder / f"{key}.json")  # atomic: concurrent workers never read half a file
