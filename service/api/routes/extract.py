"""POST /v1/extract and /v1/extract/batch: thin handlers over the pipeline."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from schemas.api import BatchLine, ErrorDetail, ErrorResponse, ExtractRequest, FlatMap
from schemas.extraction import ReportExtraction
from service import errors
from service.api import metrics
from service.api.deps import AuthorizedDep
from service.api.errors import RequestTimeout, error_body, status_for
from service.api.runner import Job, Rendered, Runner
from service.settings import Settings

router = APIRouter(prefix="/v1", tags=["extract"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": why}
    for code, why in {
        401: "API key missing or wrong",
        413: "body over the size limit",
        415: "unsupported media type or document format",
        422: "empty, undecodable or invalid input",
        504: "extraction took too long",
    }.items()
}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ExtractRequest"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "filename": {"type": "string"},
                        "source_url": {"type": "string"},
                    },
                    "required": ["file"],
                }
            },
            "text/plain": {"schema": {"type": "string"}},
            "text/html": {"schema": {"type": "string"}},
        },
    }
}
_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/ExtractRequest"}}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


async def _extract(request: Request, settings: Settings, job: Job) -> Rendered:
    """Run one job on the app's runner, bounded in time, and count it."""
    runner: Runner = request.app.state.runner
    try:
        async with asyncio.timeout(settings.request_timeout_s):
            out = await runner.run(job)
    except TimeoutError as exc:
        metrics.child(metrics.EXTRACTIONS, "?", "timeout").inc()
        raise RequestTimeout(f"extraction took longer than {settings.request_timeout_s:g} s") from exc
    metrics.count_extraction(out)
    return out


def _job(req: ExtractRequest, flat: bool) -> Job:
    if req.html is not None:
        return Job("html", req.html, req.filename, use_llm=req.options.use_llm, flat=flat or req.options.flat)
    assert req.text is not None
    return Job("text", req.text, req.filename, use_llm=req.options.use_llm, flat=flat or req.options.flat)


async def _parse(request: Request, settings: Settings, flat: bool) -> Job:
    """The job, from whichever media type was sent."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        body = await request.body()
        try:
            return _job(ExtractRequest.model_validate_json(body), flat)
        except ValidationError as exc:
            raise errors.InputError(
                "the JSON body is not a valid extract request: " + "; ".join(e["msg"] for e in exc.errors()[:5])
            ) from exc
    if media == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=10, max_part_size=settings.max_input_bytes)
        except StarletteHTTPException as exc:  # Starlette says 400 for any multipart trouble
            if "maximum size" in str(exc.detail):
                raise errors.InputTooLarge(f"a multipart part is over the limit: {exc.detail}") from exc
            raise errors.InputError(f"the multipart body cannot be read: {exc.detail}") from exc
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise errors.InputError("multipart upload needs a `file` part")
        data = await upload.read()
        name = form.get("filename")
        name = (name if isinstance(name, str) else None) or upload.filename
        return Job("bytes", data, name, media, flat=flat)
    if media in ("text/plain", "text/html", "application/octet-stream", ""):
        return Job("bytes", await request.body(), request.headers.get("x-filename"), media or None, flat=flat)
    raise errors.UnsupportedFormat(
        f"media type {media!r} is not accepted; send application/json, multipart/form-data, text/plain or text/html",
        media_type=media,
    )


@router.post(
    "/extract",
    response_model=ReportExtraction | FlatMap,
    responses=_ERRORS,
    openapi_extra=_BODY,
    summary="Extract one report",
)
async def extract(
    request: Request,
    settings: AuthorizedDep,
    flat: bool = Query(default=False, description="return the FIELDS.md flat map"),
) -> Response:
    """Served by service.api.fast in the app (same code below it); this route declares the API and is the
    reference the fast path is tested against."""
    return await respond(request, settings, flat)


async def respond(request: Request, settings: Settings, flat: bool) -> Response:
    """One report in the request's body, its extraction out."""
    out = await _extract(request, settings, await _parse(request, settings, flat))
    return Response(out.body, media_type="application/json")


@router.post(
    "/extract/batch",
    responses={
        **_ERRORS,
        200: {"content": {"application/x-ndjson": {}}, "description": "one BatchLine per input, in order"},
    },
    openapi_extra=_BATCH_BODY,
    summary="Extract many reports; results stream back as NDJSON in input order",
    response_class=StreamingResponse,
)
async def extract_batch(
    request: Request,
    settings: AuthorizedDep,
    flat: bool = Query(default=False, description="return FIELDS.md flat maps"),
) -> StreamingResponse:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if media == "application/json":
        try:
            items = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise errors.InputError(f"the body is not JSON: {exc}") from exc
        if not isinstance(items, list):
            raise errors.InputError("a JSON batch is a list of extract requests")
        raw: list[Any] = items
    elif media in ("application/x-ndjson", "application/jsonl", "application/json-lines", "text/plain", ""):
        raw = [line for line in body.decode("utf-8", errors="replace").splitlines() if line.strip()]
    else:
        raise errors.UnsupportedFormat(f"media type {media!r} is not accepted for a batch", media_type=media)
    if len(raw) > settings.batch_max_items:
        raise errors.InputError(f"the batch has {len(raw)} items, over the limit of {settings.batch_max_items}")

    async def lines() -> AsyncIterator[bytes]:
        # a few jobs in flight so every worker stays busy, yielded strictly in input order
        window = 2 * max(1, settings.workers)
        pending: deque[asyncio.Task[bytes]] = deque()
        try:
            for index, item in enumerate(raw):
                pending.append(asyncio.create_task(_batch_line(request, settings, index, item, flat)))
                if len(pending) >= window:
                    yield await pending.popleft()
            while pending:
                yield await pending.popleft()
        finally:  # the client went away: drop what is still queued
            for task in pending:
                task.cancel()

    return StreamingResponse(lines(), media_type="application/x-ndjson")


async def _batch_line(request: Request, settings: Settings, index: int, item: Any, flat: bool) -> bytes:
    """One NDJSON line (a BatchLine); the result's JSON is spliced in as rendered by the worker."""
    name = None
    try:
        req = ExtractRequest.model_validate_json(item) if isinstance(item, str) else ExtractRequest.model_validate(item)
        name = req.filename
        out = await _extract(request, settings, _job(req, flat))
        head = json.dumps({"index": index, "filename": name, "ok": True}, ensure_ascii=False, separators=(",", ":"))
        return head[:-1].encode() + b',"result":' + out.body + b',"error":null}\n'
    except ValidationError as exc:
        detail = error_body("invalid_request", "; ".join(e["msg"] for e in exc.errors()[:5]))["error"]
    except errors.NianbaoError as exc:
        detail = {**exc.to_dict(), "context": {"status": status_for(exc)}}
    except Exception as exc:  # one bad report must never fail the batch
        detail = {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}"}
    line = BatchLine(index=index, filename=name, ok=False, error=ErrorDetail.model_validate(detail))
    return line.model_dump_json().encode() + b"\n"
