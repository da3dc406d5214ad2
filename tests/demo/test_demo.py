"""The README's demo command, end to end, on a tiny real image set.

Runs ``scripts/demo.sh`` (setup, then ``summit demo``) with the real
EfficientNet-Lite0 weights on six ImageNet validation images of two classes,
waits until the server prints its URL, asks the served GraphQL API for a class
graph, stops the server, and checks that a second run reuses the artifact.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO_DATA = REPO / "data" / "demo"
pytestmark = [pytest.mark.slow, pytest.mark.realmodel]


def _tiny_image_set(dest: Path) -> tuple[Path, list[int]]:
    """Six demo images of two classes as a dataset.txt list, beside synset_words.txt."""
    lines = [ln for ln in (DEMO_DATA / "dataset.txt").read_text().splitlines() if ln.strip()]
    by_label: dict[int, list[str]] = {}
    for line in lines:
        path, label = (part.strip() for part in line.rsplit(",", 1))
        by_label.setdefault(int(label), []).append(path)
    labels = sorted(lab for lab, paths in by_label.items() if len(paths) >= 3)[:2]
    (dest / "images").mkdir(parents=True)
    out = []
    for label in labels:
        for path in by_label[label][:3]:
            shutil.copy(DEMO_DATA / path, dest / "images" / Path(path).name)
            out.append(f"./images/{Path(path).name}, {label}")
    (dest / "dataset.txt").write_text("\n".join(out) + "\n")
    shutil.copy(DEMO_DATA / "synset_words.txt", dest / "synset_words.txt")
    return dest, labels


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _graphql(url: str, query: str) -> dict:
    request = urllib.request.Request(
        url + "graphql", data=json.dumps({"query": query}).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _wait_healthy(url: str, proc: subprocess.Popen, seconds: float = 120) -> dict:
    """The URL is printed just before uvicorn binds: poll /healthz until it answers."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return json.loads(urllib.request.urlopen(url + "healthz", timeout=10).read())
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUMMIT_")}
    env.update(
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        SUMMIT_EXAMPLES_PER_NEURON="1",  # keeps the patch writing short; counts are unaffected
        PYTHONUNBUFFERED="1",
    )
    return env


def test_demo_command_ingests_loads_serves_and_reuses(tmp_path: Path) -> None:
    data, labels = _tiny_image_set(tmp_path / "images")
    out, store, port = tmp_path / "artifact", tmp_path / "store", _free_port()
    argv = ["bash", str(REPO / "scripts" / "demo.sh"), "--data", str(data), "--out", str(out),
            "--embedded", str(store), "--port", str(port), "--workers", "0"]
    proc = subprocess.Popen(argv, cwd=REPO, env=_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    log: list[str] = []
    url = None
    try:
        deadline = time.monotonic() + 1500
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            log.append(line)
            match = re.search(r"serving (http://\S+/)", line)
            if match:
                url = match.group(1)
                break
        assert url is not None, "demo never printed its URL:\n" + "".join(log[-40:])
        assert url == f"http://127.0.0.1:{port}/"

        health = _wait_healthy(url, proc)
        assert health["reachable"] is True
        assert health["models"] == 2, "the demo serves Summit's published InceptionV1 graphs next to its own"
        answer = _graphql(url, f'{{ model {{ id images classGraph(classKey: "{labels[0]}") '
                               "{ class { index images } nodes { neuron { id layer } count } edges { weight } } } }")
        assert "errors" not in answer, answer
        model = answer["data"]["model"]
        assert model["images"] == 6
        graph = model["classGraph"]
        assert graph["class"] == {"index": labels[0], "images": 3}
        layers = {node["neuron"]["layer"] for node in graph["nodes"]}
        assert len(layers) == 17, "every EfficientNet-Lite0 neuron layer keeps at least one neuron"
        assert all(node["count"] >= 0 for node in graph["nodes"])
        assert graph["edges"], "a class graph of 17 layers has edges"
        page = urllib.request.urlopen(url, timeout=30).read().decode()
        assert "<title>" in page
        published = _graphql(url, '{ model(id: "inceptionv1-summit") { classCount images classGraph(classKey: '
                                  '"white wolf") { class { index accuracy } nodes { neuron { id image } } edges { weight } } } }')
        assert "errors" not in published, published
        wolf = published["data"]["model"]
        assert (wolf["classCount"], wolf["images"]) == (1000, None)  # images: not published
        assert wolf["classGraph"]["class"] == {"index": 270, "accuracy": None}
        ag = json.loads((REPO.parent / "shared" / "data" / "summit-data" / "data" / "ag" / "ag-270.json").read_text())
        assert len(wolf["classGraph"]["nodes"]) == sum(len(nodes) for nodes in ag.values())
        tile = wolf["classGraph"]["nodes"][0]["neuron"]["image"]
        assert "/featurevis/" in tile  # the published feature visualisation (thumbnail) is the tile picture
        assert urllib.request.urlopen(url.rstrip("/") + tile, timeout=30).read()[:3] == b"\xff\xd8\xff"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["dataset"]["images"] == 6
    second = subprocess.run([*argv, "--no-serve"], cwd=REPO, env=_env(tmp_path), capture_output=True,
                            text=True, timeout=900)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "reusing the complete artifact" in second.stderr
    assert "summit ingest" not in second.stderr
    assert "(Summit's published graphs)" in second.stderr
    assert "summit import-summit" not in second.stderr


def test_demo_rejects_a_missing_image_folder(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "summit.cli", "demo", "--data", str(tmp_path / "nope"), "--no-serve"],
        cwd=REPO, env=_env(tmp_path), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "demo images not found" in result.stderr
