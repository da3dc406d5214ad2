"""Files from a folder: Starlette's ``StaticFiles`` with our path rules and a Cache-Control header.

``StaticFiles`` does the HTTP side (content type, ``ETag``/``Last-Modified``,
``304 Not Modified``, ``HEAD``, ``405`` for other methods, ``404``). This thin
subclass resolves paths with ``summit.server.paths.safe_join`` (the stricter rules
the server always had: no backslashes, drive letters, ``.``/``..`` segments or
symlinks out of the folder) and adds the ``Cache-Control`` that ``cache_control``
gives for the requested path, to ``200`` and ``304`` answers alike.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from summit.server.paths import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"


class FolderFiles(StaticFiles):
    """The files under ``folder``; ``await files.get_response(relative_path, scope)`` answers one request."""

    def __init__(self, folder: Path, cache_control: Callable[[str], str]):
        super().__init__(directory=folder, check_dir=False)
        self.folder = folder
        self.cache_control = cache_control

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        target = safe_join(self.folder, path)
        if target is None:
            return "", None
        return str(target), target.stat()

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = self.cache_control(path)
        return response
