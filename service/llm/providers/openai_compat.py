"""Any OpenAI-compatible endpoint (OpenAI, DeepSeek, Qwen, vLLM, llama.cpp's server) through instructor.

Two kinds of retry, each owned by the library that knows it: the openai client retries the transport
(connection errors, timeouts, 408/409/429/5xx, with its own backoff, `llm_transport_retries` tries in
all), and instructor re-asks the model with the validation error, `llm_max_attempts` calls in all,
through a tenacity `Retrying` that retries only on validation (parse) errors.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import instructor
import openai
from instructor.core import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel, ValidationError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from service.errors import LLMError
from service.llm.provider import Completion, Usage, guard_model_request
from service.settings import Settings

_MODES = {"tools": instructor.Mode.TOOLS, "json_schema": instructor.Mode.JSON_SCHEMA, "json": instructor.Mode.JSON}
_TRANSIENT = (openai.APIConnectionError, openai.APITimeoutError, openai.RateLimitError, openai.InternalServerError)
# what instructor re-asks on: the answer did not validate or was not JSON
_REASK_ON = (ValidationError, json.JSONDecodeError)


def _last_arguments(exc: Exception) -> dict[str, object] | None:
    """The JSON the model last returned (tool call arguments or message content), if any."""
    completion = getattr(exc, "last_completion", None)
    try:
        message = completion.choices[0].message  # type: ignore[union-attr]
        raw = message.tool_calls[0].function.arguments if message.tool_calls else message.content
        data = json.loads(raw or "")
    except (AttributeError, IndexError, TypeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _endpoint_error(exc: BaseException) -> LLMError | None:
    """The endpoint's own failure as an LLMError (unreachable, refused), or None when the answer was the problem."""
    if isinstance(exc, _TRANSIENT):
        return LLMError(f"LLM endpoint unreachable or overloaded: {type(exc).__name__}: {exc}")
    if isinstance(exc, openai.APIStatusError):
        return LLMError(f"LLM endpoint refused the request: HTTP {exc.status_code}: {exc.message}")
    if isinstance(exc, openai.OpenAIError) and not isinstance(exc, openai.APIResponseValidationError):
        return LLMError(f"LLM call failed: {type(exc).__name__}: {exc}")
    return None


class OpenAICompatible:
    def __init__(self, settings: Settings, http_client: httpx.Client | None = None) -> None:
        if not settings.llm_base_url:
            raise LLMError("no LLM base URL configured")
        self.model = settings.llm_model
        self.mode = settings.llm_mode
        self.max_attempts = settings.llm_max_attempts
        self.max_output_tokens = settings.llm_max_output_tokens
        self.timeout_s = settings.llm_timeout_s
        self.raw = openai.OpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key.get_secret_value(),
            timeout=settings.llm_timeout_s,
            max_retries=settings.llm_transport_retries - 1,  # retries after the first try
            http_client=http_client,
        )
        # a client given by the caller (tests) may be a mock; only a real transport is a model request
        self.real_transport = http_client is None or isinstance(
            getattr(http_client, "_transport", None), httpx.HTTPTransport
        )

    @property
    def endpoint(self) -> str:
        return str(self.raw.base_url)

    def complete(
        self,
        system: str,
        user: str,
        response_model: type[BaseModel],
        context: dict[str, object],
        timeout_s: float | None = None,
    ) -> Completion:
        if self.real_transport:
            guard_model_request(self.raw.base_url)
        usage = Usage()
        raw = self.raw
        if timeout_s is not None and timeout_s < self.timeout_s:
            # what is left of the request's budget: one try, no transport retry past it
            raw = self.raw.with_options(timeout=max(0.1, timeout_s), max_retries=0)

        def count(response: Any) -> None:
            u = getattr(response, "usage", None)
            usage.calls += 1
            if u is not None:
                usage.input_tokens += int(getattr(u, "prompt_tokens", 0) or 0)
                usage.output_tokens += int(getattr(u, "completion_tokens", 0) or 0)

        # a client per call: hooks are per client, and calls run concurrently
        client = instructor.from_openai(raw, mode=_MODES[self.mode])
        client.on("completion:response", count)
        reask = Retrying(
            stop=stop_after_attempt(self.max_attempts), retry=retry_if_exception_type(_REASK_ON), reraise=True
        )
        try:
            result: BaseModel = client.chat.completions.create(
                model=self.model,
                response_model=response_model,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                max_retries=reask,
                max_tokens=self.max_output_tokens,
                temperature=0,
                context=context,
            )
            return Completion(result.model_dump(), usage)
        except IncompleteOutputException as exc:
            error = f"the answer was cut off at {self.max_output_tokens} tokens; the partial answer is grounded field by field"
            return Completion(_last_arguments(exc), usage, error)
        except InstructorRetryException as exc:
            endpoint = _endpoint_error(exc.__cause__) if exc.__cause__ is not None else None
            if endpoint is not None:
                raise endpoint from exc
            # keep the last answer, unvalidated: grounding judges each field on its own
            error = f"no valid response after {usage.calls} call(s); the last answer is grounded field by field"
            return Completion(_last_arguments(exc), usage, error)
        except openai.OpenAIError as exc:
            raise (_endpoint_error(exc) or LLMError(f"LLM call failed: {exc}")) from exc
