"""Async access to a synchronous GraphStore: thread offloading, a concurrency cap and the request deadline.

Every store call of a request goes through one ``StoreGateway``; the deadline
(``request_timeout`` after the request started) bounds each call, so a slow
database answers ``LIMIT_EXCEEDED`` instead of holding the client.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from summit.errors import LimitExceeded
from summit.store.base import GraphStore, ModelInfo

T = TypeVar("T")

DEFAULT_CONCURRENCY = 8


class ModelsMemo:
    """The store's model list, remembered for ``ttl`` seconds (shared by all requests of an app).

    Every query starts from the model list; asking the store once a second instead of once
    per request keeps a round trip off every request. A newly loaded model shows within ``ttl``.
    """

    def __init__(self, ttl: float = 1.0):
        self.ttl = ttl
        self._models: list[ModelInfo] | None = None
        self._at = 0.0
        self.generation = 0  # bumped whenever the model list differs from the last one seen

    async def get(self, gateway: StoreGateway) -> list[ModelInfo]:
        now = time.monotonic()
        if self._models is None or now - self._at >= self.ttl:
            models = await gateway.call(gateway.store.models)
            if self._models is not None and models != self._models:
                self.generation += 1
            self._models = models
            self._at = now
        return self._models


def store_limiter(store: GraphStore) -> anyio.CapacityLimiter:
    """Threads allowed into ``store`` at once (a store may declare ``max_concurrency``)."""
    return anyio.CapacityLimiter(int(getattr(store, "max_concurrency", DEFAULT_CONCURRENCY)))


class StoreGateway:
    """Runs store methods in worker threads, within the request's deadline."""

    def __init__(
        self, store: GraphStore, limiter: anyio.CapacityLimiter, *, timeout: float, deadline: float | None = None
    ):
        self.store = store
        self.limiter = limiter
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout if deadline is None else deadline

    async def call(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``await gateway.call(store.x, ...)``: run one blocking store call off the event loop."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise self._timeout_error()
        try:
            with anyio.fail_after(remaining):
                return await anyio.to_thread.run_sync(
                    functools.partial(method, *args, **kwargs), limiter=self.limiter, abandon_on_cancel=True
                )
        except TimeoutError:
            raise self._timeout_error() from None

    def _timeout_error(self) -> LimitExceeded:
        return LimitExceeded(
            f"the request took longer than {self.timeout:g} s (setting request_timeout); "
            "ask for less (topN, limit, hops, k) or raise the timeout"
        )
