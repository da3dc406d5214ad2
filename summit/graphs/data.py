"""Load an artifact's counts into dense/sparse numpy arrays, validating ids on the way.

Neuron ids become node positions ``0..N-1`` (the ``neurons`` table's order,
sorted by layer index then channel); class indices become class positions
``0..C-1`` (sorted by class index). Every id is checked: an unknown neuron or
class, an influence edge not from layer l-1 to layer l, or a negative count
is an ``ArtifactError`` naming the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from summit.artifact import read_table
from summit.errors import ArtifactError


@dataclass(frozen=True)
class GraphInputs:
    neuron_ids: list[str]
    layers: list[str]
    layer_offsets: np.ndarray  # (L+1,) node position where each layer starts
    node_layer: np.ndarray  # (N,) layer position of each node
    class_index: np.ndarray  # (C,) class index of each class position
    counts: np.ndarray  # (C, N) int64 activation counts A (at activation_mass)
    edge_class: np.ndarray  # (E,) class positions, sorted
    edge_src: np.ndarray  # (E,) node positions (layer l-1)
    edge_dst: np.ndarray  # (E,) node positions (layer l)
    edge_weight: np.ndarray  # (E,) int64 influence counts
    graph_counts: np.ndarray | None = None  # (C, N) int64 counts at graph_activation_mass (None: not recorded)


def _unknown_neuron(artifact: Path | str, table: str, columns: tuple[str, ...], ids: pl.Series) -> ArtifactError:
    known = pl.DataFrame({"neuron_id": ids}).lazy()
    frame = read_table(artifact, table, lazy=True)
    for column in columns:
        bad = (frame.select(pl.col(column).alias("neuron_id")).join(known, on="neuron_id", how="anti")
               .head(1).collect())
        if bad.height:
            return ArtifactError(
                f"artifact {artifact}: table {table!r} column {column!r} refers to unknown neuron {bad.item()!r}")
    return ArtifactError(f"artifact {artifact}: table {table!r} refers to unknown neurons")


def _read_ids(
    artifact: Path | str, table: str, columns: tuple[str, ...], ids: pl.Series, extra: tuple[str, ...]
) -> pl.DataFrame:
    """Read ``table`` with the neuron-id ``columns`` turned into node positions (UInt32), in one query."""
    enum = pl.Enum(ids.to_list())
    frame = read_table(artifact, table, lazy=True).select(
        pl.col("class_index"), *[pl.col(c).cast(enum, strict=True).to_physical().alias(c) for c in columns],
        *[pl.col(c) for c in extra])
    try:
        return frame.collect()
    except pl.exceptions.PolarsError:
        raise _unknown_neuron(artifact, table, columns, ids) from None


def _class_positions(artifact: Path | str, table: str, values: np.ndarray, class_index: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return values.astype(np.int64)
    if class_index.size and class_index[0] == 0 and class_index[-1] == class_index.size - 1:
        bad = (values < 0) | (values >= class_index.size)  # the usual case: indices 0..C-1
        pos = values
    else:
        pos = np.searchsorted(class_index, values)
        bad = class_index[np.minimum(pos, max(class_index.size - 1, 0))] != values if class_index.size \
            else np.ones(values.size, bool)
    if bad.any():
        raise ArtifactError(
            f"artifact {artifact}: table {table!r} column 'class_index' refers to unknown class "
            f"{int(values[np.argmax(bad)])}"
        )
    return pos


@dataclass(frozen=True)
class NeuronLayout:
    """Node positions of an artifact's neurons: sorted by layer index, then channel."""

    ids: pl.Series  # (N,) neuron ids in node order
    layers: list[str]  # layer names in layer order
    layer_offsets: np.ndarray  # (L+1,) node position where each layer starts
    node_layer: np.ndarray  # (N,) layer position of each node


def read_neuron_layout(artifact: Path | str) -> NeuronLayout:
    """The ``neurons`` table as node positions, checked (no duplicates, one index per layer name)."""
    neurons = read_table(artifact, "neurons").sort(["layer_index", "channel"])
    if neurons.height == 0:
        raise ArtifactError(f"artifact {artifact}: table 'neurons' is empty")
    if neurons["neuron_id"].n_unique() != neurons.height:
        raise ArtifactError(f"artifact {artifact}: table 'neurons' has duplicate neuron ids")
    layer_pos = neurons["layer_index"].to_numpy().astype(np.int64)
    layers_df = neurons.group_by("layer_index", maintain_order=True).agg(pl.col("layer").first(),
                                                                        pl.len().alias("n"))
    if layers_df["layer"].n_unique() != layers_df.height or neurons.group_by("layer").agg(
            pl.col("layer_index").n_unique().alias("k"))["k"].max() != 1:
        raise ArtifactError(f"artifact {artifact}: table 'neurons' layer names and layer_index disagree")
    layer_idx = layers_df["layer_index"].to_numpy()
    node_layer = np.searchsorted(layer_idx, layer_pos)
    offsets = np.concatenate([[0], np.cumsum(layers_df["n"].to_numpy())]).astype(np.int64)
    return NeuronLayout(neurons["neuron_id"], layers_df["layer"].to_list(), offsets, node_layer)


def load_graph_inputs(artifact: Path | str) -> GraphInputs:
    layout = read_neuron_layout(artifact)
    classes = read_table(artifact, "classes").sort("class_index")
    class_index = classes["class_index"].to_numpy().astype(np.int64)
    if np.unique(class_index).size != class_index.size:
        raise ArtifactError(f"artifact {artifact}: table 'classes' has duplicate class indices")
    ids, offsets, node_layer = layout.ids, layout.layer_offsets, layout.node_layer

    acts = _read_ids(artifact, "activations", ("neuron_id",), ids, ("count", "graph_count"))
    if acts.height and bool(((acts["count"] < 0) | (acts["graph_count"] < 0)).any()):
        raise ArtifactError(f"artifact {artifact}: table 'activations' has negative counts")
    a_cls = _class_positions(artifact, "activations", acts["class_index"].to_numpy(), class_index)
    counts = np.zeros((class_index.size, ids.len()), dtype=np.int64)
    where = (a_cls, acts["neuron_id"].to_numpy())
    np.add.at(counts, where, acts["count"].to_numpy())
    graph_counts: np.ndarray | None = None
    if acts["graph_count"].null_count() == 0:
        graph_counts = np.zeros_like(counts)
        np.add.at(graph_counts, where, acts["graph_count"].to_numpy())
    del acts

    inf = _read_ids(artifact, "influences", ("src", "dst"), ids, ("count",))
    if inf.height and bool((inf["count"] < 0).any()):
        raise ArtifactError(f"artifact {artifact}: table 'influences' has negative counts")
    e_cls = _class_positions(artifact, "influences", inf["class_index"].to_numpy(), class_index).astype(np.int32)
    src = inf["src"].to_numpy().astype(np.int32)
    dst = inf["dst"].to_numpy().astype(np.int32)
    weight = inf["count"].to_numpy()
    del inf
    keep = None
    if e_cls.size and bool((e_cls[1:] < e_cls[:-1]).any()):
        keep = np.argsort(e_cls, kind="stable")  # a few sorted runs (one per layer pair): cheap
    if bool((weight == 0).any()):
        keep = np.flatnonzero(weight != 0) if keep is None else keep[weight[keep] != 0]
    if keep is not None:
        e_cls, src, dst, weight = e_cls[keep], src[keep], dst[keep], weight[keep]
    wrong = node_layer[src] + 1 != node_layer[dst]
    if wrong.any():
        i = int(np.argmax(wrong))
        raise ArtifactError(
            f"artifact {artifact}: table 'influences' edge {ids[int(src[i])]!r} -> {ids[int(dst[i])]!r} "
            "does not go from one layer to the next"
        )
    return GraphInputs(
        neuron_ids=ids.to_list(), layers=layout.layers, layer_offsets=offsets,
        node_layer=node_layer, class_index=class_index, counts=counts, graph_counts=graph_counts,
        edge_class=e_cls, edge_src=src, edge_dst=dst, edge_weight=weight,
    )
