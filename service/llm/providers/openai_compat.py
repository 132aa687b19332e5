"""Any OpenAI-compatible endpoint (OpenAI, DeepSeek, Qwen, vLLM, llama.cpp's server) through instructor.

instructor validates the response against the pydantic model and re-asks the
model with the validation error (up to `max_attempts`); tenacity retries the
transport (connection errors, timeouts, 429, 5xx) with exponential backoff.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import instructor
import openai
from instructor.core import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from service.errors import LLMError
from service.llm.provider import Completion, Usage
from service.settings import Settings

_MODES = {"tools": instructor.Mode.TOOLS, "json_schema": instructor.Mode.JSON_SCHEMA, "json": instructor.Mode.JSON}
_TRANSIENT = (openai.APIConnectionError, openai.APITimeoutError, openai.RateLimitError, openai.InternalServerError)


def _transport_error(exc: BaseException) -> BaseException | None:
    """The openai transport or status error underneath an instructor exception, if that is what failed."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc.__cause__, exc.__context__]
    for attempt in getattr(exc, "failed_attempts", None) or []:
        todo.append(getattr(attempt, "exception", None))
    while todo:
        e = todo.pop()
        if e is None or e in seen:
            continue
        seen.append(e)
        if isinstance(e, openai.APIError) and not isinstance(e, openai.APIResponseValidationError):
            return e
        todo += [e.__cause__, e.__context__]
    return None


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


class OpenAICompatible:
    def __init__(self, settings: Settings, http_client: httpx.Client | None = None) -> None:
        if not settings.llm_base_url:
            raise LLMError("no LLM base URL configured")
        self.model = settings.llm_model
        self.mode = settings.llm_mode
        self.max_attempts = settings.llm_max_attempts
        self.max_output_tokens = settings.llm_max_output_tokens
        self.transport_retries = settings.llm_transport_retries
        self.raw = openai.OpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key.get_secret_value(),
            timeout=settings.llm_timeout_s,
            max_retries=0,  # tenacity owns transport retries
            http_client=http_client,
        )

    def complete(
        self, system: str, user: str, response_model: type[BaseModel], context: dict[str, object]
    ) -> Completion:
        usage = Usage()

        def count(response: Any) -> None:
            u = getattr(response, "usage", None)
            usage.calls += 1
            if u is not None:
                usage.input_tokens += int(getattr(u, "prompt_tokens", 0) or 0)
                usage.output_tokens += int(getattr(u, "completion_tokens", 0) or 0)

        # a client per call: hooks are per client, and calls run concurrently
        client = instructor.from_openai(self.raw, mode=_MODES[self.mode])
        client.on("completion:response", count)

        @retry(
            retry=retry_if_exception_type(_TRANSIENT),
            stop=stop_after_attempt(self.transport_retries),
            wait=wait_exponential(multiplier=0.5, max=8),
            reraise=True,
        )
        def call() -> BaseModel:
            try:
                return create()
            except InstructorRetryException as exc:
                cause = _transport_error(exc)
                if cause is not None:
                    raise cause from exc  # a transport failure, not a bad answer: tenacity retries it
                raise

        def create() -> BaseModel:
            result: BaseModel = client.chat.completions.create(
                model=self.model,
                response_model=response_model,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                max_retries=self.max_attempts,
                max_tokens=self.max_output_tokens,
                temperature=0,
                context=context,
            )
            return result

        try:
            data = call().model_dump()
            return Completion(data, usage)
        except IncompleteOutputException as exc:
            error = f"the answer was cut off at {self.max_output_tokens} tokens; the partial answer is grounded field by field"
            return Completion(_last_arguments(exc), usage, error)
        except InstructorRetryException as exc:
            # keep the last answer, unvalidated: grounding judges each field on its own
            error = (
                f"no valid response after {self.max_attempts} attempt(s); the last answer is grounded field by field"
            )
            return Completion(_last_arguments(exc), usage, error)
        except _TRANSIENT as exc:
            raise LLMError(f"LLM endpoint unreachable or overloaded: {type(exc).__name__}: {exc}") from exc
        except openai.APIStatusError as exc:
            raise LLMError(f"LLM endpoint refused the request: HTTP {exc.status_code}: {exc.message}") from exc
        except openai.OpenAIError as exc:
            raise LLMError(f"LLM call failed: {type(exc).__name__}: {exc}") from exc
