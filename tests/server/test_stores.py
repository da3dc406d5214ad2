"""Every field of the schema over HTTP on the REAL stores (embedded LadybugDB and Neo4j).

One small synthetic artifact (``summit.synth``) is loaded into each store; the
answers are checked against the artifact's own tables, media URLs are fetched,
and the Neo4j answers must equal the embedded ones exactly.
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
from tests.server.conftest import error_codes, make_settings, run_gql

SEED = 61  # model id synthetic-6c-4l-s61: distinct from other test suites sharing the Neo4j database


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("server-art") / "artifact"
    write_synthetic_artifact(path, classes=6, layers=4, channels=12, images_per_class=12, seed=SEED,
                             settings=resolve({"graph_mass": 0.3}, environ={}))
    return path


@pytest.fixture(scope="module")
def embedded_store(artifact: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from summit.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path_factory.mktemp("server-db") / "store")
    store.load_artifact(str(artifact))
    yield store
    store.close()


@pytest.fixture(scope="module")
def neo4j_store(artifact: Path, neo4j_auth: Any) -> Iterator[Any]:
    from summit.store.neo4j_store import Neo4jStore

    store = Neo4jStore(neo4j_auth.uri, neo4j_auth.user, neo4j_auth.password)
    model = store.load_artifact(str(artifact))
    yield store
    store.drop_model(model)
    store.close()


def client_for_store(store: Any, artifact: Path) -> TestClient:
    model = store.models()[0].id
    return TestClient(create_app(make_settings(), store, web_dir=artifact / "no-web",
                                 media_roots={model: artifact / "media"}))


def tables(artifact: Path) -> dict[str, pl.DataFrame]:
    names = ("classes", "class_nodes", "class_edges", "embedding", "similarity", "examples", "influences")
    return {t: read_table(artifact, t) for t in names}


def queries(t: dict[str, pl.DataFrame]) -> dict[str, tuple[str, dict[str, Any]]]:
    nodes0 = t["class_nodes"].filter(pl.col("class_index") == 0)
    first = sorted(nodes0["neuron_id"].to_list(), key=lambda n: (n.rsplit(":", 1)[0], int(n.rsplit(":", 1)[1])))[0]
    layer = t["embedding"]["layer"][0]
    name = t["classes"].filter(pl.col("class_index") == 2)["name"][0]
    graph = """class { index wnid name images top1Correct accuracy probHist top1ProbHist faithfulness { images baseProb } }
               nodes { count pagerank neuron { id layer layerIndex channel image featurevis examples(limit: 2) { rank image score url neuronId } } }
               edges { src dst weight }"""
    return {
        "models": ("{ models { id name dataset created images classCount top1Correct top1Accuracy graphMethod faithfulness { heldOut } layers { name index channels } } }", {}),
        "classes": ("""{ model { page1: classes(first: 4) { totalCount edges { cursor node { index name } } pageInfo { hasNextPage endCursor } }
                       byName: classes(sort: NAME, search: "") { edges { node { index } } }
                       byAcc: classes(sort: ACCURACY) { edges { node { index accuracy } } }
                       similar: classes(sort: SIMILARITY, similarTo: 0) { edges { node { index } similarity } } } }""", {}),
        "class": ("query($n: String!) { model { byName: class(key: $n) { index } byIndex: class(key: \"3\") { wnid name } } }", {"n": name}),
        "graph": (f"{{ model {{ full: classGraph(classKey: \"0\") {{ {graph} }} top: classGraph(classKey: \"0\", topN: 1, minWeight: 1) {{ nodes {{ neuron {{ id }} }} edges {{ src dst weight }} }} }} }}", {}),
        "neuron": ("""query($id: String!) { model { neuron(id: $id) { neuron { id layer channel featurevis image examples { rank image score url } }
                    topClasses(limit: 3) { class { index } count mean } all: topClasses(limit: 20) { class { index } count }
                    edges(limit: 5) { src dst classIndex count } c0: edges(classKey: "0", direction: OUT, limit: 5) { src dst classIndex count }
                    into: edges(direction: IN) { src } } } }""", {"id": first}),
        "neighbourhood": ("query($id: String!) { model { neighbourhood(classKey: \"0\", neuronId: $id, hops: 1) { nodes { neuron { id } } edges { src dst weight } } } }", {"id": first}),
        "paths": ("""query($id: String!) { model { sum: paths(classKey: "0", from: $id, k: 3) { neurons weights score nodes { id } }
                     bott: paths(classKey: "0", from: $id, k: 3, mode: BOTTLENECK) { neurons weights score } } }""", {"id": first}),
        "compare": ("""{ model { compare(a: "0", b: "1") { a { index } b { index } shared { neuron { id } countA countB pagerankA pagerankB }
                     onlyA { neuron { id } countA countB } onlyB { neuron { id } countB } edges { src dst weightA weightB } } } }""", {}),
        "similar": ("query($l: String) { model { similarClasses(classKey: \"0\", layer: $l, limit: 3) { class { index } similarity } } }", {"l": layer}),
        "search": ("query($n: String!) { model { exact: search(text: $n) { kind id label score } prefix: search(text: \"mixed3\", limit: 3) { kind id score } } }", {"n": name}),
        "embedding": ("query($l: String!) { model { embedding(layer: $l) { classIndex layer x y class { index name } } } }", {"l": layer}),
    }


def answers(client: TestClient, artifact: Path) -> dict[str, Any]:
    out = {}
    for key, (query, variables) in queries(tables(artifact)).items():
        body = run_gql(client, query, variables)
        assert "errors" not in body, (key, body["errors"])
        out[key] = body["data"]
    return out


def check_against_artifact(client: TestClient, artifact: Path, a: dict[str, Any]) -> None:
    t = tables(artifact)
    classes = t["classes"].sort("class_index")
    model = a["models"]["models"][0]
    assert model["classCount"] == classes.height == 6
    assert model["graphMethod"] == "explorer+"  # the default profile with graph_mass changed
    assert model["faithfulness"] is None
    assert [layer["index"] for layer in model["layers"]] == [0, 1, 2, 3]

    c = a["classes"]["model"]
    assert c["page1"]["totalCount"] == 6
    assert [e["node"]["name"] for e in c["page1"]["edges"]] == classes["name"].to_list()[:4]
    assert c["page1"]["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["index"] for e in c["byName"]["edges"]] == classes.sort(["name", "class_index"])["class_index"].to_list()
    accs = [e["node"]["accuracy"] for e in c["byAcc"]["edges"]]
    assert accs == sorted(accs, reverse=True)
    sims = [e["similarity"] for e in c["similar"]["edges"] if e["similarity"] is not None]
    assert sims == sorted(sims, reverse=True)
    assert len(sims) >= 1
    assert a["class"]["model"]["byName"]["index"] == 2
    assert a["class"]["model"]["byIndex"]["name"] == classes["name"][3]

    full = a["graph"]["model"]["full"]
    nodes0 = t["class_nodes"].filter(pl.col("class_index") == 0)
    assert {n["neuron"]["id"]: (n["count"], n["pagerank"]) for n in full["nodes"]} == {
        r["neuron_id"]: (r["count"], pytest.approx(r["pagerank"])) for r in nodes0.iter_rows(named=True)}
    edges0 = t["class_edges"].filter(pl.col("class_index") == 0).sort(["src", "dst"])
    assert [(e["src"], e["dst"], e["weight"]) for e in full["edges"]] == list(zip(
        edges0["src"].to_list(), edges0["dst"].to_list(), edges0["weight"].to_list(), strict=True))
    assert len(full["nodes"]) >= 4
    assert full["class"]["probHist"] == classes["prob_hist"][0].to_list()
    assert full["class"]["top1ProbHist"] == classes["top1_prob_hist"][0].to_list()
    layers = [n["neuron"]["layerIndex"] for n in full["nodes"]]
    assert layers == sorted(layers)
    top = a["graph"]["model"]["top"]
    assert len(top["nodes"]) <= 4
    assert all(e["weight"] >= 1 for e in top["edges"])

    detail = a["neuron"]["model"]["neuron"]
    nid = detail["neuron"]["id"]
    ex = t["examples"].filter(pl.col("neuron_id") == nid).sort("rank")
    assert [e["image"] for e in detail["neuron"]["examples"]] == ex["image"].to_list()
    for example, media in zip(detail["neuron"]["examples"], ex["media"].to_list(), strict=True):
        assert example["url"].endswith("/" + media)
    first_url = detail["neuron"]["examples"][0]["url"]
    assert detail["neuron"]["image"] == first_url  # no feature visualisations in this artifact
    fetched = client.get(first_url)
    assert fetched.status_code == 200
    assert fetched.content == (artifact / "media" / ex["media"][0]).read_bytes()
    counts = [x["count"] for x in detail["all"]]
    assert counts == sorted(counts, reverse=True)
    assert detail["topClasses"] == [{"class": x["class"], "count": x["count"], "mean": detail["topClasses"][i]["mean"]}
                                    for i, x in enumerate(detail["all"][:3])]
    assert all(e["src"] == nid and e["classIndex"] == 0 for e in detail["c0"])
    assert detail["into"] == []  # the neuron is in the lowest layer of the class graph

    # neighbourhood and paths run over the class's influence edges (not only the attribution graph)
    infl = t["influences"].filter(pl.col("class_index") == 0)
    edge_w = dict(zip(zip(infl["src"].to_list(), infl["dst"].to_list(), strict=True), infl["count"].to_list(), strict=True))
    hood = a["neighbourhood"]["model"]["neighbourhood"]
    near = {nid} | {d for s, d in edge_w if s == nid} | {s for s, d in edge_w if d == nid}
    assert {n["neuron"]["id"] for n in hood["nodes"]} == near
    assert {(e["src"], e["dst"], e["weight"]) for e in hood["edges"]} == {
        (s, d, w) for (s, d), w in edge_w.items() if nid in (s, d)}
    paths = a["paths"]["model"]
    assert paths["sum"], "class 0 has at least one path from its lowest neuron"
    for p in paths["sum"]:
        assert p["neurons"][0] == nid
        assert p["weights"] == [edge_w[(s, d)] for s, d in zip(p["neurons"], p["neurons"][1:], strict=False)]
        assert p["score"] == sum(p["weights"])
        assert [n["id"] for n in p["nodes"]] == p["neurons"]
    for p in paths["bott"]:
        assert p["score"] == min(p["weights"])

    cmp = a["compare"]["model"]["compare"]
    set0 = set(nodes0["neuron_id"].to_list())
    set1 = set(t["class_nodes"].filter(pl.col("class_index") == 1)["neuron_id"].to_list())
    assert {n["neuron"]["id"] for n in cmp["shared"]} == set0 & set1
    assert {n["neuron"]["id"] for n in cmp["onlyA"]} == set0 - set1
    assert {n["neuron"]["id"] for n in cmp["onlyB"]} == set1 - set0
    assert all(n["countB"] is None for n in cmp["onlyA"])

    layer = t["embedding"]["layer"][0]
    sim = t["similarity"].filter((pl.col("class_index") == 0) & (pl.col("layer") == layer)).sort(
        ["cosine", "other_index"], descending=[True, False]).head(3)
    got = a["similar"]["model"]["similarClasses"]
    assert [s["class"]["index"] for s in got] == sim["other_index"].to_list()
    assert [s["similarity"] for s in got] == pytest.approx(sim["cosine"].to_list())

    search = a["search"]["model"]
    assert search["exact"][0] == {"kind": "class", "id": "2", "label": search["exact"][0]["label"], "score": 2.0}
    assert all(h["kind"] == "neuron" and h["id"].startswith("mixed3") for h in search["prefix"])

    emb = t["embedding"].filter(pl.col("layer") == layer).sort("class_index")
    points = a["embedding"]["model"]["embedding"]
    assert [p["classIndex"] for p in points] == emb["class_index"].to_list()
    assert [p["x"] for p in points] == pytest.approx(emb["x"].to_list())
    assert [p["class"]["name"] for p in points] == classes["name"].to_list()


def check_errors(client: TestClient) -> None:
    for query, code in [
        ('{ model { classGraph(classKey: "9999") { edges { src } } } }', "NOT_FOUND"),
        ('{ model { neuron(id: "nolayer:3") { neuron { id } } } }', "NOT_FOUND"),
        ('{ model { search(text: "\' OR 1=1 //") { id } } }', None),
        ('{ model(id: "no-such-model") { id } }', "NOT_FOUND"),
        ('{ model { embedding(layer: "nolayer") { x } } }', "NOT_FOUND"),
    ]:
        body = run_gql(client, query)
        assert error_codes(body) == ([code] if code else []), (query, body)



def test_every_field_on_embedded_store(embedded_store: Any, artifact: Path) -> None:
    with client_for_store(embedded_store, artifact) as client:
        got = answers(client, artifact)
        check_against_artifact(client, artifact, got)
        check_errors(client)
        assert client.get("/healthz").json()["status"] == "ok"


@pytest.mark.neo4j
def test_every_field_on_neo4j_store_same_answers(neo4j_store: Any, embedded_store: Any, artifact: Path) -> None:
    with client_for_store(neo4j_store, artifact) as client:
        got = answers(client, artifact)
        check_against_artifact(client, artifact, got)
        check_errors(client)
        assert client.get("/healthz").json()["status"] == "ok"
    with client_for_store(embedded_store, artifact) as client:
        expected = answers(client, artifact)
    for key in expected:
        if key == "models":  # same run, loaded at different moments: only `created` may differ
            continue
        assert got[key] == expected[key], key


@pytest.mark.parametrize("kind", ["embedded", "neo4j"])
def test_media_found_from_the_recorded_artifact_path(kind: str, request: pytest.FixtureRequest,
                                                     artifact: Path) -> None:
    """Without --media-root the server serves each model's media from where it was loaded."""
    store = request.getfixturevalue(f"{kind}_store")
    model = store.models()[0]
    assert Path(model.artifact_path) == artifact.resolve()
    client = TestClient(create_app(make_settings(), store, web_dir=artifact / "no-web"))
    media = read_table(artifact, "examples")["media"][0]
    response = client.get(f"/media/{model.id}/{media}")
    assert response.status_code == 200
    assert response.content == (artifact / "media" / media).read_bytes()


def test_model_faithfulness_summary_over_graphql(tmp_path: Path) -> None:
    """The held-out summary of the manifest reaches the web app as Model.faithfulness."""
    from summit.store.embedded import EmbeddedStore
    from tests.store.tiny import FAITHFULNESS, write_tiny_artifact

    artifact = write_tiny_artifact(tmp_path / "artifact")
    store = EmbeddedStore(tmp_path / "store")
    try:
        store.load_artifact(str(artifact))
        client = client_for_store(store, artifact)
        body = run_gql(client, """{ model { graphMethod faithfulness { graphMethod heldOut graphData ablationData
            sharedImages classes images meanGraphNeurons probDrop { graph { mean low high } active { mean }
            graphMinusActive { mean low high } } top1Drop { random { mean } } } } }""")
        assert "errors" not in body, body
        model = body["data"]["model"]
        assert model["graphMethod"] == "summit"
        f = model["faithfulness"]
        assert (f["graphMethod"], f["heldOut"], f["graphData"], f["ablationData"]) == (
            "summit", True, "/data/tiny", "/data/other")
        assert (f["sharedImages"], f["classes"], f["images"], f["meanGraphNeurons"]) == (0, 1, 10, 5.0)
        assert f["probDrop"]["graph"] == FAITHFULNESS["prob_drop"]["graph"]
        assert f["probDrop"]["active"]["mean"] == 0.3
        assert f["probDrop"]["graphMinusActive"] == FAITHFULNESS["prob_drop"]["graph_minus_active"]
        assert f["top1Drop"]["random"]["mean"] == 0.6
    finally:
        store.close()
