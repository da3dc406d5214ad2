"""/media serving (cache headers, no escapes), the web app at / and /healthz, CORS."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio
import pytest
from summit.server.app import create_app
from summit.server.paths import safe_join

from tests.server.conftest import make_settings
from tests.server.memstore import MODEL
from tests.server.proxy import StoreProxy


def raw_get(app: Any, raw_path: str) -> int:
    """GET exactly ``raw_path`` (no client-side normalisation), decoded the way uvicorn does."""
    status: list[int] = []
    sent_request = False

    async def receive() -> dict[str, Any]:
        nonlocal sent_request
        if not sent_request:
            sent_request = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await anyio.sleep(0.01)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": unquote(raw_path), "raw_path": raw_path.encode(), "root_path": "",
             "query_string": b"", "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    anyio.run(app, scope, receive, send)
    return status[0]


def test_media_served_with_cache_headers(client) -> None:
    response = client.get(f"/media/{MODEL}/examples/a/0_0.jpg")
    assert response.status_code == 200
    assert response.content == b"\xff\xd8jpeg-bytes"
    assert response.headers["content-type"] == "image/jpeg"
    assert "immutable" in response.headers["cache-control"]
    etag = response.headers["etag"]
    again = client.get(f"/media/{MODEL}/examples/a/0_0.jpg", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(f"/media/{MODEL}/examples/a/missing.jpg").status_code == 404
    assert client.get("/media/other-model/examples/a/0_0.jpg").status_code == 404


def test_urls_in_responses_are_served(client) -> None:
    body = client.post("/graphql", json={"query": '{ model { neuron(id: "a:0") { neuron { featurevis examples(limit: 1) { url } } } } }'}).json()
    neuron = body["data"]["model"]["neuron"]["neuron"]
    for url in [*neuron["featurevis"], neuron["examples"][0]["url"]]:
        assert client.get(url).status_code == 200, url


ESCAPES = [
    f"/media/{MODEL}/../secret.txt",
    f"/media/{MODEL}/examples/../../secret.txt",
    f"/media/{MODEL}/%2e%2e/secret.txt",
    f"/media/{MODEL}/%2E%2E%2Fsecret.txt",
    f"/media/{MODEL}/examples%2f..%2f..%2fsecret.txt",
    f"/media/{MODEL}/..%5csecret.txt",
    f"/media/{MODEL}/%5c..%5c..%5csecret.txt",
    f"/media/{MODEL}//etc/passwd",
    f"/media/{MODEL}/%2fetc%2fpasswd",
    f"/media/{MODEL}/examples/a/0_0.jpg%00.png",
    f"/media/{MODEL}/%252e%252e/secret.txt",
    f"/media/{MODEL}/C:%5cWindows%5cwin.ini",
    "/media/../secret.txt",
    "/media/%2e%2e/secret.txt",
]


@pytest.mark.parametrize("raw", ESCAPES)
def test_media_escapes_blocked(client, raw: str) -> None:
    app = client.app
    assert raw_get(app, raw) == 404
    assert raw_get(app, f"/media/{MODEL}/examples/a/0_0.jpg") == 200  # the helper itself works


def test_safe_join_symlink_out(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside.txt").write_text("x")
    (root / "link.txt").symlink_to(tmp_path / "outside.txt")
    (root / "ok.txt").write_text("y")
    assert safe_join(root, "link.txt") is None
    assert safe_join(root, "ok.txt") == (root / "ok.txt").resolve()
    assert safe_join(root, "") is None
    assert safe_join(root, "ok.txt/") is None


def test_web_not_built_page(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "npm run build" in response.text


def test_web_app_and_spa_fallback(client_for, store, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html>summit app</html>")
    (dist / "assets" / "app-1234.js").write_text("console.log(1)")
    client = client_for(store, web_dir=dist)
    index = client.get("/")
    assert index.status_code == 200
    assert "summit app" in index.text
    assert index.headers["cache-control"] == "no-cache"
    asset = client.get("/assets/app-1234.js")
    assert asset.text == "console.log(1)"
    assert "immutable" in asset.headers["cache-control"]
    route = client.get("/class/42/graph")
    assert route.status_code == 200
    assert "summit app" in route.text
    assert client.get("/assets/missing.js").status_code == 404
    assert raw_get(client.app, "/%2e%2e/%2e%2e/secret.txt") in (200, 404)
    escaped = client.get("/assets/%2e%2e%2f..%2f" + "secret.txt")
    assert "outside" not in escaped.text


def test_healthz(client_for, store) -> None:
    ok = client_for(store).get("/healthz")
    assert ok.status_code == 200
    assert ok.json() == {"store": "embedded", "status": "ok", "ready": True, "reachable": True, "models": 1,
                         "warmUp": {"state": "off", "graphs": 0, "images": 0}}
    down = client_for(StoreProxy(store, fail={"ping": ConnectionError("bolt://u:hunter2@x refused")})).get("/healthz")
    assert down.status_code == 503
    assert down.json()["reachable"] is False
    assert "hunter2" not in down.text


def test_graphiql_only_in_dev(client_for, store) -> None:
    html = {"accept": "text/html"}
    assert "graphiql" in client_for(store, dev=True).get("/graphql", headers=html).text.lower()
    assert client_for(store).get("/graphql", headers=html).status_code == 404


def test_cors_off_by_default_and_configurable(client_for, store) -> None:
    pre = {"Origin": "http://app.example", "Access-Control-Request-Method": "POST"}
    off = client_for(store).options("/graphql", headers=pre)
    assert "access-control-allow-origin" not in off.headers
    on = client_for(store, cors_origins="http://app.example").options("/graphql", headers=pre)
    assert on.status_code == 200
    assert on.headers["access-control-allow-origin"] == "http://app.example"
    other = client_for(store, cors_origins="http://app.example").options(
        "/graphql", headers={**pre, "Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_media_root_setting(store, tmp_path: Path, media_dir: Path) -> None:
    from starlette.testclient import TestClient

    app = create_app(make_settings(media_root=str(media_dir)), store, web_dir=tmp_path)
    with TestClient(app) as client:
        assert client.get(f"/media/{MODEL}/featurevis/a/0.png").status_code == 200
