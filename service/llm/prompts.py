"""Prompts live as files in prompts/: loaded once, validated (front matter and placeholders) at load."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from service.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
_FRONT = re.compile(r"\A---\n(?P<head>.*?)\n---\n(?P<body>.*)\Z", re.S)
_FIELD = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Prompt:
    id: str
    version: int
    template: str
    placeholders: frozenset[str]

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.id}:{self.version}:{self.template}".encode()).hexdigest()[:16]

    def render(self, **values: str) -> str:
        missing = self.placeholders - values.keys()
        if missing:
            raise ConfigError(f"prompt {self.id}: missing values for {sorted(missing)}")
        return self.template.format(**values)


@cache
def load(name: str, directory: Path = PROMPTS_DIR) -> Prompt:
    path = directory / f"{name}.md"
    try:
        raw = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"prompt file {path} cannot be read: {exc}") from exc
    m = _FRONT.match(raw)
    if m is None:
        raise ConfigError(f"prompt file {path} has no front matter (--- id/version/placeholders ---)")
    head: dict[str, str] = {}
    for line in m.group("head").splitlines():
        key, _, value = line.partition(":")
        head[key.strip()] = value.strip()
    declared = frozenset(p.strip() for p in head.get("placeholders", "[]").strip("[]").split(",") if p.strip())
    body = m.group("body").strip() + "\n"
    used = frozenset(_FIELD.findall(body))
    if head.get("id") != name or not head.get("version", "").isdigit():
        raise ConfigError(f"prompt file {path}: front matter needs id: {name} and an integer version")
    if used != declared:
        raise ConfigError(f"prompt file {path}: placeholders used {sorted(used)} but declared {sorted(declared)}")
    return Prompt(name, int(head["version"]), body, declared)
