"""Notes over GraphQL: write rights per request, mutations, never a cached answer (in-memory store).

The same mutations run on both real stores in ``test_explore_api.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from summit.server.app import create_app
from summit.server.rights import can_write, literal_loopback

from summit.settings import Settings, resolve
from tests.server.conftest import error_codes, make_settings
from tests.server.memstore import MODEL, MemStore

LOCAL = "http://127.0.0.1:8765"
SET = """mutation($kind: NoteKind!, $target: String!, $text: String!, $neurons: [String!]) {
  setNote(model: "MODEL", kind: $kind, target: $target, text: $text, neurons: $neurons) { kind target neurons text updated }
}""".replace("MODEL", MODEL)
DELETE = 'mutation($t: String!) { deleteNote(model: "MODEL", kind: NEURON, target: $t) }'.replace("MODEL", MODEL)
NOTES = "{ model { notes { kind target neurons text } } }"
VIEWER = "{ viewer { canWrite } }"


def post(client: TestClient, query: str, variables: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None) -> Any:
    return client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {})


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("10.0.0.5", False), ("example.org", False), ("", False), ("testclient", False),
])
def test_literal_loopback(host: str, loopback: bool) -> None:
    assert literal_loopback(host) is loopback


def test_write_rights_without_a_token_are_this_machines() -> None:
    local = resolve({"host": "127.0.0.1"}, environ={})
    ok = {"host": "127.0.0.1:8765", "origin": "http://127.0.0.1:8765"}

    def may(client: str | None, headers: dict[str, str], settings: Settings = local) -> bool:
        return can_write(settings, token_required=False, authorized=True, client_host=client, headers=headers)

    assert may("127.0.0.1", ok)
    assert may("127.0.0.1", {"host": "localhost:8765"}), "no Origin: a script, not a page"
    assert not may("10.1.2.3", ok), "from another machine"
    assert not may(None, ok)
    assert not may("127.0.0.1", {"host": "evil.example:8765"}), "DNS rebinding"
    assert not may("127.0.0.1", {**ok, "origin": "http://evil.example"}), "another site's page"
    assert not may("127.0.0.1", {**ok, "origin": "http://127.0.0.1:9999"}), "another local origin"
    assert not may("127.0.0.1", {}), "no Host"
    assert not may("127.0.0.1", ok, resolve({"host": "0.0.0.0"}, environ={})), "a server others reach"


def test_write_rights_follow_the_token_and_public_is_read_only() -> None:
    team = resolve({"host": "0.0.0.0"}, environ={})
    there = {"host": "summit.example.org", "origin": "https://summit.example.org"}
    assert can_write(team, token_required=True, authorized=True, client_host="10.1.2.3", headers=there)
    assert not can_write(team, token_required=True, authorized=False, client_host="10.1.2.3", headers=there)
    assert not can_write(team, token_required=True, authorized=True, client_host="10.1.2.3",
                         headers={**there, "origin": "https://evil.example"}), "another site's page"
    demo = resolve({"host": "0.0.0.0", "public": True}, environ={})
    assert not can_write(demo, token_required=False, authorized=True, client_host="127.0.0.1",
                         headers={"host": "127.0.0.1"}), "--public: nobody writes"


def test_a_token_grants_write_rights_over_http(store: MemStore, tmp_path: Path) -> None:
    token = "t" * 32
    app = create_app(make_settings(host="0.0.0.0", allowed_hosts=("summit.example.org",)), store,
                     web_dir=tmp_path / "no-web", token=token)
    with TestClient(app, base_url="http://summit.example.org", client=("10.1.2.3", 50000)) as client:
        refused = client.post("/graphql", json={"query": VIEWER})
        assert refused.status_code == 401, "no token: access control answers before GraphQL"
        headers = {"authorization": f"Bearer {token}"}
        assert post(client, VIEWER, headers=headers).json()["data"] == {"viewer": {"canWrite": True}}
        saved = post(client, SET, {"kind": "NEURON", "target": "a:0", "text": "team note"}, headers=headers).json()
        assert saved["data"]["setNote"]["text"] == "team note"
    public = create_app(make_settings(host="0.0.0.0", public=True, allowed_hosts=("demo.example.org",)), store,
                        web_dir=tmp_path / "no-web")
    with TestClient(public, base_url="http://demo.example.org", client=("10.1.2.3", 50000)) as client:
        assert post(client, VIEWER).json()["data"] == {"viewer": {"canWrite": False}}
        assert error_codes(post(client, DELETE, {"t": "a:0"}).json()) == ["FORBIDDEN"]
    assert [n.text for n in store.saved_notes.values()] == ["team note"]


def test_viewer_and_refused_writes(client_for: Callable[..., TestClient], store: MemStore) -> None:
    remote = client_for(store)  # TestClient's peer is "testclient" at http://testserver
    body = post(remote, VIEWER).json()
    assert body["data"] == {"viewer": {"canWrite": False}}
    refused = post(remote, SET, {"kind": "NEURON", "target": "a:0", "text": "x"}).json()
    assert error_codes(refused) == ["FORBIDDEN"]
    assert "may not change notes" in refused["errors"][0]["message"]
    assert error_codes(post(remote, DELETE, {"t": "a:0"}).json()) == ["FORBIDDEN"]
    assert store.saved_notes == {}
    assert "set_note" not in store.calls, "refused before the store is asked"


def test_write_read_delete(client_for: Callable[..., TestClient], store: MemStore) -> None:
    app = client_for(store).app
    assert post(TestClient(app, base_url=LOCAL), VIEWER).json()["data"]["viewer"]["canWrite"] is False, \
        "a loopback Host from a peer that is not loopback"
    local = TestClient(app, base_url=LOCAL, client=("127.0.0.1", 50000))
    assert post(local, VIEWER).json()["data"]["viewer"]["canWrite"] is True
    set_note = post(local, SET, {"kind": "GROUP", "target": "g-1", "text": " fins ", "neurons": ["a:1", "a:0"]})
    assert set_note.headers["cache-control"] == "no-store"
    note = set_note.json()["data"]["setNote"]
    assert {k: note[k] for k in ("kind", "target", "neurons", "text")} == {
        "kind": "GROUP", "target": "g-1", "neurons": ["a:1", "a:0"], "text": "fins"}
    post(local, SET, {"kind": "NEURON", "target": "b:0", "text": "curves"})
    listed = post(local, NOTES)
    assert listed.headers["cache-control"] == "no-store"
    assert [(n["kind"], n["target"]) for n in listed.json()["data"]["model"]["notes"]] == [
        ("GROUP", "g-1"), ("NEURON", "b:0")]
    assert post(local, DELETE, {"t": "b:0"}).json()["data"] == {"deleteNote": True}
    assert post(local, DELETE, {"t": "b:0"}).json()["data"] == {"deleteNote": False}
    bad = post(local, SET, {"kind": "NEURON", "target": "zz:0", "text": "x"}).json()
    assert error_codes(bad) == ["NOT_FOUND"]
    assert error_codes(post(local, SET, {"kind": "NEURON", "target": "a:0", "text": ""}).json()) == ["BAD_INPUT"]
    assert error_codes(post(local, SET, {"kind": "GROUP", "target": "g", "text": "x", "neurons": ["a0"]}).json()) == [
        "BAD_INPUT"]
    local.close()


def test_notes_are_never_served_from_the_response_cache(client_for: Callable[..., TestClient],
                                                        store: MemStore) -> None:
    app = client_for(store, response_cache=100).app
    local = TestClient(app, base_url=LOCAL, client=("127.0.0.1", 50000))
    assert post(local, NOTES).json()["data"]["model"]["notes"] == []
    post(local, SET, {"kind": "NEURON", "target": "a:0", "text": "first"})
    assert [n["text"] for n in post(local, NOTES).json()["data"]["model"]["notes"]] == ["first"]
    post(local, SET, {"kind": "NEURON", "target": "a:0", "text": "second"})
    assert [n["text"] for n in post(local, NOTES).json()["data"]["model"]["notes"]] == ["second"]
    assert store.calls["set_note"] == 2, "the same mutation twice runs twice"
    graph = '{ model { classGraph(classKey: "0") { nodes { count } } } }'
    post(local, graph)
    post(local, graph)
    assert store.calls["class_graph"] == 1, "other answers are still cached"
    assert post(TestClient(app), VIEWER).json()["data"]["viewer"]["canWrite"] is False, "rights are per request"
    local.close()


def test_mutations_are_refused_over_get(client_for: Callable[..., TestClient], store: MemStore) -> None:
    local = TestClient(client_for(store).app, base_url=LOCAL, client=("127.0.0.1", 50000))
    response = local.get("/graphql", params={"query": DELETE, "variables": '{"t": "a:0"}'})
    assert response.status_code == 400
    assert "not allowed" in response.text
    assert "delete_note" not in store.calls
    local.close()


def test_classes_containing_and_suggestions(client_for: Callable[..., TestClient], store: MemStore) -> None:
    client = client_for(store)
    body = post(client, """{ model { all: suggestedGroups { id layer neurons cohesion } b: suggestedGroups(layer: "b") { id }
        c: classesContaining(neurons: ["a:0"], edges: [{src: "b:0", dst: "c:1"}]) { class { index } mass }
        none: classesContaining(neurons: ["a:0"], limit: 0) { mass } } }""").json()
    assert "errors" not in body, body
    data = body["data"]["model"]
    assert data["all"] == [{"id": 0, "layer": "a", "neurons": ["a:0", "a:1"], "cohesion": 0.9},
                           {"id": 1, "layer": "b", "neurons": ["b:0", "b:2"], "cohesion": 0.7}]
    assert data["b"] == [{"id": 1}]
    assert data["c"] == [{"class": {"index": 0}, "mass": pytest.approx(0.9)}]
    assert data["none"] == []
    bad = post(client, '{ model { classesContaining(neurons: ["nocolon"]) { mass } } }').json()
    assert error_codes(bad) == ["BAD_INPUT"]
    many = post(client, '{ model { classesContaining(neurons: ["a:0"], limit: 100000) { mass } } }').json()
    assert error_codes(many) == ["LIMIT_EXCEEDED"]


def test_settings_default_host_is_loopback() -> None:
    assert literal_loopback(make_settings().host), "a default `summit serve` lets its own machine write notes"
