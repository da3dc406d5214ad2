"""Per-client rate and cost limits: 429 with Retry-After past the budget, heavy queries per client,
and light requests that never wait for heavy ones."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient
from summit.server.app import create_app
from summit.server.rate_limit import TokenBuckets

from tests.server.conftest import make_settings
from tests.server.live import closed_loop, live_server
from tests.server.memstore import MemStore
from tests.server.proxy import StoreProxy

MODELS = "{ models { id } }"
PATHS = '{ model { paths(classKey: "0", from: "a:0") { score } } }'


def test_token_bucket_refills_at_the_rate() -> None:
    now = [100.0]
    buckets = TokenBuckets(rate=2.0, burst=3, clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)  # empty: one more in 1/rate seconds
    assert buckets.take("b") == 0.0  # another client has its own bucket
    now[0] += 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0
    now[0] += 60
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]  # refilled to the burst, no more
    assert buckets.take("a") > 0


def test_over_the_budget_is_a_clear_429(tmp_path: Path) -> None:
    app = create_app(make_settings(public=True, rate_limit=1, rate_burst=3), MemStore(), web_dir=tmp_path)
    one = TestClient(app, client=("10.0.0.1", 1000))
    answers = [one.post("/graphql", json={"query": MODELS}) for _ in range(3)]
    started = time.perf_counter()
    answers.append(one.post("/graphql", json={"query": MODELS}))
    held = time.perf_counter() - started
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 0.9 < held < 2.0  # refusals are sent a second late (TARPIT_S): loops cannot spin on them
    refused = answers[-1]
    assert refused.headers["retry-after"] == "1"
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert "rate_limit" in error["message"]
    assert "Retry-After" in error["message"]
    other = TestClient(app, client=("10.0.0.2", 1000))
    assert other.post("/graphql", json={"query": MODELS}).status_code == 200  # budgets are per client
    assert one.get("/healthz").status_code == 200  # health checks are not counted


@pytest.mark.parametrize(("shared", "limited"), [({}, False), ({"public": True}, True),
                                                 ({"host": "0.0.0.0", "public": True}, True)])
def test_only_a_shared_server_limits_the_rate(tmp_path: Path, shared: dict[str, Any], limited: bool) -> None:
    """A loopback server without a token serves this machine only: no rate limit there."""
    app = create_app(make_settings(rate_limit=1, rate_burst=2, **shared), MemStore(), web_dir=tmp_path)
    client = TestClient(app, client=("127.0.0.1", 1000))
    statuses = [client.post("/graphql", json={"query": MODELS}).status_code for _ in range(3)]
    assert statuses == ([200, 200, 429] if limited else [200] * 3)  # a refusal waits 1 s: the bucket refills


def test_a_token_turns_the_rate_limit_on(tmp_path: Path) -> None:
    token = "t" * 40
    app = create_app(make_settings(rate_limit=1, rate_burst=1), MemStore(), web_dir=tmp_path, token=token)
    client = TestClient(app, client=("127.0.0.1", 1000), headers={"authorization": f"Bearer {token}"})
    statuses = [client.post("/graphql", json={"query": MODELS}).status_code for _ in range(2)]
    assert statuses == [200, 429]


def test_uploads_are_counted_too_files_and_health_are_not(tmp_path: Path, media_dir: Path) -> None:
    app = create_app(make_settings(public=True, rate_limit=1, rate_burst=1), MemStore(), web_dir=tmp_path,
                     media_roots={"tiny-run": media_dir})
    client = TestClient(app, client=("10.0.0.4", 1000))
    assert client.post("/uploads", content=b"x", headers={"content-type": "image/png"}).status_code == 403  # off
    assert client.post("/uploads", content=b"x", headers={"content-type": "image/png"}).status_code == 429
    for _ in range(3):
        assert client.get("/media/tiny-run/examples/a/0_0.jpg").status_code == 200
        assert client.get("/healthz").status_code == 200


def test_heavy_queries_cost_more_of_the_budget(tmp_path: Path) -> None:
    app = create_app(make_settings(public=True, rate_limit=1, rate_burst=12, heavy_cost=10), MemStore(), web_dir=tmp_path)
    client = TestClient(app, client=("10.0.0.3", 1000))
    first = client.post("/graphql", json={"query": PATHS})
    assert first.status_code == 200
    assert first.json()["data"]["model"]["paths"] is not None  # 1 at the door + 9: 2 of 12 left
    second = client.post("/graphql", json={"query": PATHS})
    assert second.status_code == 429
    error = second.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert "heavy_cost" in error["message"]
    assert int(second.headers["retry-after"]) >= 7  # 9 requests short at 1 a second, give or take
    assert client.post("/graphql", json={"query": MODELS}).status_code == 200  # a light one fits in what is left


def test_heavy_queries_per_client_and_light_ones_never_wait(tmp_path: Path) -> None:
    store = StoreProxy(MemStore(), sleep={"paths": 1.5})
    app = create_app(make_settings(heavy_per_client=1, heavy_workers=1, request_timeout=10), store, web_dir=tmp_path)
    # (make_settings turns the rate limit off, so only heavy_per_client refuses here)

    def client(address: str) -> httpx.Client:
        return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)

    results: dict[str, Any] = {}

    def heavy(name: str, address: str) -> None:
        with client(address) as c:
            results[name] = c.post(f"{base}/graphql", json={"query": PATHS})

    with live_server(app) as base:
        first = threading.Thread(target=heavy, args=("a1", "127.0.0.2"))
        first.start()
        time.sleep(0.5)  # a1 is running its slow heavy query now
        with client("127.0.0.2") as a:
            started = time.perf_counter()
            second = a.post(f"{base}/graphql", json={"query": PATHS})
            refused_after = time.perf_counter() - started
            started = time.perf_counter()
            light = a.post(f"{base}/graphql", json={"query": MODELS})
            light_s = time.perf_counter() - started
        other = threading.Thread(target=heavy, args=("b", "127.0.0.3"))
        other.start()
        first.join()
        other.join()
    assert second.status_code == 429
    assert second.headers["retry-after"] == "1"
    error = second.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert "heavy_per_client" in error["message"]
    assert refused_after < 0.5  # refused at once, not queued
    assert light.status_code == 200
    assert light.json()["data"]["models"]
    assert light_s < 0.5  # the heavy pool is busy, light requests have their own threads
    assert results["a1"].status_code == 200
    assert results["a1"].json()["data"]["model"]["paths"] is not None
    assert results["b"].status_code == 200  # another client's heavy query waits its turn, then answers
    assert store.calls["paths"] == 2


def test_an_abusive_loop_is_held_to_its_budget(tmp_path: Path) -> None:
    rate, burst, seconds = 20.0, 20, 3.0
    app = create_app(make_settings(public=True, rate_limit=rate, rate_burst=burst), MemStore(), web_dir=tmp_path)
    normal: dict[str, Any] = {}
    with live_server(app) as base:
        def person() -> None:  # a normal user on another address, a request every 0.2 s
            normal["load"] = closed_loop(f"{base}/graphql", MODELS, clients=1, seconds=seconds,
                                         local_address="127.0.0.3", interval=0.2)

        thread = threading.Thread(target=person)
        thread.start()
        abuse = closed_loop(f"{base}/graphql", MODELS, clients=50, seconds=seconds, local_address="127.0.0.2")
        thread.join()
    served = abuse.statuses.count(200)
    print(f"abusive loop: {len(abuse.statuses)} requests, {served} served, {abuse.statuses.count(429)} refused; "
          f"normal client p95 {normal['load'].percentile(95) * 1000:.1f} ms")
    assert set(abuse.statuses) == {200, 429}
    assert served <= burst + rate * (seconds + 1)  # the budget (the load client runs a little over `seconds`)
    assert abuse.statuses.count(429) > served
    assert set(normal["load"].statuses) == {200}
    assert normal["load"].errors == 0
    assert len(normal["load"].latencies) >= 10
