"""Bounded thread pools for blocking store work, where a request's deadline really ends its work.

Every store call runs in one of a few fixed-size pools (``StorePools``): ``light``
for most calls, ``heavy`` for paths, neighbourhoods and comparisons, ``probe`` for
``/healthz``. A pool never runs more than its number of threads, so heavy work
cannot take the threads that light requests need, and a pile of waiting work
cannot grow the number of busy threads. A request's deadline ends its work three
ways: the caller stops waiting at the deadline; work still queued then is dropped
before it starts; and work already running sees the deadline through
``summit.store.deadline`` (Neo4j and the embedded store get it as their query
timeout, long Python loops check it), so the thread is soon free again.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from summit.errors import TimedOut
from summit.store import deadline as store_deadline

T = TypeVar("T")


class BoundedPool:
    """``await pool.run(fn, deadline)``: ``fn()`` in one of ``workers`` threads, by ``deadline`` (monotonic s)."""

    def __init__(self, name: str, workers: int):
        if workers < 1:
            raise ValueError(f"pool {name!r} needs at least one worker, got {workers}")
        self.name = name
        self.workers = workers
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"summit-{name}")
        self._lock = threading.Lock()
        self.running = 0  # calls running now (never more than ``workers``)
        self.peak = 0  # most calls ever running at once
        self.dropped = 0  # calls whose deadline passed while they waited: never started

    async def run(self, fn: Callable[[], T], deadline: float) -> T:
        """The result of ``fn()``; ``TimedOut`` when ``deadline`` passes first (the work is then stopped)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimedOut(store_deadline.MESSAGE)
        context = contextvars.copy_context()
        future = self._executor.submit(self._work, context, fn, deadline)
        try:
            async with asyncio.timeout(remaining):
                return await asyncio.wrap_future(future)
        except TimeoutError:
            future.cancel()  # still queued: never starts (running: it sees the deadline itself)
            raise TimedOut(store_deadline.MESSAGE) from None
        except asyncio.CancelledError:
            future.cancel()
            raise

    def _work(self, context: contextvars.Context, fn: Callable[[], T], deadline: float) -> T:
        if time.monotonic() >= deadline:
            with self._lock:
                self.dropped += 1
            raise TimedOut(store_deadline.MESSAGE)
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            return context.run(_with_deadline, deadline, fn)
        finally:
            with self._lock:
                self.running -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _with_deadline(deadline: float, fn: Callable[[], T]) -> T:
    with store_deadline.deadline(deadline):
        return fn()


class StorePools:
    """The server's pools: ``light`` (most store calls), ``heavy`` (paths, neighbourhoods, comparisons),
    ``probe`` (the health check, so readiness never waits behind queries)."""

    def __init__(self, light: int, heavy: int):
        self.light = BoundedPool("store", light)
        self.heavy = BoundedPool("heavy", heavy)
        self.probe = BoundedPool("probe", 1)

    def close(self) -> None:
        for pool in (self.light, self.heavy, self.probe):
            pool.close()


__all__ = ["BoundedPool", "StorePools"]
