"""Export in the layout the ORIGINAL Summit front end (fredhohman/summit) reads.

Written under ``DIR/data/`` (the front end fetches ``dataURL + 'data/...'``),
field for field as Summit's generator (summit-notebooks:
activation-matrices-to-json, attribution-graph) writes them, because that is
what the front end (``js/class-sidebar.js``, ``js/attribution-graph.js``) reads.

``data/imagenet.json`` - the class list, one object per class::

    {"name": "white_wolf",            # classes.name, lower case, spaces -> "_" (the UI shows "_" as spaces
                                      # and opens on the class named 'white_wolf')
     "synset": "n02114548",           # classes.wnid
     "target_class": 270,             # classes.class_index (names the ag-<k>.json file)
     "numOfInstances": 1300,          # classes.images (null: not published)
     "topOneAcc": 0.83,               # classes.top1_correct / classes.images (null: not published)
     "topOneAccCount": 1079,          # classes.top1_correct
     "accs": ["97.5", ...],           # one percent string per image of its top-1 confidence (Summit's
                                      # "argmaxVal"); we keep a 20-bin histogram (classes.top1_prob_hist,
                                      # or prob_hist where it was not recorded), so each image is its
                                      # bin's centre; [] if unknown
     "embed": {"mixed3a": {"x": .., "y": ..}, ...},        # embedding table, every layer
     "topChannels": {"mixed3a": [{"c": 17, "i": 912}, ...], ...}}
                                      # activations with count > 0, count descending: channel c, count i
                                      # (the UI's class similarity is computed from these)

``data/ag/ag-<target_class>.json`` - one attribution graph per class::

    {"mixed5b": [                      # one list per layer: that layer's kept neurons
        {"channel": 409, "layer": "mixed5b",
         "count": 311,                 # class_nodes.count (A)
         "pagerank": 0.0123,           # class_nodes.pagerank
         "prev_channels": [{"prev_channel": 12, "inf": 87}, ...],
                                       # class_edges into this neuron from kept neurons of the layer
                                       # below, weight descending ("inf" = class_edges.weight)
         "attr_channels": [{"prev_channel": "3", "inf": 120}, ...]},
                                       # its 3 strongest incoming influences: the attr_channels table when
                                       # the artifact has one (published graphs, verbatim), else the top 3
                                       # of the whole influences table (kept or not), weight descending
        ...], ...}
    Neurons within a layer are ordered by PageRank, descending; the first layer
    has empty ``prev_channels`` and ``attr_channels``.

Layer names: the front end knows only Lucid's InceptionV1 names (mixed3a ...
mixed5b) and sizes its class vectors by their channel counts. A GoogLeNet
artifact (torchvision's names, inception3a ...) is written under Lucid's names
(``manifest["lucid_layers"]``, else ``summit.inception``), and ``topChannels``
leaves out channels beyond Lucid's count (torchvision's mixed4a has 512, Lucid's
508). ``data/summit-export.json`` records the mapping and what was left out.
Other artifacts are written under their own layer names (the files are valid;
that front end draws only InceptionV1).

Images: ``summit.export.summit_media`` (every image the front end asks for).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from summit.artifact import has_table, read_manifest, read_table
from summit.errors import ArtifactError, NotFound
from summit.export.summit_media import export_media
from summit.inception import LUCID_CHANNELS, lucid_names

ATTR_CHANNELS = 3
HIST_BINS = 20


def _accs(hist: list[int] | None) -> list[str]:
    if hist is None:
        return []
    centres = (np.arange(HIST_BINS) + 0.5) * 100 / HIST_BINS
    return [f"{c:.1f}" for c, n in zip(centres, hist, strict=False) for _ in range(int(n))]


def _split_ids(frame: pl.DataFrame, column: str, prefix: str) -> pl.DataFrame:
    """Add ``<prefix>layer`` and ``<prefix>channel`` columns parsed from neuron ids (vectorised)."""
    return frame.with_columns(
        pl.col(column).str.replace(r":\d+$", "").alias(f"{prefix}layer"),
        pl.col(column).str.extract(r":(\d+)$", 1).cast(pl.Int64).alias(f"{prefix}channel"),
    )


def front_end_layers(manifest: dict[str, Any], layers: list[str]) -> dict[str, str]:
    """``{artifact layer: layer name in the export}`` (Lucid's names for InceptionV1 artifacts)."""
    recorded = manifest.get("lucid_layers")
    if isinstance(recorded, dict) and set(recorded) == set(layers):
        return {str(k): str(v) for k, v in recorded.items()}
    return lucid_names(layers) or {name: name for name in layers}


def class_list(artifact: Path | str, names: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The imagenet.json entries, and per exported layer how many topChannels entries were left out."""
    classes = read_table(artifact, "classes").sort("class_index")
    acts = _split_ids(read_table(artifact, "activations").filter(pl.col("count") > 0), "neuron_id", "")
    acts = acts.with_columns(pl.col("layer").replace_strict(names, default=None).alias("layer"))
    limits = pl.DataFrame({"layer": list(LUCID_CHANNELS), "limit": list(LUCID_CHANNELS.values())},
                          schema={"layer": pl.Utf8, "limit": pl.Int64})
    acts = acts.join(limits, on="layer", how="left")
    beyond = acts.filter(pl.col("channel") >= pl.col("limit"))
    dropped = {str(r["layer"]): int(r["len"]) for r in beyond.group_by("layer").len().iter_rows(named=True)}
    acts = acts.filter(pl.col("limit").is_null() | (pl.col("channel") < pl.col("limit")))
    top = (acts.sort(["class_index", "layer", "count", "channel"], descending=[False, False, True, False])
           .group_by(["class_index", "layer"], maintain_order=True)
           .agg(pl.struct(pl.col("channel").alias("c"), pl.col("count").alias("i")).alias("top")))
    top_map: dict[int, dict[str, list[dict[str, int]]]] = {}
    for row in top.iter_rows(named=True):
        top_map.setdefault(row["class_index"], {})[row["layer"]] = row["top"]
    if not has_table(artifact, "embedding"):
        raise ArtifactError(f"artifact {artifact}: no embedding table (the Summit front end needs one per layer); "
                            "run `summit graphs` first")
    embed_map: dict[int, dict[str, dict[str, float]]] = {}
    for row in read_table(artifact, "embedding").iter_rows(named=True):
        if row["layer"] in names:
            embed_map.setdefault(row["class_index"], {})[names[row["layer"]]] = {"x": row["x"], "y": row["y"]}
    out = []
    for row in classes.iter_rows(named=True):
        k, images, correct = row["class_index"], row["images"], row["top1_correct"]
        embed = embed_map.get(k, {})
        missing = [layer for layer in names.values() if layer not in embed]
        if missing:
            raise ArtifactError(f"artifact {artifact}: class {k} has no embedding point in layer {missing[0]!r}")
        out.append({
            "name": row["name"].lower().replace(" ", "_"),
            "synset": row["wnid"],
            "target_class": k,
            "numOfInstances": images,
            "topOneAcc": correct / images if images and correct is not None else None,
            "topOneAccCount": correct,
            "accs": _accs(row["top1_prob_hist"] or row["prob_hist"]),
            "embed": {layer: embed[layer] for layer in names.values()},
            "topChannels": {layer: top_map.get(k, {}).get(layer, []) for layer in names.values()},
        })
    return out, dropped


def _top_influences(artifact: Path | str, nodes: pl.LazyFrame, class_index: int | None) -> pl.DataFrame:
    """class_index, dst, src_channel (as a string), inf: the strongest inputs of every kept neuron."""
    if has_table(artifact, "attr_channels"):
        attr = read_table(artifact, "attr_channels", lazy=True)
        if class_index is not None:
            attr = attr.filter(pl.col("class_index") == class_index)
        return (attr.sort("class_index", "neuron_id", "rank")
                .select("class_index", pl.col("neuron_id").alias("dst"),
                        pl.col("src_channel").cast(pl.Utf8).alias("prev_channel"), "inf").collect())
    infl = read_table(artifact, "influences", lazy=True)
    if class_index is not None:
        infl = infl.filter(pl.col("class_index") == class_index)
    top = (infl.join(nodes.select("class_index", pl.col("neuron_id").alias("dst")), on=["class_index", "dst"],
                     how="semi")
           .sort(["class_index", "dst", "count", "src"], descending=[False, False, True, False])
           .group_by(["class_index", "dst"], maintain_order=True).head(ATTR_CHANNELS).collect())
    return (_split_ids(top, "src", "src_")
            .select("class_index", "dst", pl.col("src_channel").cast(pl.Utf8).alias("prev_channel"),
                    pl.col("count").alias("inf")))


def attribution_graphs(
    artifact: Path | str, names: dict[str, str], class_index: int | None = None
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """``{class_index: ag-json}`` for every class (or one), under the exported layer names."""
    for table in ("class_nodes", "class_edges"):
        if not has_table(artifact, table):
            raise ArtifactError(f"artifact {artifact}: table {table!r} is missing; run `summit graphs` first")
    nodes = read_table(artifact, "class_nodes", lazy=True)
    edges = read_table(artifact, "class_edges", lazy=True)
    if class_index is not None:
        nodes = nodes.filter(pl.col("class_index") == class_index)
        edges = edges.filter(pl.col("class_index") == class_index)
    nodes_df = _split_ids(nodes.collect(), "neuron_id", "")
    edges_df = _split_ids(edges.collect(), "src", "src_")
    prev: dict[tuple[int, str], list[dict[str, Any]]] = {}
    grouped = (edges_df.sort(["class_index", "dst", "weight", "src_channel"], descending=[False, False, True, False])
               .group_by(["class_index", "dst"], maintain_order=True)
               .agg(pl.struct(pl.col("src_channel").alias("prev_channel"), pl.col("weight").alias("inf"))
                    .alias("items")))
    for r in grouped.iter_rows(named=True):
        prev[(r["class_index"], r["dst"])] = r["items"]
    attr: dict[tuple[int, str], list[dict[str, Any]]] = {}
    grouped = (_top_influences(artifact, nodes, class_index)
               .group_by(["class_index", "dst"], maintain_order=True)
               .agg(pl.struct("prev_channel", "inf").alias("items")))
    for r in grouped.iter_rows(named=True):
        attr[(r["class_index"], r["dst"])] = r["items"]
    graphs: dict[int, dict[str, list[dict[str, Any]]]] = {}
    ordered = nodes_df.sort(["class_index", "pagerank", "channel"], descending=[False, True, False])
    for row in ordered.iter_rows(named=True):
        graph = graphs.setdefault(row["class_index"], {layer: [] for layer in reversed(names.values())})
        key = (row["class_index"], row["neuron_id"])
        layer = names[row["layer"]]
        graph[layer].append({
            "channel": row["channel"], "layer": layer, "count": row["count"], "pagerank": row["pagerank"],
            "prev_channels": prev.get(key, []), "attr_channels": attr.get(key, []),
        })
    return graphs


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
    names = front_end_layers(manifest, layers)
    if class_index is not None:
        known = read_table(artifact, "classes")["class_index"].to_list()
        if class_index not in known:
            raise NotFound(f"class {class_index} is not in artifact {artifact}")
    data = Path(out) / "data"
    (data / "ag").mkdir(parents=True, exist_ok=True)
    classes, dropped = class_list(artifact, names)
    if class_index is not None:
        classes = [c for c in classes if c["target_class"] == class_index]
    (data / "imagenet.json").write_text(json.dumps(classes, separators=(",", ":")))
    graphs = attribution_graphs(artifact, names, class_index)
    targets = [c["target_class"] for c in classes]
    shown: set[str] = set()
    for k in targets:
        graph = graphs.get(k, {layer: [] for layer in reversed(names.values())})
        (data / "ag" / f"ag-{k}.json").write_text(json.dumps(graph, separators=(",", ":")))
        shown.update(f"{n['layer']}:{n['channel']}" for entries in graph.values() for n in entries)
    pictures = export_media(artifact, Path(out), names, shown) if media else {"files": 0, "placeholders": 0}
    note = {"model": manifest.get("run_id"), "layers": names, "top_channels_left_out": dropped,
            "images": pictures}
    (data / "summit-export.json").write_text(json.dumps(note, indent=2, sort_keys=True))
    return {"classes": len(classes), "graphs": len(targets), "media": pictures["files"],
            "placeholders": pictures["placeholders"]}
