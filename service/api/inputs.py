"""What a request body becomes: jobs for the runner, from whichever media type was sent.

The media types accepted for a document body are the format registry's (service.formats.registry), so a
new input format is accepted here without a change. The OpenAPI request bodies are declared here too,
beside the code that reads them.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from schemas.api import ExtractRequest
from service import errors
from service.api.errors import problems
from service.formats.registry import MEDIA_TYPES
from service.pipeline import Source
from service.settings import Settings
from service.workers.jobs import Job

_RAW_MEDIA = (*MEDIA_TYPES, "application/octet-stream", "")
_NDJSON = ("application/x-ndjson", "application/jsonl", "application/json-lines")
_BINARY = {"type": "string", "format": "binary"}

EXTRACT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ExtractRequest"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": _BINARY, "filename": {"type": "string"}, "source_url": {"type": "string"}},
                    "required": ["file"],
                }
            },
            **{media: {"schema": _BINARY} for media in (*MEDIA_TYPES, "application/octet-stream")},
        },
    },
    "parameters": [
        {"name": "X-Filename", "in": "header", "required": False, "schema": {"type": "string"}},
        {"name": "X-Source-URL", "in": "header", "required": False, "schema": {"type": "string"}},
    ],
}
BATCH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/ExtractRequest"}}},
            **{media: {"schema": {"type": "string"}} for media in _NDJSON},
        },
    }
}


def _media(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def job_from_json(item: Any, flat: bool = False) -> Job:
    """A job from one ExtractRequest (a dict, or one NDJSON line)."""
    try:
        req = (
            ExtractRequest.model_validate_json(item)
            if isinstance(item, str | bytes)
            else ExtractRequest.model_validate(item)
        )
    except ValidationError as exc:
        raise errors.invalid_request("the body is not a valid extract request", problems(exc.errors())) from exc
    data, fmt = (req.html, "html") if req.html is not None else (req.text or "", "text")
    source = Source(data, req.filename, format=fmt, url=req.source_url)
    return Job(source, "flat" if flat or req.options.flat else "json", use_llm=req.options.use_llm)


async def single(request: Request, settings: Settings, flat: bool) -> Job:
    """The job of POST /v1/extract."""
    media = _media(request)
    render = "flat" if flat else "json"
    if media == "application/json" or media.endswith("+json"):
        return job_from_json(await request.body(), flat)
    if media == "multipart/form-data":
        return await _upload(request, settings, render)
    if media in _RAW_MEDIA:
        headers = request.headers
        source = Source(await request.body(), headers.get("x-filename"), media or None, url=headers.get("x-source-url"))
        return Job(source, render)
    raise errors.UnsupportedFormat(
        f"media type {media!r} is not accepted; send application/json, multipart/form-data, or the document with "
        f"its own media type ({', '.join(MEDIA_TYPES)}) or application/octet-stream",
        media_type=media,
    )


async def _upload(request: Request, settings: Settings, render: str) -> Job:
    try:
        form = await request.form(max_files=1, max_fields=10, max_part_size=settings.max_input_bytes)
    except StarletteHTTPException as exc:  # Starlette says 400 for any multipart trouble
        if "maximum size" in str(exc.detail):
            raise errors.InputTooLarge(f"a multipart part is over the limit: {exc.detail}") from exc
        raise errors.invalid_request(f"the multipart body cannot be read: {exc.detail}", []) from exc
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise errors.invalid_request(
            "a multipart upload needs a `file` part", [{"loc": ["body", "file"], "msg": "missing"}]
        )
    data = await upload.read()
    name, url = form.get("filename"), form.get("source_url")
    source = Source(
        data,
        (name if isinstance(name, str) else None) or upload.filename,
        upload.content_type,
        url=url if isinstance(url, str) else None,
    )
    return Job(source, render)


async def batch_items(request: Request, settings: Settings) -> list[Any]:
    """The items of a batch body: a JSON list, or NDJSON lines (each parsed when its turn comes)."""
    media = _media(request)
    body = await request.body()
    if media == "application/json":
        try:
            items = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError, ValueError) as exc:
            raise errors.invalid_request(f"the body is not JSON: {exc}", []) from exc
        if not isinstance(items, list):
            raise errors.invalid_request("a JSON batch is a list of extract requests", [])
        raw: list[Any] = items
    elif media in _NDJSON:
        raw = [line for line in body.decode("utf-8", errors="replace").splitlines() if line.strip()]
    else:
        raise errors.UnsupportedFormat(
            f"media type {media!r} is not accepted for a batch; send application/json (a list of extract "
            f"requests) or {', '.join(_NDJSON)} (one per line)",
            media_type=media,
        )
    if len(raw) > settings.batch_max_items:
        raise errors.invalid_request(
            f"the batch has {len(raw)} items, over the limit of {settings.batch_max_items}",
            [{"loc": ["body"], "msg": f"at most {settings.batch_max_items} items"}],
        )
    return raw
