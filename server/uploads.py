"""Uploaded images for image graphs: ``POST /uploads`` checks a JPEG/PNG and keeps it in memory.

Why not GraphQL multipart: ``/graphql`` sits behind a 1 MiB body limit and a
response cache keyed by the JSON body; Starlette's multipart parser spools
files over 1 MiB to temporary files on disk (the brief says nothing on disk);
and a multipart form is a request browsers send cross-site without asking
(CORS preflight), which is why strawberry leaves multipart off by default. Here
the body is the file itself with ``Content-Type: image/jpeg`` or ``image/png``
(a type that always needs a preflight), read with a size cap, decoded once to
check it, and kept in a bounded in-memory LRU under its sha256. The answer
names it ``upload:<sha256>``, which ``Model.imageGraph(image: ...)`` accepts.

Refusals are the server's usual JSON (``server.errors.http_refusal``: ``{"errors":
[{"message", "extensions": {"code"}}]}``): 403 uploads off, 415 not a JPEG/PNG
content type, 413 too large, 400 empty, not the declared format, or not decodable.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio.to_thread
from cachetools import LRUCache
from PIL import Image
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from summit.server.errors import http_refusal

from summit.errors import BadInput, Unavailable
from summit.image_graph import UPLOAD_PREFIX, upload_name

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
MAGIC = {"JPEG": (b"\xff\xd8\xff",), "PNG": (b"\x89PNG\r\n\x1a\n",)}
MAX_PIXELS = 40_000_000  # larger pictures are refused before decoding (a decompression bomb guard)
HELD_BYTES = 128 * 1024 * 1024  # total size of the uploads held in memory (least recently used dropped first)


@dataclass(frozen=True)
class UploadInfo:
    image: str  # upload:<sha256>
    bytes: int
    format: str  # "jpeg" | "png"
    width: int
    height: int


class UploadStore:
    """Uploaded files by sha256, in memory only, at most ``max_bytes`` in all (LRU)."""

    def __init__(self, max_bytes: int = HELD_BYTES):
        self._files: LRUCache[str, bytes] = LRUCache(maxsize=max_bytes, getsizeof=len)
        self._lock = threading.Lock()

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            self._files[digest] = data
        return upload_name(digest)

    def get(self, name: str) -> bytes | None:
        """The bytes of ``upload:<sha256>``, or None when never uploaded or dropped since."""
        with self._lock:
            return self._files.get(name.removeprefix(UPLOAD_PREFIX))

    def __len__(self) -> int:
        return len(self._files)


def check_image(data: bytes, declared: str) -> tuple[int, int]:
    """(width, height) of a JPEG/PNG of the ``declared`` format (``JPEG``/``PNG``); ``BadInput`` otherwise."""
    if not data:
        raise BadInput("the upload is empty: send the image file as the request body")
    if not data.startswith(MAGIC[declared]):
        raise BadInput(f"the upload is not a {declared} file (its first bytes say otherwise)")
    try:
        with Image.open(io.BytesIO(data), formats=[declared]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise BadInput(f"the image has {width} x {height} pixels; at most {MAX_PIXELS:,} are accepted")
            image.load()
    except BadInput:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise BadInput(f"the {declared} file cannot be decoded ({exc})") from None
    return width, height


async def _read_capped(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it grows past ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


def upload_endpoint(uploads: UploadStore | None, max_bytes: int) -> Callable[[Request], Awaitable[Response]]:
    """``POST /uploads``: the body is one JPEG or PNG file (see the module docstring)."""

    async def endpoint(request: Request) -> Response:
        if uploads is None:
            return http_refusal(403, "uploads are off: start the server with --allow-upload", Unavailable.code)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        declared = FORMATS.get(content_type)
        if declared is None:
            return http_refusal(415, f"content type {content_type or 'none'!r}: send the file as image/jpeg or "
                                     "image/png", BadInput.code)
        too_large = f"the image is larger than {max_bytes:,} bytes (setting upload_max_bytes)"
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_bytes:
            return http_refusal(413, too_large)
        data = await _read_capped(request, max_bytes)
        if data is None:
            return http_refusal(413, too_large)
        try:
            width, height = await anyio.to_thread.run_sync(check_image, data, declared)
        except BadInput as exc:
            return http_refusal(400, str(exc))
        info = UploadInfo(uploads.put(data), len(data), declared.lower(), width, height)
        return JSONResponse(info.__dict__, status_code=201)

    return endpoint
