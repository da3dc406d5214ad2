"""The deadline of the work running in this thread, so a store can stop a query that ran out of time.

The server runs each store call under the request's deadline (``with deadline(at):``,
``time.monotonic()`` seconds). Stores read it where they can stop work: Neo4j gets
the remaining time as the transaction timeout (the database ends the query), the
embedded store as its query timeout, and long Python loops (paths, neighbourhoods)
call ``check()`` between steps. Without a deadline (the CLI, tests, loads) nothing
changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from summit.errors import TimedOut

_DEADLINE: ContextVar[float | None] = ContextVar("summit_store_deadline", default=None)
MESSAGE = "the query ran past the request's time limit and was stopped"


@contextmanager
def deadline(at: float | None) -> Iterator[None]:
    """Work in this block must end by ``at`` (``time.monotonic()``); None = no limit."""
    token = _DEADLINE.set(at)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left (may be <= 0), or None when no deadline is set."""
    at = _DEADLINE.get()
    return None if at is None else at - time.monotonic()


def check() -> None:
    """Raise ``TimedOut`` when the deadline has passed."""
    left = remaining()
    if left is not None and left <= 0:
        raise TimedOut(MESSAGE)


def acquire(lock: threading.Lock | threading.RLock) -> None:
    """Take ``lock``, waiting no longer than the deadline allows (``TimedOut`` otherwise)."""
    left = remaining()
    if left is None:
        lock.acquire()
        return
    if left <= 0 or not lock.acquire(timeout=left):
        raise TimedOut(MESSAGE)


__all__ = ["MESSAGE", "acquire", "check", "deadline", "remaining"]
