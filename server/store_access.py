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
from summit.store.base import GraphStore

T = TypeVar("T")

DEFAULT_CONCURRENCY = 8


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
