"""Suggested groups, classes containing a subgraph and notes over HTTP on the REAL stores.

A synthetic artifact with its graphs (``summit graphs`` writes ``group_suggestions``) is loaded
into the embedded store and into Neo4j; answers are checked against the artifact's tables, and
the two stores must agree. Notes are written through GraphQL with write rights (a loopback
client), survive a reload of the model, and are removed again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from starlette.testclient import TestClient
from summit.server.app import create_app

from summit.artifact import read_table
from summit.settings import resolve
from summit.synth import write_synthetic_artifact
from tests.server.conftest import make_settings

SEED = 67  # model id synthetic-8c-4l-s67: distinct from other suites sharing the Neo4j database
LOCAL = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("explore-art") / "artifact"
    write_synthetic_artifact(path, classes=8, layers=4, channels=12, images_per_class=12, seed=SEED,
                             with_embedding=False, settings=resolve({"graph_mass": 0.3}, environ={}))
    return path


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def served(request: pytest.FixtureRequest, artifact: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, TestClient]]:
    if request.param == "embedded":
        from summit.store.embedded import EmbeddedStore

        store: Any = EmbeddedStore(tmp_path_factory.mktemp("explore-db") / "store")
    else:
        from summit.store.neo4j_store import Neo4jStore

        auth = request.getfixturevalue("neo4j_auth")
        store = Neo4jStore(auth.uri, auth.user, auth.password)
    model = store.load_artifact(str(artifact))
    client = TestClient(create_app(make_settings(), store, web_dir=artifact / "no-web"), base_url=LOCAL,
                        client=("127.0.0.1", 50000))
    client.app_state["model"] = model
    try:
        yield model, store, client
    finally:
        client.close()
        for note in store.notes(model):
            store.delete_note(model, note.kind, note.target)
        store.drop_model(model)
        store.close()


def gql(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run ``query``; ``model {`` means this suite's model (Neo4j may hold others)."""
    query = query.replace("model {", f'model(id: "{client.app_state["model"]}") {{')
    body = client.post("/graphql", json={"query": query, "variables": variables or {}}).json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def expected_groups(artifact: Path) -> list[dict[str, Any]]:
    table = read_table(artifact, "group_suggestions")
    channel = pl.col("neuron_id").str.split(":").list.last().cast(pl.Int64)
    groups = table.sort("group", channel).group_by("group", maintain_order=True).agg(
        pl.col("layer").first(), pl.col("neuron_id"), pl.col("cohesion").first())
    return [{"id": g, "layer": layer, "neurons": ids, "cohesion": pytest.approx(c)} for g, layer, ids, c in
            groups.iter_rows()]


SUBGRAPH = """query($n: [String!], $e: [EdgeInput!]) { model {
  classesContaining(neurons: $n, edges: $e) { class { index } mass } } }"""


def test_suggested_groups_match_the_artifact(served: tuple[str, Any, TestClient], artifact: Path) -> None:
    _, _, client = served
    expected = expected_groups(artifact)
    assert len(expected) >= 2, "the synthetic graphs have neurons alike enough to group"
    got = gql(client, "{ model { suggestedGroups { id layer neurons cohesion } } }")["model"]["suggestedGroups"]
    assert got == expected
    layer = expected[-1]["layer"]
    one = gql(client, "query($l: String) { model { suggestedGroups(layer: $l) { layer } } }", {"l": layer})
    assert {g["layer"] for g in one["model"]["suggestedGroups"]} == {layer}


def test_classes_containing_match_the_artifact(served: tuple[str, Any, TestClient], artifact: Path) -> None:
    _, _, client = served
    nodes = read_table(artifact, "class_nodes")
    edges = read_table(artifact, "class_edges")
    edge = edges.filter(pl.col("class_index") == 0).sort("weight", "src", "dst", descending=[True, False, False]).row(
        0, named=True)
    for neurons, pairs in (([edge["src"]], []), ([], [(edge["src"], edge["dst"])]),
                           (nodes.filter(pl.col("class_index") == 0)["neuron_id"].head(3).to_list(), [])):
        wanted = {*neurons, *(end for pair in pairs for end in pair)}
        having_edges = set(edges.filter(pl.struct("src", "dst").is_in(
            [{"src": a, "dst": b} for a, b in pairs]) if pairs else pl.lit(True))
            .group_by("class_index").agg(pl.len().alias("n")).filter(pl.col("n") == len(pairs))["class_index"])
        per_class = nodes.filter(pl.col("neuron_id").is_in(list(wanted))).group_by("class_index").agg(
            pl.len().alias("n"), pl.col("pagerank").sum().alias("mass")).filter(pl.col("n") == len(wanted))
        expected = sorted(((c, m) for c, _, m in per_class.iter_rows() if not pairs or c in having_edges),
                          key=lambda t: (-t[1], t[0]))
        got = gql(client, SUBGRAPH, {"n": neurons, "e": [{"src": a, "dst": b} for a, b in pairs]})
        found = [(x["class"]["index"], x["mass"]) for x in got["model"]["classesContaining"]]
        assert [c for c, _ in found] == [c for c, _ in expected], (neurons, pairs)
        assert [m for _, m in found] == pytest.approx([m for _, m in expected])
        assert 0 in [c for c, _ in found], "class 0's own nodes and edge"


def test_notes_through_graphql_survive_a_reload(served: tuple[str, Any, TestClient], artifact: Path) -> None:
    model, store, client = served
    first = read_table(artifact, "class_nodes").filter(pl.col("class_index") == 0)["neuron_id"].to_list()
    set_note = """mutation($m: String!, $k: NoteKind!, $t: String!, $x: String!, $n: [String!]) {
      setNote(model: $m, kind: $k, target: $t, text: $x, neurons: $n) { kind target neurons text } }"""
    assert gql(client, "{ viewer { canWrite } }") == {"viewer": {"canWrite": True}}
    gql(client, set_note, {"m": model, "k": "NEURON", "t": first[0], "x": "stripes"})
    gql(client, set_note, {"m": model, "k": "GROUP", "t": "g-top", "x": "the top three", "n": first[:3]})
    store.load_artifact(str(artifact))  # the same model loaded again (a new load id)
    notes = gql(client, "{ model { notes { kind target neurons text } } }")["model"]["notes"]
    assert notes == [{"kind": "GROUP", "target": "g-top", "neurons": first[:3], "text": "the top three"},
                     {"kind": "NEURON", "target": first[0], "neurons": [first[0]], "text": "stripes"}]
    deleted = gql(client, "mutation($m: String!, $t: String!) { deleteNote(model: $m, kind: GROUP, target: $t) }",
                  {"m": model, "t": "g-top"})
    assert deleted == {"deleteNote": True}
    assert [n["target"] for n in gql(client, "{ model { notes { target } } }")["model"]["notes"]] == [first[0]]
