"""Fixtures for the server tests: an app around the in-memory store, an HTTP client, a GraphQL helper."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from summit.server.app import create_app

from summit.settings import Settings, resolve
from tests.server.memstore import MODEL, MemStore

Gql = Callable[..., dict[str, Any]]


def make_settings(**overrides: Any) -> Settings:
    """Settings for tests: the response cache and the rate limit are off unless asked for
    (test_response_cache.py, test_rate_limit.py); TestClient's Host name ``testserver`` is allowed."""
    return resolve({"response_cache": 0, "rate_limit": 0, "allowed_hosts": "testserver", **overrides}, environ={})


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    media = tmp_path / "media"
    (media / "examples" / "a").mkdir(parents=True)
    (media / "featurevis" / "a").mkdir(parents=True)
    (media / "examples" / "a" / "0_0.jpg").write_bytes(b"\xff\xd8jpeg-bytes")
    (media / "featurevis" / "a" / "0.png").write_bytes(b"\x89PNG-bytes")
    (tmp_path / "secret.txt").write_text("outside the media folder")
    return media


@pytest.fixture
def store() -> MemStore:
    return MemStore()


@pytest.fixture
def client_for(media_dir: Path, tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """``client_for(store, **settings)``: a TestClient of an app around ``store``."""
    clients: list[TestClient] = []

    def make(store: Any, web_dir: Path | None = None, **overrides: Any) -> TestClient:
        app = create_app(make_settings(**overrides), store, web_dir=web_dir or tmp_path / "no-web",
                         media_roots={MODEL: media_dir})
        client = TestClient(app, raise_server_exceptions=False)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(client_for: Callable[..., TestClient], store: MemStore) -> TestClient:
    return client_for(store)


def run_gql(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def gql(client: TestClient) -> Gql:
    def call(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return run_gql(client, query, variables)

    return call


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def graphql_view(client: TestClient) -> Any:
    """The app's SummitGraphQL view (under the body limit and the response cache, when on)."""
    from summit.server.app import SummitGraphQL

    for route in client.app.routes:  # type: ignore[attr-defined]
        if getattr(route, "path", None) == "/graphql":
            view = route.endpoint
            while not isinstance(view, SummitGraphQL):
                view = view.app
            return view
    raise AssertionError("no /graphql route")


def wait_for_generation(client: TestClient, memo: Any, generation: int) -> None:
    """Ask until the app's model-list memo has seen ``generation`` (it refreshes behind requests)."""
    for _ in range(200):
        if memo.generation >= generation:
            return
        client.get("/graphql", params={"query": "{ models { id } }"})
        time.sleep(0.01)
    raise AssertionError(f"the model list memo never reached generation {generation}")
