"""`summit import-summit` on partial, damaged or richer copies of the published data.

Each case starts from a fresh copy of the shared ag files (and a few images), breaks one
thing, and checks the error names the file and that nothing was written. A copy with
``data/imagenet.json`` (written here in the generator's format) fills what the subset lacks.
"""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from summit.artifact import read_manifest, read_table
from summit.cli import main
from summit.imagenet import imagenet_classes

IMAGES = ["channel/mixed4d-403-channel.jpg", "dataset-p/mixed4d-403-dataset-p-0.jpg",
          "channel/mixed3a-0-channel.jpg"]


@pytest.fixture
def src(summit_data: Path, tmp_path: Path) -> Path:
    root = tmp_path / "summit-data"
    shutil.copytree(summit_data / "data" / "ag", root / "data" / "ag")
    for rel in IMAGES:
        (root / "data" / "feature-vis" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(summit_data / "data" / "feature-vis" / rel, root / "data" / "feature-vis" / rel)
    shutil.copyfile(summit_data / "LICENSE.md", root / "LICENSE.md")
    return root


def _import_fails(src: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *needles: str) -> None:
    out = tmp_path / "out" / "art"
    assert main(["import-summit", str(src), "--out", str(out), "--embedding", "pca"]) == 2
    err = capsys.readouterr().err
    for needle in needles:
        assert needle in err, err
    assert not out.exists()
    assert not (out.parent.exists() and any(out.parent.iterdir())), "a half-written artifact was left"


def _edit(path: Path, change: Any) -> None:
    graph = json.loads(path.read_text())
    change(graph)
    path.write_text(json.dumps(graph))


def test_a_partial_copy_names_the_first_missing_graph(src: Path, tmp_path: Path, capsys: Any) -> None:
    (src / "data" / "ag" / "ag-17.json").unlink()
    (src / "data" / "ag" / "ag-400.json").unlink()
    _import_fails(src, tmp_path, capsys, "data/ag/ag-17.json is missing", "998 of the 1000", "2 missing")


def test_damaged_json_names_the_file(src: Path, tmp_path: Path, capsys: Any) -> None:
    path = src / "data" / "ag" / "ag-5.json"
    path.write_bytes(path.read_bytes()[:-40])
    _import_fails(src, tmp_path, capsys, "data/ag/ag-5.json: not valid JSON")


@pytest.mark.parametrize(("change", "message"), [
    (lambda g: g["mixed5b"][0]["prev_channels"].append({"prev_channel": 3, "inf": 9}),
     "mixed5b channel 101: prev_channel 3 is not a neuron of this graph's mixed5a"),
    (lambda g: g.update(mixed6a=[]), "unknown layer 'mixed6a'"),
    (lambda g: g.pop("mixed4c"), "layer 'mixed4c' is missing"),
    (lambda g: g["mixed3a"][0].update(channel=256), "channel 256 is not one of its 256 channels"),
    (lambda g: g["mixed4d"][0].update(count=-1), "mixed4d channel 403: count -1 is not a count"),
    (lambda g: g["mixed4a"][0].update(pagerank=1.5), "pagerank 1.5 is not in [0, 1]"),
    (lambda g: g["mixed4a"][0]["attr_channels"][0].update(prev_channel="x"), "prev_channel 'x'"),
    (lambda g: g["mixed5b"][0]["attr_channels"][0].update(inf=5),  # 1x1 branch: attr and prev must agree
     "mixed5b channel 101: prev_channels and attr_channels disagree on the influence of mixed5a channel 762"),
], ids=["edge-to-absent-node", "unknown-layer", "missing-layer", "channel-range", "negative-count",
        "pagerank-range", "attr-channel", "inconsistent-influence"])
def test_a_wrong_graph_names_file_layer_and_neuron(src: Path, tmp_path: Path, capsys: Any, change: Any,
                                                   message: str) -> None:
    _edit(src / "data" / "ag" / "ag-270.json", change)
    _import_fails(src, tmp_path, capsys, "data/ag/ag-270.json:", message)


@pytest.mark.parametrize(("rel", "data", "message"), [
    ("channel/mixed4d-403-channel.jpg", b"\x89PNG\r\n\x1a\n....", "not a JPEG image"),
    ("channel/mixed4d-403-channel.jpg", None, "the JPEG is truncated"),
    ("channel/mixed4d-403.jpg", b"\xff\xd8\xff\xd9", "unexpected name in feature-vis/channel/"),
    ("channel/mixed6a-1-channel.jpg", b"\xff\xd8\xff\xd9", "unknown layer 'mixed6a'"),
    ("dataset-p/mixed3a-256-dataset-p-0.jpg", b"\xff\xd8\xff\xd9", "mixed3a has 256 channels, not channel 256"),
], ids=["png", "truncated", "odd-name", "unknown-layer", "channel-range"])
def test_a_bad_image_names_the_file(src: Path, tmp_path: Path, capsys: Any, rel: str, data: bytes | None,
                                    message: str) -> None:
    path = src / "data" / "feature-vis" / rel
    path.write_bytes(data if data is not None else path.read_bytes()[:500])
    _import_fails(src, tmp_path, capsys, f"data/feature-vis/{rel}", message)


def test_existing_output_needs_force_and_archives_import_too(src: Path, tmp_path: Path, capsys: Any) -> None:
    archive = tmp_path / "copy.tar.xz"
    with tarfile.open(archive, "w:xz", preset=0) as tar:
        tar.add(src, arcname="summit-data")
    out = tmp_path / "art"
    assert main(["import-summit", str(archive), "--out", str(out), "--embedding", "pca"]) == 0
    from_archive = read_table(out, "class_edges")
    assert main(["import-summit", str(src), "--out", str(out), "--embedding", "pca"]) == 2
    assert "already exists; pass --force" in capsys.readouterr().err
    assert main(["import-summit", str(src), "--out", str(out), "--embedding", "pca", "--force"]) == 0
    assert read_table(out, "class_edges").equals(from_archive)
    assert read_table(out, "featurevis").height == 2
    assert read_table(out, "examples").height == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["art", "copy.tar.xz", "summit-data"]  # nothing left over
    broken = tmp_path / "broken.tar.xz"
    broken.write_bytes(archive.read_bytes()[:4000])
    assert main(["import-summit", str(broken), "--out", str(tmp_path / "b")]) == 2
    assert f"{broken}: not a readable tar archive" in capsys.readouterr().err
    assert main(["import-summit", str(tmp_path / "nope"), "--out", str(tmp_path / "c")]) == 3


def _imagenet_json(src: Path) -> list[dict[str, Any]]:
    """A class list in the format of Summit's generator (activation-matrices-to-json)."""
    wnids, names = imagenet_classes()
    rng = np.random.default_rng(5)
    out = []
    for k in range(1000):
        graph = json.loads((src / "data" / "ag" / f"ag-{k}.json").read_text())
        top = {layer: sorted([{"c": n["channel"], "i": n["count"]} for n in entries] + [
            {"c": c, "i": 1} for c in {3 + k % 50} - {n["channel"] for n in entries}], key=lambda t: -t["i"])
            for layer, entries in graph.items()}
        images = 1300 - k % 7
        correct = int(rng.integers(0, images))
        out.append({
            "synset": wnids[k], "label": str(k + 1), "name": names[k].replace(" ", "_"), "target_class": k,
            "numOfInstances": images, "topOneAccCount": correct, "topOneAcc": correct / images,
            "accs": [str(round(float(a), 2))[:4] for a in rng.uniform(0, 100, images)],
            "embed": {layer: {"x": float(rng.normal()), "y": float(rng.normal())} for layer in graph},
            "topChannels": top,
        })
    return out


def test_imagenet_json_fills_sizes_accuracy_activations_and_embedding(src: Path, tmp_path: Path,
                                                                       capsys: Any) -> None:
    entries = _imagenet_json(src)
    (src / "data" / "imagenet.json").write_text(json.dumps(entries))
    out = tmp_path / "art"
    assert main(["import-summit", str(src), "--out", str(out)]) == 0
    classes = read_table(out, "classes").sort("class_index")
    assert classes["images"].to_list() == [e["numOfInstances"] for e in entries]
    assert classes["top1_correct"].to_list() == [e["topOneAccCount"] for e in entries]
    assert classes["prob_hist"].null_count() == 1000  # Summit's accs are top-1 confidences, not p(class)
    # ... kept as the top-1 confidence histogram, 20 bins over [0, 1]
    hist = classes["top1_prob_hist"].to_list()
    assert [sum(h) for h in hist] == [e["numOfInstances"] for e in entries]
    wolf_accs = [float(a) for a in entries[270]["accs"]]
    assert hist[270][19] == sum(1 for a in wolf_accs if a >= 95)
    assert hist[270][0] == sum(1 for a in wolf_accs if a < 5)
    acts = read_table(out, "activations")
    assert sorted(acts.select("class_index", "neuron_id", "count").rows()) == sorted(
        (e["target_class"], f"{layer}:{t['c']}", t["i"]) for e in entries for layer, top in e["topChannels"].items()
        for t in top)
    emb = read_table(out, "embedding").filter(pl.col("class_index") == 270, pl.col("layer") == "mixed4d")
    assert emb.select("x", "y").row(0) == (entries[270]["embed"]["mixed4d"]["x"], entries[270]["embed"]["mixed4d"]["y"])
    pub = read_manifest(out)["published"]
    assert pub["imagenet_json"] is True
    assert "classes.images" not in pub["unknown"]
    assert main(["export", str(out), str(tmp_path / "exp"), "--no-media"]) == 0
    wolf = json.loads((tmp_path / "exp" / "data" / "imagenet.json").read_text())[270]
    assert (wolf["name"], wolf["numOfInstances"], wolf["topOneAccCount"]) == (
        "white_wolf", entries[270]["numOfInstances"], entries[270]["topOneAccCount"])
    assert wolf["topOneAcc"] == pytest.approx(entries[270]["topOneAcc"])
    # a class list that does not fit ImageNet's order is refused, naming the class
    entries[3]["synset"] = "n99999999"
    (src / "data" / "imagenet.json").write_text(json.dumps(entries))
    _import_fails(src, tmp_path / "x", capsys, "data/imagenet.json: class 3 is n01491361")
