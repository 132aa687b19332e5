"""POST /v1/extract and /v1/extract/batch: thin handlers over the pipeline."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from schemas.api import BatchLine, ErrorDetail, ErrorResponse, ExtractRequest, FlatMap
from schemas.extraction import ReportExtraction
from service import errors
from service.api import metrics
from service.api.deps import ApiKeyDep, SettingsDep
from service.api.errors import RequestTimeout, error_body, status_for
from service.pipeline import NarrativeLLM, extract_bytes, extract_html, extract_text
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


class _Limiter:
    """Bounded CPU concurrency per worker (created lazily inside the event loop)."""

    limiter: anyio.CapacityLimiter | None = None

    @classmethod
    def get(cls, settings: Settings) -> anyio.CapacityLimiter:
        if cls.limiter is None:
            cls.limiter = anyio.CapacityLimiter(settings.cpu_concurrency)
        return cls.limiter


def _run(req: ExtractRequest, llm: NarrativeLLM | None) -> ReportExtraction:
    llm = llm if req.options.use_llm else None
    if req.html is not None:
        return extract_html(req.html, name=req.filename, llm=llm)
    assert req.text is not None
    if not req.text.strip():
        raise errors.empty_input(req.filename)
    return extract_text(req.text, name=req.filename, llm=llm)


async def _off_loop(settings: Settings, fn: Any, *args: Any) -> ReportExtraction:
    """CPU-bound parsing in a worker thread, bounded in number and in time."""
    try:
        with anyio.fail_after(settings.request_timeout_s):
            result: ReportExtraction = await anyio.to_thread.run_sync(
                fn, *args, limiter=_Limiter.get(settings), abandon_on_cancel=True
            )
    except TimeoutError as exc:
        metrics.EXTRACTIONS.labels("?", "timeout").inc()
        raise RequestTimeout(f"extraction took longer than {settings.request_timeout_s:g} s") from exc
    metrics.EXTRACTIONS.labels(result.source.format, "ok").inc()
    for finding in result.findings:
        metrics.FINDINGS.labels(finding.rule).inc()
    if result.llm.calls:
        metrics.LLM_CALLS.labels("ok").inc(result.llm.calls)
        metrics.LLM_TOKENS.labels("input").inc(result.llm.input_tokens)
        metrics.LLM_TOKENS.labels("output").inc(result.llm.output_tokens)
    if result.llm.cache_hits:
        metrics.LLM_CACHE_HITS.inc(result.llm.cache_hits)
    if any(f.rule == "llm.unavailable" for f in result.findings):
        metrics.LLM_CALLS.labels("unavailable").inc()
    return result


def _render(result: ReportExtraction, flat: bool) -> bytes:
    if flat:
        return json.dumps(result.flat(), ensure_ascii=False).encode()
    return result.model_dump_json().encode()


async def _parse(request: Request, settings: Settings) -> tuple[ExtractRequest | None, bytes | None, str | None]:
    """(json request, raw document bytes, filename) from whichever media type was sent."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        body = await request.body()
        try:
            return ExtractRequest.model_validate_json(body), None, None
        except ValidationError as exc:
            raise errors.InputError(
                "the JSON body is not a valid extract request: " + "; ".join(e["msg"] for e in exc.errors()[:5])
            ) from exc
    if media == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10, max_part_size=settings.max_input_bytes)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise errors.InputError("multipart upload needs a `file` part")
        data = await upload.read()
        name = form.get("filename")
        return None, data, (name if isinstance(name, str) else None) or upload.filename
    if media in ("text/plain", "text/html", "application/octet-stream", ""):
        return None, await request.body(), request.headers.get("x-filename")
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
    settings: SettingsDep,
    _: ApiKeyDep,
    flat: bool = Query(default=False, description="return the FIELDS.md flat map"),
) -> Response:
    req, data, name = await _parse(request, settings)
    llm = request.app.state.llm
    if req is not None:
        result = await _off_loop(settings, _run, req, llm)
        flat = flat or req.options.flat
    else:
        assert data is not None
        media = request.headers.get("content-type", "").split(";")[0].strip().lower() or None
        result = await _off_loop(settings, extract_bytes, data, name, media, llm)
    return Response(_render(result, flat), media_type="application/json")


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
    settings: SettingsDep,
    _: ApiKeyDep,
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
        for index, item in enumerate(raw):
            yield (
                await _batch_line(settings, request.app.state.llm, index, item, flat)
            ).model_dump_json().encode() + b"\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")


async def _batch_line(settings: Settings, llm: NarrativeLLM | None, index: int, item: Any, flat: bool) -> BatchLine:
    name = None
    try:
        req = ExtractRequest.model_validate_json(item) if isinstance(item, str) else ExtractRequest.model_validate(item)
        name = req.filename
        result = await _off_loop(settings, _run, req, llm)
        payload = result.flat() if (flat or req.options.flat) else result
        return BatchLine(index=index, filename=name, ok=True, result=payload)
    except ValidationError as exc:
        detail = error_body("invalid_request", "; ".join(e["msg"] for e in exc.errors()[:5]))["error"]
    except errors.NianbaoError as exc:
        detail = {**exc.to_dict(), "context": {"status": status_for(exc)}}
    except Exception as exc:  # one bad report must never fail the batch
        detail = {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}"}
    return BatchLine(index=index, filename=name, ok=False, error=ErrorDetail.model_validate(detail))
