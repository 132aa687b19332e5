"""Liveness, readiness and metrics."""

from __future__ import annotations

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
    """Parsers loaded (a self-test extraction passed at start-up); the LLM reachable when one is configured."""
    ready: Ready = request.app.state.ready
    status = 200 if ready.status == "ready" else 503
    return JSONResponse(ready.model_dump(), status_code=status)


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
async def prometheus_metrics() -> Response:
    """Prometheus text exposition."""
    return Response(metrics.render(), media_type=metrics.CONTENT_TYPE)
