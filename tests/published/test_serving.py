"""Summit's published graphs through every path: both stores, the GraphQL API and the media.

The imported artifact is loaded into the embedded store and into Neo4j; GraphQL answers
come from a real app over each, must agree with the published files, must say null
("not published") where Summit published nothing, and must be the same on both stores.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from summit.server.app import create_app

from tests.server.conftest import make_settings, run_gql

MODEL = "inceptionv1-summit"
WOLF, FOX = 270, 278


@pytest.fixture(scope="module")
def embedded(published_artifact: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from summit.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path_factory.mktemp("published-db") / "store")
    assert store.load_artifact(str(published_artifact)) == MODEL
    yield store
    store.close()


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest) -> Any:
    if request.param == "embedded":
        return request.getfixturevalue("embedded")
    return request.getfixturevalue("published_neo4j")[0]


@pytest.fixture(scope="module")
def client(store: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    # no media_roots: the server finds the media folder through the artifact path the store recorded
    app = create_app(make_settings(), store, web_dir=tmp_path_factory.mktemp("no-web"))
    with TestClient(app) as c:
        yield c


def gql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    body = run_gql(client, query, variables)
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def test_the_store_answers_with_the_published_graph(store: Any, summit_data: Path) -> None:
    published = json.loads((summit_data / "data" / "ag" / f"ag-{WOLF}.json").read_text())
    graph = store.class_graph(MODEL, WOLF)
    assert graph.cls.wnid == "n02114548"
    assert {(n.neuron.id, n.count, n.pagerank) for n in graph.nodes} == {
        (f"{layer}:{n['channel']}", n["count"], n["pagerank"]) for layer, nodes in published.items() for n in nodes}
    below = dict(zip(["mixed3b", "mixed4a", "mixed4b", "mixed4c", "mixed4d", "mixed4e", "mixed5a", "mixed5b"],
                     ["mixed3a", "mixed3b", "mixed4a", "mixed4b", "mixed4c", "mixed4d", "mixed4e", "mixed5a"],
                     strict=True))
    assert {(e.src, e.dst, e.weight) for e in graph.edges} == {
        (f"{below[layer]}:{p['prev_channel']}", f"{layer}:{n['channel']}", p["inf"])
        for layer, nodes in published.items() for n in nodes for p in n["prev_channels"]}
    info = store.model(MODEL)
    assert (info.classes, info.images, info.top1_correct) == (1000, None, None)
    assert [layer.channels for layer in info.layers] == [256, 480, 508, 512, 512, 528, 832, 832, 1024]


def test_graphql_says_not_published_instead_of_zero(client: TestClient) -> None:
    data = gql(client, """query($m: String) { model(id: $m) { images top1Correct top1Accuracy
        class(key: "white wolf") { index wnid images top1Correct accuracy probHist }
        byAcc: classes(first: 3, sort: ACCURACY) { edges { node { index accuracy } } } } }""", m=MODEL)
    model = data["model"]
    assert (model["images"], model["top1Correct"], model["top1Accuracy"]) == (None, None, None)
    assert model["class"] == {"index": WOLF, "wnid": "n02114548", "images": None, "top1Correct": None,
                              "accuracy": None, "probHist": None}
    assert [e["node"]["accuracy"] for e in model["byAcc"]["edges"]] == [None, None, None]


def test_tiles_show_feature_visualisations_and_hover_shows_examples(client: TestClient,
                                                                     published_artifact: Path) -> None:
    data = gql(client, """query($m: String) { model(id: $m) {
        classGraph(classKey: "270") { nodes { neuron { id image } } }
        neuron(id: "mixed4d:403") { neuron { featurevis examples { rank image score url } }
                                     topClasses(limit: 3) { class { index } count mean } } } }""", m=MODEL)
    images = {n["neuron"]["id"]: n["neuron"]["image"] for n in data["model"]["classGraph"]["nodes"]}
    assert images["mixed4d:403"] == f"/media/{MODEL}/featurevis/mixed4d/403.jpg"
    assert all(url == f"/media/{MODEL}/featurevis/{i.replace(':', '/')}.jpg" for i, url in images.items())
    detail = data["model"]["neuron"]
    assert detail["neuron"]["featurevis"] == [f"/media/{MODEL}/featurevis/mixed4d/403.jpg"]
    assert detail["neuron"]["examples"] == [{"rank": 0, "image": None, "score": None,
                                             "url": f"/media/{MODEL}/examples/mixed4d/403_0.jpg"}]
    assert detail["topClasses"]
    assert all(t["mean"] is None and t["count"] > 0 for t in detail["topClasses"])
    for url, rel in ((images["mixed4d:403"], "featurevis/mixed4d/403.jpg"),
                     (detail["neuron"]["examples"][0]["url"], "examples/mixed4d/403_0.jpg")):
        response = client.get(url)
        assert response.status_code == 200
        assert response.content == (published_artifact / "media" / rel).read_bytes()


def test_paths_compare_similar_search_and_embedding(client: TestClient, store: Any) -> None:
    graph = store.class_graph(MODEL, WOLF)
    start = next(n.neuron.id for n in graph.nodes if n.neuron.layer == "mixed3a")
    data = gql(client, """query($m: String, $from: String!) { model(id: $m) {
        paths(classKey: "270", from: $from, k: 3, mode: BOTTLENECK) { neurons weights score }
        compare(a: "white wolf", b: "kit fox") { shared { neuron { id } } onlyA { neuron { id } } onlyB { neuron { id } } }
        similarClasses(classKey: "270", limit: 5) { class { index name } similarity }
        search(text: "kit fox", limit: 3) { kind id label }
        embedding(layer: "mixed4d") { classIndex x y } } }""", m=MODEL, **{"from": start})["model"]
    assert data["paths"]
    for path in data["paths"]:
        assert path["neurons"][0] == start
        assert path["neurons"][-1].startswith("mixed5b:")
        assert path["score"] == min(path["weights"])
    fox = store.class_graph(MODEL, FOX)
    wolf_ids, fox_ids = {n.neuron.id for n in graph.nodes}, {n.neuron.id for n in fox.nodes}
    cmp = data["compare"]
    assert {n["neuron"]["id"] for n in cmp["shared"]} == wolf_ids & fox_ids
    assert {n["neuron"]["id"] for n in cmp["onlyA"]} == wolf_ids - fox_ids
    assert {n["neuron"]["id"] for n in cmp["onlyB"]} == fox_ids - wolf_ids
    assert len(data["similarClasses"]) == 5
    assert all(0 < s["similarity"] <= 1 for s in data["similarClasses"])
    assert (data["search"][0]["kind"], data["search"][0]["id"]) == ("class", str(FOX))
    assert "kit fox" in data["search"][0]["label"]
    assert sorted(p["classIndex"] for p in data["embedding"]) == list(range(1000))


def test_neo4j_and_embedded_agree(embedded: Any, published_neo4j: tuple[Any, str]) -> None:
    neo, model = published_neo4j
    for k in (0, WOLF, FOX, 999):
        assert neo.class_graph(model, k) == embedded.class_graph(model, k)
    assert neo.similar_classes(model, WOLF, layer="mixed4d", limit=10) == embedded.similar_classes(
        model, WOLF, layer="mixed4d", limit=10)
    assert neo.neuron_detail(model, "mixed4d:403") == embedded.neuron_detail(model, "mixed4d:403")


# --- exploring the published graphs: classes containing a subgraph, suggested groups, notes ----------
LAYER_ORDER = ["mixed3a", "mixed3b", "mixed4a", "mixed4b", "mixed4c", "mixed4d", "mixed4e", "mixed5a", "mixed5b"]


def _published_index(summit_data: Path) -> tuple[dict[str, dict[int, float]], dict[tuple[str, str], set[int]]]:
    """neuron id -> {class: pagerank}, and (src, dst) -> classes, straight from the ag files."""
    nodes: dict[str, dict[int, float]] = {}
    edges: dict[tuple[str, str], set[int]] = {}
    for k in range(1000):
        graph = json.loads((summit_data / "data" / "ag" / f"ag-{k}.json").read_text())
        for layer, entries in graph.items():
            below = LAYER_ORDER[LAYER_ORDER.index(layer) - 1] if layer != "mixed3a" else None
            for n in entries:
                nid = f"{layer}:{n['channel']}"
                nodes.setdefault(nid, {})[k] = n["pagerank"]
                for p in n["prev_channels"]:
                    edges.setdefault((f"{below}:{p['prev_channel']}", nid), set()).add(k)
    return nodes, edges


def test_classes_containing_a_pinned_subgraph_of_the_published_graphs(client: TestClient, summit_data: Path) -> None:
    nodes, edges = _published_index(summit_data)
    wolf = json.loads((summit_data / "data" / "ag" / f"ag-{WOLF}.json").read_text())
    dst = max(wolf["mixed4d"], key=lambda n: len(n["prev_channels"]))
    pinned = f"mixed4d:{dst['channel']}"
    src = f"mixed4c:{max(dst['prev_channels'], key=lambda p: p['inf'])['prev_channel']}"
    query = """query($n: [String!], $e: [EdgeInput!]) { model(id: "inceptionv1-summit") {
      classesContaining(neurons: $n, edges: $e, limit: 1000) { class { index } mass } } }"""
    for neurons, pairs in (([pinned], []), ([pinned], [(src, pinned)])):
        wanted = {pinned, *(end for pair in pairs for end in pair)}
        having = set.intersection(*(set(nodes[n]) for n in wanted), *(edges[p] for p in pairs))
        expected = sorted(having, key=lambda k: (-sum(nodes[n][k] for n in wanted), k))
        got = gql(client, query, n=neurons, e=[{"src": a, "dst": b} for a, b in pairs])["model"]["classesContaining"]
        assert [c["class"]["index"] for c in got] == expected
        assert WOLF in expected
        assert [c["mass"] for c in got] == pytest.approx([sum(nodes[n][k] for n in wanted) for k in expected])
    assert len(set(nodes[pinned])) > len(set(nodes[pinned]) & edges[(src, pinned)]), "the edge narrows it down"


def test_suggested_groups_of_the_published_graphs(client: TestClient, published_artifact: Path,
                                                  summit_data: Path) -> None:
    nodes, _ = _published_index(summit_data)
    groups = gql(client, '{ model(id: "inceptionv1-summit") { suggestedGroups { id layer neurons cohesion } } }')
    found = groups["model"]["suggestedGroups"]
    manifest = json.loads((published_artifact / "manifest.json").read_text())
    assert len(found) == manifest["graphs"]["suggested_groups"] > 50
    assert [g["id"] for g in found] == list(range(len(found)))
    for g in found:
        assert {n.split(":")[0] for n in g["neurons"]} == {g["layer"]}
        assert 2 <= len(g["neurons"]) <= 8
        assert g["cohesion"] >= 0.5 - 1e-9
        assert all(n in nodes for n in g["neurons"]), "members are neurons of some published graph"
    assert [LAYER_ORDER.index(g["layer"]) for g in found] == sorted(LAYER_ORDER.index(g["layer"]) for g in found)


def test_notes_on_the_published_graphs(store: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    app = create_app(make_settings(), store, web_dir=tmp_path_factory.mktemp("no-web"))
    with TestClient(app, base_url="http://127.0.0.1:8765", client=("127.0.0.1", 50000)) as local:
        saved = gql(local, """mutation { setNote(model: "inceptionv1-summit", kind: NEURON, target: "mixed4d:409",
                              text: "dog faces?") { target text } }""")
        assert saved == {"setNote": {"target": "mixed4d:409", "text": "dog faces?"}}
        try:
            notes = gql(local, '{ model(id: "inceptionv1-summit") { notes { kind target text } } }')
            assert notes["model"]["notes"] == [{"kind": "NEURON", "target": "mixed4d:409", "text": "dog faces?"}]
        finally:
            store.delete_note(MODEL, "neuron", "mixed4d:409")
