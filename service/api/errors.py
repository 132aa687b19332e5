"""Errors to HTTP, in one place: every error response is {"error": {"code", "message", ...}}."""

from __future__ import annotations

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
    errors.InputError: 422,
    errors.ConfigError: 500,
    errors.WorkerDied: 503,
    errors.LLMError: 502,
}


class RequestTimeout(errors.NianbaoError):
    code = "timeout"


class Unauthorized(errors.NianbaoError):
    code = "unauthorized"


STATUS[RequestTimeout] = 504
STATUS[Unauthorized] = 401


def status_for(exc: errors.NianbaoError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def error_body(code: str, message: str, **context: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, **({"context": context} if context else {})}}


def nianbao_response(exc: errors.NianbaoError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    return JSONResponse({"error": exc.to_dict()}, status_code=status_for(exc), headers=headers)


def invalid_response(exc: RequestValidationError) -> JSONResponse:
    problems = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
    return JSONResponse(
        error_body("invalid_request", "the request does not match the API schema", problems=problems),
        status_code=422,
    )


def install(app: FastAPI) -> None:
    """The handlers FastAPI calls; the /v1/extract fast path (service.api.fast) calls the same builders."""

    @app.exception_handler(errors.NianbaoError)
    async def nianbao_error(_: Request, exc: errors.NianbaoError) -> JSONResponse:
        return nianbao_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return invalid_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(error_body(f"http_{exc.status_code}", str(exc.detail)), status_code=exc.status_code)
