"""POST /admin/load: the embedded store's loads through the server that holds it (summit.store.owner)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from summit.server.app import create_app

from summit.store import owner
from tests.server.conftest import make_settings
from tests.store.tiny import write_tiny_artifact

TOKEN = "t0ken"
QUERY = '{ models { id } model(id: "admin-tiny") { class(key: "0") { name } } }'


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[TestClient, Any]]:
    from summit.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "db")
    store.load_artifact(str(write_tiny_artifact(tmp_path / "v1", run_id="admin-tiny")))
    with TestClient(create_app(make_settings(), store, web_dir=tmp_path / "no-web", admin_token=TOKEN),
                    raise_server_exceptions=False) as client:
        yield client, store
    store.close()


def load(client: TestClient, artifact: object, token: str = TOKEN) -> Any:
    return client.post("/admin/load", json={"artifact": artifact}, headers={"authorization": f"Bearer {token}"})


def test_load_through_the_server_shows_at_once(served: tuple[TestClient, Any], tmp_path: Path) -> None:
    client, store = served
    before = client.post("/graphql", json={"query": QUERY}).json()["data"]
    assert before["model"]["class"]["name"] == "tench, Tinca tinca"
    response = load(client, str(write_tiny_artifact(tmp_path / "v2", run_id="admin-tiny", name_suffix=" v2")))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["model"] == "admin-tiny"
    assert answer["rows"] > 0
    assert [r["id"] for r in store.loads()] == [answer["load"]]  # the old load is gone
    after = client.post("/graphql", json={"query": QUERY}).json()["data"]  # no wait: the memo was refreshed
    assert after["model"]["class"]["name"] == "tench, Tinca tinca v2"


def test_refusals_have_codes(served: tuple[TestClient, Any], tmp_path: Path) -> None:
    client, store = served
    loads = store.loads()
    good = str(write_tiny_artifact(tmp_path / "v2", run_id="admin-tiny"))
    no_token = client.post("/admin/load", json={"artifact": good})
    assert no_token.status_code == 403
    assert no_token.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert load(client, good, token="wrong").status_code == 403
    for body in (None, 5, ""):
        bad = load(client, body)
        assert bad.status_code == 400
        assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    missing = load(client, str(tmp_path / "nowhere"))
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    partial = write_tiny_artifact(tmp_path / "partial", run_id="admin-tiny")
    (partial / "class_nodes.parquet").unlink()
    refused = load(client, str(partial))
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_ARTIFACT"
    assert store.loads() == loads  # nothing changed


def test_no_admin_route_without_a_token(tmp_path: Path) -> None:
    from tests.server.memstore import MemStore

    with TestClient(create_app(make_settings(), MemStore(), web_dir=tmp_path / "no-web")) as client:
        assert client.post("/admin/load", json={"artifact": "x"}).status_code in (404, 405)


def test_the_record_is_private_and_names_a_live_server(tmp_path: Path) -> None:
    store = tmp_path / "db"
    record = owner.write_record(store, owner.local_url("0.0.0.0", 8765))
    path = owner.record_path(store)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {"pid": os.getpid(), "url": "http://127.0.0.1:8765", "token": record.token}
    assert owner.read_record(store) == record
    assert owner.local_url("::", 1) == "http://[::1]:1"
    path.write_text(json.dumps({"pid": 2**22 + 12345, "url": "http://x", "token": "t"}))  # no such process
    assert owner.read_record(store) is None
    owner.remove_record(store, record)  # not ours any more: left alone
    assert path.exists()
    owner.write_record(store, "http://127.0.0.1:1")
    assert owner.lock_holder("IO exception: Could not set lock on file : /x (Lock is held by PID 4242)") == 4242
    assert owner.lock_holder("something else") is None


def test_a_team_token_leaves_the_admin_load_to_its_own_token(tmp_path: Path) -> None:
    """With an access token (a shared server), `summit load` on this machine still loads through the
    server: /admin/load checks the server record's token, not the team's."""
    from summit.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "db")
    store.load_artifact(str(write_tiny_artifact(tmp_path / "v1", run_id="admin-tiny")))
    team = "team-token-0123456789abcdef"
    app = create_app(make_settings(), store, web_dir=tmp_path / "no-web", admin_token=TOKEN, token=team)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            assert client.post("/graphql", json={"query": QUERY}).status_code == 401  # the team token is on
            assert load(client, str(tmp_path / "v1"), token=team).status_code == 403  # not the admin's
            response = load(client, str(write_tiny_artifact(tmp_path / "v2", run_id="admin-tiny")))
            assert response.status_code == 200, response.text
    finally:
        store.close()
