"""Image graphs through the real server: GraphQL on both real stores, uploads over HTTP, feature off.

The Lite0 artifact of ``conftest`` is loaded into the embedded store and into Neo4j;
the app gets the real ``ArtifactImageGraphs`` (as ``summit serve --image-graphs`` builds it).
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from starlette.testclient import TestClient
from summit.server.app import create_app

from summit.errors import BadInput
from summit.synth import write_synthetic_artifact
from tests.image_graph.conftest import RUN_ID, UPLOAD_SOURCE
from tests.server.conftest import error_codes, make_settings, run_gql

pytestmark = [pytest.mark.slow, pytest.mark.realmodel]

IMAGE_GRAPH_Q = """query($model: String, $image: String!, $cls: String, $p: ImagePersonalization) {
  model(id: $model) { imageGraph(image: $image, classKey: $cls, personalization: $p) {
    image class { index wnid } label { index } personalization
    predictions { classIndex wnid name probability class { index } }
    nodes { neuron { id layer layerIndex channel } count pagerank inClassGraph }
    edges { src dst weight inClassGraph }
    sharedNodes classNodes preview seconds method { name value } } } }"""
SUPPORT_Q = """query($model: String) { model(id: $model) {
  imageGraphSupport { available reason datasetImages uploads maxUploadBytes } } }"""
CLASS_GRAPH_Q = """query($model: String, $key: String!) { model(id: $model) { classGraph(classKey: $key) {
  nodes { neuron { id } } edges { src dst } } } }"""
GOLDFISH, TENCH = "n01443537/goldfish.JPEG", "n01440764/val_00023559.JPEG"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("image-graph-synth") / "synth"
    write_synthetic_artifact(path, classes=3, layers=3, channels=8, images_per_class=4, seed=71)
    return path


@pytest.fixture(scope="module")
def embedded(lite0_artifact: Path, synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from summit.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path_factory.mktemp("image-graph-db") / "store")
    store.load_artifact(str(lite0_artifact))
    store.load_artifact(str(synthetic))
    yield store
    store.close()


@pytest.fixture(scope="module")
def neo4j(lite0_artifact: Path, neo4j_auth: Any) -> Iterator[Any]:
    from summit.store.neo4j_store import Neo4jStore

    store = Neo4jStore(neo4j_auth.uri, neo4j_auth.user, neo4j_auth.password)
    model = store.load_artifact(str(lite0_artifact))
    yield store
    store.drop_model(model)
    store.close()


def _client(store: Any, provider: Any, tmp: Path, **settings: Any) -> TestClient:
    app = create_app(make_settings(device="cpu", **settings), store, web_dir=tmp / "no-web",
                     image_graphs=provider)
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(params=["embedded", "neo4j"])
def client(request: pytest.FixtureRequest, provider: Any, tmp_path: Path) -> Iterator[TestClient]:
    store = request.getfixturevalue(request.param)
    with _client(store, provider, tmp_path, allow_upload=True) as test_client:  # lifespan: models prepared
        yield test_client


def _graph(client: TestClient, image: str, **variables: Any) -> dict[str, Any]:
    body = run_gql(client, IMAGE_GRAPH_Q, {"model": RUN_ID, "image": image, **variables})
    assert "errors" not in body, body
    graph: dict[str, Any] = body["data"]["model"]["imageGraph"]
    return graph


def test_the_graph_of_a_dataset_image_beside_its_class_graph(client: TestClient) -> None:
    support = run_gql(client, SUPPORT_Q, {"model": RUN_ID})["data"]["model"]["imageGraphSupport"]
    assert support == {"available": True, "reason": None, "datasetImages": True, "uploads": True,
                       "maxUploadBytes": 8 * 1024 * 1024}
    graph = _graph(client, GOLDFISH)
    assert graph["class"] == {"index": 1, "wnid": "n01443537"}
    assert graph["label"] == {"index": 1}
    assert graph["personalization"] == "IMAGE"
    # a class of one image: its graph is the class graph, every node and edge shared
    assert graph["sharedNodes"] == graph["classNodes"] == len(graph["nodes"]) > 5
    assert all(n["inClassGraph"] for n in graph["nodes"])
    assert all(e["inClassGraph"] for e in graph["edges"])
    layers = {n["neuron"]["layer"]: n["neuron"]["layerIndex"] for n in graph["nodes"]}
    assert layers["bn2"] == 16
    assert layers.get("blocks.0.0", 0) == 0
    assert graph["predictions"][0]["class"] == {"index": 1}
    assert Image.open(io.BytesIO(base64.b64decode(graph["preview"].split(",", 1)[1]))).size == (224, 224)
    assert {m["name"]: m["value"] for m in graph["method"]}["influence_topk"] == "5"
    assert 0 < graph["seconds"] < 60
    health = client.get("/healthz").json()
    assert health["warmUp"]["imageGraphs"][RUN_ID] == "ready"


def test_shared_nodes_are_those_of_the_class_graph(client: TestClient) -> None:
    for cls in (None, "2"):
        graph = _graph(client, TENCH, cls=cls)
        key = cls or "0"
        want = run_gql(client, CLASS_GRAPH_Q, {"model": RUN_ID, "key": key})["data"]["model"]["classGraph"]
        class_nodes = {n["neuron"]["id"] for n in want["nodes"]}
        class_edges = {(e["src"], e["dst"]) for e in want["edges"]}
        assert graph["class"]["index"] == int(key)
        assert graph["label"] == {"index": 0}
        assert {n["neuron"]["id"] for n in graph["nodes"] if n["inClassGraph"]} == \
            {n["neuron"]["id"] for n in graph["nodes"]} & class_nodes
        assert {(e["src"], e["dst"]) for e in graph["edges"] if e["inClassGraph"]} == \
            {(e["src"], e["dst"]) for e in graph["edges"]} & class_edges
        assert graph["classNodes"] == len(class_nodes)
        assert 0 < graph["sharedNodes"] < len(graph["nodes"])


def test_both_stores_give_the_same_answer(provider: Any, embedded: Any, neo4j: Any, tmp_path: Path) -> None:
    answers = []
    for store in (embedded, neo4j):
        graph = _graph(_client(store, provider, tmp_path), TENCH, p="CLASS")
        graph.pop("seconds")
        answers.append(graph)
    assert answers[0] == answers[1]
    assert answers[0]["personalization"] == "CLASS"


def test_an_uploaded_jpeg_or_png(client: TestClient, shared_data: Path) -> None:
    jpeg = (shared_data / UPLOAD_SOURCE).read_bytes()
    png = io.BytesIO()
    Image.open(io.BytesIO(jpeg)).save(png, format="PNG")
    for data, kind in ((jpeg, "image/jpeg"), (png.getvalue(), "image/png")):
        answer = client.post("/uploads", content=data, headers={"content-type": kind})
        assert answer.status_code == 201, answer.text
        upload = answer.json()
        assert upload["image"].startswith("upload:")
        assert upload["bytes"] == len(data)
        assert (upload["width"], upload["height"], upload["format"]) == (500, 349, kind.split("/")[1])
        graph = _graph(client, upload["image"])
        assert graph["label"] is None
        assert graph["image"] == upload["image"]
        assert graph["predictions"][0]["wnid"] == "n01514668"
        assert graph["predictions"][0]["class"] is None
        assert graph["class"]["index"] in {0, 1, 2, 3}
    unknown = run_gql(client, IMAGE_GRAPH_Q, {"model": RUN_ID, "image": "upload:" + "f" * 64})
    assert error_codes(unknown) == ["NOT_FOUND"]
    assert "upload it again" in unknown["errors"][0]["message"]


@pytest.mark.parametrize(("body", "kind", "status", "fragment"), [
    (b"", "image/jpeg", 400, "empty"),
    (b"GIF89a....", "image/gif", 415, "image/jpeg or image/png"),
    (b"hello", "text/plain", 415, "image/jpeg or image/png"),
    (b"hello", None, 415, "image/jpeg or image/png"),
    (b"\x89PNG\r\n\x1a\n-not-really", "image/jpeg", 400, "not a JPEG file"),
    (b"\x89PNG\r\n\x1a\n-not-really", "image/png", 400, "cannot be decoded"),
])
def test_bad_uploads_get_clear_4xx(provider: Any, embedded: Any, tmp_path: Path, body: bytes, kind: str | None,
                                   status: int, fragment: str) -> None:
    client = _client(embedded, provider, tmp_path, allow_upload=True)
    headers = {"content-type": kind} if kind else {}
    answer = client.post("/uploads", content=body, headers=headers)
    assert answer.status_code == status, answer.text
    assert fragment in answer.json()["errors"][0]["message"]


def test_uploads_are_size_limited_and_never_touch_the_disk(
    provider: Any, embedded: Any, tmp_path: Path, shared_data: Path, lite0_artifact: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tempfile

    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    monkeypatch.chdir(tmp_path)
    before = sorted(p for p in Path(lite0_artifact).rglob("*"))
    jpeg = (shared_data / UPLOAD_SOURCE).read_bytes()
    client = _client(embedded, provider, tmp_path, allow_upload=True, upload_max_bytes=len(jpeg) - 1)
    declared = client.post("/uploads", content=jpeg, headers={"content-type": "image/jpeg"})
    assert declared.status_code == 413
    assert "upload_max_bytes" in declared.json()["errors"][0]["message"]
    streamed = client.post("/uploads", content=iter([jpeg[:60000], jpeg[60000:]]),
                           headers={"content-type": "image/jpeg"})  # chunked: no Content-Length
    assert streamed.status_code == 413
    roomy = _client(embedded, provider, tmp_path, allow_upload=True)
    upload = roomy.post("/uploads", content=jpeg, headers={"content-type": "image/jpeg"}).json()
    assert _graph(roomy, upload["image"])["nodes"]
    assert os.listdir(spool) == []
    assert sorted(p for p in Path(lite0_artifact).rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]


def test_uploads_off(provider: Any, embedded: Any, tmp_path: Path, shared_data: Path) -> None:
    client = _client(embedded, provider, tmp_path, image_graphs=True)
    support = run_gql(client, SUPPORT_Q, {"model": RUN_ID})["data"]["model"]["imageGraphSupport"]
    assert support["available"]
    assert not support["uploads"]
    assert support["maxUploadBytes"] == 0
    jpeg = (shared_data / UPLOAD_SOURCE).read_bytes()
    answer = client.post("/uploads", content=jpeg, headers={"content-type": "image/jpeg"})
    assert answer.status_code == 403
    assert "--allow-upload" in answer.json()["errors"][0]["message"]
    assert answer.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    body = run_gql(client, IMAGE_GRAPH_Q, {"model": RUN_ID, "image": "upload:" + "0" * 64})
    assert error_codes(body) == ["UNAVAILABLE"]
    assert "--allow-upload" in body["errors"][0]["message"]


def test_feature_off_says_how_to_turn_it_on(embedded: Any, tmp_path: Path) -> None:
    client = TestClient(create_app(make_settings(), embedded, web_dir=tmp_path / "no-web"))
    support = run_gql(client, SUPPORT_Q, {"model": RUN_ID})["data"]["model"]["imageGraphSupport"]
    assert support["available"] is False
    assert "--image-graphs" in support["reason"]
    body = run_gql(client, IMAGE_GRAPH_Q, {"model": RUN_ID, "image": GOLDFISH})
    assert error_codes(body) == ["UNAVAILABLE"]
    assert "--image-graphs" in body["errors"][0]["message"]
    with pytest.raises(BadInput, match="need the ingest part"):
        create_app(make_settings(image_graphs=True), embedded, web_dir=tmp_path / "no-web")


def test_a_model_without_a_network_and_bad_arguments(provider: Any, embedded: Any, tmp_path: Path) -> None:
    client = _client(embedded, provider, tmp_path, image_graphs=True)
    synth = next(m.id for m in embedded.models() if m.id != RUN_ID)
    support = run_gql(client, SUPPORT_Q, {"model": synth})["data"]["model"]["imageGraphSupport"]
    assert support["available"] is False
    assert "synthetic" in support["reason"]
    assert not support["uploads"]
    body = run_gql(client, IMAGE_GRAPH_Q, {"model": synth, "image": "x.JPEG"})
    assert error_codes(body) == ["UNAVAILABLE"]
    assert "no network" in body["errors"][0]["message"]
    for image, code in (("  ", "BAD_INPUT"), ("x" * 1001, "BAD_INPUT"), ("n01443537/nope.JPEG", "NOT_FOUND"),
                        ("../../../etc/passwd", "NOT_FOUND")):
        assert error_codes(run_gql(client, IMAGE_GRAPH_Q, {"model": RUN_ID, "image": image})) == [code], image
    body = run_gql(client, IMAGE_GRAPH_Q, {"model": RUN_ID, "image": GOLDFISH, "cls": "no such class"})
    assert error_codes(body) == ["NOT_FOUND"]


def test_an_image_graph_is_heavy_work_of_its_client(embedded: Any, provider: Any, tmp_path: Path) -> None:
    """Per-client limits (issue 17): an image graph costs heavy_cost of the client's request budget."""
    variables = {"model": RUN_ID, "image": GOLDFISH}
    with _client(embedded, provider, tmp_path, public=True, rate_limit=1, rate_burst=12, heavy_cost=10) as client:
        first = client.post("/graphql", json={"query": IMAGE_GRAPH_Q, "variables": variables})
        assert first.status_code == 200, first.text
        assert first.json()["data"]["model"]["imageGraph"]["nodes"]
        second = client.post("/graphql", json={"query": IMAGE_GRAPH_Q, "variables": variables})
    assert second.status_code == 429
    error = second.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert "heavy_cost" in error["message"]
