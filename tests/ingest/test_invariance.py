"""Counts do not depend on batch size, shard split, process count or an interruption."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import torch
import torch.multiprocessing as mp
from summit.ingest.pipeline import (
    CHECKPOINT_DIR,
    IngestOptions,
    RunState,
    World,
    build_ingestor,
    run_ingest,
    stream,
)
from summit.ingest.tables import write_artifact

from summit.artifact import read_table
from summit.settings import resolve
from tests.ingest.models_zoo import ZOO, build, random_images
from tests.ingest.tiny import TensorImages, loaded

REPO = Path(__file__).resolve().parents[2]
N_IMAGES = 36
CLASSES = 3
LABELS = [(n * 7) % CLASSES for n in range(N_IMAGES)]
CORRUPT = {5, 22}


def settings(**extra):
    return resolve({"workers": 0, "device": "cpu", "influence_topk": 2, "activation_mass": 0.2,
                    "examples_per_neuron": 3, **extra}, environ={})


def tables(path: Path) -> dict[str, pl.DataFrame]:
    out = {}
    for name, keys in (("classes", ["class_index"]), ("activations", ["class_index", "neuron_id"]),
                       ("influences", ["class_index", "src", "dst"]), ("examples", ["neuron_id", "rank"])):
        out[name] = read_table(path, name).sort(keys)
    return out


def assert_same(a: dict[str, pl.DataFrame], b: dict[str, pl.DataFrame]) -> None:
    assert a["classes"].equals(b["classes"])
    assert a["influences"].equals(b["influences"])
    assert a["influences"].height > 0
    assert a["activations"].drop("act_sum").equals(b["activations"].drop("act_sum"))
    assert a["activations"]["act_sum"].to_list() == pytest.approx(b["activations"]["act_sum"].to_list(), rel=1e-12)
    assert a["examples"].drop("score").equals(b["examples"].drop("score"))
    assert a["examples"]["score"].to_list() == pytest.approx(b["examples"]["score"].to_list(), rel=1e-12)


def make(name: str):
    model = build(name, seed=3)
    layers = ZOO[name][1]
    return loaded(model, layers, CLASSES, 8), TensorImages(random_images(N_IMAGES, seed=4), LABELS, CORRUPT)


def ingest(tmp: Path, name: str, lm, ds, **extra) -> dict[str, pl.DataFrame]:
    run_ingest(lm, ds, settings(**extra), IngestOptions(tmp / name, progress=False), world=World())
    return tables(tmp / name)


@pytest.mark.parametrize("model", ["inception", "inverted_residual"])
def test_batch_size_invariance(tmp_path, model):
    lm, ds = make(model)
    base = ingest(tmp_path, "b32", lm, ds, batch_size=32)
    for bs in (1, 7):
        assert_same(ingest(tmp_path, f"b{bs}", lm, ds, batch_size=bs), base)


def test_three_shards_merged_equal_one_process(tmp_path):
    lm, ds = make("inverted_residual")
    base = ingest(tmp_path, "one", lm, ds, batch_size=5)
    s = settings(batch_size=5)
    device = torch.device("cpu")
    shards = []
    skipped: list[int] = []
    for rank in range(3):
        ing = build_ingestor(lm, s, device)
        state = stream(ing, ds, list(range(rank, N_IMAGES, 3)), RunState(torch.zeros(N_IMAGES, dtype=torch.bool)),
                       s, progress=False)
        skipped += state.skipped
        shards.append(ing)
    merged = shards[2].merge(shards[0]).merge(shards[1])
    out = tmp_path / "sharded"
    write_artifact(merged, lm, ds, IngestOptions(out, progress=False), s, skipped=sorted(skipped), timings={},
                   device=device, world=World())
    assert_same(tables(out), base)
    assert sorted(skipped) == sorted(CORRUPT)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _worker(rank: int, out: str, port: int) -> None:
    os.environ.update({"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "WORLD_SIZE": "2", "RANK": str(rank),
                       "LOCAL_RANK": str(rank)})
    torch.set_num_threads(1)
    lm, ds = make("inverted_residual")
    run_ingest(lm, ds, settings(batch_size=4), IngestOptions(Path(out), progress=False), world=World(rank, 2, rank))


@pytest.mark.slow
def test_two_process_gloo_equals_one_process(tmp_path):
    lm, ds = make("inverted_residual")
    base = ingest(tmp_path, "one", lm, ds, batch_size=6)
    mp.spawn(_worker, args=(str(tmp_path / "two"), _free_port()), nprocs=2, join=True)
    assert_same(tables(tmp_path / "two"), base)
    manifest = __import__("json").loads((tmp_path / "two" / "manifest.json").read_text())
    assert manifest["processes"] == 2
    assert manifest["dataset"]["skipped_images"] == len(CORRUPT)


KILLER = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from tests.ingest.test_invariance import make, settings
from tests.ingest.tiny import TensorImages
from summit.ingest.pipeline import IngestOptions, World, run_ingest

class Killer(TensorImages):
    def __getitem__(self, i):
        if i == {kill_at}:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().__getitem__(i)

lm, ds = make("inverted_residual")
run_ingest(lm, Killer(ds.images, ds.labels, ds.corrupt), settings(batch_size=4, checkpoint_every=8),
           IngestOptions(Path({out!r}), progress=False), world=World())
"""


@pytest.mark.slow
def test_resume_after_kill_equals_uninterrupted(tmp_path):
    lm, ds = make("inverted_residual")
    base = ingest(tmp_path, "whole", lm, ds, batch_size=4)
    out = tmp_path / "killed"
    script = KILLER.format(repo=str(REPO), kill_at=26, out=str(out))
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    ckpt = out / CHECKPOINT_DIR / "rank0-of-1.pt"
    saved = torch.load(ckpt, weights_only=False)
    assert int(saved["done"].sum()) == 24  # checkpoints after 8, 16, 24 images; killed in the 7th batch
    assert not (out / "manifest.json").exists()
    summary = run_ingest(lm, ds, settings(batch_size=4, checkpoint_every=8),
                         IngestOptions(out, resume=True, progress=False), world=World())
    assert_same(tables(out), base)
    assert not (out / CHECKPOINT_DIR).exists()
    timings = summary["timings"]  # issue 20: after --resume the streaming time covers the whole run
    assert timings["sessions"] == 2
    assert timings["resumed_after_images"] == saved["images"] == 24 - len(CORRUPT)
    assert timings["stream_seconds"] > saved["seconds"] > 0
    manifest = __import__("json").loads((out / "manifest.json").read_text())
    assert manifest["timings"]["stream_seconds"] == timings["stream_seconds"]
    assert [(e["sample_index"], e["path"]) for e in manifest["dataset"]["skipped"]] == [(i, None) for i in sorted(CORRUPT)]


def test_resume_refuses_a_foreign_checkpoint(tmp_path):
    lm, ds = make("inverted_residual")
    out = tmp_path / "a"
    run_ingest(lm, ds, settings(batch_size=8), IngestOptions(out, progress=False, keep_checkpoint=True), world=World())
    from summit.errors import BadInput

    with pytest.raises(BadInput, match="different run"):
        run_ingest(lm, ds, settings(batch_size=8, influence_topk=3), IngestOptions(out, resume=True, progress=False),
                   world=World())
