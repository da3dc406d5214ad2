"""``/healthz`` and ``/readyz``: is the store reachable, and has the warm-up finished?

``/healthz``: 200 while the store answers (503 when not), with ``ready``: false
until the warm-up has remembered every class graph and neuron picture (true at
once when the warm-up is off, and after it failed: the server then looks answers
up per request). ``/readyz``: the same check as a status code, 200 only when
ready (for load balancers and container health checks). Both answer without an
access token; such requests learn only ``status`` and ``ready`` (the model count,
the store kind, the warm-up's progress and the response cache's counts need the token).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from summit.server.endpoint import Endpoint
from summit.server.pool import BoundedPool

from summit.settings import Settings
from summit.store.base import GraphStore

log = logging.getLogger("summit.server")

HEALTH_TIMEOUT = 5.0
# warm-up states in which the server is ready: "rewarming" is a warm-up after a reload (the server was
# ready before it and stays so: answers are only slower until it ends)
SETTLED = ("done", "off", "failed", "rewarming")


def _authorized(request: Request) -> bool:
    return bool(request.scope.get("state", {}).get("authorized", True))


def health_endpoints(store: GraphStore, pool: BoundedPool, settings: Settings,
                     warm_up_state: Callable[[], dict[str, Any]] | None = None,
                     cache_state: Callable[[], dict[str, int]] | None = None) -> tuple[Endpoint, Endpoint]:
    """The ``/healthz`` and ``/readyz`` endpoints (``cache_state``: the response cache's counts, when it is on)."""
    timeout = min(settings.request_timeout, HEALTH_TIMEOUT)

    def probe() -> int:
        if not store.ping():
            raise ConnectionError("ping returned false")
        return len(store.models())

    async def check() -> tuple[int, dict[str, Any]]:
        warm = warm_up_state() if warm_up_state is not None else {"state": "off"}
        try:
            models = await pool.run(probe, time.monotonic() + timeout)
        except Exception as exc:  # any failure means "not reachable"; details stay out of the response
            log.warning("health check: store not reachable (%s)", type(exc).__name__)
            return 503, {"status": "unavailable", "ready": False, "reachable": False, "store": settings.store,
                         "warmUp": warm}
        ready = warm["state"] in SETTLED
        body = {"status": "ok", "ready": ready, "reachable": True, "store": settings.store, "models": models,
                "warmUp": warm}
        if cache_state is not None:
            body["responseCache"] = cache_state()
        return 200, body

    async def health(request: Request) -> JSONResponse:
        status, body = await check()
        if not _authorized(request):
            body = {"status": body["status"], "ready": body["ready"]}
        return JSONResponse(body, status_code=status)

    async def ready(request: Request) -> JSONResponse:
        status, body = await check()
        if status == 200 and not body["ready"]:
            status = 503
        return JSONResponse({"status": body["status"], "ready": body["ready"]}, status_code=status)

    return health, ready


__all__ = ["health_endpoints"]
