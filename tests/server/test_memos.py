"""The app-wide memos (neuron pictures, class graphs) and the warm-up that fills them at start."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any

import anyio
import pytest
from starlette.testclient import TestClient
from summit.server.app import create_app
from summit.server.context import media_url
from summit.server.memo import MISSING, ClassGraphs, GenerationMemo, NeuronImages
from summit.server.pool import StorePools
from summit.server.store_access import ModelsMemo, StoreGateway
from summit.server.warmup import warm_up

from tests.server.conftest import graphql_view, make_settings, run_gql, wait_for_generation
from tests.server.proxy import StoreProxy

IMAGES = '{ model { classGraph(classKey: "0") { nodes { neuron { id image } } } } }'
GRAPH = 'query($k: String!) { model { classGraph(classKey: $k) { class { index } nodes { count neuron { id image } } ' \
        'edges { src dst weight } } } }'


def test_second_request_reads_pictures_and_graph_from_the_memos(client_for, store) -> None:
    proxy = StoreProxy(store)
    client = client_for(proxy, response_cache=0)
    first = run_gql(client, IMAGES)
    assert "errors" not in first
    assert all(n["neuron"]["image"] for n in first["data"]["model"]["classGraph"]["nodes"])
    calls = dict(proxy.calls)
    picture_calls = calls.get("featurevis", 0) + calls.get("examples", 0)
    assert picture_calls >= 1
    assert calls["class_graph"] == 1
    second = run_gql(client, IMAGES)
    assert second == first
    assert proxy.calls.get("featurevis", 0) + proxy.calls.get("examples", 0) == picture_calls  # all remembered
    assert proxy.calls["class_graph"] == 1  # the graph too
    run_gql(client, IMAGES.replace('classKey: "0"', 'classKey: "0", topN: 2'))
    assert proxy.calls["class_graph"] == 2  # other thresholds: another entry


def test_memo_generations_and_lru_bound() -> None:
    memo: GenerationMemo[str, str | None] = GenerationMemo(max_entries=2)
    assert memo.get(0, "a") is MISSING
    memo.put(0, "a", "p/a.png")
    memo.put(0, "b", None)
    assert memo.get(0, "a") == "p/a.png"  # "a" is now the most recently used
    assert memo.get(0, "b") is None  # remembered: no picture
    assert memo.get(0, "a") == "p/a.png"
    memo.put(0, "c", "p/c.png")
    assert len(memo) == 2
    assert memo.get(0, "b") is MISSING  # least recently used dropped
    assert memo.get(0, "a") == "p/a.png"
    assert memo.contains(0, "c")
    assert memo.get(1, "c") is MISSING  # a new generation forgets everything
    assert len(memo) == 0
    with pytest.raises(ValueError, match="max_entries"):
        GenerationMemo(0)


class _Models:
    def __init__(self, store: Any) -> None:
        self.store = store
        self.answer = store.models()

    def models(self) -> list[Any]:
        return self.answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_models_memo_generation_changes_with_the_model_list(store) -> None:
    models = _Models(store)
    memo = ModelsMemo(ttl=0.0)
    gateway = StoreGateway(models, StorePools(1, 1), timeout=5)  # type: ignore[arg-type]

    async def refresh() -> int:
        await memo.refresh(gateway)
        return memo.generation

    assert anyio.run(refresh) == 0
    assert anyio.run(refresh) == 0  # same list: same generation
    models.answer = [dataclasses.replace(models.answer[0], created="2026-11-26")]
    assert anyio.run(refresh) == 1


class _SlowModels(_Models):
    """models() takes ``delay`` seconds and counts its calls; ``fail`` makes it raise."""

    def __init__(self, store: Any, delay: float) -> None:
        super().__init__(store)
        self.delay = delay
        self.calls = 0
        self.fail = False

    def models(self) -> list[Any]:
        self.calls += 1
        time.sleep(self.delay)
        if self.fail:
            raise ConnectionError("store down")
        return self.answer


def test_models_memo_makes_one_store_call_for_a_crowd(store) -> None:
    slow = _SlowModels(store, delay=0.05)
    memo = ModelsMemo(ttl=0.0, max_age=60.0)  # always expired, never too old to answer from
    gateway = StoreGateway(slow, StorePools(8, 1), timeout=5)  # type: ignore[arg-type]

    async def crowd() -> list[float]:
        results: list[list[Any]] = []

        async def one() -> None:
            results.append(await memo.get(gateway))

        async with anyio.create_task_group() as tg:
            for _ in range(50):
                tg.start_soon(one)
        assert len(results) == 50
        assert all(r == slow.answer for r in results)
        assert slow.calls == 1  # nothing remembered yet: all 50 waited for one call
        # expired (ttl 0): answered at once from the old list while one refresh runs behind
        timings = []
        for _ in range(50):
            started = time.perf_counter()
            assert await memo.get(gateway) == slow.answer
            timings.append(time.perf_counter() - started)
        await memo.refresh(gateway)  # joins the one refresh started by the 50 expired gets
        assert slow.calls == 2
        return timings

    timings = anyio.run(crowd)
    assert max(timings) < 0.05  # nobody waited for the slow store


def test_models_memo_does_not_answer_from_a_list_older_than_max_age(store) -> None:
    """An idle server must not answer its first request after a reload from the old list (issue 20)."""
    slow = _SlowModels(store, delay=0.05)
    memo = ModelsMemo(ttl=0.05, max_age=0.1)
    gateway = StoreGateway(slow, StorePools(8, 1), timeout=5)  # type: ignore[arg-type]

    async def idle_then_ask() -> None:
        first = await memo.get(gateway)
        generation = memo.generation
        slow.answer = [*first, dataclasses.replace(first[0], load_id="L-reloaded")]  # another load of the store
        await anyio.sleep(0.15)  # idle for longer than max_age
        assert await memo.get(gateway) == slow.answer  # waited for a fresh list
        assert memo.generation == generation + 1
        assert slow.calls == 2

    anyio.run(idle_then_ask)


def test_models_memo_sees_a_reload_of_the_same_artifact(store) -> None:
    """Two loads of one artifact give equal ModelInfo, yet the memos must drop the old load's answers."""
    slow = _SlowModels(store, delay=0.0)
    memo = ModelsMemo(ttl=0.0, max_age=60.0)
    gateway = StoreGateway(slow, StorePools(8, 1), timeout=5)  # type: ignore[arg-type]

    async def reload() -> None:
        first = await memo.get(gateway)
        generation = memo.generation
        slow.answer = [dataclasses.replace(first[0], load_id="L-second")]
        assert slow.answer == first  # equal records ...
        assert await memo.refresh(gateway) == first
        assert memo.generation == generation + 1  # ... but another load

    anyio.run(reload)


def test_models_memo_failures(store) -> None:
    slow = _SlowModels(store, delay=0.0)
    slow.fail = True
    memo = ModelsMemo(ttl=0.0)
    gateway = StoreGateway(slow, StorePools(1, 1), timeout=5)  # type: ignore[arg-type]

    async def first_call_fails() -> None:
        with pytest.raises(ConnectionError):
            await memo.get(gateway)

    anyio.run(first_call_fails)
    assert memo.failing
    slow.fail = False

    async def recover_then_fail_behind() -> None:
        assert await memo.get(gateway) == slow.answer
        assert not memo.failing
        slow.fail = True
        assert await memo.get(gateway) == slow.answer  # old list; a refresh starts behind
        for _ in range(100):
            await anyio.sleep(0.01)
            if memo.failing:
                break
        assert memo.failing  # the failed background refresh is recorded, the old list kept
        assert await memo.get(gateway) == slow.answer

    anyio.run(recover_then_fail_behind)


def test_class_graph_memo_forgets_a_reloaded_model(client_for, store) -> None:
    models = _Models(store)
    proxy = StoreProxy(models)
    client = client_for(proxy, response_cache=0)
    memo = graphql_view(client).models_memo
    memo.ttl = 0.0
    run_gql(client, GRAPH, {"k": "1"})
    run_gql(client, GRAPH, {"k": "1"})
    assert proxy.calls["class_graph"] == 1
    models.answer = [dataclasses.replace(models.answer[0], created="reloaded")]
    wait_for_generation(client, memo, 1)
    run_gql(client, GRAPH, {"k": "1"})
    assert proxy.calls["class_graph"] == 2  # the reload dropped the remembered graph


def test_warm_up_remembers_what_requests_would_answer(client_for, store) -> None:
    plain = client_for(store, response_cache=0)
    model = store.models()[0]
    indices = [c.index for c in store.classes(model.id)]
    expected = {k: run_gql(plain, GRAPH, {"k": str(k)}) for k in indices}
    images, graphs, models_memo = NeuronImages(), ClassGraphs(), ModelsMemo()
    gateway = StoreGateway(store, StorePools(1, 1), timeout=5)

    async def run() -> Any:
        return await warm_up(images, graphs, models_memo, gateway)

    report = anyio.run(run)
    assert report.images == sum(layer.channels for layer in model.layers)
    assert report.graphs == len(indices)
    for k in indices:
        graph = graphs.get(models_memo.generation, (model.id, k, None, 0))
        assert graph == store.class_graph(model.id, k)
        for node in expected[k]["data"]["model"]["classGraph"]["nodes"]:
            path = images.get(models_memo.generation, (model.id, node["neuron"]["id"]))
            assert path is not MISSING
            assert node["neuron"]["image"] == (None if path is None else media_url(model.id, str(path)))


def test_warm_up_stops_when_the_model_list_changes(store) -> None:
    models = _Models(store)
    images, graphs, models_memo = NeuronImages(), ClassGraphs(), ModelsMemo(ttl=0.0)
    gateway = StoreGateway(models, StorePools(1, 1), timeout=5)  # type: ignore[arg-type]

    loop: list[asyncio.AbstractEventLoop] = []

    class Reloading:
        """A store whose model list changes as soon as the warm-up asks for the first class graph."""

        def __getattr__(self, name: str) -> Any:
            return getattr(models, name)

        def class_graph(self, *args: Any, **kwargs: Any) -> Any:
            models.answer = [dataclasses.replace(models.answer[0], created="reloaded")]
            # a request sees the new list meanwhile (the store runs in a pool thread: hop to the event loop)
            asyncio.run_coroutine_threadsafe(models_memo.refresh(gateway), loop[0]).result(timeout=5)
            return models.class_graph(*args, **kwargs)

    reloading = StoreGateway(Reloading(), StorePools(1, 1), timeout=5)  # type: ignore[arg-type]

    async def run() -> Any:
        loop.append(asyncio.get_running_loop())
        return await warm_up(images, graphs, models_memo, reloading)

    report = anyio.run(run)
    assert report.graphs == 0  # the graph of the old generation was not kept
    assert len(graphs) == 0


def test_serve_app_warms_up_at_start(media_dir, store, tmp_path) -> None:
    proxy = StoreProxy(store)
    model = store.models()[0]
    classes = len(store.classes(model.id))
    app = create_app(make_settings(response_cache=0), proxy, web_dir=tmp_path / "no-web",
                     media_roots={model.id: media_dir}, warm=True)
    with TestClient(app) as client:  # the context manager runs the app's startup: the warm-up begins
        for _ in range(500):
            if proxy.calls.get("class_graph", 0) == classes:
                break
            time.sleep(0.01)
        assert proxy.calls.get("class_graph", 0) == classes  # one call per class, before any request
        for _ in range(500):
            health = client.get("/healthz").json()["warmUp"]
            if health["state"] != "running":
                break
            time.sleep(0.01)
        total = sum(layer.channels for layer in model.layers)
        assert health == {"state": "done", "graphs": classes, "images": total}
        assert any(len(args[1]) == total for args in proxy.args.get("examples", []))  # every neuron at once
        before = dict(proxy.calls)
        for k in range(classes):
            body = run_gql(client, GRAPH, {"k": str(k)})
            assert "errors" not in body
            assert body["data"]["model"]["classGraph"]["class"]["index"] == k
        assert proxy.calls.get("class_graph") == before["class_graph"]  # every graph came from the memo
        assert proxy.calls.get("examples") == before.get("examples")  # and every picture
