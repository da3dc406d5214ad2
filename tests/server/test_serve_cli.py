"""`summit serve`: settings validated at start with clear errors; a real server answers over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from summit.server.schema import sdl

from summit.cli import main


def serve(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["serve", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_print_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = serve(capsys, "--print-schema")
    assert code == 0
    assert out == sdl()


@pytest.mark.parametrize(("args", "exit_code", "message"), [
    (["--password", "hunter2"], 2, "never pass the Neo4j password on the command line"),
    (["--store", "neo4j"], 2, "--store neo4j needs a Bolt URI"),
    (["--neo4j", "http://localhost:7474"], 2, "is not a Bolt URI"),
    (["--neo4j", "bolt://neo4j:hunter2@localhost:7687"], 2, "put no user or password in the Neo4j URI"),
    (["--embedded", "x", "--neo4j", "bolt://h:7687"], 2, "not both"),
    (["--store", "embedded", "--neo4j", "bolt://h:7687"], 2, "needs --store neo4j"),
    (["--port", "70000"], 2, "65535"),
    (["--media-root", "/no/such/folder"], 2, "is not a folder"),
    (["--embedded", "/no/such/store"], 5, "does not exist"),
])
def test_bad_settings_are_clear_errors(capsys: pytest.CaptureFixture[str], args: list[str], exit_code: int,
                                       message: str) -> None:
    code, out = serve(capsys, *args)
    assert code == exit_code, out
    assert message in out
    assert "Traceback" not in out
    assert "hunter2" not in out


def test_neo4j_password_from_env_only(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUMMIT_TEST_NO_PW", raising=False)
    code, out = serve(capsys, "--neo4j", "bolt://127.0.0.1:1", "--password-env", "SUMMIT_TEST_NO_PW")
    assert code == 2
    assert "SUMMIT_TEST_NO_PW" in out


def test_port_in_use(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from summit.store.embedded import EmbeddedStore

    EmbeddedStore(tmp_path / "empty").close()  # an empty but valid store
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out = serve(capsys, "--embedded", str(tmp_path / "empty"), "--port", str(port))
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """``summit serve`` on a free port over the store at tmp_path/db; the process and its base URL once healthy."""
    port = free_port()
    summit = Path(sys.executable).with_name("summit")
    proc = subprocess.Popen(
        [str(summit), "serve", "--embedded", str(tmp_path / "db"), "--port", str(port),
         "--media-root", str(tmp_path / "art" / "media"), "--web-dir", str(tmp_path), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "NEO4J_PASSWORD": "hunter2"},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("server did not become healthy")


def stop(proc: subprocess.Popen[bytes]) -> bytes:
    proc.terminate()
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    return out


@pytest.fixture
def small_store(tmp_path: Path) -> str:
    from summit.store.embedded import EmbeddedStore
    from summit.synth import write_synthetic_artifact

    write_synthetic_artifact(tmp_path / "art", classes=3, layers=3, channels=6, images_per_class=5, seed=62)
    store = EmbeddedStore(tmp_path / "db")
    model = store.load_artifact(str(tmp_path / "art"))
    store.close()
    return model


@pytest.mark.slow
def test_real_server_answers(tmp_path: Path, small_store: str) -> None:
    proc, base = start(tmp_path)
    try:
        body = httpx.post(f"{base}/graphql", json={"query": '{ model { id classGraph(classKey: "0") { nodes { neuron { image } } } } }'}).json()
        assert body["data"]["model"]["id"] == small_store
        url = body["data"]["model"]["classGraph"]["nodes"][0]["neuron"]["image"]
        assert httpx.get(base + url).status_code == 200
        assert "npm run build" in httpx.get(base + "/").text
        for _ in range(100):  # the warm-up started with the server and remembers all 3 classes
            warm = httpx.get(f"{base}/healthz").json()["warmUp"]
            if warm["state"] == "done":
                break
            time.sleep(0.05)
        assert warm["state"] == "done"
        assert warm["images"] == 3 * 6  # every neuron of the 3 layers x 6 channels
        assert warm["graphs"] in (2, 3)  # class 0's graph may have been remembered by the request first
    finally:
        out = stop(proc)
    assert b"hunter2" not in out
    assert b"serving http://127.0.0.1" in out
    assert b"warm-up done" in out


@pytest.mark.slow
def test_no_warm_up_flag(tmp_path: Path, small_store: str) -> None:
    proc, base = start(tmp_path, "--no-warm-up")
    try:
        body = httpx.post(f"{base}/graphql", json={"query": '{ model { classGraph(classKey: "1") { edges { src } } } }'})
        assert body.status_code == 200
        assert httpx.get(f"{base}/healthz").json()["warmUp"] == {"state": "off", "graphs": 0, "images": 0}
    finally:
        out = stop(proc)
    assert b"warm-up" not in out


def test_response_cache_flag(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's results table names `summit serve --response-cache 0` (issue 20: the flag was missing)."""
    from summit.cli import build_parser
    from summit.cli.commands.serve import _overrides

    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    assert "--response-cache N" in capsys.readouterr().out
    args = build_parser().parse_args(["serve", "--response-cache", "0"])
    assert _overrides(args)["response_cache"] == 0
    assert _overrides(build_parser().parse_args(["serve"]))["response_cache"] is None
