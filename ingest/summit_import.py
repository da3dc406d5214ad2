"""``import_summit``: Summit's published InceptionV1 results as a normal artifact.

Reads a summit-data copy (``summit.ingest.summit_source``), checks and converts
its attribution graphs (``summit_graphs``) and class list when present
(``summit_classes``), copies its images into ``media/``, computes what can be
computed from what is there (class similarity and, without ``imagenet.json``,
the embedding, both from the activation counts the files give), and writes
the artifact under the model id ``inceptionv1-summit``.

Unknown is null, never zero: without ``imagenet.json`` the class sizes,
accuracies and probability histograms are null; activation sums, example
source images and scores, and feature-visualisation objectives are never
published and stay null. ``manifest["published"]`` lists what the copy had.

Nothing is written until every file has been read and checked; the artifact
is assembled in a hidden folder next to ``--out`` and renamed into place at
the end, so an error or an interruption leaves no half-written artifact.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from summit.ingest.summit_classes import ClassRows, parse_classes
from summit.ingest.summit_graphs import GraphRows, parse_graph
from summit.ingest.summit_source import SourceFile, SummitSource, check_graph_files, read_source
from threadpoolctl import threadpool_limits

from summit import __version__
from summit.artifact import FORMAT_VERSION, MEDIA_DIR, validate_references, write_manifest, write_table
from summit.errors import BadInput
from summit.graphs.build import embedding_table, similarity_table
from summit.graphs.data import load_graph_inputs
from summit.graphs.groups import group_suggestions
from summit.ids import neuron_id
from summit.imagenet import imagenet_classes
from summit.inception import LUCID_LAYER_NAMES, LUCID_LAYERS
from summit.outliers import default_excluded_channels
from summit.settings import Settings, resolve

log = logging.getLogger(__name__)

MODEL_ID = "inceptionv1-summit"
# Summit's outlier channels, left out of every published graph (attribution-graph.ipynb).
EXCLUDED_CHANNELS = default_excluded_channels("inceptionv1", LUCID_LAYER_NAMES)
LICENCE_FILE = "LICENSE-summit-data.md"
PROB_BINS = 20  # the classes table's histograms: 20 bins over [0, 1]

Progress = Callable[[str], None]


def _classes_frame(rows: ClassRows | None) -> pl.DataFrame:
    wnids, names = imagenet_classes()
    n = len(wnids)
    return pl.DataFrame({
        "class_index": list(range(n)), "wnid": list(wnids), "name": list(names),
        "images": [rows.images[k] for k in range(n)] if rows else [None] * n,
        "top1_correct": [rows.top1_correct[k] for k in range(n)] if rows else [None] * n,
        "prob_hist": [None] * n,
        # Summit's accs are each image's top-1 confidence in percent: the top-1 histogram, not p(class)
        "top1_prob_hist": [_percent_hist(rows.top1_confidence.get(k)) for k in range(n)] if rows else [None] * n,
    }, schema={"class_index": pl.Int32, "wnid": pl.Utf8, "name": pl.Utf8, "images": pl.Int64,
               "top1_correct": pl.Int64, "prob_hist": pl.List(pl.Int64), "top1_prob_hist": pl.List(pl.Int64)})


def _percent_hist(percents: list[float] | None) -> list[int] | None:
    """20 bins over [0, 1] of confidences given in percent (None when none were published)."""
    if not percents:
        return None
    bins = [0] * PROB_BINS
    for value in percents:
        bins[min(max(int(value / 100 * PROB_BINS), 0), PROB_BINS - 1)] += 1
    return bins


def _neurons_frame() -> pl.DataFrame:
    return pl.DataFrame({
        "neuron_id": [neuron_id(layer, c) for layer, n in LUCID_LAYERS for c in range(n)],
        "layer": [layer for layer, n in LUCID_LAYERS for _ in range(n)],
        "layer_index": [i for i, (_, n) in enumerate(LUCID_LAYERS) for _ in range(n)],
        "channel": [c for _, n in LUCID_LAYERS for c in range(n)],
    }, schema={"neuron_id": pl.Utf8, "layer": pl.Utf8, "layer_index": pl.Int32, "channel": pl.Int32})


def _graph_frames(rows: GraphRows) -> dict[str, pl.DataFrame]:
    infl = sorted(rows.influences.items())
    return {
        "class_nodes": pl.DataFrame({"class_index": rows.node_class, "neuron_id": rows.node_id,
                                     "pagerank": rows.node_pagerank, "count": rows.node_count}),
        "class_edges": pl.DataFrame({"class_index": rows.edge_class, "src": rows.edge_src, "dst": rows.edge_dst,
                                     "weight": rows.edge_weight}),
        "attr_channels": pl.DataFrame({"class_index": rows.attr_class, "neuron_id": rows.attr_dst,
                                       "rank": rows.attr_rank, "src_layer": rows.attr_layer,
                                       "src_channel": rows.attr_channel, "inf": rows.attr_inf}),
        "influences": pl.DataFrame({"class_index": [k[0] for k, _ in infl], "src": [k[1] for k, _ in infl],
                                    "dst": [k[2] for k, _ in infl], "count": [v for _, v in infl]},
                                   schema={"class_index": pl.Int32, "src": pl.Utf8, "dst": pl.Utf8,
                                           "count": pl.Int64}),
    }


def _activations_frame(graphs: GraphRows, classes: ClassRows | None) -> pl.DataFrame:
    """A rows: imagenet.json's topChannels when present, else the counts of the graphs' nodes."""
    if classes is not None:
        cls, ids, counts = classes.act_class, classes.act_id, classes.act_count
    else:
        cls, ids, counts = graphs.node_class, graphs.node_id, graphs.node_count
    return (pl.DataFrame({"class_index": cls, "neuron_id": ids, "count": counts},
                         schema={"class_index": pl.Int32, "neuron_id": pl.Utf8, "count": pl.Int64})
            .filter(pl.col("count") > 0)
            .with_columns(pl.lit(None, dtype=pl.Float64).alias("act_sum"))
            .sort("class_index", "neuron_id"))


def _place(files: list[tuple[tuple[str, int, int], SourceFile]], media: Path, name: Callable[[str, int, int], str],
           number: str) -> pl.DataFrame:
    """Check and place each (layer, channel, number) image at ``name(...)``; its table rows."""
    rows: dict[str, list[Any]] = {"neuron_id": [], number: [], "media": []}
    for (layer, channel, n), file in sorted(files, key=lambda item: item[0]):
        rel = name(layer, channel, n)
        file.check_jpeg()
        file.place(media / rel)
        rows["neuron_id"].append(neuron_id(layer, channel))
        rows[number].append(n)
        rows["media"].append(rel)
    return pl.DataFrame(rows, schema={"neuron_id": pl.Utf8, number: pl.Int32, "media": pl.Utf8})


def _write_media(source: SummitSource, out: Path, say: Progress) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Copy the images (checked to be whole JPEGs); return the examples and featurevis tables."""
    media = out / MEDIA_DIR
    for layer in LUCID_LAYER_NAMES:
        (media / "examples" / layer).mkdir(parents=True, exist_ok=True)
        (media / "featurevis" / layer).mkdir(parents=True, exist_ok=True)
    examples = _place(list(source.dataset.items()), media, lambda layer, ch, rank: f"examples/{layer}/{ch}_{rank}.jpg",
                      "rank").with_columns(pl.lit(None, dtype=pl.Utf8).alias("image"),
                                           pl.lit(None, dtype=pl.Float64).alias("score"))
    pictures = [((layer, channel, 0), file) for (layer, channel), file in source.channel.items()]
    pictures += [((layer, channel, n + 1), file) for (layer, channel, n), file in source.diversity.items()]
    featurevis = _place(pictures, media, lambda layer, ch, v: f"featurevis/{layer}/{ch}{f'_{v}' if v else ''}.jpg",
                        "variant").with_columns(pl.lit(None, dtype=pl.Float64).alias("objective"))
    say(f"copied {examples.height} dataset examples and {featurevis.height} feature visualisations")
    return examples, featurevis


def _given_embedding(classes: ClassRows) -> pl.DataFrame:
    ks = sorted(classes.embed)
    return pl.DataFrame({
        "class_index": [k for _ in LUCID_LAYER_NAMES for k in ks],
        "layer": [layer for layer in LUCID_LAYER_NAMES for _ in ks],
        "x": [classes.embed[k][layer][0] for layer in LUCID_LAYER_NAMES for k in ks],
        "y": [classes.embed[k][layer][1] for layer in LUCID_LAYER_NAMES for k in ks],
    }, schema={"class_index": pl.Int32, "layer": pl.Utf8, "x": pl.Float64, "y": pl.Float64})


def _fingerprint(source: SummitSource) -> str:
    digest = hashlib.sha256()
    for k in sorted(source.graphs):
        digest.update(source.graphs[k].read())
    return digest.hexdigest()


def _manifest(source: SummitSource, classes: ClassRows | None, counts: dict[str, int], settings: Settings,
              embedding_from: str, timings: dict[str, float]) -> dict[str, Any]:
    suggested = counts.pop("suggested_groups")  # computed here, not published
    unknown = ["activations.act_sum", "examples.image", "examples.score", "featurevis.objective",
               "classes.prob_hist"]
    if classes is None:
        unknown += ["classes.images", "classes.top1_correct", "classes.top1_prob_hist"]
    return {
        "format_version": FORMAT_VERSION,
        "run_id": MODEL_ID,
        "tool_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "device": None,
        "model": {"name": "inceptionv1", "source": "Lucid InceptionV1 (TF1 GoogLeNet, 'inception5h')",
                  "weights_sha256": None, "num_classes": len(imagenet_classes()[0])},
        "dataset": {"root": "ImageNet ILSVRC2012 train, published by Summit",
                    "images": sum(classes.images.values()) if classes else None,
                    "classes": len(imagenet_classes()[0]), "fingerprint": _fingerprint(source)},
        "layers": [{"name": name, "channels": n} for name, n in LUCID_LAYERS],
        "layer_pairs": [{"src": LUCID_LAYER_NAMES[i - 1], "dst": LUCID_LAYER_NAMES[i], "rule": "published",
                         "hops": []} for i in range(1, len(LUCID_LAYER_NAMES))],
        "method": {"exclude_channels": list(EXCLUDED_CHANNELS), "damping": 0.85,
                   "similar_per_class": settings.similar_per_class, "umap_neighbors": settings.umap_neighbors,
                   "umap_min_dist": settings.umap_min_dist, "group_min_cosine": settings.group_min_cosine,
                   "group_max_size": settings.group_max_size},
        "published": {
            "source": "Summit (Hohman et al., IEEE TVCG 2020): github.com/fredhohman/summit-data",
            "imported_from": source.origin, "licence": "MIT (LICENSE-summit-data.md)",
            "graphs": len(source.graphs), "imagenet_json": classes is not None,
            "activations": "imagenet.json topChannels" if classes is not None else
                           "class graph nodes only (other neurons' counts were not published)",
            "embedding": embedding_from, "unknown": unknown, "ignored_files": source.ignored,
            "attr_channels_into_bottlenecks": counts.pop("attr_bottleneck"), **counts,
        },
        "graphs": {"graph_method": "summit", "graph_rules_changed": {},  # Summit's own per-layer rules
                   "classes": len(source.graphs), "class_nodes": counts["class_nodes"],
                   "class_edges": counts["class_edges"], "embedding_method": embedding_from,
                   "suggested_groups": suggested},
        "timings": timings,
    }


def _publish(tmp: Path, out: Path, force: bool) -> None:
    """Move the finished artifact into place (replacing an old one only with ``force``)."""
    if out.exists():
        if not force:
            raise BadInput(f"{out} already exists; pass --force to replace it")
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out)


def import_summit(
    src: Path | str, out: Path | str, *, force: bool = False, settings: Settings | None = None,
    progress: Progress | None = None, embedding: str = "umap",
) -> dict[str, Any]:
    """Import a summit-data copy into the artifact ``out``; return its manifest.

    ``embedding``: how to lay out the classes when the copy has no imagenet.json:
    ``umap`` (as Summit and ``summit graphs`` do) or ``pca`` (a quick deterministic layout).
    """
    if embedding not in ("umap", "pca"):
        raise BadInput(f"embedding must be 'umap' or 'pca', not {embedding!r}")
    settings = settings or resolve()
    say = progress or (lambda msg: log.info("%s", msg))
    out = Path(out).absolute()
    if out.exists() and not force:
        raise BadInput(f"{out} already exists; pass --force to replace it")
    t0 = time.perf_counter()
    source = read_source(src)
    wnids, _ = imagenet_classes()
    check_graph_files(source, len(wnids))
    t_read = time.perf_counter()
    graphs = GraphRows()
    for k in range(len(wnids)):
        parse_graph(k, source.graphs[k].read(), graphs)
    classes = parse_classes(source.imagenet.read(), wnids) if source.imagenet else None
    frames = _graph_frames(graphs)
    t_parse = time.perf_counter()
    say(f"{len(source.graphs)} class graphs: {len(graphs.node_id)} nodes, {len(graphs.edge_src)} edges")

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.importing-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        write_table(tmp, "classes", _classes_frame(classes))
        write_table(tmp, "neurons", _neurons_frame())
        write_table(tmp, "activations", _activations_frame(graphs, classes))
        for table, frame in frames.items():
            write_table(tmp, table, frame)
        examples, featurevis = _write_media(source, tmp, say)
        write_table(tmp, "examples", examples)
        write_table(tmp, "featurevis", featurevis)
        if source.licence is not None:
            (tmp / LICENCE_FILE).write_bytes(source.licence.read())
        t_media = time.perf_counter()
        validate_references(tmp)
        inputs = load_graph_inputs(tmp)
        # 1,000-row matrices gain nothing from BLAS threads, and on a busy machine they spin
        # (measured: PCA layout 3 s with one thread, 28 s with two at load 10 on 2 cores)
        with threadpool_limits(limits=1, user_api="blas"):
            # suggested groups from the published graphs, as `summit graphs` makes them for ours
            groups = group_suggestions(_neurons_frame(), frames["class_edges"], min_cosine=settings.group_min_cosine,
                                       max_size=settings.group_max_size)
            write_table(tmp, "group_suggestions", groups)
            t_groups = time.perf_counter()
            write_table(tmp, "similarity", similarity_table(inputs, settings.similar_per_class))
            t_sim = time.perf_counter()
            if classes is not None and classes.embed:
                write_table(tmp, "embedding", _given_embedding(classes))
                embedding_from = "imagenet.json (Summit's UMAP)"
            else:
                write_table(tmp, "embedding", embedding_table(inputs, settings, pca=embedding == "pca"))
                embedding_from = f"{embedding} of the published activation counts"
        t_emb = time.perf_counter()
        counts = {name: frame.height for name, frame in frames.items()}
        counts.update(examples=examples.height, featurevis=featurevis.height,
                      suggested_groups=groups["group"].n_unique(),
                      attr_bottleneck=len(graphs.attr_layer) - sum(
                          1 for layer in graphs.attr_layer if layer in LUCID_LAYER_NAMES))
        timings = {"import_read_s": round(t_read - t0, 3), "import_parse_s": round(t_parse - t_read, 3),
                   "import_write_s": round(t_media - t_parse, 3), "groups_s": round(t_groups - t_media, 3),
                   "similarity_s": round(t_sim - t_groups, 3),
                   "embedding_s": round(t_emb - t_sim, 3), "import_total_s": round(t_emb - t0, 3)}
        manifest = _manifest(source, classes, counts, settings, embedding_from, timings)
        write_manifest(tmp, manifest)
        _publish(tmp, out, force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    say(f"wrote {out} (model {MODEL_ID!r}) in {time.perf_counter() - t0:.1f} s")
    return manifest
