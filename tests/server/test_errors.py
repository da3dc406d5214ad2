"""Bad arguments get GraphQL errors with a stable code; internal errors are masked everywhere."""

from __future__ import annotations

import logging

import pytest

from tests.server.conftest import Gql, error_codes, run_gql
from tests.server.proxy import StoreProxy

BAD = [
    # (query, code, fragment of the message)
    ('{ model(id: "nope") { id } }', "NOT_FOUND", "nope"),
    ('{ model { class(key: "no such class") { index } } }', "NOT_FOUND", "no such class"),
    ('{ model { class(key: "  ") { index } } }', "BAD_INPUT", "class key"),
    ('{ model { classGraph(classKey: "999") { nodes { count } } } }', "NOT_FOUND", "999"),
    ('{ model { classGraph(classKey: "0", topN: -1) { nodes { count } } } }', "BAD_INPUT", "topN must be >= 0"),
    ('{ model { classGraph(classKey: "0", minWeight: -2) { nodes { count } } } }', "BAD_INPUT", "minWeight"),
    ('{ model { neuron(id: "zz:1") { neuron { id } } } }', "NOT_FOUND", "zz:1"),
    ('{ model { neuron(id: "not-an-id") { neuron { id } } } }', "BAD_INPUT", "layer>:<channel"),
    ('{ model { neuron(id: "a:0") { topClasses(limit: -1) { count } } } }', "BAD_INPUT", "limit must be >= 0"),
    ('{ model { neuron(id: "a:0") { edges(limit: -5) { count } } } }', "BAD_INPUT", "limit must be >= 0"),
    ('{ model { neuron(id: "a:0") { edges(classKey: "zebra") { count } } } }', "NOT_FOUND", "zebra"),
    ('{ model { neuron(id: "a:0") { neuron { examples(limit: -1) { rank } } } } }', "BAD_INPUT", "limit"),
    ('{ model { classes(first: -1) { totalCount } } }', "BAD_INPUT", "first must be >= 0"),
    ('{ model { classes(after: "garbage") { totalCount } } }', "BAD_INPUT", "not a cursor"),
    ('{ model { classes(sort: SIMILARITY) { totalCount } } }', "BAD_INPUT", "similarTo"),
    ('{ model { classes(similarTo: 77) { totalCount } } }', "NOT_FOUND", "77"),
    ('{ model { neighbourhood(classKey: "0", neuronId: "a:0", hops: 0) { nodes { count } } } }', "BAD_INPUT", "hops must be >= 1"),
    ('{ model { neighbourhood(classKey: "0", neuronId: "a:0", hops: 5) { nodes { count } } } }', "LIMIT_EXCEEDED", "max_hops = 4"),
    ('{ model { neighbourhood(classKey: "0", neuronId: "bad", hops: 1) { nodes { count } } } }', "BAD_INPUT", "neuronId"),
    ('{ model { paths(classKey: "0", from: "a:0", k: 0) { score } } }', "BAD_INPUT", "k must be >= 1"),
    ('{ model { paths(classKey: "0", from: "a:0", k: 21) { score } } }', "LIMIT_EXCEEDED", "max_paths = 20"),
    ('{ model { paths(classKey: "0", from: "a:0", to: "x") { score } } }', "BAD_INPUT", "to:"),
    ('{ model { paths(classKey: "0", from: "q:9") { score } } }', "NOT_FOUND", "q:9"),
    ('{ model { compare(a: "0", b: "nothing") { a { index } } } }', "NOT_FOUND", "nothing"),
    ('{ model { similarClasses(classKey: "0", limit: -1) { similarity } } }', "BAD_INPUT", "limit"),
    ('{ model { similarClasses(classKey: "0", limit: 5001) { similarity } } }', "LIMIT_EXCEEDED", "max_results"),
    ('{ model { search(text: "") { id } } }', "BAD_INPUT", "empty"),
    ('{ model { search(text: "a", limit: -3) { id } } }', "BAD_INPUT", "limit"),
    ('{ model { embedding(layer: "nope") { x } } }', "NOT_FOUND", "nope"),
    ('{ model { nothing } }', "BAD_QUERY", "Cannot query field 'nothing'"),
    ('{ model { ', "BAD_QUERY", "Syntax Error"),
]


@pytest.mark.parametrize(("query", "code", "fragment"), BAD)
def test_bad_input_has_code_and_message(gql: Gql, query: str, code: str, fragment: str) -> None:
    body = gql(query)
    assert error_codes(body) == [code], body
    assert fragment in body["errors"][0]["message"]


def test_store_errors_are_masked_without_secrets(client_for, store, caplog) -> None:
    secret = "hunter2-fake-password"
    boom = RuntimeError(f"MATCH (c:Class) failed: bolt://neo4j:{secret}@db:7687")
    client = client_for(StoreProxy(store, fail={"class_graph": boom}))
    with caplog.at_level(logging.DEBUG):
        response = client.post("/graphql", json={"query": '{ model { id classGraph(classKey: "0") { edges { src } } } }'})
    body = response.json()
    assert error_codes(body) == ["INTERNAL"]
    message = body["errors"][0]["message"]
    assert message.startswith("internal error (ref ")
    assert body["data"] is None or body["data"]["model"] is None
    for text in (response.text, caplog.text):
        assert secret not in text
        assert "MATCH" not in text
        assert "Traceback" not in text
    ref = message.removeprefix("internal error (ref ").rstrip(")")
    assert f"ref={ref}" in caplog.text
    assert "RuntimeError" in caplog.text
    assert caplog.text.count("internal error ref=") == 1


def test_internal_error_names_its_field(client_for, store) -> None:
    client = client_for(StoreProxy(store, fail={"search": KeyError("x")}))
    body = run_gql(client, '{ models { id } model { search(text: "a") { id } } }')
    assert body["data"] is None  # model is non-null, so the error nulls the whole answer
    assert error_codes(body) == ["INTERNAL"]
    assert body["errors"][0]["path"] == ["model", "search"]
