"""``build_graphs``: attribution graphs, similarity and embedding of an artifact.

Reads ``classes``, ``neurons``, ``activations`` and ``influences`` (validated
on read), then writes ``class_nodes``, ``class_edges`` (METHOD.md 4),
``similarity`` and ``embedding`` (METHOD.md 5), and records the settings used
and the time of each step under ``manifest["graphs"]`` and
``manifest["timings"]``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from summit.artifact import read_manifest, update_manifest, write_table
from summit.errors import BadInput
from summit.graphs.data import GraphInputs, load_graph_inputs
from summit.graphs.embedding import embed_layers
from summit.graphs.pagerank import layer_personalization, personalized_pagerank
from summit.graphs.selection import select_all
from summit.graphs.similarity import ALL_LAYERS, cosine_matrix, top_similar
from summit.settings import Settings, resolve

log = logging.getLogger(__name__)


def graph_tables(
    inputs: GraphInputs, settings: Settings, *, personalization: np.ndarray | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """Every class's attribution graph (METHOD.md 4): PageRank, then the cut.

    ``personalization``: the (C, N) counts that personalise PageRank (default: the
    classes' own ``inputs.counts``; one image's graph may use its class's instead).
    """
    t0 = time.perf_counter()
    pers = layer_personalization(inputs.counts if personalization is None else personalization,
                                 inputs.layer_offsets)
    result = personalized_pagerank(
        len(inputs.neuron_ids), inputs.edge_class, inputs.edge_src, inputs.edge_dst, inputs.edge_weight,
        pers, damping=settings.damping, max_iter=settings.pagerank_iterations,
    )
    t1 = time.perf_counter()
    sel = select_all(result.scores, inputs.layer_offsets, inputs.edge_class, inputs.edge_src,
                     inputs.edge_dst, mass=settings.graph_mass, step=settings.graph_mass_step)
    t2 = time.perf_counter()
    ids = pl.Series("ids", inputs.neuron_ids, dtype=pl.Utf8)
    nodes = pl.DataFrame({
        "class_index": inputs.class_index[sel.node_class].astype(np.int32),
        "neuron_id": ids.gather(sel.node),
        "pagerank": result.scores[sel.node_class, sel.node],
        "count": inputs.counts[sel.node_class, sel.node],
    })
    rows = sel.edge_rows
    edges = pl.DataFrame({
        "class_index": inputs.class_index[inputs.edge_class[rows]].astype(np.int32),
        "src": ids.gather(inputs.edge_src[rows]),
        "dst": ids.gather(inputs.edge_dst[rows]),
        "weight": inputs.edge_weight[rows],
    })
    stats = {
        "pagerank_s": round(t1 - t0, 3), "selection_s": round(t2 - t1, 3),
        "pagerank_max_iterations": int(result.iterations.max(initial=0)),
        "unconverged_classes": [int(inputs.class_index[c]) for c in result.unconverged],
        "relaxed_layers": sel.relaxed,
    }
    return nodes, edges, stats


def _layer_rows(inputs: GraphInputs) -> list[np.ndarray]:
    return [inputs.counts[:, lo:hi] for lo, hi in zip(inputs.layer_offsets[:-1], inputs.layer_offsets[1:],
                                                       strict=True)]


def similarity_table(inputs: GraphInputs, k: int) -> pl.DataFrame:
    frames = []
    named = [*zip(inputs.layers, _layer_rows(inputs), strict=True), (ALL_LAYERS, inputs.counts)]
    for layer, rows in named:
        cls, other, cos = top_similar(cosine_matrix(rows), k)
        frames.append(pl.DataFrame({
            "class_index": inputs.class_index[cls].astype(np.int32),
            "other_index": inputs.class_index[other].astype(np.int32),
            "layer": [layer] * cls.size, "cosine": cos.astype(np.float64),
        }, schema_overrides={"layer": pl.Utf8}))
    return pl.concat(frames)


def embedding_table(inputs: GraphInputs, settings: Settings, *, pca: bool = False) -> pl.DataFrame:
    layouts = embed_layers(_layer_rows(inputs), neighbors=settings.umap_neighbors,
                           min_dist=settings.umap_min_dist, seed=settings.seed, pca=pca)
    n = inputs.class_index.size
    return pl.DataFrame({
        "class_index": np.tile(inputs.class_index, len(layouts)).astype(np.int32),
        "layer": [layer for layer in inputs.layers for _ in range(n)],
        "x": np.concatenate([xy[:, 0] for xy in layouts]) if layouts else np.zeros(0),
        "y": np.concatenate([xy[:, 1] for xy in layouts]) if layouts else np.zeros(0),
    }, schema_overrides={"layer": pl.Utf8})


def build_graphs(
    artifact: Path | str, settings: Settings | None = None, *, embedding: bool = True
) -> dict[str, Any]:
    """Compute and write ``class_nodes``, ``class_edges``, ``similarity`` (and ``embedding``).

    Returns a summary (row counts and timings), also stored in the manifest.
    """
    settings = settings or resolve()
    manifest = read_manifest(artifact)
    if manifest.get("published"):
        raise BadInput(
            f"artifact {artifact} holds published attribution graphs (imported by `summit import-summit`); "
            "they are kept as published, not rebuilt from the partial counts that came with them")
    started = time.perf_counter()
    cpu_started = time.process_time()
    inputs = load_graph_inputs(artifact)
    t_load = time.perf_counter()
    nodes, edges, stats = graph_tables(inputs, settings)
    write_table(artifact, "class_nodes", nodes)
    write_table(artifact, "class_edges", edges)
    t_graphs = time.perf_counter()
    cpu_graphs = time.process_time() - cpu_started
    write_table(artifact, "similarity", similarity_table(inputs, settings.similar_per_class))
    t_sim = time.perf_counter()
    if embedding:
        write_table(artifact, "embedding", embedding_table(inputs, settings))
    t_emb = time.perf_counter()
    used = {  # the method settings this step used, recorded in the manifest
        "damping": settings.damping, "pagerank_iterations": settings.pagerank_iterations,
        "graph_mass": settings.graph_mass, "graph_mass_step": settings.graph_mass_step,
        "umap_neighbors": settings.umap_neighbors, "umap_min_dist": settings.umap_min_dist,
        "similar_per_class": settings.similar_per_class,
    }
    summary = {
        **used, "seed": settings.seed,
        "classes": int(inputs.class_index.size), "influence_rows": int(inputs.edge_class.size),
        "class_nodes": nodes.height, "class_edges": edges.height,
        "embedding_method": ("umap" if inputs.class_index.size >= settings.umap_neighbors + 2 else "pca")
        if embedding else None,
        **{k: v for k, v in stats.items() if not k.endswith("_s")},
    }
    timings = dict(manifest.get("timings") or {})
    timings.update({
        "graphs_load_s": round(t_load - started, 3), "graphs_pagerank_s": stats["pagerank_s"],
        "graphs_selection_s": stats["selection_s"], "graphs_total_s": round(t_graphs - started, 3),
        "graphs_cpu_s": round(cpu_graphs, 3),
        "similarity_s": round(t_sim - t_graphs, 3),
    })
    if embedding:
        timings["embedding_s"] = round(t_emb - t_sim, 3)
    method = {**(manifest.get("method") or {}), **used}
    update_manifest(artifact, graphs=summary, timings=timings, method=method)
    log.info("graphs: %d classes, %d nodes, %d edges in %.2f s", summary["classes"], nodes.height,
             edges.height, t_emb - started)
    return {**summary, "timings": timings}
