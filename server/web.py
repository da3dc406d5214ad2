"""The built web app (``web/dist``) at ``/`` (``server.static``), with single-page-app fallback to ``index.html``."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from summit.server.endpoint import Endpoint
from summit.server.static import IMMUTABLE, FolderFiles

DEFAULT_WEB_DIR = Path(__file__).resolve().parent.parent / "web" / "dist"

NOT_BUILT = """<!doctype html>
<html><head><meta charset="utf-8"><title>Summit: web app not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>The Summit web app is not built</h1>
<p>The API is running at <a href="/graphql">/graphql</a>, but the server has no built web app
(its web folder, <code>web/dist</code> unless <code>--web-dir</code> says otherwise, is empty).</p>
<p>Build it once with <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then reload this page.</p>
</body></html>
"""


def _cache_control(path: str) -> str:
    # Vite puts content-hashed files under assets/: cache them for good; the rest is revalidated.
    return IMMUTABLE if path.startswith("assets/") else "no-cache"


def web_endpoint(web_dir: Path) -> Endpoint:
    files = FolderFiles(web_dir, _cache_control)

    async def web(request: Request) -> Response:
        if not (web_dir / "index.html").is_file():
            return HTMLResponse(NOT_BUILT, status_code=200)  # names no server path
        relative = request.path_params.get("path", "")
        if relative:
            try:
                return await files.get_response(relative, request.scope)
            except HTTPException as missing:
                if missing.status_code != 404 or "." in relative.rsplit("/", 1)[-1]:
                    raise  # a missing file, not an app route
        return await files.get_response("index.html", request.scope)  # the app's own routes

    return web
