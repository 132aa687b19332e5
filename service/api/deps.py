"""Typed dependency aliases for the routers."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from service.api.errors import Unauthorized
from service.settings import Settings


async def app_settings(request: Request) -> Settings:
    """The settings the app was created with (tests and embedders may pass their own).

    Dependencies are `async def` on purpose: FastAPI runs a sync dependency in the thread pool, a hop per
    request per dependency that cost more than the extraction's own overhead."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


async def require_api_key(request: Request, settings: SettingsDep) -> None:
    """When an API key is configured, /v1 routes need it as `Authorization: Bearer KEY` or `X-API-Key: KEY`."""
    if settings.api_key is None:
        return
    expected = settings.api_key.get_secret_value()
    auth = request.headers.get("authorization", "")
    given = auth[7:] if auth.lower().startswith("bearer ") else request.headers.get("x-api-key", "")
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthorized("a valid API key is required (Authorization: Bearer KEY, or X-API-Key: KEY)")


ApiKeyDep = Annotated[None, Depends(require_api_key)]
