"""One exception hierarchy, with its messages built here.

Every error carries a stable `code`, a message a user can act on, and
context; the CLI maps them to exit codes and the API to HTTP statuses, each
in one place.
"""

from __future__ import annotations

from typing import Any


class NianbaoError(Exception):
    """Base of every error the service raises on purpose."""

    code = "error"

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled whole (code, message, context), as errors cross from a worker process."""
        return (_rebuild, (type(self), self.message, self.context))

    def to_dict(self) -> dict[str, Any]:
        """The error as every API answer and batch line carries it: code, message, context (always present)."""
        return {"code": self.code, "message": self.message, "context": self.context}


def _rebuild(cls: type[NianbaoError], message: str, context: dict[str, Any]) -> NianbaoError:
    return cls(message, **context)


class InputError(NianbaoError):
    """The input cannot be read as a report."""

    code = "invalid_input"


class InvalidRequest(InputError):
    """The request itself (its JSON, its parameters) does not match the API's schema."""

    code = "invalid_request"


class EmptyInput(InputError):
    code = "empty_input"


class UndecodableInput(InputError):
    code = "undecodable_input"


class UnsupportedFormat(InputError):
    code = "unsupported_format"


class InputTooLarge(InputError):
    code = "input_too_large"


class WorkerDied(NianbaoError):
    """An extraction worker process died mid-job (killed, out of memory); the pool is replaced."""

    code = "worker_died"


class RequestTimeout(NianbaoError):
    """The extraction did not finish within the request's time budget."""

    code = "timeout"


class BodyTimeout(NianbaoError):
    """The request body stopped arriving (a slow or stalled client)."""

    code = "body_timeout"


class Busy(NianbaoError):
    """More requests in flight than the service takes at once; retry shortly."""

    code = "busy"


class Unauthorized(NianbaoError):
    code = "unauthorized"


class ConfigError(NianbaoError):
    code = "bad_config"


class LLMError(NianbaoError):
    """The LLM could not be used; extraction degrades to tables and rules."""

    code = "llm_unavailable"


# --- message factory: one place where user-facing wording lives ---------------


def empty_input(name: str | None) -> EmptyInput:
    return EmptyInput(f"{_who(name)} is empty: there is no report text to read", source=name)


def undecodable(name: str | None, tried: list[str]) -> UndecodableInput:
    return UndecodableInput(
        f"{_who(name)} is not text in any encoding tried ({', '.join(tried)}); "
        "send UTF-8 or GB18030/GBK text, or a supported document format",
        source=name,
        tried=tried,
    )


def worker_died(name: str | None) -> WorkerDied:
    return WorkerDied(
        f"the worker process extracting {_who(name)} died before it finished; nothing was kept, send it again",
        source=name,
    )


def too_much_memory(name: str | None, limit_mb: int) -> InputTooLarge:
    return InputTooLarge(
        f"reading {_who(name)} needed more than the {limit_mb} MiB a worker may use (a decompression bomb?); "
        "nothing was kept",
        source=name,
        limit_mb=limit_mb,
    )


def timed_out(name: str | None, limit_s: float) -> RequestTimeout:
    return RequestTimeout(
        f"extracting {_who(name)} took longer than {limit_s:g} s and was stopped", source=name, limit_s=limit_s
    )


def binary_input(name: str | None, detected: str | None = None) -> UnsupportedFormat:
    what = f"a {detected} file" if detected else "binary data"
    return UnsupportedFormat(
        f"{_who(name)} looks like {what}, not a report this service can read", source=name, detected=detected
    )


def too_large(name: str | None, size: int, limit: int) -> InputTooLarge:
    return InputTooLarge(
        f"{_who(name)} is {size} bytes, over the limit of {limit} bytes", source=name, size=size, limit=limit
    )


def body_too_large(size: int, limit: int) -> InputTooLarge:
    return InputTooLarge(f"the request body is over the limit of {limit} bytes", size=size, limit=limit)


def body_timeout(seconds: float, received: int) -> BodyTimeout:
    return BodyTimeout(f"the request body stopped arriving for {seconds:g} s", received=received, limit_s=seconds)


def busy(max_uploads: int) -> Busy:
    return Busy(f"more than {max_uploads} uploads are in flight; retry shortly", max_uploads=max_uploads)


def invalid_request(message: str, problems: list[dict[str, Any]]) -> InvalidRequest:
    """A request that does not match the schema: `problems` lists each place (loc) and what is wrong (msg)."""
    return InvalidRequest(message, problems=problems)


def _who(name: str | None) -> str:
    return f"input {name!r}" if name else "the input"
