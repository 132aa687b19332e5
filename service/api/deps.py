"""Typed dependency aliases for the routers."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from service.errors import Unauthorized
from service.settings import Settings


async def authorized(request: Request) -> Settings:
    """The settings, once the request has shown the API key where one is configured.

    When a key is configured, /v1 routes need it as `Authorization: Bearer KEY` or `X-API-Key: KEY`. One
    dependency rather than a key check depending on a settings one, and `async def` on purpose: FastAPI
    runs a sync dependency in the thread pool, a hop per request that cost more than the extraction's own
    overhead."""
    settings: Settings = request.app.state.settings
    if settings.api_key is None:
        return settings
    expected = settings.api_key.get_secret_value()
    auth = request.headers.get("authorization", "")
    given = auth[7:] if auth.lower().startswith("bearer ") else request.headers.get("x-api-key", "")
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthorized("a valid API key is required (Authorization: Bearer KEY, or X-API-Key: KEY)")
    return settings


AuthorizedDep = Annotated[Settings, Depends(authorized)]
