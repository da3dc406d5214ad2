"""The app-wide neuron picture memo: same answers, no repeated store calls, forgotten on a model-list change."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import anyio

from server.context import media_url
from server.neuron_images import MISSING, NeuronImages, prefill
from server.store_access import ModelsMemo, StoreGateway
from tests.server.conftest import run_gql
from tests.server.proxy import StoreProxy

IMAGES = '{ model { classGraph(classKey: "0") { nodes { neuron { id image } } } } }'


def test_second_request_reads_pictures_from_the_memo(client_for, store) -> None:
    proxy = StoreProxy(store)
    client = client_for(proxy, response_cache=0)
    first = run_gql(client, IMAGES)
    assert "errors" not in first
    assert all(n["neuron"]["image"] for n in first["data"]["model"]["classGraph"]["nodes"])
    calls = dict(proxy.calls)
    picture_calls = calls.get("featurevis", 0) + calls.get("examples", 0)
    assert picture_calls >= 1
    second = run_gql(client, IMAGES)
    assert second == first
    assert proxy.calls.get("featurevis", 0) + proxy.calls.get("examples", 0) == picture_calls  # all remembered
    assert proxy.calls["class_graph"] == calls["class_graph"] + 1  # the graph itself is still asked for


def test_memo_generations_and_bound() -> None:
    memo = NeuronImages(max_entries=2)
    assert memo.get(0, "m", "a:0") is MISSING
    memo.put(0, "m", "a:0", "p/a0.png")
    memo.put(0, "m", "a:1", None)
    assert memo.get(0, "m", "a:0") == "p/a0.png"
    assert memo.get(0, "m", "a:1") is None  # remembered: no picture
    memo.put(0, "m", "a:2", "p/a2.png")
    assert len(memo) == 2
    assert memo.get(0, "m", "a:0") is MISSING  # oldest dropped
    assert memo.get(1, "m", "a:2") is MISSING  # a new generation forgets everything
    assert len(memo) == 0


class _Models:
    def __init__(self, store: Any) -> None:
        self.store = store
        self.answer = store.models()

    def models(self) -> list[Any]:
        return self.answer


def test_models_memo_generation_changes_with_the_model_list(store) -> None:
    models = _Models(store)
    memo = ModelsMemo(ttl=0.0)
    gateway = StoreGateway(models, anyio.CapacityLimiter(1), timeout=5)  # type: ignore[arg-type]

    async def refresh() -> int:
        await memo.get(gateway)
        return memo.generation

    assert anyio.run(refresh) == 0
    assert anyio.run(refresh) == 0  # same list: same generation
    models.answer = [dataclasses.replace(models.answer[0], created="2026-11-26")]
    assert anyio.run(refresh) == 1


def test_prefill_remembers_what_requests_would_answer(client_for, store) -> None:
    body = run_gql(client_for(store, response_cache=0), IMAGES)
    expected = {n["neuron"]["id"]: n["neuron"]["image"] for n in body["data"]["model"]["classGraph"]["nodes"]}
    memo, models_memo = NeuronImages(), ModelsMemo()
    gateway = StoreGateway(store, anyio.CapacityLimiter(1), timeout=5)

    async def run() -> int:
        return await prefill(memo, models_memo, gateway)

    model = store.models()[0]
    assert anyio.run(run) == sum(layer.channels for layer in model.layers)
    for nid, url in expected.items():
        path = memo.get(models_memo.generation, model.id, nid)
        assert path is not MISSING
        assert url == (None if path is None else media_url(model.id, str(path)))


def test_serve_app_prefills_in_the_background(client_for, store) -> None:
    from starlette.testclient import TestClient

    from server.app import create_app
    from tests.server.conftest import make_settings

    proxy = StoreProxy(store)
    with TestClient(create_app(make_settings(response_cache=0), proxy, prefill_images=True)) as client:
        first = run_gql(client, IMAGES)
        assert "errors" not in first
        total = sum(layer.channels for layer in store.models()[0].layers)

        def prefilled() -> bool:  # one call with every neuron of the model: the prefill, not a request
            return any(len(args[1]) == total for args in proxy.args.get("examples", []))

        for _ in range(200):  # the prefill runs beside the first request; wait for it
            if prefilled():
                break
            time.sleep(0.01)
        assert prefilled()
        assert run_gql(client, IMAGES) == first
