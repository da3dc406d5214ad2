"""The response cache: repeated queries answered from memory, errors never cached, reloads drop it."""

from __future__ import annotations

from tests.server.conftest import error_codes, graphql_view, run_gql, wait_for_generation
from tests.server.memstore import MemStore
from tests.server.proxy import StoreProxy

GRAPH = '{ model { classGraph(classKey: "0") { nodes { neuron { id image } } edges { src dst weight } } } }'
# the class graph itself is also remembered below the response cache (server.memo); a class looked
# up by key is not, so its store calls show whether an answer came from the response cache
CLASS = '{ model { class(key: "0") { index name accuracy } } }'


def test_repeated_query_served_from_cache(client_for, store) -> None:
    proxy = StoreProxy(store)
    client = client_for(proxy, response_cache=16)
    first = run_gql(client, GRAPH)
    calls = dict(proxy.calls)
    second = run_gql(client, GRAPH)
    assert second == first
    assert proxy.calls.get("class_graph") == calls["class_graph"] == 1  # no new store work
    other = run_gql(client, GRAPH.replace('"0"', '"1"'))
    assert other != first
    assert proxy.calls["class_graph"] == 2
    # same query, different variables: a different entry
    q = "query($k: String!) { model { class(key: $k) { index } } }"
    assert run_gql(client, q, {"k": "0"})["data"]["model"]["class"]["index"] == 0
    assert run_gql(client, q, {"k": "2"})["data"]["model"]["class"]["index"] == 2


def test_errors_are_not_cached(client_for, store) -> None:
    proxy = StoreProxy(store)
    client = client_for(proxy, response_cache=16)
    bad = '{ model { classGraph(classKey: "nope") { edges { src } } } }'
    assert error_codes(run_gql(client, bad)) == ["NOT_FOUND"]
    assert error_codes(run_gql(client, bad)) == ["NOT_FOUND"]
    assert proxy.calls["class_by_key"] == 2


def test_limits_still_apply(client_for, store) -> None:
    client = client_for(store, response_cache=16, max_depth=3)
    deep = '{ model { classGraph(classKey: "0") { nodes { neuron { id } } } } }'
    for _ in range(2):
        assert error_codes(run_gql(client, deep)) == ["LIMIT_EXCEEDED"]


def test_cache_dropped_when_models_change(client_for, monkeypatch) -> None:
    store = MemStore()
    proxy = StoreProxy(store)
    client = client_for(proxy, response_cache=16)
    memo = graphql_view(client).models_memo
    memo.ttl = 0.0
    run_gql(client, CLASS)
    run_gql(client, CLASS)
    assert proxy.calls["class_by_key"] == 1
    original = MemStore.models

    def reloaded(self: MemStore) -> list:
        return [m.__class__(**{**m.__dict__, "created": "reloaded"}) for m in original(self)]

    monkeypatch.setattr(MemStore, "models", reloaded)
    wait_for_generation(client, memo, 1)
    run_gql(client, CLASS)
    assert proxy.calls["class_by_key"] == 2


def test_lru_bound(client_for, store) -> None:
    proxy = StoreProxy(store)
    client = client_for(proxy, response_cache=2)
    for key in ("0", "1", "2", "0"):
        run_gql(client, CLASS.replace('"0"', f'"{key}"'))
    assert proxy.calls["class_by_key"] == 4  # "0" was evicted by "1" and "2"
