"""`summit demo` resumes: a run killed during ingest, run again, gives the same artifact as one uninterrupted run.

Real EfficientNet-Lite0 weights on six demo images, one image per batch and a
checkpoint after every image. The first run is killed (SIGKILL) once a checkpoint
is on disk and before the manifest is written; the second run must resume from
``.ingest-checkpoint/`` and finish. Every table must equal the uninterrupted run's.
An artifact whose ingest finished but whose graphs are missing gets only its graphs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from summit.artifact import MANIFEST, TABLES, has_table, read_table
from tests.demo.test_demo import REPO, _env, _tiny_image_set

pytestmark = [pytest.mark.slow, pytest.mark.realmodel]
GRAPH_TABLES = ("class_nodes", "class_edges", "embedding", "similarity")


def demo_argv(data: Path, out: Path, store: Path) -> list[str]:
    return [sys.executable, "-m", "summit.cli", "demo", "--data", str(data), "--out", str(out),
            "--embedded", str(store), "--workers", "0", "--batch-size", "1", "--device", "cpu", "--no-serve"]


def demo_env(tmp_path: Path) -> dict[str, str]:
    return {**_env(tmp_path), "SUMMIT_CHECKPOINT_EVERY": "1"}


def run_demo(argv: list[str], tmp_path: Path) -> str:
    done = subprocess.run(argv, cwd=REPO, env=demo_env(tmp_path), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stderr


def tables(artifact: Path) -> dict[str, pl.DataFrame]:
    return {t: read_table(artifact, t) for t in TABLES if has_table(artifact, t)}


def assert_same_tables(got: Path, want: Path) -> None:
    a, b = tables(got), tables(want)
    assert set(a) == set(b)
    assert {"classes", "neurons", "activations", "influences", "examples", *GRAPH_TABLES} <= set(a)
    for name in a:
        assert a[name].equals(b[name]), f"table {name!r} differs"


def test_demo_killed_during_ingest_resumes_to_the_same_artifact(tmp_path: Path) -> None:
    data, _ = _tiny_image_set(tmp_path / "images")
    whole, interrupted = tmp_path / "whole", tmp_path / "interrupted"
    run_demo(demo_argv(data, whole, tmp_path / "store-whole"), tmp_path)

    argv = demo_argv(data, interrupted, tmp_path / "store-interrupted")
    proc = subprocess.Popen(argv, cwd=REPO, env=demo_env(tmp_path), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    checkpoints = interrupted / ".ingest-checkpoint"
    try:
        deadline = time.monotonic() + 600
        while not any(checkpoints.glob("*.pt")):
            assert proc.poll() is None, "the demo ended before its first checkpoint"
            assert time.monotonic() < deadline, "no checkpoint after 10 minutes"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not (interrupted / MANIFEST).exists(), "killed too late: the ingest had finished"

    second = run_demo(argv, tmp_path)
    ingest_line = next(line for line in second.splitlines() if line.startswith("== summit ingest"))
    assert "--resume" in ingest_line
    assert not checkpoints.exists(), "a finished ingest removes its checkpoint"
    assert_same_tables(interrupted, whole)

    # ingest finished, graphs missing: only the graphs are built again
    for name in GRAPH_TABLES:
        (interrupted / f"{name}.parquet").unlink()
    third = run_demo(argv, tmp_path)
    assert "== summit ingest" not in third
    assert "== summit graphs" in third
    assert_same_tables(interrupted, whole)

    # complete: reused as it is
    fourth = run_demo(argv, tmp_path)
    assert "reusing the complete artifact" in fourth
    assert "== summit ingest" not in fourth
    assert "== summit graphs" not in fourth
