"""``/media/<model>/<path>``: example patches and feature visualisations of each loaded model.

A model's media folder is, in order: an explicit mapping given to ``create_app``;
``<media_root>/<model id>`` when that folder exists; ``media_root`` itself; the
``media`` folder of the model's artifact (``ModelInfo.artifact_path``, when the
store records it). Files are immutable per model run, so they are served
(``server.static``, Starlette's ``StaticFiles``) with a year-long
``Cache-Control: immutable`` and an ``ETag`` (``304`` on a match).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from summit.server.endpoint import Endpoint
from summit.server.static import IMMUTABLE, FolderFiles

from summit.artifact import MEDIA_DIR
from summit.errors import SummitError
from summit.store.base import GraphStore

log = logging.getLogger("summit.server")

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
    files: dict[Path, FolderFiles] = {}  # one StaticFiles per media folder

    async def media(request: Request) -> Response:
        model = request.path_params["model"]
        if "/" in model or "\\" in model or "\x00" in model or model in ("", ".", ".."):
            return PlainTextResponse("not found", status_code=404)
        folder = await roots.folder(model)
        if folder is None:
            return PlainTextResponse("not found", status_code=404)
        if folder not in files:
            files[folder] = FolderFiles(folder, lambda _: IMMUTABLE)
        return await files[folder].get_response(request.path_params["path"], request.scope)

    return media
