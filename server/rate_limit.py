"""Per-client limits: requests per second (a token bucket per address) and heavy queries at once.

``RateLimit`` guards ``/graphql`` and ``/uploads``: each client address has a bucket of
``rate_burst`` requests refilled at ``rate_limit`` per second; a request finding
it empty gets HTTP 429, a ``Retry-After`` header and the usual GraphQL error
shape (code ``RATE_LIMITED``), before anything parses it. The 429 is sent
``TARPIT_S`` late: a client that ignores ``Retry-After`` and asks again at once,
in a loop over many connections, then gets one answer per connection and second
instead of keeping the event loop busy with thousands of refusals (measured: 50
connections got 17,000 refusals a second, and a normal client's p95 rose to 231
ms; with the delay 2,800 in 3 s, then about 50 a second).
``HeavySlots`` counts the requests with heavy queries (paths, neighbourhoods,
comparisons) each address runs at once (the heavy fields of one request share its
slot) and charges each ``heavy_cost`` requests of the address's budget; one more
than ``heavy_per_client``, or one the budget cannot pay, raises ``RateLimited``
(HTTP 429 too, set by the view). Both forget idle clients (at most
``MAX_CLIENTS`` remembered, least recently seen dropped first).
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import OrderedDict
from collections.abc import MutableMapping
from typing import Any

from summit.server.body_limit import ASGIApp, Receive, Send

from summit.errors import RateLimited

MAX_CLIENTS = 10_000
TARPIT_S = 1.0  # a refusal is sent this late (a well-behaved client waits Retry-After anyway)


def client_address(scope: MutableMapping[str, Any]) -> str:
    """The client's address as the server sees it (uvicorn applies X-Forwarded-For from trusted proxies only)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def rate_limited_body(error: RateLimited) -> bytes:
    return json.dumps({"data": None, "errors": [{"message": str(error),
                                                 "extensions": {"code": error.code}}]}).encode()


def retry_after_header(seconds: float) -> bytes:
    return str(max(1, math.ceil(seconds))).encode()


class TokenBuckets:
    """``take(client, cost)``: 0.0 while the client's bucket holds ``cost`` requests (then takes them)."""

    def __init__(self, rate: float, burst: int, clock: Any = time.monotonic):
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, at)

    def take(self, client: str, cost: float = 1.0) -> float:
        """0.0 when the request may go ahead (its ``cost`` taken), else the seconds until the client has it."""
        now = self._clock()
        tokens, at = self._buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        wait = 0.0
        if tokens >= cost:
            tokens -= cost
        else:
            wait = (cost - tokens) / self.rate
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        return wait


LIMITED_PATHS = ("/graphql", "/uploads")  # the work a client can ask for; files and health checks are cheap


class RateLimit:
    """ASGI middleware: 429 for a request to ``paths`` whose client's bucket is empty (``buckets``; None = no
    limit)."""

    def __init__(self, app: ASGIApp, buckets: TokenBuckets | None, paths: tuple[str, ...] = LIMITED_PATHS):
        self.app = app
        self.buckets = buckets
        self.paths = paths

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if self.buckets is None or scope["type"] != "http" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(client_address(scope))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        await asyncio.sleep(TARPIT_S)
        wait = max(0.0, wait - TARPIT_S)
        error = RateLimited(
            f"too many requests from this client: the server allows {self.buckets.rate:g} per second (setting "
            f"rate_limit, bursts of {self.buckets.burst}); wait as long as the Retry-After header says",
            retry_after=wait)
        body = rate_limited_body(error)
        await send({"type": "http.response.start", "status": 429,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"retry-after", retry_after_header(wait))]})
        await send({"type": "http.response.body", "body": body})


class HeavySlots:
    """The heavy queries of each client: how many requests run them at once (``per_client``), and what
    they cost: a request with heavy queries takes ``cost`` requests of the client's rate budget
    (``buckets``; one of them already taken at the door), so a client gets few heavy answers a second
    (``rate_limit / heavy_cost``) however many connections it opens."""

    def __init__(self, per_client: int, buckets: TokenBuckets | None = None, cost: int = 1):
        self.per_client = per_client
        self.buckets = buckets
        self.cost = cost
        self._running: dict[str, int] = {}

    def acquire(self, client: str, what: str) -> None:
        running = self._running.get(client, 0)
        if running >= self.per_client:
            raise RateLimited(
                f"{what}: this client already runs {running} requests with heavy queries (paths, neighbourhoods, "
                f"comparisons); the server allows {self.per_client} at once (setting heavy_per_client); retry "
                "when one has answered", retry_after=1.0)
        if self.buckets is not None and self.cost > 1:
            wait = self.buckets.take(client, self.cost - 1)
            if wait > 0:
                raise RateLimited(
                    f"{what}: a request with heavy queries (paths, neighbourhoods, comparisons) costs {self.cost} "
                    f"requests of this client's budget of {self.buckets.rate:g} a second (settings heavy_cost, "
                    "rate_limit); wait as long as the Retry-After header says", retry_after=wait)
        self._running[client] = running + 1

    def release(self, client: str) -> None:
        left = self._running.get(client, 0) - 1
        if left > 0:
            self._running[client] = left
        else:
            self._running.pop(client, None)


__all__ = ["HeavySlots", "RateLimit", "TokenBuckets", "client_address"]
