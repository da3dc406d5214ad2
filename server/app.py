"""The Starlette application: /graphql, /media, /healthz and the web app at /."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from server.body_limit import BodyLimit
from server.context import Context
from server.errors import shape_error
from server.health import health_endpoint
from server.loaders import Loaders
from server.media import MediaRoots, media_endpoint
from server.neuron_images import NeuronImages, prefill
from server.response_cache import CachedGraphQL, ResponseCache
from server.schema import build_schema
from server.store_access import ModelsMemo, StoreGateway, store_limiter
from server.web import DEFAULT_WEB_DIR, web_endpoint
from summit.store.base import GraphStore

log = logging.getLogger(__name__)


class SummitGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with a fresh context (gateway, deadline, loaders) per request."""

    def __init__(self, settings: Mapping[str, Any], store: GraphStore, limiter: anyio.CapacityLimiter,
                 prefill_images: bool = False):
        super().__init__(build_schema(settings), graphql_ide="graphiql" if settings["dev"] else None,
                         allow_queries_via_get=True)
        self.settings = settings
        self.store = store
        self.limiter = limiter
        self.models_memo = ModelsMemo()
        self.neuron_images = NeuronImages()
        self._prefill: asyncio.Task[int] | None = None
        self._prefill_wanted = prefill_images

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        """Every error of every path (parse, validation, execution) gets its code here, once."""
        if result.errors:
            result.errors = [shape_error(e) for e in result.errors]
        return await super().process_result(request, result)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        del request, response
        if self._prefill_wanted and self._prefill is None:
            # the first request starts it (the event loop runs by now); a failure only costs the shortcut
            background = StoreGateway(self.store, self.limiter, timeout=PREFILL_TIMEOUT_S)
            self._prefill = asyncio.get_running_loop().create_task(
                prefill(self.neuron_images, self.models_memo, background))
            self._prefill.add_done_callback(_report_prefill)
        gateway = StoreGateway(self.store, self.limiter, timeout=float(self.settings["request_timeout"]))
        return Context(settings=self.settings, gateway=gateway, loaders=Loaders(gateway), models_memo=self.models_memo,
                       neuron_images=self.neuron_images)


PREFILL_TIMEOUT_S = 600.0


def _report_prefill(task: asyncio.Task[int]) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log.warning("neuron picture prefill failed (%s); pictures are looked up per request", type(error).__name__)
    else:
        log.info("remembered the pictures of %d neurons", task.result())


def create_app(
    settings: Mapping[str, Any],
    store: GraphStore,
    *,
    web_dir: Path | None = None,
    media_roots: Mapping[str, Path] | None = None,
    prefill_images: bool = False,
) -> Starlette:
    """Build the app around an open store (the caller opens and closes it).

    ``prefill_images``: on the first request, remember every neuron's picture in the
    background (``summit serve`` does; tests that count store calls do not).
    """
    limiter = store_limiter(store)
    roots = MediaRoots(store, str(settings["media_root"]), media_roots)
    graphql: Any = SummitGraphQL(settings, store, limiter, prefill_images=prefill_images)
    if int(settings["response_cache"]) > 0:
        graphql = CachedGraphQL(graphql, ResponseCache(store, limiter, int(settings["response_cache"])))
    graphql = BodyLimit(graphql)
    web = web_endpoint(Path(web_dir) if web_dir is not None else DEFAULT_WEB_DIR)
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", health_endpoint(store, limiter, settings), methods=["GET"]),
        Route("/media/{model}/{path:path}", media_endpoint(roots), methods=["GET", "HEAD"]),
        Route("/", web, methods=["GET", "HEAD"]),
        Route("/{path:path}", web, methods=["GET", "HEAD"]),
    ]
    middleware = []
    origins = list(settings["cors_origins"])
    if origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                                     allow_headers=["content-type"], max_age=600))
    return Starlette(routes=routes, middleware=middleware)


__all__ = ["create_app"]
