"""The built web app (``web/dist``) at ``/``, with single-page-app fallback to ``index.html``."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from summit.server.endpoint import Endpoint
from summit.server.media import IMMUTABLE, file_response
from summit.server.paths import safe_join

DEFAULT_WEB_DIR = Path(__file__).resolve().parent.parent / "web" / "dist"

NOT_BUILT = """<!doctype html>
<html><head><meta charset="utf-8"><title>Summit: web app not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>The Summit web app is not built</h1>
<p>The API is running at <a href="/graphql">/graphql</a>, but there is no built web app in
<code>{web_dir}</code>.</p>
<p>Build it once with <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then reload this page.</p>
</body></html>
"""


def web_endpoint(web_dir: Path) -> Endpoint:
    async def web(request: Request) -> Response:
        index = web_dir / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT.format(web_dir=web_dir), status_code=200)
        relative = request.path_params.get("path", "")
        target = safe_join(web_dir, relative) if relative else None
        if target is not None:
            # Vite puts content-hashed files under assets/: cache them for good.
            cache = IMMUTABLE if relative.startswith("assets/") else "no-cache"
            return file_response(target, request, cache)
        if "." in relative.rsplit("/", 1)[-1]:
            return PlainTextResponse("not found", status_code=404)  # a missing file, not an app route
        return file_response(index, request, "no-cache")

    return web
