"""The review page: every value on its source, and corrections downloaded as a gold file.

GET /review serves the page (its script and style from the package, no CDN); the page reads a report
through POST /review/extract (an upload or pasted text; the answer always carries the text its spans
index) or opens one of the reports under NIANBAO_REVIEW_DIR by name.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service import errors
from service.api import inputs
from service.api.deps import AuthorizedDep
from service.api.routes.extract import run
from service.formats.registry import SUFFIXES
from service.pipeline import Source
from service.workers.jobs import Job

router = APIRouter(tags=["review"], include_in_schema=False)
PAGE = Path(__file__).resolve().parent.parent / "review"
ASSETS = ("review.js", "review.css")


@router.get("/review")
async def page() -> FileResponse:
    return FileResponse(PAGE / "review.html", media_type="text/html; charset=utf-8")


@router.get("/review/assets/{name}")
async def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise StarletteHTTPException(404, f"no asset {name!r}")
    media = "text/javascript" if name.endswith(".js") else "text/css"
    return FileResponse(PAGE / name, media_type=f"{media}; charset=utf-8")


@router.post("/review/extract")
async def review_extract(request: Request, settings: AuthorizedDep) -> Response:
    """One report, as /v1/extract reads it, with the text its spans index always in `text`."""
    job = await inputs.single(request, settings, flat=False)
    out = await run(request, settings, Job(job.source, "json", include_text=True))
    return Response(out.body, media_type="application/json")


def _folder(request: Request) -> Path:
    folder = request.app.state.settings.review_dir
    if not folder:
        raise errors.InputError("no review folder is configured (NIANBAO_REVIEW_DIR)")
    return Path(folder).resolve()


@router.get("/review/files")
async def files(request: Request, settings: AuthorizedDep) -> JSONResponse:
    """The reports under the review folder, by path relative to it (empty when none is configured)."""
    if not settings.review_dir:
        return JSONResponse([])
    root = _folder(request)
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    return JSONResponse(names[:5000])


@router.post("/review/files/{name:path}")
async def open_file(name: str, request: Request, settings: AuthorizedDep) -> Response:
    root = _folder(request)
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise errors.InputError(f"{name!r} is not a report under the review folder")
    data = path.read_bytes()
    if len(data) > settings.max_input_bytes:
        raise errors.too_large(name, len(data), settings.max_input_bytes)
    out = await run(request, settings, Job(Source(data, path.name), "json", include_text=True))
    return Response(out.body, media_type="application/json")
