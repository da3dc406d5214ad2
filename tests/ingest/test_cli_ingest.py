"""`summit ingest` end to end: exit codes and messages for bad input; one real EfficientNet-Lite0 run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summit.artifact import open_artifact, read_table
from summit.cli import main

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
VAL = SHARED / "imagenet-val-1300"


def test_unknown_model_is_a_clear_error(tmp_path, capsys):
    code = main(["ingest", "--model", "no_such_net", "--data", str(VAL), "--out", str(tmp_path / "a")])
    assert code == 3
    assert "unknown model 'no_such_net'" in capsys.readouterr().err


def test_bad_limit_is_a_clear_error(tmp_path, capsys):
    code = main(["ingest", "--model", "efficientnet_lite0", "--data", str(VAL), "--out", str(tmp_path / "a"),
                 "--limit", "0"])
    assert code == 2
    assert "--limit must be at least 1" in capsys.readouterr().err


def test_bad_batch_size_is_a_clear_error(tmp_path, capsys):
    code = main(["ingest", "--model", "efficientnet_lite0", "--data", str(VAL), "--out", str(tmp_path / "a"),
                 "--batch-size", "0"])
    assert code == 2
    assert "batch_size" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.realmodel
def test_efficientnet_lite0_small_run(tmp_path, capsys):
    out = tmp_path / "lite0"
    code = main(["ingest", "--model", "efficientnet_lite0", "--data", str(VAL), "--out", str(out),
                 "--limit", "6", "--batch-size", "3", "--workers", "0", "--no-graphs", "--device", "cpu"])
    assert code == 0, capsys.readouterr().err
    assert "wrote" in capsys.readouterr().out
    manifest = open_artifact(out)
    assert manifest["run_id"] == "efficientnet_lite0-imagenet-val-1300"
    assert len(manifest["layers"]) == 17
    rules = [p["rule"] for p in manifest["influence"]]
    assert rules == ["composed"] * 15 + ["onehop"]
    assert manifest["influence"][-1]["hops"][0]["conv"] == "conv_head"
    assert manifest["influence"][-1]["hops"][0]["bn"] == "bn2"
    assert manifest["dataset"]["images"] == 6
    assert manifest["method"]["influence_topk"] == 5
    assert len(manifest["model"]["weights_sha256"]) == 64
    classes = read_table(out, "classes")
    assert int(classes["images"].sum()) == 6
    assert read_table(out, "influences").height > 0
    examples = read_table(out, "examples")
    assert examples.height > 0
    first = examples.row(0, named=True)
    assert (out / "media" / first["media"]).exists()
    assert json.loads((out / "manifest.json").read_text())["format_version"] == 1


@pytest.mark.slow
@pytest.mark.realmodel
def test_explicit_weights_file_is_recorded_for_later_steps(tmp_path, capsys):
    from summit.ingest.models import efficientnet_lite0_weights_file

    weights = efficientnet_lite0_weights_file()
    out = tmp_path / "lite0w"
    code = main(["ingest", "--model", "efficientnet_lite0", "--weights", str(weights), "--data", str(VAL),
                 "--out", str(out), "--limit", "2", "--batch-size", "2", "--workers", "0", "--no-graphs",
                 "--device", "cpu"])
    assert code == 0, capsys.readouterr().err
    model = open_artifact(out)["model"]
    assert model["weights"] == str(weights.resolve())
    assert len(model["weights_sha256"]) == 64
