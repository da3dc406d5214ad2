"""An in-memory cache of whole GraphQL responses (the data is read-only between model loads).

POSTed queries are keyed by their (query, variables, operationName); only
answers without errors are kept (LRU, ``response_cache`` entries), except
those marked ``Cache-Control: no-store`` (``Context.no_store``: notes, the
viewer's rights, mutations). The cache is
dropped when the store's model list changes (the app's ``ModelsMemo``, which
looks at most once a second, so a reload shows within about that time). Every
request still passes the same limits: a cached answer is one that already passed them.

Besides the LRU of live answers, the cache keeps the answers the warm-up pre-rendered
(``server.prerender``: the web app's class views) for the generation they were
rendered at; live traffic never evicts them, and they too are dropped when the
model list changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from summit.server.body_limit import ASGIApp
from summit.server.memo import GenerationMemo, Missing
from summit.server.store_access import ModelsMemo, StoreGateway

MAX_BODY = 64 * 1024  # larger requests are not cached (the token limit keeps real queries far below)
MAX_ENTRY = 4 * 1024 * 1024  # larger answers are not cached


def cacheable(body: bytes) -> bool:
    """An answer the cache keeps: not too large, and without errors (a quote before ``errors`` cannot
    occur inside a JSON string value, only as a key)."""
    return len(body) <= MAX_ENTRY and b'"errors":' not in body
MAX_PRERENDERED_KEYS = 1_000_000  # keys of pre-rendered answers (their bytes are bounded by server.prerender)


class Recorder:
    """An ASGI ``send`` that keeps the answer's status and body, passing every message on to ``forward`` (if any)."""

    def __init__(self, forward: Callable[[Any], Awaitable[None]] | None = None):
        self.forward = forward
        self.status = 0
        self.no_store = False  # the answer says ``Cache-Control: no-store`` (notes, rights, mutations)
        self.parts: list[bytes] = []

    async def __call__(self, message: Any) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.no_store = any(name.lower() == b"cache-control" and b"no-store" in value
                                for name, value in message.get("headers") or ())
        elif message["type"] == "http.response.body":
            self.parts.append(message.get("body", b""))
        if self.forward is not None:
            await self.forward(message)

    @property
    def body(self) -> bytes:
        return b"".join(self.parts)


class ResponseCache:
    """LRU of response bodies, cleared when the store's model list changes (``ModelsMemo.generation``)."""

    def __init__(self, models_memo: ModelsMemo, gateway: Callable[[], StoreGateway], max_entries: int):
        self._models_memo = models_memo
        self._gateway = gateway
        self._entries: GenerationMemo[str, bytes] = GenerationMemo(max_entries)
        self._prerendered: GenerationMemo[str, bytes] = GenerationMemo(MAX_PRERENDERED_KEYS)
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        """Live answers kept (the pre-rendered ones are ``prerendered``)."""
        return len(self._entries)

    def state(self) -> dict[str, int]:
        """For /healthz: lookups answered and not, answers kept (live, and keys of pre-rendered ones)."""
        return {"hits": self.hits, "misses": self.misses, "entries": len(self._entries),
                "prerendered": len(self._prerendered)}

    @staticmethod
    def key(body: bytes) -> str | None:
        """The cache key of a GraphQL POST body, or None when it is not a plain query."""
        if len(body) > MAX_BODY:
            return None
        try:
            request = json.loads(body)
        except ValueError:
            return None
        if not isinstance(request, dict) or not isinstance(request.get("query"), str):
            return None
        canonical = json.dumps([request["query"], request.get("variables") or {}, request.get("operationName")],
                               sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    async def get(self, key: str) -> bytes | None:
        try:
            await self._models_memo.get(self._gateway())
        except Exception:  # store unreachable: answer nothing from the cache, let the query report it
            self._entries.clear()
            self._prerendered.clear()
            return None
        if self._models_memo.failing:  # the last look at the store failed: let the query report it
            return None
        generation = self._models_memo.generation
        body = self._prerendered.get(generation, key)
        if isinstance(body, Missing):
            body = self._entries.get(generation, key)
        if isinstance(body, Missing):
            self.misses += 1
            return None
        self.hits += 1
        return body

    def put(self, key: str, body: bytes) -> None:
        if not cacheable(body):
            return
        if self._entries.generation is not None:  # kept for the generation its lookup saw
            self._entries.put(self._entries.generation, key, body)

    def keep(self, generation: int, keys: Sequence[str], body: bytes) -> bool:
        """Keep a pre-rendered answer under ``keys`` for ``generation`` (the warm-up's); False, keeping
        nothing, when the model list has changed since (the caller stops)."""
        if self._models_memo.generation != generation:
            return False
        if cacheable(body):
            for key in keys:
                self._prerendered.put(generation, key, body)
        return True


class CachedGraphQL:
    """Wraps the GraphQL ASGI app: answers repeated POST queries from ``cache``."""

    def __init__(self, app: ASGIApp, cache: ResponseCache):
        self.app = app
        self.cache = cache

    async def __call__(self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        app, cache = self.app, self.cache
        if scope["type"] != "http" or scope["method"] != "POST":
            await app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # client went away
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        key = cache.key(body)
        hit = await cache.get(key) if key is not None else None
        if hit is not None:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(hit)).encode())]})
            await send({"type": "http.response.body", "body": hit})
            return

        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        answer = Recorder(send)
        await app(scope, replay, answer)
        if key is not None and answer.status == 200 and not answer.no_store:
            cache.put(key, answer.body)
