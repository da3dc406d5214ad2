"""Pre-render the web app's class-view answers into the response cache while the server warms up.

A class view in the web app sends two documents (``web/src/lib/api/queries.ts``:
``CLASS_GRAPH``, then ``CLASS_GRAPH_IMAGES`` for the tiles) with the variables
``{model, key, topN, minWeight}``. Answering one from scratch is pure GraphQL work
(graphql-core completes every field of every node and edge: about 3 ms of CPU for
one of Summit's published graphs, 58 nodes and 202 edges, on a free core); 50 users
opening classes at once queue behind each other for it. So, after the memos are
warm, ``prerender`` runs both documents once per class through the app's own GraphQL
view (same code, same bytes as a live answer) and keeps the answer under the cache key
of every request the web app sends for that view: ``model`` null (only for the first
model, the one a null model means) and the model's id, ``key`` the class's wnid (the
class list, the embedding) and its index (search hits); ``topN`` null and
``minWeight`` 0, the view's defaults.

The cache key is the exact query text, so the documents come from the web app that is
served: its build writes every document it sends to ``queries.json`` next to
``index.html`` (``web/vite.config.ts``), and ``read_class_view`` reads the two from
there. Without a built web app there is nothing to pre-render.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summit.server.body_limit import ASGIApp
from summit.server.response_cache import Recorder, cacheable

from summit.ids import is_digits
from summit.store.base import ClassInfo, ModelInfo

log = logging.getLogger("summit.server")

QUERIES_FILE = "queries.json"  # in the built web app: {name: document} of every document it sends
CLASS_VIEW = ("CLASS_GRAPH", "CLASS_GRAPH_IMAGES")  # the documents of one class view, in the order it sends them

MAX_BYTES = 512 * 1024 * 1024  # stop pre-rendering past this much (a full-scale model takes 10-20 MB)


def read_class_view(web_dir: Path) -> dict[str, str]:
    """The class-view documents of the web app built in ``web_dir`` (empty when it is not built, or
    its ``queries.json`` lacks them: the warm-up then pre-renders nothing)."""
    path = web_dir / QUERIES_FILE
    if not path.is_file():
        return {}
    try:
        documents = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("the web app's %s cannot be read (%s): nothing is pre-rendered", QUERIES_FILE,
                    type(exc).__name__)
        return {}
    view = {name: documents.get(name) if isinstance(documents, dict) else None for name in CLASS_VIEW}
    if not all(isinstance(document, str) for document in view.values()):
        log.warning("the web app's %s has no %s: nothing is pre-rendered", QUERIES_FILE, " and ".join(CLASS_VIEW))
        return {}
    return {name: str(document) for name, document in view.items()}


def web_body(document: str, model: str | None, key: str) -> bytes:
    """The POST body the web app sends for a class view with the default filters."""
    return json.dumps({"query": document,
                       "variables": {"model": model, "key": key, "topN": None, "minWeight": 0}}).encode()


def class_keys(classes: Sequence[ClassInfo]) -> dict[int, list[str]]:
    """Class index -> the keys the web app names it by: its wnid (when it names only this class) and its index."""
    wnids: dict[str, int] = {}
    for cls in classes:
        wnids[cls.wnid] = wnids.get(cls.wnid, 0) + 1
    return {cls.index: ([cls.wnid] if cls.wnid and wnids[cls.wnid] == 1 and not is_digits(cls.wnid) else [])
            + [str(cls.index)] for cls in classes}


def request_bodies(document: str, model: ModelInfo, default: bool, keys: Sequence[str]) -> list[bytes]:
    """Every body of one class view that gets the same answer (``default``: the model a null model means)."""
    models: list[str | None] = [None, model.id] if default else [model.id]
    return [web_body(document, m, key) for m in models for key in keys]


async def render(app: ASGIApp, body: bytes) -> bytes | None:
    """POST ``body`` to ``app`` (the GraphQL view) in-process; its answer, or None unless it is a 200 without errors."""
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/graphql", "raw_path": b"/graphql", "root_path": "", "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        "client": None, "server": None, "state": {},
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    answer = Recorder()
    await app(scope, receive, answer)
    if answer.status != 200 or answer.no_store or not cacheable(answer.body):  # what the cache would not keep
        return None
    return answer.body


@dataclass
class Prerendered:
    """What ``prerender`` did: answers rendered and their bytes."""

    answers: int = 0
    bytes: int = 0


Keep = Callable[[Sequence[str], bytes], bool]  # cache keys -> answer -> kept? (False: stop, the models changed)


async def prerender(app: ASGIApp, documents: Sequence[str], key_of: Callable[[bytes], str | None], keep: Keep,
                    model: ModelInfo, default: bool, classes: Sequence[ClassInfo], done: Prerendered) -> bool:
    """Render ``documents`` (the web app's class view) for every class of ``model``; False when ``keep``
    refused (stop)."""
    keys = class_keys(classes)
    for cls in classes:
        for document in documents:
            if done.bytes >= MAX_BYTES:
                return True
            bodies = request_bodies(document, model, default, keys[cls.index])
            # rendered as the one of them that needs no store call to find its model and class
            answer = await render(app, web_body(document, None if default else model.id, str(cls.index)))
            if answer is None:  # an error: never cached (a live request reports it)
                continue
            cache_keys = [k for k in map(key_of, bodies) if k is not None]
            if not keep(cache_keys, answer):
                return False
            done.answers += 1
            done.bytes += len(answer)
    return True


__all__ = ["CLASS_VIEW", "QUERIES_FILE", "Prerendered", "class_keys", "prerender", "read_class_view", "render",
           "request_bodies", "web_body"]
