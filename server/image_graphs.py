"""Image graphs in the server: the injected ``ImageGraphs`` (never torch here), one image at a time.

``ImageGraphService`` wraps what the command line hands to ``create_app``: it runs
the blocking calls in a worker thread (one computation at a time, within the
request's deadline), holds the uploads (``server.uploads``) when they are
allowed, and prepares every model in the background at start so the first
image does not pay for loading the network.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from summit.server.uploads import UploadStore

from summit.errors import LimitExceeded, SummitError
from summit.image_graph import Availability, ImageGraph, ImageGraphs, ImageInput, Personalization
from summit.settings import Settings
from summit.store.base import ModelInfo

T = TypeVar("T")
log = logging.getLogger("summit.server")


def image_graphs_wanted(settings: Settings) -> bool:
    """Whether the server should compute image graphs (``image_graphs``, or ``allow_upload`` which implies it)."""
    return settings.image_graphs or settings.allow_upload


class ImageGraphService:
    """The server's side of image graphs: thread offloading, one at a time, uploads, preparation."""

    def __init__(self, provider: ImageGraphs, settings: Settings):
        self.provider = provider
        self.timeout = settings.request_timeout
        self.uploads = UploadStore() if settings.allow_upload else None
        self.max_upload_bytes = settings.upload_max_bytes
        self._compute = anyio.CapacityLimiter(1)
        self.prepared: dict[str, str] = {}  # model id -> "ready" | the reason it cannot run

    async def _run(self, limiter: anyio.CapacityLimiter | None, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        try:
            with anyio.fail_after(self.timeout):
                return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kw), limiter=limiter,
                                                      abandon_on_cancel=True)
        except TimeoutError:
            raise LimitExceeded(f"the image graph took longer than {self.timeout:g} s (setting request_timeout); "
                                "try again: the model may still have been loading") from None

    async def availability(self, model: ModelInfo) -> Availability:
        return await self._run(None, self.provider.availability, model)

    async def graph(
        self, model: ModelInfo, image: ImageInput, *, class_index: int | None, personalization: Personalization
    ) -> ImageGraph:
        return await self._run(self._compute, self.provider.graph, model, image, class_index=class_index,
                               personalization=personalization)

    async def prepare_all(self, models: list[ModelInfo]) -> None:
        """Load every model's network now (in a worker thread, one after another); failures are remembered."""
        for model in models:
            started = time.perf_counter()
            try:
                await anyio.to_thread.run_sync(self.provider.prepare, model, limiter=self._compute)
            except SummitError as exc:
                self.prepared[model.id] = str(exc)
                log.info("image graphs: %s", exc)
                continue
            self.prepared[model.id] = "ready"
            log.info("image graphs: model %s prepared in %.1f s", model.id, time.perf_counter() - started)
