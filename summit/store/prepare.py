"""Read an artifact into the frames both loaders write (one place, so both stores hold the same data)."""

from __future__ import annotations

import datetime as _dt
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from summit import artifact as art
from summit.errors import ArtifactError
from summit.graph_schema import (
    ACTIVATES,
    CLASS,
    CLASS_INFLUENCE,
    EXAMPLE,
    FAITHFULNESS_FIELDS,
    GRAPH_EDGE,
    GRAPH_NODE,
    HAS_CLASS,
    HAS_EXAMPLE,
    HAS_LAYER,
    HAS_NODE,
    HAS_PACKED_INFLUENCE,
    HAS_POINT,
    IN_GROUP,
    IN_LAYER,
    INFLUENCE_NODE,
    INFLUENCE_OF_NEURON,
    INFLUENCES,
    LAYER,
    NEURON,
    OF_NEURON,
    POINT,
    SIMILAR,
    SUGGESTED_GROUP,
)
from summit.store.common import pack_edges

_NO_LOAD = "L0000000000000000"  # stands in for a load id where only sizes matter


def new_load_id() -> str:
    """A fresh load id (``L`` + 16 hex digits); safe inside embedded table names."""
    return "L" + secrets.token_hex(8)


@dataclass
class LoadData:
    """Everything one load writes, as polars frames with the graph schema's property names."""

    model: dict[str, Any]
    classes: pl.DataFrame  # index, wnid, name, images, top1_correct, accuracy, prob_hist, top1_prob_hist,
    #                        has_faithfulness, f_*
    layers: pl.DataFrame  # name, index, channels
    neurons: pl.DataFrame  # id, name, layer, layer_index, channel, ord, featurevis
    activations: pl.DataFrame  # class_index, neuron_id, count, mean, act_sum
    influences: pl.DataFrame  # src, dst, class, count (neuron ids)
    graph_nodes: pl.DataFrame  # key, class, neuron, name, layer, layer_index, count, pagerank
    class_edges: pl.DataFrame  # src, dst, class, weight (neuron ids)
    influence_nodes: pl.DataFrame  # key, class, neuron, name, layer_index
    similarity: pl.DataFrame  # class_index, other_index, layer, cosine
    examples: pl.DataFrame  # key, neuron_id, name, rank, image, score, media
    points: pl.DataFrame  # key, name, layer, class_index, x, y
    class_influence: pl.DataFrame  # class, name, edges (packed bytes), counts (int64 per neuron ord)
    groups: pl.DataFrame  # group, name, layer, cohesion, size (suggested groups)
    group_members: pl.DataFrame  # neuron_id, group

    def node_frames(self) -> dict[str, pl.DataFrame]:
        """Each node label's frame, in write order (both stores and the bulk files use this one mapping)."""
        return {CLASS: self.classes, LAYER: self.layers, NEURON: self.neurons, GRAPH_NODE: self.graph_nodes,
                INFLUENCE_NODE: self.influence_nodes, EXAMPLE: self.examples, POINT: self.points,
                CLASS_INFLUENCE: self.class_influence, SUGGESTED_GROUP: self.groups}

    def rel_frames(self, load: str) -> dict[str, pl.DataFrame]:
        """Each relationship's frame: start id, end id, then its properties (``REL_PROPERTIES`` order).

        Ids are natural ids (``graph_schema.NATURAL_ID``); ``load`` is the start id of the relationships
        from the load's ``Load`` node.
        """
        return {rel: frame.select(columns) for rel, (frame, columns) in self._rel_sources(load).items()}

    def _rel_sources(self, load: str) -> dict[str, tuple[pl.DataFrame, list[str | pl.Expr]]]:
        """Each relationship's source frame (one row per relationship) and the columns selected from it."""
        return {
            HAS_CLASS: (self.classes, [pl.lit(load).alias("load"), "index"]),
            HAS_LAYER: (self.layers, [pl.lit(load).alias("load"), "name"]),
            IN_LAYER: (self.neurons, ["id", "layer"]),
            ACTIVATES: (self.activations, ["class_index", "neuron_id", "count", "mean", "act_sum"]),
            HAS_NODE: (self.graph_nodes, ["class", "key"]),
            OF_NEURON: (self.graph_nodes, ["key", "neuron"]),
            GRAPH_EDGE: (self.class_edges, [member_key("src").alias("a"), member_key("dst").alias("b"), "weight"]),
            INFLUENCE_OF_NEURON: (self.influence_nodes, ["key", "neuron"]),
            INFLUENCES: (self.influences, [member_key("src").alias("a"), member_key("dst").alias("b"), "count"]),
            SIMILAR: (self.similarity, ["class_index", "other_index", "layer", "cosine"]),
            HAS_EXAMPLE: (self.examples, ["neuron_id", "key"]),
            IN_GROUP: (self.group_members, ["neuron_id", "group"]),
            HAS_POINT: (self.points, ["class_index", "key"]),
            HAS_PACKED_INFLUENCE: (self.class_influence, [pl.col("class").alias("index"), "class"]),
        }

    def counts(self) -> tuple[int, int]:
        """(nodes, relationships) one load writes, for ``summit models`` and rows/s figures (from the
        source frames' heights: the relationship frames are not built for it)."""
        nodes = sum(f.height for f in self.node_frames().values())
        return nodes, sum(frame.height for frame, _ in self._rel_sources(_NO_LOAD).values())

    def rows(self) -> int:
        """Nodes plus relationships written, for rows/s figures."""
        return sum(self.counts())


def depth_label_column(label: str) -> pl.Expr:
    """``graph_schema.depth_label`` of each row of a ``label`` frame (Neo4j's label per layer), vectorised."""
    index = "index" if label == LAYER else "layer_index"
    return pl.format("Depth{}", pl.col(index).cast(pl.Utf8).str.zfill(2))


def member_key(neuron: str, cls: str = "class") -> pl.Expr:
    """Natural id of a class's graph or influence node: ``"<class>|<neuron id>"``."""
    return pl.concat_str([pl.col(cls).cast(pl.Utf8), pl.col(neuron)], separator="|")


def _optional(artifact: Path, table: str) -> pl.DataFrame:
    return art.read_table(artifact, table) if art.has_table(artifact, table) else art.empty_table(table)


def read_load_data(artifact: Path | str) -> LoadData:
    """Validate the artifact and shape its tables for loading."""
    path = Path(artifact)
    manifest = art.open_artifact(path)
    model_id = art.model_id(manifest)
    missing = [t for t in art.GRAPH_TABLES if not art.has_table(path, t)]
    if missing:
        raise ArtifactError(
            f"artifact {path} has no attribution graphs ({', '.join(missing)} missing): run "
            f"`summit graphs {path}` first. A load replaces everything the store holds for model "
            f"{model_id!r}, so loading this artifact would serve it with empty graphs; nothing was changed")
    classes = art.read_table(path, "classes").sort("class_index")
    neurons = art.read_table(path, "neurons").sort("layer_index", "channel")

    faith = _optional(path, "faithfulness")
    faith = faith.rename({name: f"f_{name}" for name in FAITHFULNESS_FIELDS}).with_columns(
        pl.lit(True).alias("has_faithfulness")
    )
    class_rows = (
        classes.join(faith, on="class_index", how="left")
        .with_columns(
            pl.col("has_faithfulness").fill_null(False),
            # null (not published) stays null; 0 images -> 0.0 as before
            pl.when(pl.col("images") > 0)
            .then(pl.col("top1_correct") / pl.col("images"))
            .when(pl.col("images") == 0)
            .then(pl.lit(0.0))
            .alias("accuracy"),
            pl.col("class_index").cast(pl.Int64).alias("index"),
        )
        .select(
            "index", "wnid", "name", "images", "top1_correct", "accuracy", "prob_hist", "top1_prob_hist",
            "has_faithfulness",
            *(pl.col(f"f_{n}").cast(pl.Int64 if n in ("images", "graph_neurons") else pl.Float64)
              for n in FAITHFULNESS_FIELDS),
        )
    )

    layers = (
        neurons.group_by("layer", "layer_index")
        .agg(pl.len().alias("channels"))
        .sort("layer_index")
        .select(pl.col("layer").alias("name"), pl.col("layer_index").cast(pl.Int64).alias("index"),
                pl.col("channels").cast(pl.Int64))
    )
    declared = {str(x.get("name")): int(x.get("channels", 0)) for x in manifest.get("layers", []) or []
                if isinstance(x, dict)}
    if declared:
        layers = layers.with_columns(
            pl.col("name").replace_strict(declared, default=pl.col("channels"), return_dtype=pl.Int64)
            .alias("channels")
        )

    fv = _optional(path, "featurevis").sort("neuron_id", "variant").group_by("neuron_id", maintain_order=True).agg(
        pl.col("media").alias("featurevis")
    )
    neuron_rows = (
        neurons.with_row_index("ord")
        .join(fv, on="neuron_id", how="left")
        .select(
            pl.col("neuron_id").alias("id"), pl.col("neuron_id").alias("name"), "layer",
            pl.col("layer_index").cast(pl.Int64),
            pl.col("channel").cast(pl.Int64), pl.col("ord").cast(pl.Int64),
            pl.col("featurevis").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))),
        )
        .sort("ord")
    )

    images = classes.select("class_index", pl.col("images").alias("_images"))
    activations = (
        art.read_table(path, "activations")
        .filter(pl.col("count") > 0)  # rows selected only at the graph-stage mass are not ACTIVATES
        .join(images, on="class_index", how="left")
        .select(
            pl.col("class_index").cast(pl.Int64), "neuron_id", "count",
            pl.when(pl.col("_images") > 0).then(pl.col("act_sum") / pl.col("_images"))
            .when(pl.col("_images") == 0).then(pl.lit(0.0)).alias("mean"),  # null when not published
            "act_sum",
        )
    )

    influences = art.read_table(path, "influences").select(
        "src", "dst", pl.col("class_index").cast(pl.Int64).alias("class"), "count"
    )
    class_influence = _pack_class_influence(influences, neuron_rows, activations, class_rows["index"])

    layer_of = neuron_rows.select("id", "layer", "layer_index")
    graph_nodes = (
        _optional(path, "class_nodes")
        .select(pl.col("class_index").cast(pl.Int64).alias("class"), pl.col("neuron_id").alias("neuron"),
                "count", "pagerank")
        .join(layer_of.rename({"id": "neuron"}), on="neuron", how="left")
        .select(member_key("neuron").alias("key"), "class", "neuron", pl.col("neuron").alias("name"), "layer",
                "layer_index", "count", "pagerank")
        .sort("class", "layer_index", "neuron")
    )
    class_edges = _optional(path, "class_edges").select(
        "src", "dst", pl.col("class_index").cast(pl.Int64).alias("class"), "weight"
    )
    _check_graph_edges(path, class_edges, graph_nodes)
    influence_nodes = (
        pl.concat([influences.select("class", pl.col(end).alias("neuron")) for end in ("src", "dst")])
        .unique()
        .join(layer_of.select(pl.col("id").alias("neuron"), "layer_index"), on="neuron", how="left")
        .select(member_key("neuron").alias("key"), "class", "neuron", pl.col("neuron").alias("name"), "layer_index")
        .sort("class", "layer_index", "neuron")
    )
    similarity = _optional(path, "similarity").with_columns(
        pl.col("class_index").cast(pl.Int64), pl.col("other_index").cast(pl.Int64)
    )
    examples = _optional(path, "examples").select(
        pl.concat_str([pl.col("neuron_id"), pl.col("rank").cast(pl.Utf8)], separator="|").alias("key"),
        "neuron_id", pl.col("image").str.split("/").list.last().alias("name"), pl.col("rank").cast(pl.Int64),
        "image", "score", "media",
    )
    suggested = _optional(path, "group_suggestions").with_columns(pl.col("group").cast(pl.Int64))
    groups = (
        suggested.group_by("group")
        .agg(pl.col("layer").first(), pl.col("cohesion").first(), pl.len().cast(pl.Int64).alias("size"))
        .select("group", pl.format("{} group {}", "layer", "group").alias("name"), "layer", "cohesion", "size")
        .sort("group")
    )
    points = _optional(path, "embedding").select(
        pl.concat_str([pl.col("layer"), pl.col("class_index").cast(pl.Utf8)], separator="|").alias("key"),
        pl.col("layer").alias("name"), "layer", pl.col("class_index").cast(pl.Int64), "x", "y",
    )

    model_raw, dataset_raw = manifest.get("model"), manifest.get("dataset")
    model_section: dict[str, Any] = model_raw if isinstance(model_raw, dict) else {}
    dataset_section: dict[str, Any] = dataset_raw if isinstance(dataset_raw, dict) else {}
    model = {
        "id": model_id,
        "name": str(model_section.get("name", "")),
        "classes": classes.height,
        "images": _known_sum(classes["images"]),
        "top1_correct": _known_sum(classes["top1_correct"]),
        "dataset": art.dataset_name(str(dataset_section.get("root", ""))),
        "artifact_path": str(Path(artifact).resolve()),
        "graph_method": _graph_method(manifest),
        "faithfulness": json.dumps(manifest["faithfulness"], sort_keys=True)
        if isinstance(manifest.get("faithfulness"), dict) else "",
        "created": str(manifest.get("created", "") or _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")),
    }
    return LoadData(model, class_rows, layers, neuron_rows, activations, influences, graph_nodes, class_edges,
                    influence_nodes, similarity, examples, points, class_influence, groups,
                    suggested.select("neuron_id", "group"))


def _check_graph_edges(path: Path, edges: pl.DataFrame, nodes: pl.DataFrame) -> None:
    """Graph edges join graph nodes of their own class (they are relationships between those nodes)."""
    for end in ("src", "dst"):
        loose = edges.join(nodes.select("class", pl.col("neuron").alias(end)), on=["class", end], how="anti")
        if loose.height:
            row = loose.row(0, named=True)
            raise ArtifactError(f"artifact {path}: table 'class_edges' edge {row['src']!r} -> {row['dst']!r} of "
                                f"class {row['class']} has a {end} that is not in that class's graph")


def _known_sum(column: pl.Series) -> int | None:
    """The column's sum, or None when any class's value is not published."""
    return None if column.null_count() else int(column.sum() or 0)


def _graph_method(manifest: dict[str, Any]) -> str:
    """The graph profile the artifact's graphs were built with ('' when it has none), with
    '+' when single rules were changed on top of it."""
    graphs = manifest.get("graphs")
    if not isinstance(graphs, dict) or not graphs.get("graph_method"):
        return ""
    return str(graphs["graph_method"]) + ("+" if graphs.get("graph_rules_changed") else "")


def _pack_class_influence(
    influences: pl.DataFrame, neurons: pl.DataFrame, activations: pl.DataFrame, classes: pl.Series
) -> pl.DataFrame:
    """Per class: packed edges (src ord, dst ord, count) sorted by (src, dst), and activation counts by ord."""
    ords = neurons.select("id", "ord")
    acts = activations.join(ords.rename({"id": "neuron_id"}), on="neuron_id").select("class_index", "ord", "count")
    index = {int(c): i for i, c in enumerate(classes.to_list())}
    dense = np.zeros((len(index), neurons.height), dtype="<i8")
    if acts.height:
        rows = acts["class_index"].replace_strict(index, return_dtype=pl.Int64).to_numpy()
        dense[rows, acts["ord"].to_numpy()] = acts["count"].to_numpy()
    counts = {c: dense[i].tobytes() for c, i in index.items()}
    empty = pack_edges(np.zeros(0), np.zeros(0), np.zeros(0))
    blobs = dict.fromkeys(index, empty)
    frame = (
        influences.join(ords.rename({"id": "src", "ord": "s"}), on="src")
        .join(ords.rename({"id": "dst", "ord": "d"}), on="dst")
        .select("class", "s", "d", "count")
        .sort("class", "s", "d")
    )
    cls = frame["class"].to_numpy()
    s = frame["s"].to_numpy()
    d = frame["d"].to_numpy()
    c = frame["count"].to_numpy()
    cuts = np.flatnonzero(np.diff(cls)) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [len(cls)]])
    if frame.height:
        for a, b in zip(starts, ends, strict=True):
            blobs[int(cls[a])] = pack_edges(s[a:b], d[a:b], c[a:b])
    keys = sorted(index)
    return pl.DataFrame({"class": keys, "name": [f"packed influence of class {k}" for k in keys],
                         "edges": [blobs[k] for k in keys], "counts": [counts[k] for k in keys]},
                        schema={"class": pl.Int64, "name": pl.Utf8, "edges": pl.Binary, "counts": pl.Binary})
