"""`summit faithfulness` on a hand-set model, a tiny image folder and a hand-written artifact."""

import math
import sys
import types

import numpy as np
import polars as pl
import pytest
import torch
from PIL import Image
from summit.ingest.model_spec import LoadedModel

from summit import artifact
from summit.cli import main
from tests.faithfulness.test_faithfulness import NODES, hand_model

WNIDS = ["n00000010", "n00000020", "n00000030"]
COLOURS = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]


def to_tensor(image: Image.Image) -> torch.Tensor:
    return torch.from_numpy(np.asarray(image, dtype=np.float32)).permute(2, 0, 1) / 255


def make_data(root):
    for wnid, colour, count in zip(WNIDS, COLOURS, [2, 1, 1], strict=True):
        (root / wnid).mkdir(parents=True)
        for i in range(count):
            Image.new("RGB", (4, 4), colour).save(root / wnid / f"img{i}.png")
    (root / WNIDS[0] / "broken.png").write_bytes(b"not a png")  # skipped, never fatal
    return root


def make_artifact(root, with_graphs=True):
    artifact.write_manifest(root, {"run_id": "hand", "model": {"name": "hand", "weights_sha256": ""},
                                   "layers": [{"name": "feat", "channels": 3}, {"name": "mix", "channels": 3}]})
    artifact.write_table(root, "classes", pl.DataFrame({
        "class_index": [0, 1, 2], "wnid": WNIDS, "name": ["r", "g", "b"], "images": [2, 1, 1],
        "top1_correct": [2, 1, 1], "prob_hist": [[0] * 20] * 3,
    }))
    artifact.write_table(root, "neurons", pl.DataFrame({
        "neuron_id": [f"{layer}:{c}" for layer in ("feat", "mix") for c in range(3)],
        "layer": ["feat"] * 3 + ["mix"] * 3, "layer_index": [0] * 3 + [1] * 3, "channel": [0, 1, 2] * 2,
    }))
    if with_graphs:
        artifact.write_table(root, "class_nodes", NODES)
    return root


@pytest.fixture
def fake_models(monkeypatch):
    def load_model(name, *, weights=None, layers=None, device="cpu"):
        return LoadedModel(name=name, module=hand_model(), layers=layers, output_wnids=WNIDS,
                           output_names=["r", "g", "b"], transform=to_tensor, normalize=lambda x: x, input_size=4)

    monkeypatch.setitem(sys.modules, "summit.ingest.models", types.SimpleNamespace(load_model=load_model))


def test_cli_writes_table_and_manifest(tmp_path, fake_models, capsys):
    data = make_data(tmp_path / "data")
    root = make_artifact(tmp_path / "art")
    code = main(["faithfulness", str(root), "--data", str(data), "--seeds", "2", "--batch-size", "2",
                 "--workers", "0", "--device", "cpu"])
    assert code == 0, capsys.readouterr().err
    table = artifact.read_table(root, "faithfulness").sort("class_index")
    assert table["class_index"].to_list() == [0, 1, 2]
    assert table["images"].to_list() == [2, 1, 1]
    assert table["graph_neurons"].to_list() == [1, 1, 0]
    drop = math.exp(10) / (math.exp(10) + 1 + math.e) - 1 / (2 + math.e)
    assert table["graph_prob_drop"].to_list() == pytest.approx([drop, drop, 0.0], abs=1e-6)
    assert table["graph_top1_drop"].to_list() == [1.0, 1.0, 0.0]
    assert table["random_top1_drop_mean"].to_list() == [0.0, 0.0, 0.0]
    summary = artifact.read_manifest(root)["faithfulness"]
    assert summary["classes"] == 3
    assert summary["images"] == 4
    assert summary["skipped_images"] == 1
    assert summary["mean_graph_prob_drop"] == pytest.approx(2 * drop / 3, abs=1e-6)
    assert summary["mean_random_prob_drop"] == pytest.approx(0.0, abs=1e-6)
    assert "graph 0.5" in capsys.readouterr().out
    artifact.validate_references(root)


def test_cli_class_subset_replaces_only_those_rows(tmp_path, fake_models):
    data = make_data(tmp_path / "data")
    root = make_artifact(tmp_path / "art")
    assert main(["faithfulness", str(root), "--data", str(data), "--classes", "2", "--workers", "0"]) == 0
    assert artifact.read_table(root, "faithfulness")["class_index"].to_list() == [2]
    assert main(["faithfulness", str(root), "--data", str(data), "--classes", "0", "1", "--workers", "0"]) == 0
    table = artifact.read_table(root, "faithfulness")
    assert table["class_index"].to_list() == [0, 1, 2]
    assert table["graph_top1_drop"].to_list() == [1.0, 1.0, 0.0]


def test_cli_errors_are_clear(tmp_path, fake_models, capsys):
    data = make_data(tmp_path / "data")
    bare = make_artifact(tmp_path / "bare", with_graphs=False)
    assert main(["faithfulness", str(bare), "--data", str(data)]) == 4
    assert "run `summit graphs` first" in capsys.readouterr().err
    root = make_artifact(tmp_path / "art")
    assert main(["faithfulness", str(root), "--data", str(data), "--classes", "7"]) == 3
    assert "has no class(es) 7" in capsys.readouterr().err
    assert main(["faithfulness", str(root), "--data", str(tmp_path / "none")]) == 3
    assert main(["faithfulness", str(root), "--data", str(data), "--seeds", "0"]) == 2
    assert "faithfulness_seeds" in capsys.readouterr().err
