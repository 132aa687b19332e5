"""Liveness, readiness and metrics."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from schemas.api import Health, Ready
from service.api import metrics

router = APIRouter(tags=["ops"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Ready, responses={503: {"model": Ready}})
async def readyz(request: Request) -> Response:
    """Parsers loaded (a self-test extraction passed at start-up), extraction workers alive; the LLM reachable
    when one is configured.

    An unreachable LLM does not make the service unready: extraction degrades to tables and rules. A worker
    that died is being replaced, so fewer than configured is still ready; none is not.
    """
    ready: Ready = request.app.state.ready
    settings = request.app.state.settings
    runner = getattr(request.app.state, "runner", None)
    if runner is not None:
        live = runner.live()
        ready = ready.model_copy(update={"workers": live, **({"status": "not ready"} if live == 0 else {})})
    if request.app.state.llm is not None and settings.llm_base_url:
        ready = ready.model_copy(update={"llm": await _llm_reachable(settings.llm_base_url)})
    status = 200 if ready.status == "ready" else 503
    return JSONResponse(ready.model_dump(), status_code=status)


async def _llm_reachable(base_url: str) -> str:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            r = await client.get(base_url.rstrip("/") + "/models")
        return "reachable" if r.status_code < 500 else f"unhealthy (HTTP {r.status_code})"
    except httpx.HTTPError as exc:
        return f"unreachable ({type(exc).__name__})"


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
async def prometheus_metrics() -> Response:
    """Prometheus text exposition."""
    return Response(metrics.render(), media_type=metrics.CONTENT_TYPE)
