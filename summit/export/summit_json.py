"""Export in the layout the ORIGINAL Summit front end (fredhohman/summit) reads.

Written under ``DIR/data/`` (the front end fetches ``dataURL + 'data/...'``):

``data/imagenet.json`` - the class list, one object per class
(``js/class-sidebar.js``)::

    {"name": "white_wolf",            # classes.name, spaces -> "_" (the UI turns "_" back into spaces)
     "synset": "n02114548",           # classes.wnid
     "target_class": 270,             # classes.class_index (names the ag-<k>.json file)
     "numOfInstances": 1300,          # classes.images
     "topOneAcc": 0.83,               # classes.top1_correct / classes.images
     "accs": [0.975, ...],            # per-image true-class probabilities; we keep only a 20-bin
                                      # histogram (classes.prob_hist), so each image is its bin centre
     "embed": {"mixed3a": {"x": .., "y": ..}, ...},        # embedding table, per layer
     "topChannels": {"mixed3a": [{"ch": 17, "ct": 912}, ...], ...}}
                                      # activations: every channel with count > 0, count descending
                                      # (the UI's cosine similarity uses these vectors)

``data/ag/ag-<target_class>.json`` - one attribution graph per class
(``js/attribution-graph.js``)::

    {"mixed5b": [                      # one list per layer: that layer's kept neurons
        {"channel": 409, "layer": "mixed5b",
         "count": 311,                 # class_nodes.count (A)
         "pagerank": 0.0123,           # class_nodes.pagerank
         "prev_channels": [{"prev_channel": 12, "inf": 87}, ...],
                                       # class_edges into this neuron from kept neurons of the layer
                                       # below, weight descending ("inf" = class_edges.weight)
         "attr_channels": [{"prev_channel": 3, "inf": 120}, ...]},
                                       # its 3 strongest incoming influences for the class from the
                                       # whole influences table (kept or not), weight descending
        ...], ...}
    Neurons within a layer are ordered by PageRank, descending; the first layer
    has empty ``prev_channels`` and ``attr_channels``.

Media, when the artifact has them: example patches are copied to
``data/feature-vis/dataset-p/<layer>-<channel>-dataset-p-<rank>.jpg`` and
feature visualisations (variant 0) to
``data/feature-vis/channel/<layer>-<channel>-channel.jpg``.

The original front end hard-codes InceptionV1's layer names (mixed3a ...
mixed5b) and splits DOM ids on "-", so only artifacts with those layers
display there; the files are written for any artifact.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from summit.artifact import MEDIA_DIR, has_table, read_manifest, read_table
from summit.errors import ArtifactError, NotFound
from summit.ids import parse_neuron_id

ATTR_CHANNELS = 3
HIST_BINS = 20


def _accs(hist: list[int]) -> list[float]:
    centres = (np.arange(HIST_BINS) + 0.5) / HIST_BINS
    return [round(float(c), 4) for c, n in zip(centres, hist, strict=False) for _ in range(int(n))]


def _split_ids(frame: pl.DataFrame, column: str, prefix: str) -> pl.DataFrame:
    """Add ``<prefix>layer`` and ``<prefix>channel`` columns parsed from neuron ids (vectorised)."""
    return frame.with_columns(
        pl.col(column).str.replace(r":\d+$", "").alias(f"{prefix}layer"),
        pl.col(column).str.extract(r":(\d+)$", 1).cast(pl.Int64).alias(f"{prefix}channel"),
    )


def class_list(artifact: Path | str, layers: list[str]) -> list[dict[str, Any]]:
    classes = read_table(artifact, "classes").sort("class_index")
    acts = _split_ids(read_table(artifact, "activations").filter(pl.col("count") > 0), "neuron_id", "")
    top = (acts.sort(["class_index", "layer", "count", "channel"], descending=[False, False, True, False])
           .group_by(["class_index", "layer"], maintain_order=True)
           .agg(pl.struct(pl.col("channel").alias("ch"), pl.col("count").alias("ct")).alias("top")))
    top_map: dict[int, dict[str, list[dict[str, int]]]] = {}
    for row in top.iter_rows(named=True):
        top_map.setdefault(row["class_index"], {})[row["layer"]] = row["top"]
    embed_map: dict[int, dict[str, dict[str, float]]] = {}
    if has_table(artifact, "embedding"):
        for row in read_table(artifact, "embedding").iter_rows(named=True):
            embed_map.setdefault(row["class_index"], {})[row["layer"]] = {"x": row["x"], "y": row["y"]}
    out = []
    for row in classes.iter_rows(named=True):
        k = row["class_index"]
        images = row["images"]
        out.append({
            "name": row["name"].replace(" ", "_"),
            "synset": row["wnid"],
            "target_class": k,
            "numOfInstances": images,
            "topOneAcc": row["top1_correct"] / images if images else 0.0,
            "accs": _accs(row["prob_hist"]),
            "embed": embed_map.get(k, {}),
            "topChannels": {layer: top_map.get(k, {}).get(layer, []) for layer in layers},
        })
    return out


def attribution_graphs(
    artifact: Path | str, layers: list[str], class_index: int | None = None
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """``{class_index: ag-json}`` for every class (or one)."""
    for table in ("class_nodes", "class_edges"):
        if not has_table(artifact, table):
            raise ArtifactError(f"artifact {artifact}: table {table!r} is missing; run `summit graphs` first")
    nodes = read_table(artifact, "class_nodes", lazy=True)
    edges = read_table(artifact, "class_edges", lazy=True)
    infl = read_table(artifact, "influences", lazy=True)
    if class_index is not None:
        nodes = nodes.filter(pl.col("class_index") == class_index)
        edges = edges.filter(pl.col("class_index") == class_index)
        infl = infl.filter(pl.col("class_index") == class_index)
    nodes_df = _split_ids(nodes.collect(), "neuron_id", "")
    edges_df = _split_ids(edges.collect(), "src", "src_")
    # strongest incoming influences of every kept neuron (whole influences table)
    attr = (infl.join(nodes.select("class_index", pl.col("neuron_id").alias("dst")), on=["class_index", "dst"],
                      how="semi")
            .sort(["class_index", "dst", "count", "src"], descending=[False, False, True, False])
            .group_by(["class_index", "dst"], maintain_order=True).head(ATTR_CHANNELS).collect())
    attr = _split_ids(attr, "src", "src_")

    def incoming(frame: pl.DataFrame, weight: str) -> dict[tuple[int, str], list[dict[str, int]]]:
        grouped = (frame.sort(["class_index", "dst", weight, "src_channel"], descending=[False, False, True, False])
                   .group_by(["class_index", "dst"], maintain_order=True)
                   .agg(pl.struct(pl.col("src_channel").alias("prev_channel"), pl.col(weight).alias("inf"))
                        .alias("items")))
        return {(r["class_index"], r["dst"]): r["items"] for r in grouped.iter_rows(named=True)}

    prev = incoming(edges_df, "weight")
    top_attr = incoming(attr, "count")
    graphs: dict[int, dict[str, list[dict[str, Any]]]] = {}
    ordered = nodes_df.sort(["class_index", "pagerank", "channel"], descending=[False, True, False])
    for row in ordered.iter_rows(named=True):
        graph = graphs.setdefault(row["class_index"], {layer: [] for layer in layers})
        key = (row["class_index"], row["neuron_id"])
        graph.setdefault(row["layer"], []).append({
            "channel": row["channel"], "layer": row["layer"], "count": row["count"],
            "pagerank": row["pagerank"], "prev_channels": prev.get(key, []), "attr_channels": top_attr.get(key, []),
        })
    return graphs


def _copy_media(artifact: Path, out: Path) -> int:
    copied = 0
    media = artifact / MEDIA_DIR
    if has_table(artifact, "examples"):
        folder = out / "data" / "feature-vis" / "dataset-p"
        folder.mkdir(parents=True, exist_ok=True)
        for row in read_table(artifact, "examples").iter_rows(named=True):
            src = media / row["media"]
            layer, channel = parse_neuron_id(row["neuron_id"])
            if src.is_file():
                shutil.copyfile(src, folder / f"{layer}-{channel}-dataset-p-{row['rank']}.jpg")
                copied += 1
    if has_table(artifact, "featurevis"):
        from PIL import Image

        folder = out / "data" / "feature-vis" / "channel"
        folder.mkdir(parents=True, exist_ok=True)
        fv = read_table(artifact, "featurevis").filter(pl.col("variant") == 0)
        for row in fv.iter_rows(named=True):
            src = media / row["media"]
            layer, channel = parse_neuron_id(row["neuron_id"])
            if src.is_file():
                with Image.open(src) as img:
                    img.convert("RGB").save(folder / f"{layer}-{channel}-channel.jpg", quality=90)
                copied += 1
    return copied


def export_summit(
    artifact: Path | str, out: Path | str, *, class_index: int | None = None, media: bool = True
) -> dict[str, int]:
    """Write the original Summit front end's data files; return counts of what was written."""
    from summit.graphs.validate import validate_graph_tables

    artifact = Path(artifact)
    manifest = read_manifest(artifact)
    validate_graph_tables(artifact, references=False)
    layers = [layer["name"] for layer in manifest.get("layers", [])]
    if not layers:
        layers = read_table(artifact, "neurons").sort("layer_index")["layer"].unique(maintain_order=True).to_list()
    if class_index is not None:
        known = read_table(artifact, "classes")["class_index"].to_list()
        if class_index not in known:
            raise NotFound(f"class {class_index} is not in artifact {artifact}")
    data = Path(out) / "data"
    (data / "ag").mkdir(parents=True, exist_ok=True)
    classes = class_list(artifact, layers)
    if class_index is not None:
        classes = [c for c in classes if c["target_class"] == class_index]
    (data / "imagenet.json").write_text(json.dumps(classes))
    graphs = attribution_graphs(artifact, layers, class_index)
    targets = [c["target_class"] for c in classes]
    for k in targets:
        graph = graphs.get(k, {layer: [] for layer in layers})
        (data / "ag" / f"ag-{k}.json").write_text(json.dumps(graph))
    copied = _copy_media(artifact, Path(out)) if media else 0
    return {"classes": len(classes), "graphs": len(targets), "media": copied}
