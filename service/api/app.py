"""The FastAPI application factory."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from schemas.api import Ready
from service.api import errors as api_errors
from service.api.fast import ExtractFastPath
from service.api.logs import log, setup_logging
from service.api.middleware import BodyLimit, RequestContext
from service.api.routes import extract, health
from service.api.runner import make_runner
from service.llm.factory import build as build_llm
from service.pipeline import compiled
from service.settings import Settings, get_settings


def _telemetry(settings: Settings) -> dict[str, Any]:
    """FastAPI (0.165+) looks up the global OpenTelemetry providers on every request, configured or not:
    ~0.1 ms of the HTTP process's CPU per request. Off unless NIANBAO_OTEL asks for it."""
    if settings.otel or "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}


def create_app(settings: Settings | None = None, fast_path: bool = True) -> FastAPI:
    """The app; `fast_path=False` leaves POST /v1/extract to FastAPI's route (what tests compare the fast path with)."""
    settings = settings or get_settings()
    setup_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.llm = build_llm(settings)
        runner = make_runner(settings, app.state.llm)
        parsers = await runner.start()
        app.state.runner = runner
        app.state.ready = Ready(
            status="ready" if parsers == "ok" else "not ready",
            parsers=parsers,
            llm="not configured" if app.state.llm is None else "configured",
            compiled=compiled(),
        )
        log.info("started", extra={"fields": {"ready": app.state.ready.model_dump()}})
        try:
            yield
        finally:
            await runner.close()
            log.info("stopped")

    app = FastAPI(
        **_telemetry(settings),
        title="nianbao",
        version="0.1.0",
        summary="政府信息公开工作年度报告 -> structured data, with provenance and the template's arithmetic checks",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.llm = None
    app.state.ready = Ready(status="starting", parsers="not loaded", llm="not configured")
    api_errors.install(app)
    app.include_router(health.router)
    app.include_router(extract.router)
    if fast_path:
        app.add_middleware(ExtractFastPath)
    app.add_middleware(BodyLimit, limit=settings.max_input_bytes)
    app.add_middleware(RequestContext)
    return app
