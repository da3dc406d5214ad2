"""``/healthz``: is the store reachable? 200 with the model count, else 503; and the warm-up's state."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse
from summit.server.endpoint import Endpoint

from summit.settings import Settings
from summit.store.base import GraphStore

log = logging.getLogger("summit.server")

HEALTH_TIMEOUT = 5.0


def health_endpoint(store: GraphStore, limiter: anyio.CapacityLimiter, settings: Settings,
                    warm_up_state: Callable[[], dict[str, Any]] | None = None) -> Endpoint:
    timeout = min(settings.request_timeout, HEALTH_TIMEOUT)

    def probe() -> int:
        if not store.ping():
            raise ConnectionError("ping returned false")
        return len(store.models())

    async def health(request: Request) -> JSONResponse:
        del request
        body: dict[str, Any] = {"store": settings.store}
        if warm_up_state is not None:
            body["warmUp"] = warm_up_state()
        try:
            with anyio.fail_after(timeout):
                models = await anyio.to_thread.run_sync(probe, limiter=limiter, abandon_on_cancel=True)
        except Exception as exc:  # any failure means "not reachable"; details stay out of the response
            log.warning("health check: store not reachable (%s)", type(exc).__name__)
            return JSONResponse({**body, "status": "unavailable", "reachable": False}, status_code=503)
        return JSONResponse({**body, "status": "ok", "reachable": True, "models": models})

    return health
