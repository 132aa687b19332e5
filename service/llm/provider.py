"""The one small interface every LLM provider implements; the core never imports a provider."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0


@dataclass(frozen=True)
class Completion:
    """A validated response (or None when every attempt failed validation) and what it cost."""

    data: dict[str, object] | None
    usage: Usage
    error: str | None = None


class Provider(Protocol):
    @property
    def model(self) -> str: ...

    @property
    def mode(self) -> str: ...

    def complete(
        self, system: str, user: str, response_model: type[BaseModel], context: dict[str, object]
    ) -> Completion:
        """One schema-constrained extraction; raises LLMError when the endpoint is unusable."""
        ...
