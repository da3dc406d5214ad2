"""``/media/<model>/<path>``: example patches and feature visualisations of each loaded model.

A model's media folder is, in order: an explicit mapping given to ``create_app``;
``<media_root>/<model id>`` when that folder exists; ``media_root`` itself; the
``media`` folder of the model's artifact (``ModelInfo.artifact_path``, when the
store records it). Files are immutable per model run, so they are served with
a year-long ``Cache-Control: immutable`` and an ``ETag`` (``304`` on a match).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from summit.server.endpoint import Endpoint
from summit.server.paths import safe_join

from summit.artifact import MEDIA_DIR
from summit.errors import SummitError
from summit.store.base import GraphStore

log = logging.getLogger("summit.server")

IMMUTABLE = "public, max-age=31536000, immutable"


def file_response(path: Path, request: Request, cache_control: str) -> Response:
    """``path`` with ``cache_control`` and an ETag; ``304`` when the client already has it."""
    stat = path.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    headers = {"Cache-Control": cache_control, "ETag": etag}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return FileResponse(path, headers=headers, stat_result=stat)


class MediaRoots:
    """Finds (and remembers) the media folder of each model."""

    def __init__(self, store: GraphStore, media_root: str = "", explicit: Mapping[str, Path] | None = None):
        self._store = store
        self._media_root = Path(media_root) if media_root else None
        self._known: dict[str, Path] = {k: Path(v) for k, v in (explicit or {}).items()}

    async def folder(self, model: str) -> Path | None:
        if model in self._known:
            return self._known[model]
        if self._media_root is not None:
            candidate = self._media_root / model
            folder = candidate if candidate.is_dir() else self._media_root
        else:
            try:
                info = await anyio.to_thread.run_sync(self._store.model, model)
            except SummitError:
                return None
            if not info.artifact_path:
                return None
            folder = Path(info.artifact_path) / MEDIA_DIR
        self._known[model] = folder
        return folder


def media_endpoint(roots: MediaRoots) -> Endpoint:
    async def media(request: Request) -> Response:
        model = request.path_params["model"]
        relative = request.path_params["path"]
        if "/" in model or "\\" in model or "\x00" in model or model in ("", ".", ".."):
            return PlainTextResponse("not found", status_code=404)
        folder = await roots.folder(model)
        target = safe_join(folder, relative) if folder is not None else None
        if target is None:
            return PlainTextResponse("not found", status_code=404)
        return file_response(target, request, IMMUTABLE)

    return media
