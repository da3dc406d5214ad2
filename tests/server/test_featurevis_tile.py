"""A neuron with a feature visualisation shows it on its graph tile, on both real stores.

One synthetic artifact gets a feature visualisation (a solid magenta PNG) for one
neuron of class 0's attribution graph, as ``summit featurevis`` would write it. Loaded
into the embedded store and into Neo4j, the class graph's ``image`` of that neuron
must be its feature visualisation (GraphQL, per request and through the start-up
warm-up), and in headless Chromium the tile of that neuron must be drawn magenta.
Before the store contract had ``featurevis``, the server fell back to the neuron's
first example patch here.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from PIL import Image
from starlette.testclient import TestClient
from summit.server.app import create_app

from summit.artifact import MEDIA_DIR, read_table, write_table
from summit.settings import resolve
from summit.synth import write_synthetic_artifact
from tests.server.conftest import make_settings, run_gql

SEED = 63  # model id synthetic-4c-3l-s63: distinct from other suites sharing the Neo4j database
MAGENTA = (255, 0, 255)
REPO = Path(__file__).resolve().parents[2]
GRAPH_Q = '{ model { classGraph(classKey: "0") { nodes { neuron { id image featurevis } } } } }'


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(artifact, neuron id): the neuron with a feature visualisation is in class 0's graph."""
    path = tmp_path_factory.mktemp("fv-art") / "artifact"
    write_synthetic_artifact(path, classes=4, layers=3, channels=8, images_per_class=6, seed=SEED,
                             settings=resolve({"graph_mass": 0.5}, environ={}))
    nodes = read_table(path, "class_nodes").filter(pl.col("class_index") == 0).sort("pagerank", descending=True)
    neuron = nodes["neuron_id"][0]
    layer, channel = neuron.rsplit(":", 1)
    media = f"featurevis/{layer}/{channel}.png"
    (path / MEDIA_DIR / media).parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), MAGENTA).save(buffer, format="PNG")
    (path / MEDIA_DIR / media).write_bytes(buffer.getvalue())
    write_table(path, "featurevis", pl.DataFrame(
        {"neuron_id": [neuron], "variant": [0], "media": [media], "objective": [1.0]}))
    return path, neuron


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def loaded(request: pytest.FixtureRequest, artifact: tuple[Path, str],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(read-only store, its settings for ``summit serve``) with the artifact loaded."""
    from summit.store import open_store

    kind = request.param
    if kind == "embedded":
        overrides: dict[str, Any] = {"store": "embedded",
                                     "embedded_path": str(tmp_path_factory.mktemp("fv-db") / "store")}
    else:
        auth = request.getfixturevalue("neo4j_auth")
        overrides = {"store": "neo4j", "neo4j_uri": auth.uri, "neo4j_user": auth.user,
                     "neo4j_password_env": "FV_TEST_NEO4J_PASSWORD"}
        os.environ["FV_TEST_NEO4J_PASSWORD"] = auth.password
    settings = resolve(overrides, environ={})
    writer = open_store(settings, read_only=False)
    model = writer.load_artifact(str(artifact[0]))
    writer.close()
    store = open_store(settings)
    try:
        yield store, overrides
    finally:
        store.close()
        if kind == "neo4j":
            cleanup = open_store(settings, read_only=False)
            cleanup.drop_model(model)
            cleanup.close()
            del os.environ["FV_TEST_NEO4J_PASSWORD"]


def tile_images(client: TestClient) -> dict[str, dict[str, Any]]:
    body = run_gql(client, GRAPH_Q)
    assert "errors" not in body, body
    return {n["neuron"]["id"]: n["neuron"] for n in body["data"]["model"]["classGraph"]["nodes"]}


def test_store_answers_featurevis_in_one_batched_call(loaded: tuple[Any, dict[str, Any]],
                                                      artifact: tuple[Path, str]) -> None:
    store, _ = loaded
    path, neuron = artifact
    model = store.models()[0].id
    others = [n for n in read_table(path, "neurons")["neuron_id"].to_list() if n != neuron][:3]
    layer, channel = neuron.rsplit(":", 1)
    assert store.featurevis(model, [*others, neuron]) == {
        **{n: [] for n in others}, neuron: [f"featurevis/{layer}/{channel}.png"]}


@pytest.mark.parametrize("warm", [False, True], ids=["per-request", "warm-up"])
def test_graph_tile_image_is_the_feature_visualisation(loaded: tuple[Any, dict[str, Any]],
                                                       artifact: tuple[Path, str], warm: bool) -> None:
    store, _ = loaded
    path, neuron = artifact
    model = store.models()[0].id
    layer, channel = neuron.rsplit(":", 1)
    url = f"/media/{model}/featurevis/{layer}/{channel}.png"
    with TestClient(create_app(make_settings(), store, web_dir=path / "no-web", warm=warm)) as client:
        if warm:
            wait_for_warm_up(client)
        tiles = tile_images(client)
        assert tiles[neuron]["featurevis"] == [url]
        assert tiles[neuron]["image"] == url
        others = [t for nid, t in tiles.items() if nid != neuron]
        assert others, "class 0's graph has more neurons"
        assert all(t["featurevis"] == [] and "/examples/" in t["image"] for t in others)
        picture = client.get(url)
        assert picture.status_code == 200
        assert picture.content == (path / MEDIA_DIR / "featurevis" / layer / f"{channel}.png").read_bytes()


def wait_for_warm_up(client: TestClient) -> None:
    for _ in range(400):
        state = client.get("/healthz").json()["warmUp"]
        if state["state"] == "done":
            assert state["images"] > 0
            return
        assert state["state"] in ("pending", "running"), state
        time.sleep(0.02)
    raise AssertionError("the warm-up never finished")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.browser
def test_graph_tile_shows_the_feature_visualisation_in_the_browser(
        loaded: tuple[Any, dict[str, Any]], artifact: tuple[Path, str]) -> None:
    store, overrides = loaded
    _, neuron = artifact
    model = store.models()[0].id
    if not (REPO / "web" / "dist" / "index.html").is_file():
        pytest.fail("web/dist is missing: run scripts/setup.sh (npm run build)", pytrace=False)
    if shutil.which("node") is None:
        pytest.fail("node is missing: run scripts/setup.sh", pytrace=False)
    flags = {"store": "--store", "embedded_path": "--embedded", "neo4j_uri": "--neo4j", "neo4j_user": "--user",
             "neo4j_password_env": "--password-env"}
    port = free_port()
    argv = [str(Path(sys.executable).with_name("summit")), "serve", "--port", str(port),
            *[arg for key, value in overrides.items() for arg in (flags[key], value)]]
    server = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.communicate()[0].decode()
            time.sleep(0.2)
        result = subprocess.run(
            ["node", "e2e/tile-pixel.mjs", base, model, "0", neuron, ",".join(map(str, MAGENTA))],
            cwd=REPO / "web", capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        seen = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert seen["errors"] == []
    layer, channel = neuron.rsplit(":", 1)
    assert {"url": f"/media/{model}/featurevis/{layer}/{channel}.png", "status": 200} in seen["media"]
    red, green, blue, alpha = seen["pixel"]
    assert all(abs(got - want) <= 8 for got, want in zip((red, green, blue), MAGENTA, strict=True)), seen["pixel"]
    assert alpha == 255
