"""A server shared by a team: the access token, one-time links, health without the token, the Host
check, introspection, and nothing served that names server paths, hosts or ports."""

from __future__ import annotations

import dataclasses
import hmac
import logging
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from summit.server import access
from summit.server.access import Links, check_exposure, one_time_link, read_token, session_value
from summit.server.app import create_app

from summit.cli import main
from summit.errors import BadInput, StoreUnavailable
from summit.settings import resolve
from tests.server.conftest import make_settings
from tests.server.memstore import MODEL, MemStore
from tests.server.proxy import StoreProxy

TOKEN = "team-token-0123456789abcdef"
MODELS = "{ models { id } }"


@pytest.fixture
def app_for(media_dir: Path, tmp_path: Path) -> Any:
    web = tmp_path / "web"
    web.mkdir(exist_ok=True)
    (web / "index.html").write_text("<html>summit app</html>")

    def make(store: Any = None, token: str | None = TOKEN, **overrides: Any) -> Any:
        return create_app(make_settings(**overrides), store or MemStore(), web_dir=web,
                          media_roots={MODEL: media_dir}, token=token)

    return make


def client_of(app: Any, **kwargs: Any) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, **kwargs)


def gql(client: TestClient, query: str = MODELS, **kwargs: Any) -> Any:
    return client.post("/graphql", json={"query": query}, **kwargs)


MEDIA = f"/media/{MODEL}/examples/a/0_0.jpg"


def test_everything_but_health_needs_the_token(app_for: Any) -> None:
    client = client_of(app_for())
    refused = gql(client)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"
    assert "summit share" in refused.json()["errors"][0]["message"]
    assert client.get(MEDIA).status_code == 401
    page = client.get("/")
    assert page.status_code == 401
    assert "access link" in page.text
    assert "summit app" not in page.text
    assert client.get("/class/3").status_code == 401
    assert client.get("/graphql", params={"query": MODELS}).status_code == 401
    wrong = {"Authorization": "Bearer " + TOKEN[:-1] + "x"}
    assert gql(client, headers=wrong).status_code == 401
    assert gql(client, headers={"Authorization": TOKEN}).status_code == 401  # the scheme is part of it
    client.cookies.set(access.COOKIE, TOKEN)
    assert client.get(MEDIA).status_code == 401  # the cookie holds a session value, never the token
    client.cookies.clear()

    ok = {"Authorization": f"Bearer {TOKEN}"}
    assert gql(client, headers=ok).json() == {"data": {"models": [{"id": MODEL}]}}
    assert client.get(MEDIA, headers=ok).status_code == 200
    assert "summit app" in client.get("/", headers=ok).text


def test_health_without_the_token_says_only_the_status(app_for: Any) -> None:
    client = client_of(app_for())
    anonymous = client.get("/healthz")
    assert anonymous.status_code == 200
    assert anonymous.json() == {"status": "ok", "ready": True}
    assert client.get("/readyz").json() == {"status": "ok", "ready": True}
    full = client.get("/healthz", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert full["models"] == 1
    assert full["store"] == "embedded"
    assert "warmUp" in full
    down = client_of(app_for(StoreProxy(MemStore(), fail={"ping": ConnectionError("bolt://db:7687")})))
    assert down.get("/healthz").json() == {"status": "unavailable", "ready": False}
    assert down.get("/readyz").status_code == 503


def test_a_one_time_link_sets_a_session_cookie_once(app_for: Any) -> None:
    app = app_for()
    link = one_time_link(TOKEN, "http://testserver", hours=1)
    assert TOKEN not in link
    path = link.removeprefix("http://testserver")
    browser = client_of(app)
    opened = browser.get(path, follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == "/"
    cookie = opened.headers["set-cookie"]
    assert cookie.startswith(f"{access.COOKIE}={session_value(TOKEN)};")
    assert TOKEN not in cookie
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="):
        assert attribute in cookie
    assert "Secure" not in cookie  # plain http here; https gets Secure
    # the browser now has the session: the app, GraphQL and pictures answer
    assert "summit app" in browser.get("/").text
    assert gql(browser).status_code == 200
    assert browser.get(MEDIA).status_code == 200

    again = client_of(app).get(path, follow_redirects=False)  # someone else clicks the same link
    assert again.status_code == 401
    assert "already used" in again.text
    https = client_of(app, base_url="https://testserver")
    fresh = one_time_link(TOKEN, "https://testserver", hours=1).removeprefix("https://testserver")
    assert "; Secure" in https.get(fresh, follow_redirects=False).headers["set-cookie"]


@pytest.mark.parametrize(("link", "problem"), [
    (one_time_link(TOKEN, "http://x", hours=1, now=0), "expired"),
    (one_time_link("another-token-0123456789", "http://x", hours=1), "not valid for this server"),
    ("http://x/login?link=123.abc", "not a Summit access link"),
    ("http://x/login?link=", "not a Summit access link"),
])
def test_bad_links_are_refused_with_a_reason(app_for: Any, link: str, problem: str) -> None:
    response = client_of(app_for()).get(link.removeprefix("http://x"), follow_redirects=False)
    assert response.status_code == 401
    assert problem in response.text
    assert "set-cookie" not in response.headers


def test_a_tampered_link_is_refused() -> None:
    link = one_time_link(TOKEN, "http://x", hours=1).split("link=")[1]
    expires, nonce, signature = link.split(".")
    links = Links(TOKEN)
    assert links.redeem(f"{int(expires) + 3600}.{nonce}.{signature}") is not None  # a later expiry
    assert links.redeem(f"{expires}.{nonce}x.{signature}") is not None
    assert links.redeem(link) is None
    assert links.redeem(link) is not None  # once only


def test_token_and_cookie_are_compared_in_constant_time(app_for: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(access.hmac, "compare_digest", spy)
    client = client_of(app_for())
    assert gql(client, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert (b"Bearer nope", f"Bearer {TOKEN}".encode()) in compared
    assert (b"", session_value(TOKEN).encode()) in compared  # the cookie is checked too, every time


def test_the_token_is_never_logged(app_for: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_of(app_for())
    link = one_time_link(TOKEN, "http://testserver", hours=1).removeprefix("http://testserver")
    client.get(link, follow_redirects=False)
    client.get(link, follow_redirects=False)
    gql(client, headers={"Authorization": f"Bearer {TOKEN}"})
    gql(client, "{ model(id: \"nope\") { id } }", headers={"Authorization": f"Bearer {TOKEN}"})
    gql(client, headers={"Authorization": "Bearer wrong"})
    # everything the server side logged (the test's own HTTP client logs the URLs it asks for)
    text = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "graphql NOT_FOUND" in text  # the server did log these requests
    assert TOKEN not in text
    assert session_value(TOKEN) not in text
    assert link.split("link=")[1] not in text


def test_no_token_means_open_on_loopback(app_for: Any) -> None:
    client = client_of(app_for(token=None))
    assert gql(client).status_code == 200
    assert client.get("/healthz").json()["models"] == 1  # everyone may see the details
    assert client.get("/login?link=x").status_code in (200, 404)  # no login page without a token


def test_introspection_only_with_dev_or_a_token(app_for: Any) -> None:
    introspect = "{ __schema { queryType { name } } }"
    closed = gql(client_of(app_for(token=None)), introspect).json()
    assert closed["errors"][0]["extensions"]["code"] == "BAD_QUERY"
    assert "introspection" in closed["errors"][0]["message"].lower()
    typename = gql(client_of(app_for(token=None)), "{ __typename models { id } }").json()
    assert typename["data"]["__typename"] == "Query"  # the web app's __typename still works
    dev = gql(client_of(app_for(token=None, dev=True)), introspect).json()
    assert dev["data"]["__schema"]["queryType"]["name"] == "Query"
    with_token = gql(client_of(app_for()), introspect, headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert with_token["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize(("host", "allowed", "status"), [
    ("localhost:8765", "", 200),
    ("127.0.0.1", "", 200),
    ("[::1]:8765", "", 200),
    ("attacker.example", "", 400),  # DNS rebinding: the attacker's name resolving to 127.0.0.1
    ("localhost.attacker.example", "", 400),
    ("summit.team.example:8765", "summit.team.example", 200),
    ("other.team.example", "summit.team.example", 400),
    ("a.team.example", "*.team.example", 200),
])
def test_host_check(app_for: Any, host: str, allowed: str, status: int) -> None:
    app = app_for(token=None, allowed_hosts=allowed)
    response = client_of(app).post("/graphql", json={"query": MODELS}, headers={"host": host})
    assert response.status_code == status


def test_the_address_it_listens_on_is_an_allowed_host(app_for: Any) -> None:
    app = app_for(token=None, host="192.168.7.5")
    assert client_of(app).post("/graphql", json={"query": MODELS}, headers={"host": "192.168.7.5:8765"}).status_code == 200
    assert client_of(app).post("/graphql", json={"query": MODELS}, headers={"host": "evil.example"}).status_code == 400
    wildcard = app_for(token=None, host="0.0.0.0")
    assert client_of(wildcard).post("/graphql", json={"query": MODELS},
                                    headers={"host": "0.0.0.0:8765"}).status_code == 400


def test_errors_name_no_hosts_ports_or_paths(app_for: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    gone = StoreUnavailable("Neo4j at bolt://db.internal:7687 went away: /var/lib/neo4j/data")
    store = StoreProxy(MemStore(), fail={"model": gone})
    body = gql(client_of(app_for(store, token=None)), '{ model(id: "tiny-run") { id } }').json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "STORE_UNAVAILABLE"
    for secret in ("db.internal", "7687", "/var/lib"):
        assert secret not in error["message"]
    assert "db.internal" in caplog.text  # the operator's log keeps the detail


def test_the_dataset_is_named_never_a_path(app_for: Any) -> None:
    class AbsoluteDataset(StoreProxy):
        def models(self) -> Any:
            return [dataclasses.replace(m, dataset="/home/alice/data/imagenet-val-1300/")
                    for m in MemStore().models()]

    store = AbsoluteDataset(MemStore())
    body = gql(client_of(app_for(store, token=None)), "{ models { dataset } model { dataset } }").json()
    assert body["data"] == {"models": [{"dataset": "imagenet-val-1300"}], "model": {"dataset": "imagenet-val-1300"}}


def test_loading_records_the_dataset_name(tmp_path: Path) -> None:
    from summit.artifact import read_manifest, update_manifest
    from summit.store.prepare import read_load_data
    from summit.synth import write_synthetic_artifact

    write_synthetic_artifact(tmp_path / "art", classes=2, layers=2, channels=3, images_per_class=2, seed=1)
    dataset = {**read_manifest(tmp_path / "art")["dataset"], "root": "/srv/private/imagenet/val"}
    update_manifest(tmp_path / "art", dataset=dataset)
    assert read_load_data(tmp_path / "art").model["dataset"] == "val"


# --- starting a shared server ------------------------------------------------------


def test_non_loopback_needs_a_token_or_public() -> None:
    with pytest.raises(BadInput, match=r"--token-file FILE.*--public"):
        check_exposure(resolve({"host": "0.0.0.0"}, environ={}), None)
    assert "token" in check_exposure(resolve({"host": "0.0.0.0"}, environ={}), TOKEN)
    assert "public" in check_exposure(resolve({"host": "0.0.0.0", "public": True}, environ={}), None)
    assert "loopback" in check_exposure(resolve({"host": "127.0.0.1"}, environ={}), None)
    assert "loopback" in check_exposure(resolve({"host": "localhost"}, environ={}), None)
    with pytest.raises(BadInput, match="one or the other"):
        check_exposure(resolve({"host": "0.0.0.0", "public": True}, environ={}), TOKEN)


def test_serve_refuses_a_public_address_without_a_token(capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SUMMIT_TOKEN", raising=False)
    code = main(["serve", "--host", "0.0.0.0", "--embedded", str(tmp_path / "none")])
    out = capsys.readouterr().err
    assert code == 2
    assert "--public" in out
    assert "--token-file" in out
    monkeypatch.setenv("SUMMIT_TOKEN", "short")
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    out = capsys.readouterr().err
    assert "at least 16 characters" in out
    assert "short" not in out.replace("shortly", "")


def test_reading_the_token(tmp_path: Path) -> None:
    settings = resolve({}, environ={})
    assert read_token(settings, {}) is None
    assert read_token(settings, {"SUMMIT_TOKEN": f"  {TOKEN}\n"}) == TOKEN
    file = tmp_path / "token"
    file.write_text(TOKEN + "\n")
    assert read_token(settings.replace(token_file=str(file)), {}) == TOKEN
    with pytest.raises(BadInput, match="cannot read the token file"):
        read_token(settings.replace(token_file=str(tmp_path / "missing")), {})
    assert resolve(environ={"SUMMIT_TOKEN": TOKEN}).token_env == "SUMMIT_TOKEN"  # not an unknown setting


def test_summit_share_prints_a_link_the_server_accepts(app_for: Any, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "token"
    file.write_text(TOKEN)
    assert main(["share", "--url", "http://testserver", "--token-file", str(file), "--hours", "2"]) == 0
    link = capsys.readouterr().out.strip()
    assert link.startswith("http://testserver/login?link=")
    response = client_of(app_for()).get(link.removeprefix("http://testserver"), follow_redirects=False)
    assert response.status_code == 303
    assert main(["share", "--url", "testserver", "--token-file", str(file)]) == 2
