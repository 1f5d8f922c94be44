"""Serve the console's static files: `/` goes to the console, `/console/<file>` answers the file."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

STATIC = Path(__file__).parent / "static"
_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=RedirectResponse)
def root() -> RedirectResponse:
    """The site's root opens the console."""
    return RedirectResponse("/console/", status_code=307)


@router.get("/console/{path:path}", response_class=FileResponse)
def console_file(path: str = "") -> FileResponse:
    """One static file of the console (index.html for the bare path); 404 outside the folder."""
    target = (STATIC / (path or "index.html")).resolve()
    if not target.is_relative_to(STATIC.resolve()) or not target.is_file() or target.suffix not in _TYPES:
        raise HTTPException(404, "页面不存在")
    return FileResponse(target, media_type=_TYPES[target.suffix], headers={"Cache-Control": "no-cache"})
