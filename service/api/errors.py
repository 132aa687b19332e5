"""Errors to HTTP, in one place: every error response is {"error": {"code", "message", "context"}}."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service import errors

STATUS: dict[type[errors.NianbaoError], int] = {
    errors.EmptyInput: 422,
    errors.UndecodableInput: 422,
    errors.UnsupportedFormat: 415,
    errors.InputTooLarge: 413,
    errors.InvalidRequest: 422,
    errors.InputError: 422,
    errors.ConfigError: 500,
    errors.WorkerDied: 503,
    errors.LLMError: 502,
    errors.RequestTimeout: 504,
    errors.BodyTimeout: 408,
    errors.Busy: 503,
    errors.Unauthorized: 401,
}


def status_for(exc: errors.NianbaoError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def problems(raw: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic's or FastAPI's validation errors as the API reports them: where (loc) and what (msg)."""
    return [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in raw[:20]]


def nianbao_response(exc: errors.NianbaoError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, errors.Unauthorized) else None
    return JSONResponse({"error": exc.to_dict()}, status_code=status_for(exc), headers=headers)


def install(app: FastAPI) -> None:
    """The handlers FastAPI calls for every route."""

    @app.exception_handler(errors.NianbaoError)
    async def nianbao_error(_: Request, exc: errors.NianbaoError) -> JSONResponse:
        return nianbao_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return nianbao_response(
            errors.invalid_request("the request does not match the API schema", problems(exc.errors()))
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        body = {"error": {"code": f"http_{exc.status_code}", "message": str(exc.detail), "context": {}}}
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))
