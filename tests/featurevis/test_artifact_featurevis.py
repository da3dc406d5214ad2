"""Feature visualisations written into an artifact: media, table, resume, CLI."""

import sys
import types

import polars as pl
import pytest
from PIL import Image
from summit.ingest.featurevis import FeatureVisConfig, Target
from summit.ingest.featurevis_run import done_targets, media_path, pack_batches, render_into_artifact
from summit.ingest.model_spec import LoadedModel

from summit import artifact
from summit.cli import main
from tests.featurevis.test_featurevis import normalize, tiny_cnn

NEURONS = ["relu1:0", "relu1:4", "relu2:1", "relu2:3", "relu2:4"]
CFG = FeatureVisConfig(steps=4, size=24, lr=0.1, seed=5)


def make_artifact(root):
    artifact.write_manifest(root, {
        "run_id": "tiny", "model": {"name": "tiny-cnn", "weights_sha256": "abc"},
        "layers": [{"name": "relu1", "channels": 6}, {"name": "relu2", "channels": 5}],
    })
    artifact.write_table(root, "classes", pl.DataFrame({
        "class_index": [0, 1], "wnid": ["n00000001", "n00000002"], "name": ["a", "b"], "images": [1, 1],
        "top1_correct": [1, 0], "prob_hist": [[0] * 20, [0] * 20],
    }))
    artifact.write_table(root, "neurons", pl.DataFrame({
        "neuron_id": [f"relu1:{c}" for c in range(6)] + [f"relu2:{c}" for c in range(5)],
        "layer": ["relu1"] * 6 + ["relu2"] * 5, "layer_index": [0] * 6 + [1] * 5,
        "channel": list(range(6)) + list(range(5)),
    }))
    return root


def png_bytes(root, target):
    return (root / "media" / media_path(target)).read_bytes()


def test_writes_pngs_table_and_manifest(tmp_path):
    root = make_artifact(tmp_path)
    summary = render_into_artifact(root, tiny_cnn(), normalize, NEURONS, CFG, batch=2)
    assert (summary.rendered, summary.skipped) == (5, 0)
    table = artifact.read_table(root, "featurevis").sort("neuron_id")
    assert table["neuron_id"].to_list() == sorted(NEURONS)
    assert table["variant"].to_list() == [0] * 5
    assert table["media"].to_list()[0] == "featurevis/relu1/0.png"
    for rel in table["media"]:
        with Image.open(root / "media" / rel) as image:
            assert image.size == (24, 24)
            assert image.mode == "RGB"
    assert all(v > 0 for v in table["objective"])
    manifest = artifact.read_manifest(root)
    assert manifest["featurevis"]["steps"] == 4
    assert manifest["featurevis"]["images"] == 5
    artifact.validate_references(root)


def test_resume_skips_done_neurons_and_redoes_missing_media(tmp_path):
    root = make_artifact(tmp_path)
    render_into_artifact(root, tiny_cnn(), normalize, NEURONS, CFG, batch=2)
    stamps = {n: (root / "media" / media_path(Target(n))).stat().st_mtime_ns for n in NEURONS}
    again = render_into_artifact(root, tiny_cnn(), normalize, NEURONS, CFG, batch=2)
    assert (again.rendered, again.skipped) == (0, 5)
    assert stamps == {n: (root / "media" / media_path(Target(n))).stat().st_mtime_ns for n in NEURONS}
    before = png_bytes(root, Target("relu2:1"))
    (root / "media" / media_path(Target("relu2:1"))).unlink()
    third = render_into_artifact(root, tiny_cnn(), normalize, NEURONS, CFG, batch=2)
    assert (third.rendered, third.skipped) == (1, 4)
    assert png_bytes(root, Target("relu2:1")) == before
    assert artifact.read_table(root, "featurevis").height == 5


def test_interrupted_run_resumes_to_the_uninterrupted_result(tmp_path):
    straight = make_artifact(tmp_path / "straight")
    render_into_artifact(straight, tiny_cnn(), normalize, NEURONS, CFG, batch=2)
    broken = make_artifact(tmp_path / "broken")
    calls = []

    def stop_after_first(n):
        calls.append(n)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render_into_artifact(broken, tiny_cnn(), normalize, NEURONS, CFG, batch=2, progress=stop_after_first)
    assert done_targets(broken) == {("relu1:0", 0), ("relu1:4", 0)}
    rest = render_into_artifact(broken, tiny_cnn(), normalize, NEURONS, CFG, batch=2)
    assert (rest.rendered, rest.skipped) == (3, 2)
    for n in NEURONS:
        assert png_bytes(broken, Target(n)) == png_bytes(straight, Target(n))
    assert not list((broken / "media").rglob("*.tmp"))


def test_variants_are_written_with_suffixes(tmp_path):
    root = make_artifact(tmp_path)
    cfg = FeatureVisConfig(steps=3, size=24, lr=0.1, seed=5, diversity=2.0)
    render_into_artifact(root, tiny_cnn(), normalize, ["relu2:3"], cfg, variants=2, batch=2)
    table = artifact.read_table(root, "featurevis").sort("variant")
    assert table["variant"].to_list() == [0, 1, 2]
    assert table["media"].to_list() == ["featurevis/relu2/3.png", "featurevis/relu2/3_1.png",
                                        "featurevis/relu2/3_2.png"]


def test_pack_batches_keeps_diversity_groups_whole():
    targets = [Target("a:0"), Target("a:0", 1), Target("a:0", 2), Target("b:1"), Target("b:1", 1),
               Target("b:1", 2), Target("c:2")]
    batches = [[(t.neuron_id, t.variant) for t in b] for b in pack_batches(targets, 4)]
    assert batches == [
        [("a:0", 0), ("a:0", 1), ("a:0", 2), ("b:1", 0)], [("b:1", 1), ("b:1", 2), ("c:2", 0)],
    ]
    # A group larger than the batch goes alone rather than being split.
    assert [len(b) for b in pack_batches(targets, 1)] == [1, 2, 1, 2, 1]


@pytest.fixture
def fake_models(monkeypatch):
    """``ingest.models.load_model`` replaced by one that returns the tiny CNN."""
    seen = {}

    def load_model(name, *, weights=None, layers=None, device="cpu"):
        seen.update(name=name, weights=weights, layers=layers, device=str(device))
        return LoadedModel(name=name, module=tiny_cnn(), layers=layers, output_wnids=["n00000001", "n00000002"],
                           output_names=["a", "b"], transform=lambda x: x, normalize=normalize, input_size=24,
                           weights_sha256="abc")

    monkeypatch.setitem(sys.modules, "summit.ingest.models", types.SimpleNamespace(load_model=load_model))
    return seen


def test_cli_renders_selected_neurons(tmp_path, fake_models, capsys):
    root = make_artifact(tmp_path)
    code = main(["featurevis", str(root), "--layers", "relu2", "--steps", "2", "--size", "16",
                 "--batch", "3", "--device", "cpu"])
    assert code == 0
    assert fake_models == {"name": "tiny-cnn", "weights": None, "layers": ["relu1", "relu2"], "device": "cpu"}
    table = artifact.read_table(root, "featurevis")
    assert sorted(table["neuron_id"].to_list()) == [f"relu2:{c}" for c in range(5)]
    assert "5 image(s) rendered, 0 already done" in capsys.readouterr().out
    assert main(["featurevis", str(root), "--neurons", "relu2:0", "relu1:1", "--steps", "2", "--size", "16",
                 "--device", "cpu"]) == 0
    assert "1 image(s) rendered, 1 already done" in capsys.readouterr().out


def test_cli_errors_are_clear(tmp_path, fake_models, capsys):
    root = make_artifact(tmp_path)
    assert main(["featurevis", str(root), "--neurons", "relu2:9", "--device", "cpu"]) == 3
    assert "has no neuron(s) relu2:9" in capsys.readouterr().err
    assert main(["featurevis", str(root), "--layers", "fc", "--device", "cpu"]) == 3
    assert "has no layer(s) fc" in capsys.readouterr().err
    assert main(["featurevis", str(root), "--variants", "-1"]) == 2
    assert "featurevis_variants" in capsys.readouterr().err
    assert main(["featurevis", str(tmp_path / "nope")]) == 3
