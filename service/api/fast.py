"""POST /v1/extract without FastAPI's per-request routing and dependency solving.

A scraper calls this one route for every page it saves, and FastAPI's machinery around it (route matching,
dependency resolution, parameter validation) cost ~0.35 ms of the HTTP process's CPU per request under load:
a third of that process's share, on cores the extractions need. This middleware answers the route with the
same functions the FastAPI route calls (the API key check, the body parsing, the runner, the error
builders), so the two cannot drift apart; tests/test_api_fast.py compares them on the same requests. Every
other route, and every other method on this path, goes on to FastAPI.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from service import errors
from service.api.deps import authorized
from service.api.errors import invalid_response, nianbao_response
from service.api.middleware import ASGIApp, Receive, Scope, Send
from service.api.routes.extract import respond

PATH = "/v1/extract"


@dataclass(frozen=True, slots=True)
class _Route:
    path: str


_ROUTE = _Route(PATH)
_FLAG: TypeAdapter[bool] = TypeAdapter(bool)


def _flat(request: Request) -> bool:
    """The `flat` query parameter, validated as FastAPI validates a `bool` query parameter."""
    raw = request.query_params.get("flat")
    if raw is None:
        return False
    try:
        return _FLAG.validate_python(raw)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("query", "flat")} for e in exc.errors()]) from exc


class ExtractFastPath:
    """Answers POST /v1/extract itself; everything else goes on to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        scope["route"] = _ROUTE  # what the access log and the metrics label the request by, as FastAPI's route would
        try:
            try:
                response = await respond(request, await authorized(request), _flat(request))
            except errors.NianbaoError as exc:
                response = nianbao_response(exc)
            except RequestValidationError as exc:
                response = invalid_response(exc)
            await response(scope, receive, send)
        finally:
            await request.close()  # a multipart upload's spooled files, as Starlette's own routes close them
