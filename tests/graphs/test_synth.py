"""The synthetic artifact is valid, complete, deterministic and fast at fixture scale."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import pytest
from PIL import Image

from summit.artifact import TABLES, open_artifact, read_table
from summit.cli import main
from summit.errors import BadInput
from summit.settings import resolve
from summit.synth import INCEPTION_V1_LAYERS, write_synthetic_artifact


def test_small_artifact_is_complete_and_valid(tmp_path: Path) -> None:
    started = time.perf_counter()
    manifest = write_synthetic_artifact(tmp_path / "a", classes=10, seed=3)
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0  # < 1 s on an idle machine; generous for a shared CI box
    assert open_artifact(tmp_path / "a") == manifest
    assert manifest["model"]["name"] == "synthetic"
    assert [(layer["name"], layer["channels"]) for layer in manifest["layers"]] == [
        ("mixed3a", 8), ("mixed3b", 12), ("mixed4a", 16)]
    assert manifest["run_id"]
    assert manifest["graphs"]["graph_mass"] == resolve(environ={}).graph_mass
    for table in ("classes", "neurons", "activations", "influences", "examples",
                  "class_nodes", "class_edges", "embedding", "similarity"):
        frame = read_table(tmp_path / "a", table)
        assert frame.schema == pl.Schema(TABLES[table]), table
        assert frame.height > 0, table
    classes = read_table(tmp_path / "a", "classes")
    assert classes["wnid"].to_list()[:2] == ["n00000001", "n00000002"]
    assert classes["name"].n_unique() == 10
    assert all(sum(h) == n for h, n in zip(classes["prob_hist"], classes["images"], strict=True))
    assert (classes["top1_correct"] <= classes["images"]).all()
    neurons = read_table(tmp_path / "a", "neurons")
    assert neurons.height == 36
    infl = read_table(tmp_path / "a", "influences")
    assert infl.select("class_index", "src", "dst").is_duplicated().sum() == 0
    assert infl["count"].min() >= 1
    acts = read_table(tmp_path / "a", "activations")
    assert acts["count"].min() >= 1
    assert acts["count"].max() <= 50


def test_examples_are_real_jpegs(tmp_path: Path) -> None:
    write_synthetic_artifact(tmp_path / "a", classes=3, channels=(2, 3, 4), with_graphs=False)
    examples = read_table(tmp_path / "a", "examples")
    assert examples.height == 9 * 10
    row = examples.filter(pl.col("neuron_id") == "mixed3b:2", pl.col("rank") == 1).row(0, named=True)
    assert row["media"] == "examples/mixed3b/2_1.jpg"
    with Image.open(tmp_path / "a" / "media" / row["media"]) as img:
        assert img.format == "JPEG"
        assert img.size == (16, 16)
    scores = examples.filter(pl.col("neuron_id") == "mixed3b:2").sort("rank")["score"].to_list()
    assert scores == sorted(scores, reverse=True)


def test_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        write_synthetic_artifact(tmp_path / name, classes=6, seed=7, with_media=False)
    for table in ("activations", "influences", "class_nodes", "class_edges", "embedding", "similarity"):
        assert read_table(tmp_path / "a", table).equals(read_table(tmp_path / "b", table)), table
    assert not (tmp_path / "a" / "examples.parquet").exists()
    write_synthetic_artifact(tmp_path / "c", classes=6, seed=8, with_media=False, with_graphs=False)
    assert not read_table(tmp_path / "a", "influences").equals(read_table(tmp_path / "c", "influences"))


def test_influence_rows_target_and_layer_names(tmp_path: Path) -> None:
    manifest = write_synthetic_artifact(
        tmp_path / "a", classes=20, layers=4, channels=10, influence_rows_target=3000,
        layer_names=["stem", "blocks.1.0", "blocks.2.0", "head.conv"], with_media=False, with_graphs=False)
    rows = read_table(tmp_path / "a", "influences").height
    assert 0.97 * 3000 <= rows <= 1.05 * 3000
    assert manifest["synthetic"]["influence_rows"] == rows
    assert [layer["name"] for layer in manifest["layers"]] == ["stem", "blocks.1.0", "blocks.2.0", "head.conv"]
    open_artifact(tmp_path / "a")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"classes": 0}, "at least 1 class"),
    ({"layers": 0}, "at least 1 layer"),
    ({"layers": 2, "channels": (3, 4, 5)}, "3 channel counts given for 2 layers"),
    ({"channels": 0}, "at least 1 channel"),
])
def test_bad_arguments(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        write_synthetic_artifact(tmp_path / "a", **kwargs)


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", str(tmp_path / "a"), "--classes", "4", "--channels", "3,4", "--no-media"]) == 0
    assert "4 classes, 2 layers, 7 neurons" in capsys.readouterr().out
    assert main(["synth", str(tmp_path / "b"), "--channels", "inception", "--layers", "3"]) == 2
    assert "--channels inception means 9 layers" in capsys.readouterr().err
    assert len(INCEPTION_V1_LAYERS) == 9
    assert sum(c for _, c in INCEPTION_V1_LAYERS) == 5484


def test_without_embedding_and_with_settings(tmp_path: Path) -> None:
    write_synthetic_artifact(tmp_path / "a", classes=20, with_media=False, with_embedding=False,
                             settings=resolve({"graph_method": "explorer", "graph_mass": 0.3}, environ={}))
    assert not (tmp_path / "a" / "embedding.parquet").exists()
    manifest = open_artifact(tmp_path / "a")
    assert manifest["graphs"]["graph_mass"] == 0.3
    assert manifest["graphs"]["embedding_method"] is None
    assert read_table(tmp_path / "a", "class_nodes").height > 20 * 3
