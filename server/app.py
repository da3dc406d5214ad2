"""The Starlette application: /graphql, /media, /healthz, /readyz, /login and the web app at /.

Around every route, outermost first: the Host check (``server.hosts``), CORS (when
configured), access control (``server.access``: with a token, everything but the
health checks needs it), the per-client rate limit on ``/graphql`` and ``/uploads``
(``server.rate_limit``). Around ``/graphql``: the body limit and the response cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from summit.server.access import AccessControl, rate_limited
from summit.server.admin import admin_load_endpoint
from summit.server.body_limit import BodyLimit
from summit.server.context import Context
from summit.server.errors import http_refusal, rate_limit_status, shape_error
from summit.server.health import health_endpoints
from summit.server.hosts import allowed_hosts
from summit.server.image_graphs import ImageGraphService, image_graphs_wanted
from summit.server.loaders import Loaders
from summit.server.media import MediaRoots, media_endpoint
from summit.server.memo import ClassGraphs, NeuronImages
from summit.server.pool import StorePools
from summit.server.prerender import Prerendered, prerender, read_class_view
from summit.server.rate_limit import HeavySlots, RateLimit, TokenBuckets, client_address, retry_after_header
from summit.server.response_cache import CachedGraphQL, ResponseCache
from summit.server.rights import can_write
from summit.server.schema import build_schema
from summit.server.store_access import ModelsMemo, StoreGateway, store_pools
from summit.server.uploads import upload_endpoint
from summit.server.warmup import WarmUpReport, warm_up
from summit.server.web import DEFAULT_WEB_DIR, web_endpoint

from summit.errors import BadInput
from summit.image_graph import ImageGraphs
from summit.settings import Settings
from summit.store.base import ClassInfo, GraphStore, ModelInfo

log = logging.getLogger(__name__)


class SummitGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with a fresh context (gateway, deadline, loaders) per request."""

    def __init__(self, settings: Settings, store: GraphStore, pools: StorePools, warm: bool = False,
                 image_graphs: ImageGraphService | None = None, introspection: bool = True,
                 buckets: TokenBuckets | None = None, token_required: bool = False,
                 models_memo: ModelsMemo | None = None, response_cache: ResponseCache | None = None,
                 class_view: Sequence[str] = ()):
        super().__init__(build_schema(settings, introspection=introspection),
                         graphql_ide="graphiql" if settings.dev else None, allow_queries_via_get=True)
        self.settings = settings
        self.store = store
        self.pools = pools
        self.heavy_slots = HeavySlots(settings.heavy_per_client, buckets, settings.heavy_cost)
        self.models_memo = ModelsMemo() if models_memo is None else models_memo
        # the warm-up pre-renders the web app's class view (its documents ``class_view``) into the response cache
        self.prerender_cache = response_cache if class_view else None
        self.class_view = tuple(class_view)
        self.prerendered = Prerendered()
        self.neuron_images = NeuronImages()
        self.class_graphs = ClassGraphs()
        self._warm_up: asyncio.Task[WarmUpReport] | None = None
        self._warm_up_wanted = warm
        self.warm_up_report = WarmUpReport()
        self._warm_up_runs = 1  # warm-ups started or due: 1 at start, one more after each change of the models
        self.image_graphs = image_graphs
        self.token_required = token_required  # access control is on: write rights follow the token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Strawberry's HTTP handling, with its plain-text refusals (bad JSON, wrong method) as JSON with a code."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response: Response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            response = http_refusal(exc.status_code, exc.reason)
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        """``json.loads``, with every way a body can fail to be JSON (bad UTF-8, a number of more than
        4,300 digits, nesting deeper than Python recurses) a 400 instead of an internal error."""
        try:
            value = json.loads(data)
        except json.JSONDecodeError:
            raise  # strawberry's own 400
        except UnicodeDecodeError:
            raise HTTPException(400, "the request body is not valid UTF-8") from None
        except (ValueError, RecursionError) as exc:
            raise HTTPException(400, f"the request body is not JSON this server reads ({type(exc).__name__})") from None
        if not isinstance(value, (dict, list)):  # strawberry expects an object (or a batch list)
            raise HTTPException(400, f'expected a JSON object like {{"query": "..."}}, got {type(value).__name__}')
        return value

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        """Every error of every path (parse, validation, execution) gets its code here, once."""
        if result.errors:
            wait = rate_limit_status(result.errors)
            sub_response = getattr(request.state, "graphql_response", None)
            if wait is not None and sub_response is not None:
                sub_response.status_code = 429
                sub_response.headers["retry-after"] = retry_after_header(wait).decode()
            result.errors = [shape_error(e) for e in result.errors]
        return await super().process_result(request, result)

    def start_warm_up(self) -> asyncio.Task[WarmUpReport] | None:
        """Start filling the memos in the background (needs the running event loop): at start, and again
        once the last warm-up has ended for a model list that has changed since (a reload)."""
        task = self._warm_up
        if task is not None and task.done() and self.warm_up_report.generation is not None \
                and self.warm_up_report.generation != self.models_memo.generation:
            self._warm_up = None  # the models changed: warm the new list (the server stays ready meanwhile)
            self.warm_up_report = WarmUpReport()
            self.prerendered = Prerendered()
            self._warm_up_runs += 1
        if self._warm_up_wanted and self._warm_up is None:
            background = StoreGateway(self.store, self.pools, timeout=WARM_UP_TIMEOUT_S)
            responses = self._prerender if self.prerender_cache is not None else None
            self._warm_up = asyncio.get_running_loop().create_task(
                warm_up(self.neuron_images, self.class_graphs, self.models_memo, background, self.warm_up_report,
                        responses))
            self._warm_up.add_done_callback(_report_warm_up)
        return self._warm_up

    async def _prerender(self, model: ModelInfo, default: bool, classes: Sequence[ClassInfo], generation: int) -> bool:
        """The warm-up's last step: the web app's class views of ``model``, answered by this view, into the cache."""
        cache = self.prerender_cache
        assert cache is not None

        def keep(keys: Sequence[str], body: bytes) -> bool:
            return cache.keep(generation, keys, body)

        return await prerender(self, self.class_view, ResponseCache.key, keep, model, default, classes,
                               self.prerendered)

    def warm_up_state(self) -> dict[str, Any]:
        """For /healthz: off, running, done or failed, with what is remembered so far."""
        task = self._warm_up
        if task is None:
            state = "pending" if self._warm_up_wanted else "off"
        elif not task.done():
            state = "running" if self._warm_up_runs == 1 else "rewarming"
        else:
            state = "failed" if task.cancelled() or task.exception() is not None else "done"
        report: dict[str, Any] = {"state": state, "graphs": self.warm_up_report.graphs,
                                  "images": self.warm_up_report.images}
        if self._warm_up_runs > 1:
            report["runs"] = self._warm_up_runs  # warm-ups so far: the first, then one per change of the models
        if self.prerender_cache is not None and self._warm_up_wanted:
            report["responses"] = self.prerendered.answers  # pre-rendered class-view answers
        if self.image_graphs is not None:
            report["imageGraphs"] = dict(self.image_graphs.prepared)
        return report

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        self.start_warm_up()  # normally started by the app's startup; a no-op after the first time
        request.state.graphql_response = response  # process_result sets 429 on it for RATE_LIMITED
        gateway = StoreGateway(self.store, self.pools, timeout=self.settings.request_timeout,
                               client=client_address(request.scope), heavy_slots=self.heavy_slots)
        writer = can_write(self.settings, token_required=self.token_required,
                           authorized=bool(request.scope.get("state", {}).get("authorized")),
                           client_host=request.client.host if request.client is not None else None,
                           headers=request.headers)
        return Context(settings=self.settings, gateway=gateway, loaders=Loaders(gateway), models_memo=self.models_memo,
                       neuron_images=self.neuron_images, class_graphs=self.class_graphs,
                       image_graphs=self.image_graphs, can_write=writer,
                       response=response if isinstance(response, Response) else None)


WARM_UP_TIMEOUT_S = 3600.0  # one deadline for all store calls of the warm-up


def _report_warm_up(task: asyncio.Task[WarmUpReport]) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log.warning("warm-up failed (%s); answers are looked up per request", type(error).__name__)
    else:
        report = task.result()
        log.info("warm-up done: remembered %d class graphs and %d neuron pictures", report.graphs, report.images)


async def _prepare_image_graphs(service: ImageGraphService, view: SummitGraphQL) -> None:
    """Load every model's network for image graphs in the background (the first image then answers fast)."""
    try:
        models = await view.models_memo.get(StoreGateway(view.store, view.pools, timeout=WARM_UP_TIMEOUT_S))
        await service.prepare_all(models)
    except Exception as exc:  # a background task: log, never crash the server
        log.warning("image graphs: preparing the models failed (%s)", type(exc).__name__)


def create_app(
    settings: Settings,
    store: GraphStore,
    *,
    web_dir: Path | None = None,
    media_roots: Mapping[str, Path] | None = None,
    warm: bool = False,
    admin_token: str | None = None,
    image_graphs: ImageGraphs | None = None,
    token: str | None = None,
) -> Starlette:
    """Build the app around an open store (the caller opens and closes it).

    ``admin_token``: answer ``POST /admin/load`` for requests bearing it (``server.admin``;
    ``summit serve`` sets it for the embedded store it holds).

    ``warm``: when the app starts (or on its first request, without a lifespan), remember
    every class's graph and every neuron's picture in the background (``server.warmup``;
    ``summit serve`` does unless the setting ``warm_up`` is off; tests that count store
    calls do not); with the setting ``wait_warm_up`` the start-up waits for it, so the
    port opens only when the server is ready. ``image_graphs``: what computes one image's
    graph (``summit.image_graph``; the command line builds it when the setting
    ``image_graphs`` is on); every model is prepared for it in the background at start
    (``/healthz`` shows each model's state under ``warmUp.imageGraphs``). None answers that
    the feature is off. ``token``: the access token (``server.access.read_token``); None =
    no access control. Introspection is on only with ``dev`` or a token. ``web_dir``: the built
    web app (default ``web/dist``); its ``queries.json`` names the documents of a class view,
    which the warm-up pre-renders into the response cache (``server.prerender``).
    """
    pools = store_pools(store, settings.heavy_workers)
    roots = MediaRoots(store, settings.media_root, media_roots)
    if image_graphs is None and image_graphs_wanted(settings):
        raise BadInput("image graphs (--image-graphs or --allow-upload) need the ingest part (torch): "
                       "start the server with `summit serve`")
    service = ImageGraphService(image_graphs, settings) if image_graphs is not None else None
    buckets = (TokenBuckets(settings.rate_limit, settings.rate_burst)
               if settings.rate_limit > 0 and rate_limited(settings, token) else None)
    models_memo = ModelsMemo()
    cache = None
    if settings.response_cache > 0:
        def gateway() -> StoreGateway:
            return StoreGateway(store, pools, timeout=settings.request_timeout)

        cache = ResponseCache(models_memo, gateway, settings.response_cache)
    web_path = Path(web_dir) if web_dir is not None else DEFAULT_WEB_DIR
    view = SummitGraphQL(settings, store, pools, warm=warm, image_graphs=service,
                         introspection=settings.dev or token is not None, buckets=buckets,
                         token_required=token is not None, models_memo=models_memo, response_cache=cache,
                         class_view=list(read_class_view(web_path).values()))
    graphql: Any = view if cache is None else CachedGraphQL(view, cache)
    graphql = BodyLimit(graphql)
    web = web_endpoint(web_path)
    health, ready = health_endpoints(store, pools.probe, settings, view.warm_up_state,
                                     cache.state if cache is not None else None)
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", health, methods=["GET"]),
        Route("/readyz", ready, methods=["GET"]),
        Route("/media/{model}/{path:path}", media_endpoint(roots), methods=["GET", "HEAD"]),
        Route("/uploads", upload_endpoint(service.uploads if service else None, settings.upload_max_bytes),
              methods=["POST"]),
        Route("/", web, methods=["GET", "HEAD"]),
        Route("/{path:path}", web, methods=["GET", "HEAD"]),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(settings.allowed_hosts, settings.host),
                             www_redirect=False)]
    origins = list(settings.cors_origins)
    if admin_token is not None:
        async def loaded() -> None:
            try:
                await view.models_memo.refresh(StoreGateway(store, pools, timeout=settings.request_timeout),
                                               fresh=True)
            except Exception as exc:  # the memo looks again within its ttl
                log.warning("model list refresh after a load failed (%s)", type(exc).__name__)
                return
            view.start_warm_up()  # remember the new load's graphs and pre-render its class views

        routes.insert(0, Route("/admin/load", admin_load_endpoint(store, admin_token, settings.load_batch, loaded),
                               methods=["POST"]))
    if origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                                     allow_headers=["content-type", "authorization"], max_age=600))
    middleware.append(Middleware(AccessControl, token=token))
    middleware.append(Middleware(RateLimit, buckets=buckets))  # /graphql and /uploads, per client

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        del app
        task = view.start_warm_up()
        preparing = asyncio.get_running_loop().create_task(_prepare_image_graphs(service, view)) if service else None
        try:
            if task is not None and settings.wait_warm_up:
                log.info("waiting for the warm-up before opening the port (--wait-warm-up)")
                await asyncio.wait([task])  # its failure is logged by _report_warm_up; serve anyway
            yield
        finally:
            for running in (task, preparing):
                if running is not None and not running.done():
                    running.cancel()
            pools.close()

    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


__all__ = ["create_app"]
