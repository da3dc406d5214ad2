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


def make_artifact(root, with_graphs=True, graph_data=None):
    """A hand-written artifact whose graphs were built from ``graph_data`` (a folder, or unknown)."""
    dataset = {}
    if graph_data is not None:
        from summit.ingest.data import open_dataset

        dataset = {"root": str(graph_data), "fingerprint": open_dataset(graph_data, output_wnids=WNIDS,
                                                                        transform=None).fingerprint}
    artifact.write_manifest(root, {"run_id": "hand", "model": {"name": "hand", "weights_sha256": ""},
                                   "dataset": dataset,
                                   "layers": [{"name": "feat", "channels": 3}, {"name": "mix", "channels": 3}]})
    artifact.write_table(root, "classes", pl.DataFrame({
        "class_index": [0, 1, 2], "wnid": WNIDS, "name": ["r", "g", "b"], "images": [2, 1, 1],
        "top1_correct": [2, 1, 1], "prob_hist": [[0] * 20] * 3, "top1_prob_hist": [[0] * 20] * 3,
    }))
    artifact.write_table(root, "neurons", pl.DataFrame({
        "neuron_id": [f"{layer}:{c}" for layer in ("feat", "mix") for c in range(3)],
        "layer": ["feat"] * 3 + ["mix"] * 3, "layer_index": [0] * 3 + [1] * 3, "channel": [0, 1, 2] * 2,
    }))
    # class 0 fires feat:0 most, then feat:2 (so its most-active control is its graph neuron feat:0)
    artifact.write_table(root, "activations", pl.DataFrame({
        "class_index": [0, 0, 1, 2], "neuron_id": ["feat:0", "feat:2", "mix:1", "mix:2"],
        "count": [2, 1, 1, 1], "graph_count": [2, 2, 1, 1], "act_sum": [2.0, 0.5, 1.0, 1.0]}))
    artifact.write_table(root, "influences", pl.DataFrame(
        {"class_index": [], "src": [], "dst": [], "count": []},
        schema={"class_index": pl.Int32, "src": pl.Utf8, "dst": pl.Utf8, "count": pl.Int64}))
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


def test_held_out_by_default_and_the_split_never_shares_an_image(tmp_path, fake_models, capsys):
    data = make_data(tmp_path / "data")
    same = make_artifact(tmp_path / "same", graph_data=data)
    # the graphs' own images: refused, with the way out named
    assert main(["faithfulness", str(same), "--data", str(data), "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert "every image of the chosen class(es) is one the graphs were built from" in err
    assert "--in-sample" in err
    assert main(["faithfulness", str(same), "--data", str(data), "--workers", "0", "--in-sample"]) == 0
    assert artifact.read_manifest(same)["faithfulness"]["held_out"] is False
    # another folder holding two of the graphs' images (same bytes, other names) and one new image
    other = tmp_path / "other"
    (other / WNIDS[0]).mkdir(parents=True)
    (other / WNIDS[1]).mkdir(parents=True)
    (other / WNIDS[0] / "copy.png").write_bytes((data / WNIDS[0] / "img0.png").read_bytes())
    (other / WNIDS[1] / "copy.png").write_bytes((data / WNIDS[1] / "img0.png").read_bytes())
    Image.new("RGB", (4, 4), (200, 0, 0)).save(other / WNIDS[0] / "new.png")
    root = make_artifact(tmp_path / "art", graph_data=data)
    assert main(["faithfulness", str(root), "--data", str(other), "--workers", "0"]) == 0
    summary = artifact.read_manifest(root)["faithfulness"]
    assert summary["held_out"] is True
    assert summary["shared_images"] == 2
    assert summary["checked"] == "sha256 of every image file"
    assert summary["images"] == 1  # only the new image was measured
    assert artifact.read_table(root, "faithfulness")["class_index"].to_list() == [0]
    assert summary["graph_data"]["root"] == str(data)
    assert summary["ablation_data"]["root"] == str(other)


def test_summary_has_bootstrap_intervals_and_the_most_active_control(tmp_path, fake_models):
    data = make_data(tmp_path / "data")
    root = make_artifact(tmp_path / "art")
    assert main(["faithfulness", str(root), "--data", str(data), "--workers", "0", "--seeds", "2"]) == 0
    summary = artifact.read_manifest(root)["faithfulness"]
    table = artifact.read_table(root, "faithfulness").sort("class_index")
    # class 0: graph feat:0 = most active feat:0; class 1: graph mix:1 = most active mix:1
    assert table["active_prob_drop"].to_list()[:2] == pytest.approx(table["graph_prob_drop"].to_list()[:2])
    for name in ("graph", "active", "random", "graph_minus_active", "graph_minus_random"):
        figure = summary["prob_drop"][name]
        assert figure["low"] <= figure["mean"] <= figure["high"], name
    assert summary["prob_drop"]["graph"]["mean"] == pytest.approx(float(table["graph_prob_drop"].mean()))
    assert summary["prob_drop"]["graph_minus_active"]["mean"] == pytest.approx(0.0, abs=1e-9)
    assert summary["bootstrap"] == {"resamples": 2000, "level": 0.95, "over": "classes"}
