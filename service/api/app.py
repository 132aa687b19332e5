"""The FastAPI application factory: settings, the runner's lifespan, routers, error handlers, offline docs."""

from __future__ import annotations

import contextlib
import inspect
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from schemas.api import ExtractRequest, Ready
from service.api import errors as api_errors
from service.api.middleware import BodyLimit, RequestContext
from service.api.routes import extract, health, review
from service.llm.factory import build as build_llm
from service.logs import log, setup_logging
from service.settings import Settings, get_settings
from service.workers.pool import make_runner

_DOCS_ASSETS = "/docs-assets"


def _telemetry(settings: Settings) -> dict[str, Any]:
    """FastAPI (0.165+) looks up the global OpenTelemetry providers on every request, configured or not.
    Off unless NIANBAO_OTEL asks for it: /metrics and the JSON logs cover the service."""
    if settings.otel or "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document plus the schemas that the hand-declared request bodies refer to (ExtractRequest)."""
    if app.openapi_schema is None:
        doc = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        body = ExtractRequest.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(body.pop("$defs", {}))
        schemas["ExtractRequest"] = body
        app.openapi_schema = doc
    return app.openapi_schema


def _offline_docs(app: FastAPI) -> None:
    """/docs from Swagger UI's own files (swagger-ui-bundle), served by the app: no CDN, works offline."""
    app.mount(_DOCS_ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="nianbao API",
            swagger_js_url=f"{_DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{_DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{_DOCS_ASSETS}/favicon-32x32.png",
        )


def _watch_for_stop(app: FastAPI) -> None:
    """Note SIGTERM and SIGINT on the app (then pass them on to the server's own handler), so that a batch stream
    stops taking items and ends with a line that says it was interrupted, inside the graceful shutdown."""
    app.state.stopping = False
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)
        if not callable(previous):
            continue

        def noted(signum: int, frame: Any, previous: Any = previous) -> None:
            app.state.stopping = True
            previous(signum, frame)

        with contextlib.suppress(ValueError):  # not the main thread (a test client): nothing to watch
            signal.signal(sig, noted)


def converters() -> dict[str, str]:
    """The optional readers' tools: a missing one means those formats get a clear 415, never a failure."""
    from service.formats.office import soffice

    return {"libreoffice": "available" if soffice() else "missing (apt-get install libreoffice-writer-nogui)"}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    setup_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.llm = build_llm(settings)
        runner = make_runner(settings)
        parsers = await runner.start()
        app.state.runner = runner
        _watch_for_stop(app)
        app.state.ready = Ready(
            status="ready" if parsers == "ok" else "not ready",
            parsers=parsers,
            llm="not configured" if app.state.llm is None else "configured",
            converters=converters(),
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
        docs_url=None,
        redoc_url=None,
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.state.settings = settings
    app.state.llm = None
    app.state.ready = Ready(status="starting", parsers="not loaded", llm="not configured")
    api_errors.install(app)
    app.include_router(health.router)
    app.include_router(extract.router)
    app.include_router(review.router)
    _offline_docs(app)
    app.add_middleware(
        BodyLimit,
        limit=settings.max_input_bytes,
        body_timeout_s=settings.body_timeout_s,
        max_uploads=settings.max_concurrent_uploads,
    )
    app.add_middleware(RequestContext)
    return app
