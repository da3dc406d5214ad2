"""DataLoaders are per request and batch nested fields: one store call per level."""

from __future__ import annotations

from tests.server.conftest import run_gql
from tests.server.proxy import StoreProxy

NESTED = """{ model { classGraph(classKey: "0") { nodes { neuron { id image
              examples(limit: 1) { url } featurevis } } } } }"""


def test_nested_query_one_call_per_level(client_for, store) -> None:
    proxy = StoreProxy(store)
    client = client_for(proxy)
    body = run_gql(client, NESTED)
    assert "errors" not in body
    nodes = body["data"]["model"]["classGraph"]["nodes"]
    assert len(nodes) == 4
    assert all(n["neuron"]["examples"] for n in nodes)
    # models (root), class_graph (graph level; a key of digits needs no lookup), one batched call per loader
    assert proxy.calls == {"models": 1, "class_graph": 1, "examples": 1, "featurevis": 1}
    assert sorted(proxy.args["examples"][0][1]) == ["a:0", "a:1", "b:0", "c:1"]


def test_loaders_are_per_request(client_for, store) -> None:
    proxy = StoreProxy(store)
    client = client_for(proxy)
    run_gql(client, NESTED)
    run_gql(client, NESTED)
    assert proxy.calls["examples"] == 2  # no cache shared between requests


def test_paths_and_embedding_batch(client_for, store) -> None:
    proxy = StoreProxy(store)
    client = client_for(proxy)
    body = run_gql(client, """{ model { paths(classKey: "0", from: "a:0", k: 5) { nodes { id } }
                             embedding(layer: "a") { class { name } } } }""")
    assert "errors" not in body
    assert proxy.calls["neurons"] == 1
    assert proxy.args["neurons"][0][1] == ["a:0", "b:0", "c:1"]
    assert proxy.calls["classes_by_index"] == 1
    assert sorted(proxy.args["classes_by_index"][0][1]) == [0, 1, 2]


def test_neuron_detail_primes_examples(client_for, store) -> None:
    proxy = StoreProxy(store)
    client = client_for(proxy)
    body = run_gql(client, '{ model { neuron(id: "a:0") { neuron { examples { rank } image } } } }')
    assert "errors" not in body
    assert "examples" not in proxy.calls
    assert "featurevis" not in proxy.calls
