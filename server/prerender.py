"""Pre-render the web app's class-graph answers into the response cache while the server warms up.

A class view in the web app sends two documents (``web/src/lib/api/queries.ts``:
``CLASS_GRAPH``, then ``CLASS_GRAPH_IMAGES`` for the tiles) with the variables
``{model, key, topN, minWeight}``. Answering one from scratch is pure GraphQL work
(graphql-core completes every field of every node and edge: about 4 ms of CPU for
one of Summit's published graphs, 58 nodes and 202 edges, on a free core); 50 users
opening classes at once queue behind each other for that. So, after the memos are
warm, ``prerender`` runs both documents once per class through the app's own GraphQL
view (same code, same bytes as a live answer) and keeps the answer under the cache key
of every request the web app sends for that view: ``model`` null (only for the first
model, the one a null model means) and the model's id, ``key`` the class's wnid (the
class list, the embedding) and its index (search hits); ``topN`` null and
``minWeight`` 0, the view's defaults. The documents below are the web app's,
character for character (``tests/server/test_prerender.py`` compares them with
queries.ts): the cache key is the exact query text.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from summit.server.response_cache import Recorder

from summit.ids import is_digits
from summit.store.base import ClassInfo, ModelInfo

_CLASS_FIELDS = """
  index wnid name images top1Correct accuracy probHist
  faithfulness {
    images graphNeurons baseProb graphProbDrop randomProbDropMean randomProbDropStd
    baseTop1 graphTop1Drop randomTop1DropMean randomTop1DropStd
  }"""

CLASS_GRAPH = f"""query ClassGraph($model: String, $key: String!, $topN: Int, $minWeight: Int) {{
  model(id: $model) {{
    classGraph(classKey: $key, topN: $topN, minWeight: $minWeight) {{
      class {{ {_CLASS_FIELDS} }}
      nodes {{ count pagerank neuron {{ id layer layerIndex channel }} }}
      edges {{ src dst weight }}
    }}
  }}
}}"""

CLASS_GRAPH_IMAGES = """query ClassGraphImages($model: String, $key: String!, $topN: Int, $minWeight: Int) {
  model(id: $model) {
    classGraph(classKey: $key, topN: $topN, minWeight: $minWeight) { nodes { neuron { id image } } }
  }
}"""

WEB_DOCUMENTS = {"CLASS_GRAPH": CLASS_GRAPH, "CLASS_GRAPH_IMAGES": CLASS_GRAPH_IMAGES}  # queries.ts names

MAX_BYTES = 512 * 1024 * 1024  # stop pre-rendering past this much (a full-scale model takes 10-20 MB)

ASGIApp = Callable[[MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
                   Awaitable[None]]


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
    if answer.status != 200 or answer.no_store or b'"errors":' in answer.body:  # what the cache would not keep
        return None
    return answer.body


@dataclass
class Prerendered:
    """What ``prerender`` did: answers rendered, cache keys they are kept under, their bytes."""

    answers: int = 0
    keys: int = 0
    bytes: int = 0


Keep = Callable[[Sequence[str], bytes], bool]  # cache keys -> answer -> kept? (False: stop, the models changed)


async def prerender(app: ASGIApp, key_of: Callable[[bytes], str | None], keep: Keep, model: ModelInfo,
                    default: bool, classes: Sequence[ClassInfo], done: Prerendered) -> bool:
    """Render the web app's class view of every class of ``model``; False when ``keep`` refused (stop)."""
    keys = class_keys(classes)
    for cls in classes:
        for document in WEB_DOCUMENTS.values():
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
            done.keys += len(cache_keys)
            done.bytes += len(answer)
    return True


__all__ = ["CLASS_GRAPH", "CLASS_GRAPH_IMAGES", "WEB_DOCUMENTS", "Prerendered", "class_keys", "prerender",
           "render", "request_bodies", "web_body"]
