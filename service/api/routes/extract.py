"""POST /v1/extract and /v1/extract/batch: thin handlers; the request becomes jobs (service.api.inputs)."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from schemas.api import BatchEnd, BatchLine, ErrorDetail, ErrorResponse, FlatMap
from schemas.extraction import ReportExtraction
from service import errors
from service.api import inputs, metrics
from service.api.deps import AuthorizedDep
from service.api.errors import status_for
from service.logs import request_id
from service.settings import Settings
from service.workers.jobs import Job, Rendered
from service.workers.pool import Runner

router = APIRouter(prefix="/v1", tags=["extract"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": why}
    for code, why in {
        401: "API key missing or wrong",
        413: "body over the size limit",
        415: "unsupported media type or document format",
        422: "empty, undecodable or invalid input",
        503: "the extraction worker died; send the report again",
        504: "extraction took too long",
    }.items()
}
_FLAT = Query(default=False, description="return the FIELDS.md flat map instead of the full extraction")


# what the answer needs after the LLM's last call: grounding, rendering, the way back
ANSWER_MARGIN_S = 1.0


async def run(request: Request, settings: Settings, job: Job) -> Rendered:
    """Run one job on the app's runner, bounded in time, and count it. The job carries its deadline, so an
    LLM that hangs costs the request only what is left of its budget, and the tables still answer."""
    runner: Runner = request.app.state.runner
    deadline = time.time() + settings.request_timeout_s - ANSWER_MARGIN_S
    job = dataclasses.replace(job, deadline=deadline, request_id=request_id.get())
    try:
        async with asyncio.timeout(settings.request_timeout_s):
            out = await runner.run(job)
    except TimeoutError as exc:
        metrics.child(metrics.EXTRACTIONS, "?", "timeout").inc()
        raise errors.RequestTimeout(
            f"extraction took longer than {settings.request_timeout_s:g} s", limit_s=settings.request_timeout_s
        ) from exc
    metrics.count_extraction(out)
    return out


@router.post(
    "/extract",
    response_model=ReportExtraction | FlatMap,
    responses=_ERRORS,
    openapi_extra=inputs.EXTRACT_BODY,
    summary="Extract one report",
)
async def extract(request: Request, settings: AuthorizedDep, flat: bool = _FLAT) -> Response:
    """One report: a JSON request, a multipart `file` upload, or the document itself as the body (text,
    HTML, PDF or DOCX, by its own media type or application/octet-stream; the format is detected by
    content). The answer is the full extraction, or the flat map with `flat=true`."""
    out = await run(request, settings, await inputs.single(request, settings, flat))
    return Response(out.body, media_type="application/json")


@router.post(
    "/extract/batch",
    responses={
        **_ERRORS,
        200: {
            "content": {"application/x-ndjson": {}},
            "description": "one BatchLine per input, in order, then one BatchEnd: complete, or interrupted",
        },
    },
    openapi_extra=inputs.BATCH_BODY,
    summary="Extract many reports; results stream back as NDJSON in input order",
    response_class=StreamingResponse,
)
async def extract_batch(request: Request, settings: AuthorizedDep, flat: bool = _FLAT) -> StreamingResponse:
    """Many reports as a JSON list or NDJSON of extract requests; one BatchLine per item comes back, in input
    order, an item that fails as its own error line, and a last line (BatchEnd) says whether every item was
    answered: a stream without it was cut off."""
    items = await inputs.batch_items(request, settings)

    async def lines() -> AsyncIterator[bytes]:
        # a few jobs in flight so every worker stays busy, yielded strictly in input order; the last line
        # says whether every item was answered (a service that is stopping answers what it started, then ends)
        window = 2 * max(1, settings.workers)
        pending: deque[asyncio.Task[bytes]] = deque()
        answered = 0
        try:
            for index, item in enumerate(items):
                if stopping(request):
                    break
                pending.append(asyncio.create_task(_batch_line(request, settings, index, item, flat)))
                if len(pending) >= window:
                    answered += 1
                    yield await pending.popleft()
            while pending:
                answered += 1
                yield await pending.popleft()
            end = BatchEnd(complete=answered == len(items), answered=answered, total=len(items))
            yield end.model_dump_json().encode() + b"\n"
        finally:  # the client went away: drop what is still queued
            for task in pending:
                task.cancel()

    return StreamingResponse(lines(), media_type="application/x-ndjson")


def stopping(request: Request) -> bool:
    """Whether the service was told to stop (SIGTERM, Ctrl-C): batches then take no new item."""
    return bool(getattr(request.app.state, "stopping", False))


async def _batch_line(request: Request, settings: Settings, index: int, item: Any, flat: bool) -> bytes:
    """One NDJSON line (a BatchLine); the result's JSON is spliced in as the worker rendered it."""
    name = item.get("filename") if isinstance(item, dict) else None
    try:
        job = inputs.job_from_json(item, flat)
        name = job.source.name
        out = await run(request, settings, job)
        head = BatchLine(index=index, filename=name, ok=True).model_dump_json(exclude={"result", "error"})
        return head[:-1].encode() + b',"result":' + out.body + b',"error":null}\n'
    except errors.NianbaoError as exc:
        detail = {**exc.to_dict(), "context": {**exc.context, "status": status_for(exc)}}
    except Exception as exc:  # one bad report must never fail the batch
        detail = {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}", "context": {"status": 500}}
    line = BatchLine(index=index, filename=name if isinstance(name, str) else None, ok=False)
    line.error = ErrorDetail.model_validate(detail)
    return line.model_dump_json().encode() + b"\n"
