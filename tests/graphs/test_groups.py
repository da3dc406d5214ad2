"""Suggested groups: neurons of a layer whose class-graph edge profiles are alike (answers by hand)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from summit.artifact import TABLES, read_manifest, read_table
from summit.graphs import build_graphs
from summit.graphs.groups import edge_profiles, group_suggestions
from summit.settings import resolve
from summit.synth import write_synthetic_artifact

LAYERS = {"a": 5, "b": 3, "c": 2}


def neurons() -> pl.DataFrame:
    rows = [(f"{layer}:{ch}", layer, i, ch) for i, (layer, n) in enumerate(LAYERS.items()) for ch in range(n)]
    return pl.DataFrame(rows, schema=list(TABLES["neurons"]), orient="row")


def edges(rows: list[tuple[int, str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=TABLES["class_edges"], orient="row")


def groups(frame: pl.DataFrame) -> list[tuple[int, str, list[str], float]]:
    out = frame.group_by("group", maintain_order=True).agg(
        pl.col("layer").first(), pl.col("neuron_id"), pl.col("cohesion").first())
    return [(g, layer, ids, round(c, 6)) for g, layer, ids, c in out.iter_rows()]


# a:0 and a:1 feed b:0 in class 0 and b:1 in class 7 with the same relative weights (class 7's are
# 100 times larger: each class is scaled by its own largest edge); a:2 feeds b:2 only; a:3, a:4 none.
ALIKE = [
    (0, "a:0", "b:0", 4), (0, "a:1", "b:0", 4), (0, "a:2", "b:2", 2), (0, "b:0", "c:0", 4),
    (7, "a:0", "b:1", 300), (7, "a:1", "b:1", 300), (7, "b:1", "c:1", 400), (7, "b:0", "c:1", 100),
]


def test_alike_neurons_are_grouped_and_unlike_ones_are_not() -> None:
    found = groups(group_suggestions(neurons(), edges(ALIKE), min_cosine=0.5, max_size=8))
    assert found == [(0, "a", ["a:0", "a:1"], 1.0)]


def test_profiles_scale_each_class_by_its_largest_edge() -> None:
    profiles = edge_profiles(neurons(), edges(ALIKE)).toarray()
    n, classes = 10, 2
    a0 = profiles[0]
    assert a0.shape == (2 * classes * n,)
    assert a0[classes * n + 0 * n + 5] == 1.0, "out: class 0 -> b:0 (4 / 4)"
    assert a0[classes * n + 1 * n + 6] == 0.75, "out: class 7 -> b:1 (300 / 400)"
    assert a0.sum() == pytest.approx(1.75), "a:0 has no inputs: its two outputs only"
    b0 = profiles[5]
    assert b0[0 * n + 0] == 1.0
    assert b0[0 * n + 1] == 1.0, "in: class 0 from a:0 and a:1"
    assert b0[classes * n + 0 * n + 8] == 1.0, "out: class 0 -> c:0"
    assert b0[classes * n + 1 * n + 9] == 0.25, "out: class 7 -> c:1 (100 / 400)"


def test_the_threshold_is_a_mean_cosine() -> None:
    # b:0 and b:1 share one of two equal outputs (cosine 1/2), and so do c:0 and c:1 their inputs
    rows = [(0, "b:0", "c:0", 1), (0, "b:0", "c:1", 1), (0, "b:1", "c:0", 1), (1, "b:1", "c:1", 1)]
    assert groups(group_suggestions(neurons(), edges(rows), min_cosine=0.4, max_size=8)) == [
        (0, "b", ["b:0", "b:1"], 0.5), (1, "c", ["c:0", "c:1"], 0.5)]
    assert groups(group_suggestions(neurons(), edges(rows), min_cosine=0.6, max_size=8)) == []


def test_big_clusters_are_split_to_max_size_and_groups_ordered() -> None:
    rows = [(0, f"a:{i}", "b:0", 1) for i in range(5)]  # five identical profiles
    rows += [(0, "b:1", "c:0", 3), (0, "b:1", "c:1", 1), (0, "b:2", "c:0", 1), (0, "b:2", "c:1", 1)]
    found = groups(group_suggestions(neurons(), edges(rows), min_cosine=0.5, max_size=2))
    cos_b = (3 + 1) / (math.sqrt(10) * math.sqrt(2))
    assert [g[0] for g in found] == list(range(len(found))), "numbered 0..G-1"
    a_groups = [g for g in found if g[1] == "a"]
    assert all(len(g[2]) == 2 for g in a_groups)
    assert len(a_groups) == 2, "5 alike neurons at most 2 per group: two pairs (the fifth alone is no group)"
    # b:1, b:2 feed c:0, c:1 (3, 1 and 1, 1): the same cosine for the outputs and the inputs
    assert found[-2:] == [(len(found) - 2, "b", ["b:1", "b:2"], round(cos_b, 6)),
                          (len(found) - 1, "c", ["c:0", "c:1"], round(cos_b, 6))], "layer order"


def test_nothing_to_group() -> None:
    empty = group_suggestions(neurons(), edges([]), min_cosine=0.5, max_size=8)
    assert empty.height == 0
    assert empty.schema == pl.Schema(TABLES["group_suggestions"])


def test_build_graphs_writes_suggestions(tmp_path: Path) -> None:
    settings = resolve({"group_min_cosine": 0.3, "group_max_size": 4}, environ={})
    path = tmp_path / "a"
    write_synthetic_artifact(path, classes=12, channels=(16, 16, 8), layers=3, seed=3, with_media=False)
    summary = build_graphs(path, settings, embedding=False)
    table = read_table(path, "group_suggestions")
    nodes = read_table(path, "class_nodes")
    assert table.height > 0
    assert summary["suggested_groups"] == table["group"].n_unique()
    assert table.group_by("group").len()["len"].max() <= 4
    assert table["cohesion"].min() >= 0.3 - 1e-9
    assert set(table["neuron_id"]) <= set(nodes["neuron_id"]), "only neurons of some class graph"
    layer_of = dict(zip(nodes["neuron_id"], nodes["neuron_id"].str.split(":").list.first(), strict=True))
    assert all(layer_of[n] == layer for n, layer in table.select("neuron_id", "layer").iter_rows())
    manifest = read_manifest(path)
    assert manifest["graphs"]["group_min_cosine"] == 0.3
    assert manifest["timings"]["groups_s"] >= 0
    assert np.all(np.diff(table["group"].to_numpy()) >= 0), "rows grouped by group"
