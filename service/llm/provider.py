"""The one small interface every LLM provider implements; the core never imports a provider."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol, TypeVar

from pydantic import BaseModel

from service.errors import LLMError

# Whether a provider may send a request to a real model endpoint (pydantic-ai's ALLOW_MODEL_REQUESTS). The
# test suite turns it off, in this process and (through NIANBAO_ALLOW_MODEL_REQUESTS=0, which servers and
# workers it starts inherit) in every process it starts; a test that means to call a model opts in.
ALLOW_MODEL_REQUESTS = True
ALLOW_ENV = "NIANBAO_ALLOW_MODEL_REQUESTS"


def model_requests_allowed() -> bool:
    return ALLOW_MODEL_REQUESTS and os.environ.get(ALLOW_ENV, "1").lower() not in ("0", "false", "no")


def guard_model_request(endpoint: object) -> None:
    """Raises when real model requests are turned off (tests that did not opt in)."""
    if not model_requests_allowed():
        raise LLMError(
            f"a real model request to {endpoint} was blocked: model requests are not allowed here "
            f"(tests opt in with @pytest.mark.llm_real; {ALLOW_ENV}=0 in the environment)"
        )


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

    @property
    def endpoint(self) -> str:
        """Where the model answers (part of the cache key: two endpoints' answers are not the same)."""
        ...

    def complete(
        self,
        system: str,
        user: str,
        response_model: type[BaseModel],
        context: dict[str, object],
        timeout_s: float | None = None,
    ) -> Completion:
        """One schema-constrained extraction within `timeout_s` (None: the provider's own timeout); raises
        LLMError when the endpoint is unusable."""
        ...
