"""The warm-up pre-renders the web app's class views into the response cache (server/prerender.py):
the documents the served web app sends (its build's queries.json), under the keys of the bodies it
sends, the same bytes as a live answer, and dropped with the rest of the cache when the model list
changes. web/e2e/app.test.mjs checks the same with the real build and a real browser."""

from __future__ import annotations

import json
import time
from pathlib import Path

from starlette.testclient import TestClient
from summit.server.app import create_app
from summit.server.prerender import CLASS_VIEW, QUERIES_FILE, class_keys, read_class_view, web_body

from summit.store.base import ClassInfo
from tests.server.conftest import graphql_view, make_settings, wait_for_generation
from tests.server.memstore import CLASSES, MODEL, MemStore
from tests.server.proxy import StoreProxy
from tests.server.web_build import built, web_app_documents


def test_the_class_view_is_read_from_the_built_web_app(tmp_path: Path) -> None:
    web = web_app_documents()
    assert {"MODELS", "CLASS_GRAPH", "CLASS_GRAPH_IMAGES"} <= set(web)  # the reader finds the constants
    assert "${" not in web["CLASS_GRAPH"]
    assert "faithfulness {" in web["CLASS_GRAPH"]  # and expands them
    assert read_class_view(built(tmp_path)) == {name: web[name] for name in CLASS_VIEW}
    other = tmp_path / "other"
    other.mkdir()
    assert read_class_view(other) == {}  # not built: nothing to pre-render
    (other / QUERIES_FILE).write_text("{not json")
    assert read_class_view(other) == {}
    (other / QUERIES_FILE).write_text(json.dumps({"CLASS_GRAPH": web["CLASS_GRAPH"]}))
    assert read_class_view(other) == {}  # a web app without the tiles' document: no class view to render


def test_class_keys_name_a_class_only_when_unambiguous() -> None:
    classes = [ClassInfo(0, "n01", "a", 1, 1, None), ClassInfo(1, "dup", "b", 1, 1, None),
               ClassInfo(2, "dup", "c", 1, 1, None), ClassInfo(3, "7", "d", 1, 1, None),
               ClassInfo(4, "", "e", 1, 1, None)]
    assert class_keys(classes) == {0: ["n01", "0"], 1: ["1"], 2: ["2"], 3: ["3"], 4: ["4"]}


def warm_client(store: object, tmp_path: Path, **settings: object) -> TestClient:
    app = create_app(make_settings(response_cache=64, **settings), store, web_dir=built(tmp_path), warm=True)
    client = TestClient(app)
    client.__enter__()  # runs the lifespan: the warm-up starts
    for _ in range(500):
        state = client.get("/healthz").json()["warmUp"]
        if state["state"] == "done":
            return client
        assert state["state"] in ("pending", "running"), state
        time.sleep(0.01)
    raise AssertionError("the warm-up never finished")


def web_bodies(cls: ClassInfo) -> list[bytes]:
    documents = web_app_documents()
    return [web_body(documents[name], model, key) for name in CLASS_VIEW for model in (None, MODEL)
            for key in (cls.wnid, str(cls.index))]


def test_every_class_view_is_answered_from_the_prerendered_answers(tmp_path: Path) -> None:
    proxy = StoreProxy(MemStore())
    client = warm_client(proxy, tmp_path)
    try:
        health = client.get("/healthz").json()
        assert health["warmUp"]["responses"] == 2 * len(CLASSES)  # two documents per class
        assert health["responseCache"]["prerendered"] == 2 * 2 * 2 * len(CLASSES)  # x (null, id) x (wnid, index)
        before = dict(proxy.calls)
        answers = {}
        for cls in CLASSES:
            for body in web_bodies(cls):
                response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
                assert response.status_code == 200
                answers[body] = response.content
                data = json.loads(response.content)["data"]["model"]["classGraph"]
                assert data["nodes"], data
                if "class" in data:
                    assert data["class"]["index"] == cls.index
        assert dict(proxy.calls) == before  # not one store call: every answer was pre-rendered
        assert client.get("/healthz").json()["responseCache"]["hits"] == len(answers)
    finally:
        client.__exit__(None, None, None)
    # the same bytes as a server without the response cache answers live
    live = TestClient(create_app(make_settings(), MemStore(), web_dir=tmp_path))
    for body, answer in answers.items():
        assert live.post("/graphql", content=body, headers={"content-type": "application/json"}).content == answer


def test_other_documents_and_filters_are_not_prerendered(tmp_path: Path) -> None:
    proxy = StoreProxy(MemStore())
    client = warm_client(proxy, tmp_path)
    try:
        filtered = json.dumps({"query": web_app_documents()["CLASS_GRAPH"],
                               "variables": {"model": None, "key": "n01", "topN": 1, "minWeight": 0}})
        calls = proxy.calls.get("class_graph", 0)
        response = client.post("/graphql", content=filtered, headers={"content-type": "application/json"})
        assert response.status_code == 200
        assert "errors" not in response.json()
        assert proxy.calls["class_graph"] == calls + 1  # looked up: topN 1 was never pre-rendered
        assert client.get("/healthz").json()["responseCache"]["misses"] == 1
    finally:
        client.__exit__(None, None, None)


def test_after_a_reload_the_class_views_are_prerendered_again(tmp_path: Path, monkeypatch) -> None:
    proxy = StoreProxy(MemStore())
    client = warm_client(proxy, tmp_path)
    try:
        memo = graphql_view(client).models_memo
        memo.ttl = 0.0
        body = web_body(web_app_documents()["CLASS_GRAPH"], None, "n01")
        first = client.get("/healthz").json()
        assert "runs" not in first["warmUp"]  # only after a reload
        calls = proxy.calls.get("class_by_key", 0)
        client.post("/graphql", content=body, headers={"content-type": "application/json"})
        assert proxy.calls.get("class_by_key", 0) == calls  # pre-rendered
        original = MemStore.models

        def reloaded(self: MemStore) -> list:  # the same models served from another load
            return [m.__class__(**{**m.__dict__, "created": "reloaded"}) for m in original(self)]

        monkeypatch.setattr(MemStore, "models", reloaded)
        wait_for_generation(client, memo, memo.generation + 1)
        states = []
        for _ in range(500):  # the next request starts a warm-up of the new list; ready all along
            client.post("/graphql", content=b'{"query": "{ models { id } }"}', headers={"content-type": "application/json"})
            health = client.get("/healthz").json()
            states.append((health["warmUp"]["state"], health["ready"]))
            if health["warmUp"].get("runs") == 2 and health["warmUp"]["state"] == "done":
                break
            time.sleep(0.01)
        assert health["warmUp"].get("runs") == 2, states
        assert health["warmUp"]["state"] == "done", states
        assert all(ready for _, ready in states), states
        assert health["warmUp"]["responses"] == first["warmUp"]["responses"]
        assert health["responseCache"]["prerendered"] == first["responseCache"]["prerendered"]
        def lookups() -> dict[str, int]:  # store calls but the model list (asked on every request: ttl 0)
            return {name: n for name, n in proxy.calls.items() if name != "models"}

        calls = lookups()
        response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
        assert response.json()["data"]["model"]["classGraph"]["class"]["wnid"] == "n01"
        assert lookups() == calls  # answered from the new pre-rendered answers
        assert graphql_view(client).warm_up_report.generation == memo.generation
    finally:
        client.__exit__(None, None, None)


def test_no_prerendering_without_the_response_cache_or_a_built_web_app(tmp_path: Path) -> None:
    unbuilt = tmp_path / "unbuilt"
    unbuilt.mkdir()
    for cache, web_dir in ((0, built(tmp_path)), (64, unbuilt)):
        app = create_app(make_settings(response_cache=cache), MemStore(), web_dir=web_dir, warm=True)
        with TestClient(app) as client:
            for _ in range(500):
                state = client.get("/healthz").json()
                if state["warmUp"]["state"] == "done":
                    break
                time.sleep(0.01)
            assert state["warmUp"] == {"state": "done", "graphs": len(CLASSES), "images": 8}
            assert ("responseCache" in state) == (cache > 0)
            if cache:
                assert state["responseCache"]["prerendered"] == 0
