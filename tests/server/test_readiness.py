"""Readiness: /healthz says ready:false and /readyz 503 until the warm-up has every class graph;
``wait_warm_up`` (``summit serve --wait-warm-up``) keeps the port closed until then."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient
from summit.server.app import create_app

from tests.server.conftest import make_settings
from tests.server.memstore import MemStore
from tests.server.proxy import StoreProxy
from tests.server.test_serve_cli import free_port
from tests.server.web_build import built

GRAPH_S = 0.3  # each of the 3 classes' graphs takes this long to fetch


def slow_warm_up_app(tmp_path: Path, **settings: object) -> tuple[object, StoreProxy]:
    store = StoreProxy(MemStore(), sleep={"class_graph": GRAPH_S})
    return create_app(make_settings(**settings), store, web_dir=tmp_path, warm=True), store


def test_not_ready_until_the_warm_up_is_done(tmp_path: Path) -> None:
    app, _ = slow_warm_up_app(tmp_path)
    with TestClient(app) as client:  # the lifespan starts the warm-up; requests are answered meanwhile
        early = client.get("/healthz").json()
        assert early["status"] == "ok"
        assert early["ready"] is False
        assert early["warmUp"]["state"] == "running"
        assert client.get("/readyz").status_code == 503
        assert client.post("/graphql", json={"query": "{ models { id } }"}).status_code == 200  # but it answers
        for _ in range(100):
            if client.get("/healthz").json()["ready"]:
                break
            time.sleep(0.05)
        late = client.get("/healthz").json()
        assert late["ready"] is True
        assert late["warmUp"] == {"state": "done", "graphs": 3, "images": 8}
        assert client.get("/readyz").json() == {"status": "ok", "ready": True}


def test_wait_warm_up_holds_the_start_until_ready(tmp_path: Path) -> None:
    app, store = slow_warm_up_app(tmp_path, wait_warm_up=True)
    started = time.perf_counter()
    with TestClient(app) as client:  # returns when the app's startup is complete
        waited = time.perf_counter() - started
        first = client.get("/healthz").json()
    assert waited >= 3 * GRAPH_S * 0.9
    assert first["ready"] is True
    assert first["warmUp"]["state"] == "done"
    assert store.calls["class_graph"] == 3


@pytest.mark.slow
def test_serve_opens_the_port_only_when_ready(tmp_path: Path) -> None:
    from summit.store.embedded import EmbeddedStore
    from summit.synth import write_synthetic_artifact

    write_synthetic_artifact(tmp_path / "art", classes=40, layers=4, channels=16, images_per_class=3, seed=5)
    store = EmbeddedStore(tmp_path / "db")
    store.load_artifact(str(tmp_path / "art"))
    store.close()
    port = free_port()
    summit = Path(sys.executable).with_name("summit")
    web = tmp_path / "web"
    web.mkdir()
    proc = subprocess.Popen([str(summit), "serve", "--embedded", str(tmp_path / "db"), "--port", str(port),
                             "--web-dir", str(built(web)), "--wait-warm-up"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else b""
            time.sleep(0.02)
        first = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).json()  # the first answer ever
        assert first["ready"] is True
        # every class graph, every picture and the web app's two class-view answers of every class
        assert first["warmUp"] == {"state": "done", "graphs": 40, "images": 4 * 16, "responses": 2 * 40}
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    text = out.decode()
    assert text.index("warm-up done") < text.index("Uvicorn running on")  # warm, then listening
