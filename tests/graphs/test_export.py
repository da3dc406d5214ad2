"""Exports: the original Summit JSON checked field by field, GraphML and CSV round trips."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import polars as pl
import pytest

from summit.artifact import read_table
from summit.cli import main
from summit.synth import write_synthetic_artifact


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "art"
    write_synthetic_artifact(path, classes=5, channels=(6, 8, 10), seed=11, layer_names=["mixed3a", "mixed3b",
                                                                                          "mixed4a"])
    return path


@pytest.fixture(scope="module")
def exported(artifact: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("summit-json")
    assert main(["export", str(artifact), str(out), "--format", "summit"]) == 0
    return out / "data"


def test_class_list_fields(artifact: Path, exported: Path) -> None:
    classes = json.loads((exported / "imagenet.json").read_text())
    table = read_table(artifact, "classes").sort("class_index")
    acts = read_table(artifact, "activations")
    emb = read_table(artifact, "embedding")
    assert len(classes) == table.height == 5
    for entry, row in zip(classes, table.iter_rows(named=True), strict=True):
        # the fields Summit's generator writes (activation-matrices-to-json) and the front end reads
        assert set(entry) == {"name", "synset", "target_class", "numOfInstances", "topOneAcc", "topOneAccCount",
                              "accs", "embed", "topChannels"}
        assert entry["name"] == row["name"].lower().replace(" ", "_")
        assert " " not in entry["name"]
        assert entry["synset"] == row["wnid"]
        assert entry["target_class"] == row["class_index"]
        assert entry["numOfInstances"] == row["images"]
        assert entry["topOneAccCount"] == row["top1_correct"]
        assert entry["topOneAcc"] == pytest.approx(row["top1_correct"] / row["images"])
        assert len(entry["accs"]) == row["images"]
        assert all(isinstance(a, str) for a in entry["accs"])  # percent strings, as the generator writes
        hist, _ = np.histogram([float(a) / 100 for a in entry["accs"]], bins=20, range=(0, 1))
        assert hist.tolist() == row["top1_prob_hist"]  # Summit's accs: the top-1 confidence
        assert list(entry["embed"]) == ["mixed3a", "mixed3b", "mixed4a"]
        for layer, xy in entry["embed"].items():
            ref = emb.filter(pl.col("class_index") == row["class_index"], pl.col("layer") == layer).row(0, named=True)
            assert xy == {"x": ref["x"], "y": ref["y"]}
        mine = acts.filter(pl.col("class_index") == row["class_index"], pl.col("count") > 0)
        for layer, top in entry["topChannels"].items():
            expected = {int(n.split(":")[1]): c for n, c in mine.filter(
                pl.col("neuron_id").str.starts_with(layer + ":")).select("neuron_id", "count").iter_rows()}
            assert all(set(t) == {"c", "i"} for t in top)  # the front end reads channel.c
            assert {t["c"]: t["i"] for t in top} == expected
            assert [t["i"] for t in top] == sorted((t["i"] for t in top), reverse=True)


def test_attribution_graph_fields(artifact: Path, exported: Path) -> None:
    nodes = read_table(artifact, "class_nodes")
    edges = read_table(artifact, "class_edges")
    infl = read_table(artifact, "influences")
    files = sorted(p.name for p in (exported / "ag").iterdir())
    assert files == [f"ag-{k}.json" for k in range(5)]
    order = ["mixed3a", "mixed3b", "mixed4a"]
    for k in range(5):
        graph = json.loads((exported / "ag" / f"ag-{k}.json").read_text())
        assert list(graph) == order[::-1]  # top layer first, as Summit's files
        mine = nodes.filter(pl.col("class_index") == k)
        seen = 0
        for layer, entries in graph.items():
            prs = [e["pagerank"] for e in entries]
            assert prs == sorted(prs, reverse=True)
            for e in entries:
                seen += 1
                assert set(e) == {"channel", "layer", "count", "pagerank", "prev_channels", "attr_channels"}
                assert e["layer"] == layer
                nid = f"{layer}:{e['channel']}"
                ref = mine.filter(pl.col("neuron_id") == nid).row(0, named=True)
                assert e["count"] == ref["count"]
                assert e["pagerank"] == ref["pagerank"]
                into = edges.filter(pl.col("class_index") == k, pl.col("dst") == nid)
                assert {p["prev_channel"]: p["inf"] for p in e["prev_channels"]} == {
                    int(s.split(":")[1]): w for s, w in into.select("src", "weight").iter_rows()}
                # every prev_channel is drawn in the layer below (the UI looks it up there)
                if layer != "mixed3a":
                    below = {x["channel"] for x in graph[order[order.index(layer) - 1]]}
                    assert {p["prev_channel"] for p in e["prev_channels"]} <= below
                top3 = (infl.filter(pl.col("class_index") == k, pl.col("dst") == nid)
                        .sort(["count", "src"], descending=[True, False]).head(3))
                # attr_channels name their channel as a string, as Summit's generator does
                assert [(a["prev_channel"], a["inf"]) for a in e["attr_channels"]] == [
                    (s.split(":")[1], c) for s, c in top3.select("src", "count").iter_rows()]
        assert seen == mine.height


def test_every_image_the_front_end_asks_for_is_a_jpeg(artifact: Path, exported: Path) -> None:
    """Tile, 4 diversity images and 10 dataset examples per drawn neuron, under the requested names."""
    fv = exported / "feature-vis"
    drawn = {(n["layer"], n["channel"]) for k in range(5)
             for entries in json.loads((exported / "ag" / f"ag-{k}.json").read_text()).values() for n in entries}
    assert drawn
    for layer, ch in drawn:
        names = [fv / "channel" / f"{layer}-{ch}-channel.jpg"]
        names += [fv / f"diversity-{n}" / f"{layer}-{ch}-diversity-{n}.jpg" for n in range(4)]
        names += [fv / "dataset-p" / f"{layer}-{ch}-dataset-p-{r}.jpg" for r in range(10)]
        for path in names:
            assert path.read_bytes()[:3] == b"\xff\xd8\xff", path
    # no featurevis in this artifact: the tile is the top example, the same bytes
    layer, ch = sorted(drawn)[0]
    patch = read_table(artifact, "examples").filter(pl.col("neuron_id") == f"{layer}:{ch}", pl.col("rank") == 0)
    assert (fv / "channel" / f"{layer}-{ch}-channel.jpg").read_bytes() == (
        artifact / "media" / patch["media"].item()).read_bytes()
    assert len(list((fv / "channel").iterdir())) == len(drawn)


def test_googlenet_layers_export_under_lucid_names(tmp_path: Path) -> None:
    tv = ["inception3a", "inception3b", "inception4a", "inception4b", "inception4c", "inception4d", "inception4e",
          "inception5a", "inception5b"]
    art = tmp_path / "googlenet"
    write_synthetic_artifact(art, classes=3, layers=9, channels=(6, 6, 512, 6, 6, 6, 6, 6, 6), seed=3,
                             layer_names=tv, with_media=False, with_embedding=True)
    assert main(["export", str(art), str(tmp_path / "out"), "--no-media"]) == 0
    data = tmp_path / "out" / "data"
    lucid = ["mixed3a", "mixed3b", "mixed4a", "mixed4b", "mixed4c", "mixed4d", "mixed4e", "mixed5a", "mixed5b"]
    classes = json.loads((data / "imagenet.json").read_text())
    beyond = read_table(art, "activations").filter(
        pl.col("neuron_id").str.starts_with("inception4a:"), pl.col("count") > 0,
        pl.col("neuron_id").str.extract(r":(\d+)$").cast(pl.Int64) >= 508)
    assert beyond.height > 0  # the synthetic 4a has channels Lucid's mixed4a lacks
    for entry in classes:
        assert list(entry["embed"]) == lucid
        assert list(entry["topChannels"]) == lucid
        assert all(t["c"] < 508 for t in entry["topChannels"]["mixed4a"])
    graph = json.loads((data / "ag" / "ag-0.json").read_text())
    assert list(graph) == lucid[::-1]
    assert all(n["layer"] == layer for layer, entries in graph.items() for n in entries)
    note = json.loads((data / "summit-export.json").read_text())
    assert note["layers"] == dict(zip(tv, lucid, strict=True))
    assert note["top_channels_left_out"] == {"mixed4a": beyond.height}


def test_one_class_and_unknown_class(artifact: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(artifact), str(tmp_path / "one"), "--class", "3", "--no-media"]) == 0
    assert [c["target_class"] for c in json.loads((tmp_path / "one/data/imagenet.json").read_text())] == [3]
    assert [p.name for p in (tmp_path / "one/data/ag").iterdir()] == ["ag-3.json"]
    assert not (tmp_path / "one/data/feature-vis").exists()
    assert main(["export", str(artifact), str(tmp_path / "x"), "--class", "99"]) == 3
    assert "class 99 is not in artifact" in capsys.readouterr().err
    assert main(["export", str(artifact), str(tmp_path / "x"), "--format", "graphml"]) == 2
    assert "give --class K" in capsys.readouterr().err


def test_graphml_round_trip(artifact: Path, tmp_path: Path) -> None:
    assert main(["export", str(artifact), str(tmp_path), "--format", "graphml", "--class", "2"]) == 0
    graph = nx.read_graphml(tmp_path / "class-2.graphml")
    nodes = read_table(artifact, "class_nodes").filter(pl.col("class_index") == 2)
    edges = read_table(artifact, "class_edges").filter(pl.col("class_index") == 2)
    assert graph.is_directed()
    assert graph.graph["class_index"] == 2
    assert graph.graph["model"] == "synthetic"
    assert set(graph.nodes) == set(nodes["neuron_id"])
    for row in nodes.iter_rows(named=True):
        attrs = graph.nodes[row["neuron_id"]]
        assert attrs["pagerank"] == row["pagerank"]
        assert attrs["count"] == row["count"]
        assert f"{attrs['layer']}:{attrs['channel']}" == row["neuron_id"]
    assert {(s, d): w["weight"] for s, d, w in graph.edges(data=True)} == {
        (s, d): w for s, d, w in edges.select("src", "dst", "weight").iter_rows()}


def test_csv_round_trip(artifact: Path, tmp_path: Path) -> None:
    assert main(["export", str(artifact), str(tmp_path), "--format", "csv"]) == 0
    names = sorted(p.stem for p in tmp_path.glob("*.csv"))
    assert names == sorted(["classes", "neurons", "activations", "influences", "class_nodes", "class_edges",
                            "embedding", "similarity", "examples", "group_suggestions"])
    for table in ("influences", "class_nodes", "similarity"):
        back = pl.read_csv(tmp_path / f"{table}.csv", schema=read_table(artifact, table).schema)
        assert back.equals(read_table(artifact, table)), table
    classes = pl.read_csv(tmp_path / "classes.csv")
    assert [[int(v) for v in s.split()] for s in classes["prob_hist"]] == read_table(artifact, "classes")[
        "prob_hist"].to_list()
    assert main(["export", str(artifact), str(tmp_path / "one"), "--format", "csv", "--class", "1"]) == 0
    assert set(pl.read_csv(tmp_path / "one" / "class_edges.csv")["class_index"].to_list()) <= {1}
    assert pl.read_csv(tmp_path / "one" / "neurons.csv").height == 24
