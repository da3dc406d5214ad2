"""`summit import-summit` on Summit's published data (../shared/data/summit-data): every table checked
against the files, read here independently of the importer, and the round trip through
`summit export --format summit` over all 1,000 published graphs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from summit.artifact import open_artifact, read_manifest, read_table
from summit.cli import main
from summit.inception import BRANCH_CHANNELS

LAYERS = ["mixed3a", "mixed3b", "mixed4a", "mixed4b", "mixed4c", "mixed4d", "mixed4e", "mixed5a", "mixed5b"]
SIZES = [256, 480, 508, 512, 512, 528, 832, 832, 1024]


@pytest.fixture(scope="module")
def published(summit_data: Path) -> dict[int, dict[str, list[dict[str, Any]]]]:
    return {k: json.loads((summit_data / "data" / "ag" / f"ag-{k}.json").read_text()) for k in range(1000)}


def _direct_input(layer: str, channel: int) -> bool:
    """True for the 1x1 and pool branches, whose inputs are channels of the layer below."""
    one, three, five, _ = BRANCH_CHANNELS[layer]
    return channel < one or channel >= one + three + five


def test_classes_are_imagenet_in_sorted_wnid_order_with_unknowns_null(published_artifact: Path) -> None:
    classes = read_table(published_artifact, "classes").sort("class_index")
    assert classes["class_index"].to_list() == list(range(1000))
    assert classes.row(270, named=True)["wnid"] == "n02114548"
    assert classes.row(270, named=True)["name"] == "white wolf"
    assert classes.row(278, named=True)["wnid"] == "n02119789"
    assert classes.row(278, named=True)["name"] == "kit fox"
    assert classes["wnid"].to_list() == sorted(classes["wnid"].to_list())
    # not published: null, never 0
    for column in ("images", "top1_correct", "prob_hist", "top1_prob_hist"):
        assert classes[column].null_count() == 1000, column
    neurons = read_table(published_artifact, "neurons").sort("layer_index", "channel")
    assert neurons.group_by("layer", maintain_order=True).len().rows() == list(zip(LAYERS, SIZES, strict=True))


def test_graph_tables_hold_every_published_node_and_edge(published_artifact: Path, published: dict) -> None:
    nodes, edges, attr = [], [], []
    for k, graph in published.items():
        for layer, entries in graph.items():
            for n in entries:
                nid = f"{layer}:{n['channel']}"
                nodes.append((k, nid, n["pagerank"], n["count"]))
                below = LAYERS[LAYERS.index(layer) - 1] if layer != "mixed3a" else None
                edges += [(k, f"{below}:{p['prev_channel']}", nid, p["inf"]) for p in n["prev_channels"]]
                attr += [(k, nid, r, int(a["prev_channel"]), a["inf"]) for r, a in enumerate(n["attr_channels"])]
    assert len(nodes) == 57923
    assert len(edges) == 202479
    got_nodes = read_table(published_artifact, "class_nodes")
    assert sorted(got_nodes.select("class_index", "neuron_id", "pagerank", "count").rows()) == sorted(nodes)
    assert sorted(read_table(published_artifact, "class_edges").rows()) == sorted(edges)
    got_attr = read_table(published_artifact, "attr_channels")
    assert sorted(got_attr.select("class_index", "neuron_id", "rank", "src_channel", "inf").rows()) == sorted(attr)
    # an attr input's channel belongs to the layer below only for the 1x1 and pool branches;
    # for the 3x3 and 5x5 branches it is a channel of the branch's bottleneck conv
    for nid, src_layer in got_attr.select("neuron_id", "src_layer").unique().rows():
        layer, channel = nid.split(":")
        one, three, _, _ = BRANCH_CHANNELS[layer]
        if _direct_input(layer, int(channel)):
            assert src_layer == LAYERS[LAYERS.index(layer) - 1], nid
        else:
            assert src_layer == f"{layer}_{'3x3' if int(channel) < one + three else '5x5'}_bottleneck", nid
    bottleneck = got_attr.filter(pl.col("src_layer").str.ends_with("_bottleneck"))
    assert bottleneck.height > 100_000
    assert set(bottleneck["src_layer"].unique()) <= {f"{layer}_{b}_bottleneck" for layer in LAYERS[1:]
                                                     for b in ("3x3", "5x5")}


def test_influences_are_the_edges_between_neurons_and_nothing_else(published_artifact: Path, published: dict) -> None:
    expected: dict[tuple[int, str, str], int] = {}
    for k, graph in published.items():
        for layer, entries in graph.items():
            if layer == "mixed3a":
                continue
            below = LAYERS[LAYERS.index(layer) - 1]
            for n in entries:
                nid = f"{layer}:{n['channel']}"
                for p in n["prev_channels"]:
                    expected[(k, f"{below}:{p['prev_channel']}", nid)] = p["inf"]
                if _direct_input(layer, n["channel"]):
                    for a in n["attr_channels"]:
                        expected[(k, f"{below}:{a['prev_channel']}", nid)] = a["inf"]
    got = read_table(published_artifact, "influences")
    assert {(c, s, d): n for c, s, d, n in got.rows()} == expected
    assert got.height == len(expected)


def test_activations_are_the_graph_counts_sums_unknown(published_artifact: Path, published: dict) -> None:
    acts = read_table(published_artifact, "activations")
    expected = {(k, f"{layer}:{n['channel']}"): n["count"] for k, g in published.items()
                for layer, entries in g.items() for n in entries if n["count"] > 0}
    assert {(c, n): v for c, n, v in acts.select("class_index", "neuron_id", "count").rows()} == expected
    assert acts["act_sum"].null_count() == acts.height


def test_images_are_copied_and_unknown_fields_null(published_artifact: Path, summit_data: Path) -> None:
    fv = read_table(published_artifact, "featurevis")
    ex = read_table(published_artifact, "examples")
    assert fv.height == ex.height == 5484
    assert set(fv["variant"]) == {0}
    assert set(ex["rank"]) == {0}
    assert fv["objective"].null_count() == ex["image"].null_count() == ex["score"].null_count() == 5484
    row = fv.filter(pl.col("neuron_id") == "mixed4d:403").row(0, named=True)
    src = summit_data / "data" / "feature-vis" / "channel" / "mixed4d-403-channel.jpg"
    assert (published_artifact / "media" / row["media"]).read_bytes() == src.read_bytes()
    row = ex.filter(pl.col("neuron_id") == "mixed5b:101").row(0, named=True)
    src = summit_data / "data" / "feature-vis" / "dataset-p" / "mixed5b-101-dataset-p-0.jpg"
    assert (published_artifact / "media" / row["media"]).read_bytes() == src.read_bytes()


def test_manifest_says_what_was_published(published_artifact: Path, summit_data: Path) -> None:
    manifest = open_artifact(published_artifact)  # validates every table and id reference
    assert manifest["run_id"] == "inceptionv1-summit"
    pub = manifest["published"]
    assert pub["imagenet_json"] is False
    assert pub["graphs"] == 1000
    assert {"classes.images", "classes.top1_correct", "classes.top1_prob_hist", "activations.act_sum"} <= set(
        pub["unknown"])
    # the published graphs are Summit's per-layer rules, and the stores say so
    assert read_manifest(published_artifact)["graphs"]["graph_method"] == "summit"
    assert manifest["method"]["exclude_channels"] == ["mixed3a:67", "mixed3a:190", "mixed3b:390", "mixed3b:399",
                                                      "mixed3b:412"]
    assert (published_artifact / "LICENSE-summit-data.md").read_bytes() == (summit_data / "LICENSE.md").read_bytes()
    # excluded channels are never graph nodes
    nodes = read_table(published_artifact, "class_nodes")
    assert nodes.filter(pl.col("neuron_id").is_in(manifest["method"]["exclude_channels"])).height == 0
    emb = read_table(published_artifact, "embedding")
    assert emb.height == 9000
    assert sorted(emb["layer"].unique()) == sorted(LAYERS)
    sim = read_table(published_artifact, "similarity")
    assert set(sim["layer"].unique()) == {*LAYERS, "all"}
    assert sim["cosine"].is_between(-1e-9, 1 + 1e-9).all()


def _canonical(graph: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """A graph as the round trip must keep it: nodes by channel, prev_channels as sets, attr in order."""
    return {layer: {n["channel"]: (n["layer"], n["count"], n["pagerank"],
                                   frozenset((p["prev_channel"], p["inf"]) for p in n["prev_channels"]),
                                   [(a["prev_channel"], a["inf"]) for a in n["attr_channels"]])
                    for n in entries} for layer, entries in graph.items()}


def test_export_reproduces_every_published_graph(published_artifact: Path, published: dict, tmp_path: Path) -> None:
    assert main(["export", str(published_artifact), str(tmp_path), "--format", "summit", "--no-media"]) == 0
    data = tmp_path / "data"
    assert sorted(p.name for p in (data / "ag").iterdir()) == sorted(f"ag-{k}.json" for k in range(1000))
    for k, original in published.items():
        ours = json.loads((data / "ag" / f"ag-{k}.json").read_text())
        assert list(ours) == list(original), k
        assert _canonical(ours) == _canonical(original), f"ag-{k}.json differs"
        # attr_channels name their channel as a string, exactly as published
        assert all(isinstance(a["prev_channel"], str) for e in ours.values() for n in e for a in n["attr_channels"])
    classes = json.loads((data / "imagenet.json").read_text())
    wolf = next(c for c in classes if c["name"] == "white_wolf")  # the front end opens on it
    assert (wolf["synset"], wolf["target_class"]) == ("n02114548", 270)
    # unknowns stay unknown in the export too
    assert wolf["numOfInstances"] is None
    assert wolf["topOneAcc"] is None
    assert wolf["accs"] == []
    assert set(wolf["embed"]) == set(LAYERS)
    assert {t["c"]: t["i"] for t in wolf["topChannels"]["mixed4d"]} == {
        n["channel"]: n["count"] for n in published[270]["mixed4d"]}


def test_graphs_refuse_to_rebuild_published_graphs(published_artifact: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    before = read_table(published_artifact, "class_nodes")
    assert main(["graphs", str(published_artifact)]) == 2
    assert "published attribution graphs" in capsys.readouterr().err
    assert read_table(published_artifact, "class_nodes").equals(before)
    assert read_manifest(published_artifact)["published"]["graphs"] == 1000
