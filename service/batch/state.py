"""A batch's results on disk, one file per document keyed by the sha256 of its bytes: a re-run skips what is
done, the same document saved twice is read once, and a run killed half way goes on where it stopped."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class State:
    def __init__(self, directory: Path) -> None:
        self.dir = directory

    def _path(self, sha: str) -> Path:
        return self.dir / "results" / sha[:2] / f"{sha}.json"

    def done(self, sha: str) -> bool:
        return self._path(sha).is_file()

    def get(self, sha: str) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = orjson.loads(self._path(sha).read_bytes())
        except (OSError, ValueError):
            return None  # a file cut short by a kill is no result: the document is read again
        return data

    def index(self) -> dict[str, str]:
        """Document URL -> sha256 of what was read there (the cluster engine's way to skip what is done
        without reading every file again)."""
        out: dict[str, str] = {}
        try:
            lines = (self.dir / "index.jsonl").read_bytes().splitlines()
        except OSError:
            return out
        for line in lines:
            try:
                entry = orjson.loads(line)
            except ValueError:
                continue  # a line cut short by a kill
            out[entry["url"]] = entry["sha256"]
        return out

    def put_raw(self, sha: str, record: bytes, url: str) -> None:
        """A record already rendered as JSON, and where it was read (appended to the index)."""
        path = self._path(sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(record)
        os.replace(tmp, path)
        with (self.dir / "index.jsonl").open("ab") as f:
            f.write(orjson.dumps({"url": url, "sha256": sha}) + b"\n")

    def put(self, sha: str, record: dict[str, Any], rows: bytes | None = None) -> None:
        """Atomically: a kill leaves the old state or the new, never half a file. `rows`: the document's
        rows as the worker rendered them (JSON), kept as they are under "rows"."""
        path = self._path(sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = orjson.dumps(record)
        if rows is not None:
            data = data[:-1] + b',"rows":' + rows + b"}"
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
