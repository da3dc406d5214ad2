"""Async access to a synchronous GraphStore: bounded thread pools and the request deadline.

Every store call of a request goes through one ``StoreGateway``; the deadline
(``request_timeout`` after the request started) bounds each call and stops its
work (``server.pool``), so a slow database answers ``LIMIT_EXCEEDED`` instead of
holding the client, and a request never takes much longer than ``request_timeout``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from summit.server.pool import BoundedPool, StorePools
from summit.server.rate_limit import HeavySlots

from summit.errors import TimedOut
from summit.store.base import GraphStore, ModelInfo

T = TypeVar("T")
log = logging.getLogger("summit.server")

STALE_TTLS = 2  # a model list older than this many ttl is refreshed before it is answered from


class ModelsMemo:
    """The store's model list, remembered for ``ttl`` seconds (shared by all requests of an app).

    ``generation`` goes up whenever the list differs from the last one seen, including a model
    now served from another load: every memo keyed by it (class graphs, pictures, whole
    responses) then forgets what it remembered of the old load.

    Every query starts from the model list; asking the store once a second instead of once
    per request keeps a round trip off every request. Only one refresh is ever in flight:
    the first caller (nothing remembered yet) waits for it together with everyone arriving
    meanwhile, and once a list is known an expired one is answered at once while one
    background refresh asks the store (stale-while-revalidate). Without that, every request
    arriving during a slow refresh started its own, and under load on the embedded store
    (one connection) 50 of them queued for a second. A list older than ``max_age`` (default
    ``STALE_TTLS`` ttl: a server that was idle) is refreshed before it is answered from, so a
    newly loaded model shows within ``max_age`` plus one refresh; ``refresh()`` asks now.
    """

    def __init__(self, ttl: float = 1.0, max_age: float | None = None):
        self.ttl = ttl
        self.max_age = STALE_TTLS * ttl if max_age is None else max_age  # older: refreshed before answering
        self._models: list[ModelInfo] | None = None
        self._at = 0.0
        self._inflight: asyncio.Future[list[ModelInfo]] | None = None
        self.generation = 0  # bumped whenever the model list differs from the last one seen
        self.failing = False  # the last refresh failed (the store may be down)

    async def get(self, gateway: StoreGateway) -> list[ModelInfo]:
        if self._models is None:
            return await self.refresh(gateway)
        age = time.monotonic() - self._at
        if age >= self.ttl and self._inflight is None:
            self._start(gateway)
        if age >= self.max_age:
            # Not refreshed for a while (an idle server): a reload meanwhile must show now, so wait for
            # the refresh just started instead of answering from the old list. Under steady traffic
            # the list is refreshed every ttl and nobody waits.
            with contextlib.suppress(Exception):
                return await self.refresh(gateway)
        return self._models

    async def refresh(self, gateway: StoreGateway, *, fresh: bool = False) -> list[ModelInfo]:
        """Ask the store for the list now (joining the refresh in flight, if any; with ``fresh``, one
        that starts after this call: a refresh already in flight may have read the list before a load)."""
        inflight = self._inflight
        if fresh and inflight is not None:
            await asyncio.wait([inflight])
            inflight = None
        if inflight is None or inflight.done():
            inflight = self._start(gateway)
        return await asyncio.shield(inflight)

    def _start(self, gateway: StoreGateway) -> asyncio.Future[list[ModelInfo]]:
        task = asyncio.ensure_future(self._fetch(gateway))
        self._inflight = task
        task.add_done_callback(self._finished)
        return task

    async def _fetch(self, gateway: StoreGateway) -> list[ModelInfo]:
        try:
            models = await gateway.call(gateway.store.models)
        except Exception:
            self.failing = True
            raise
        self.failing = False
        if self._models is not None and _identity(models) != _identity(self._models):
            self.generation += 1
        self._models = models
        self._at = time.monotonic()
        return models

    def _finished(self, task: asyncio.Future[list[ModelInfo]]) -> None:
        if self._inflight is task:
            self._inflight = None
        if not task.cancelled() and task.exception() is not None:
            # a failed background refresh keeps the old list; the next expired get() tries again
            self._at = time.monotonic()
            log.warning("model list refresh failed (%s)", type(task.exception()).__name__)


def _identity(models: list[ModelInfo]) -> list[tuple[ModelInfo, str]]:
    """What a change of generation means: another model list, or a model served from another load
    (a reload of even the same artifact; ``ModelInfo`` equality leaves the load id out)."""
    return [(m, m.load_id) for m in models]


def store_pools(store: GraphStore, heavy_workers: int) -> StorePools:
    """The pools of an app: as many light threads as ``store`` allows at once (its ``max_concurrency``),
    ``heavy_workers`` for heavy queries."""
    return StorePools(store.max_concurrency, heavy_workers)


class StoreGateway:
    """Runs store methods in the pools' threads, within the request's deadline.

    ``call`` is for ordinary store calls, ``call_heavy`` for the heavy ones (paths,
    neighbourhoods, comparisons): they run in the heavy pool, and at most
    ``heavy_per_client`` requests of one client run them at once (``HeavySlots``;
    one more is ``RateLimited``).
    """

    def __init__(
        self, store: GraphStore, pools: StorePools, *, timeout: float, deadline: float | None = None,
        client: str = "", heavy_slots: HeavySlots | None = None,
    ):
        self.store = store
        self.pools = pools
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout if deadline is None else deadline
        self.client = client
        self.heavy_slots = heavy_slots
        self._heavy_running = 0  # heavy calls of this request running now (they share one slot)

    async def call(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``await gateway.call(store.x, ...)``: run one blocking store call off the event loop."""
        return await self._run(self.pools.light, functools.partial(method, *args, **kwargs))

    async def call_heavy(self, what: str, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Like ``call``, in the heavy pool, as heavy work of the client (``heavy``)."""
        with self.heavy(what):
            return await self._run(self.pools.heavy, functools.partial(method, *args, **kwargs))

    @contextlib.contextmanager
    def heavy(self, what: str) -> Iterator[None]:
        """Heavy work of this request: it holds one of the client's ``heavy_per_client`` slots (shared by
        all its heavy work) and the first one pays ``heavy_cost``; ``RateLimited`` when the client has none."""
        if self.heavy_slots is None:
            yield
            return
        if self._heavy_running == 0:
            self.heavy_slots.acquire(self.client, what)
        self._heavy_running += 1
        try:
            yield
        finally:
            self._heavy_running -= 1
            if self._heavy_running == 0:
                self.heavy_slots.release(self.client)

    async def _run(self, pool: BoundedPool, work: Callable[[], T]) -> T:
        try:
            return await pool.run(work, self.deadline)
        except TimedOut:
            raise self._timeout_error() from None

    def _timeout_error(self) -> TimedOut:
        return TimedOut(
            f"the request took longer than {self.timeout:g} s (setting request_timeout) and was stopped; "
            "ask for less (topN, limit, hops, k) or raise the timeout"
        )
