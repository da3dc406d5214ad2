"""``POST /admin/load``: load an artifact into the embedded store this server holds.

LadybugDB lets one process write a store, and ``summit serve`` is that process for the
store it serves; so ``summit load`` into that store sends the artifact's path here
(``summit.store.owner``) instead of opening the store itself. The request carries the
token from the server's record beside the store (readable only by the server's user);
anything else is refused. The load runs in a worker thread on the store's load
connection while queries go on; loads run one at a time. When it is done the model list
is read again at once, so every memo drops what it remembered of the old load before
the answer goes back.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from summit.server.endpoint import Endpoint
from summit.server.errors import http_refusal

from summit.errors import ArtifactError, BadInput, NotFound, StoreUnavailable, SummitError
from summit.store.prepare import read_load_data

log = logging.getLogger("summit.server")

STATUS = {BadInput.code: 400, ArtifactError.code: 400, NotFound.code: 404, StoreUnavailable.code: 503}


def admin_load_endpoint(store: Any, token: str, batch_rows: int,
                        loaded: Callable[[], Awaitable[object]]) -> Endpoint:
    """The handler; ``loaded`` is awaited after each load (the app refreshes its model list)."""
    one_at_a_time = asyncio.Lock()
    expected = f"Bearer {token}".encode()

    def run_load(artifact: str) -> dict[str, Any]:
        started = time.perf_counter()
        data = read_load_data(artifact)
        load = store.write_load(data, batch_rows=batch_rows, progress=lambda msg: log.info("load: %s", msg))
        return {"model": str(data.model["id"]), "load": load, "rows": data.rows(),
                "seconds": round(time.perf_counter() - started, 3)}

    async def admin_load(request: Request) -> Response:
        given = request.headers.get("authorization", "").encode()
        if not secrets.compare_digest(given, expected):
            return http_refusal(403, "this endpoint takes the token of the server's record beside the store")
        try:
            body = await request.json()
            artifact = body["artifact"]
            if not isinstance(artifact, str) or not artifact:
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return http_refusal(400, 'the body must be JSON like {"artifact": "/path/to/artifact"}')
        async with one_at_a_time:
            log.info("loading %s (asked by `summit load`)", artifact)
            try:
                # not cancelled when the client goes away: a load finishes (or cleans up after itself)
                answer = await anyio.to_thread.run_sync(run_load, artifact)
            except SummitError as exc:
                log.warning("load of %s refused: %s", artifact, exc)
                return http_refusal(STATUS.get(exc.code, 400), str(exc), code=exc.code)
            except Exception:  # a bug or a database failure: the load cleaned up after itself
                ref = secrets.token_hex(4)
                log.exception("load of %s failed (ref %s)", artifact, ref)
                return http_refusal(500, f"the load failed: internal error (ref {ref}); see the server's log")
            finally:
                await loaded()  # a failed load may still have changed nothing, or retired loads: look again
        log.info("loaded model %r (load %s): %d rows in %.1f s", answer["model"], answer["load"], answer["rows"],
                 answer["seconds"])
        return JSONResponse(answer)

    return admin_load


__all__ = ["admin_load_endpoint"]
