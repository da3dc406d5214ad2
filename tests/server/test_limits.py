"""Query-shape limits, result-size caps and the per-request timeout."""

from __future__ import annotations

from summit.server.limits import LIMIT_MESSAGES

from tests.server.conftest import error_codes, run_gql
from tests.server.proxy import StoreProxy


def test_depth_limit(client_for, store) -> None:
    client = client_for(store, max_depth=3)
    ok = run_gql(client, "{ model { layers { name } } }")
    assert "errors" not in ok
    store.calls.clear()
    body = run_gql(client, '{ model { classGraph(classKey: "0") { nodes { neuron { id } } } } }')
    assert error_codes(body) == ["LIMIT_EXCEEDED"]
    assert "exceeds maximum operation depth of 3" in body["errors"][0]["message"]
    assert store.calls == {}  # refused before any store call


def test_token_limit(client_for, store) -> None:
    client = client_for(store, max_tokens=20)
    body = run_gql(client, "{ model { " + " ".join("layers{name}" for _ in range(10)) + " } }")
    assert error_codes(body) == ["LIMIT_EXCEEDED"]
    assert "more than 20 tokens" in body["errors"][0]["message"]
    assert store.calls == {}


def test_alias_limit(client_for, store) -> None:
    client = client_for(store, max_aliases=2)
    query = "{ model { " + " ".join(f'g{i}: classGraph(classKey: "0") {{ edges {{ src }} }}' for i in range(3)) + " } }"
    body = run_gql(client, query)
    assert error_codes(body) == ["LIMIT_EXCEEDED"]
    assert "3 aliases found. Allowed: 2" in body["errors"][0]["message"]
    assert store.calls == {}


def test_limit_messages_known() -> None:
    # The codes above depend on these fragments of the limiters' messages.
    assert len(LIMIT_MESSAGES) == 3


def test_result_size_caps(client_for, store) -> None:
    client = client_for(store, max_results=3)
    body = run_gql(client, '{ model { classGraph(classKey: "0") { edges { src } } } }')
    assert error_codes(body) == ["LIMIT_EXCEEDED"]
    assert "4 items" in body["errors"][0]["message"]
    assert "topN" in body["errors"][0]["message"]
    ok = run_gql(client, '{ model { classGraph(classKey: "0", topN: 1) { nodes { count } } } }')
    assert "errors" not in ok
    body = run_gql(client, '{ model { search(text: "a", limit: 4) { id } } }')
    assert error_codes(body) == ["LIMIT_EXCEEDED"]
    body = run_gql(client, '{ model { classes(first: 4) { totalCount } } }')
    assert error_codes(body) == ["LIMIT_EXCEEDED"]
    client2 = client_for(store, max_results=2)
    body = run_gql(client2, '{ model { embedding(layer: "a") { x } } }')
    assert error_codes(body) == ["LIMIT_EXCEEDED"]


def test_hop_and_k_limits_follow_settings(client_for, store) -> None:
    client = client_for(store, max_hops=1, max_paths=2)
    body = run_gql(client, '{ model { neighbourhood(classKey: "0", neuronId: "a:0", hops: 2) { edges { src } } } }')
    assert error_codes(body) == ["LIMIT_EXCEEDED"]
    assert "max_hops = 1" in body["errors"][0]["message"]
    body = run_gql(client, '{ model { paths(classKey: "0", from: "a:0", k: 3) { score } } }')
    assert error_codes(body) == ["LIMIT_EXCEEDED"]
    assert "max_paths = 2" in body["errors"][0]["message"]
    assert "class_graph" not in store.calls
    assert "paths" not in store.calls


def test_request_timeout(client_for, store) -> None:
    client = client_for(StoreProxy(store, sleep={"class_graph": 1.0}), request_timeout=0.2)
    body = run_gql(client, '{ model { classGraph(classKey: "0") { edges { src } } } }')
    assert error_codes(body) == ["LIMIT_EXCEEDED"]
    assert "longer than 0.2 s" in body["errors"][0]["message"]


def test_oversized_body_refused(client_for, store) -> None:
    for cache in (0, 16):
        client = client_for(store, response_cache=cache)
        huge = "{ models { id } }" + " " * (1024 * 1024 + 10)
        response = client.post("/graphql", json={"query": huge})
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert store.calls == {}
