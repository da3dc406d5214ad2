"""``build_graphs``: attribution graphs, similarity and embedding of an artifact.

Reads ``classes``, ``neurons``, ``activations`` and ``influences`` (validated
on read), then writes ``class_nodes``, ``class_edges`` (METHOD.md 4),
``group_suggestions`` (``summit.graphs.groups``), ``similarity`` and
``embedding`` (METHOD.md 5), and records the settings used
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

from summit.artifact import read_manifest, read_table, table_path, update_manifest, write_table
from summit.errors import ArtifactError, BadInput
from summit.graphs.data import GraphInputs, load_graph_inputs
from summit.graphs.embedding import embed_layers
from summit.graphs.groups import group_suggestions
from summit.graphs.pagerank import layer_personalization, personalized_pagerank
from summit.graphs.selection import GraphRules, select_all
from summit.graphs.similarity import ALL_LAYERS, cosine_matrix, top_similar
from summit.settings import Settings, resolve

log = logging.getLogger(__name__)


def graph_rules(settings: Settings) -> GraphRules:
    """The selection rules of the settings' graph profile (with any single rule changed)."""
    return GraphRules(cut=settings.graph_cut, threshold=settings.graph_threshold, relax=settings.graph_relax,
                      prune=settings.graph_prune, mass=settings.graph_mass, step=settings.graph_mass_step)


def excluded_positions(inputs: GraphInputs, excluded: list[str]) -> np.ndarray:
    """Node positions of the excluded channels that are neurons of the artifact."""
    where = {nid: k for k, nid in enumerate(inputs.neuron_ids)}
    return np.array(sorted(where[nid] for nid in excluded if nid in where), dtype=np.int64)


def graph_tables(
    inputs: GraphInputs, settings: Settings, *, personalization: np.ndarray | None = None,
    excluded: np.ndarray | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """Every class's attribution graph (METHOD.md 4) under the settings' graph rules: G, PageRank, the
    cut, the relaxation and the graph written.

    The node counts are the classes' own counts at the profile's mass (``inputs.graph_counts`` for
    ``graph_counts graph`` when present, else ``inputs.counts``). ``personalization``: (C, N)
    counts that personalise PageRank instead (one image's graph may use its class's);
    ``excluded``: node positions removed from G after it is built.
    """
    t0 = time.perf_counter()
    excluded = np.zeros(0, dtype=np.int64) if excluded is None else excluded
    counts = (inputs.graph_counts if settings.graph_counts == "graph" and inputs.graph_counts is not None
              else inputs.counts).copy()
    counts[:, excluded] = 0
    pers_counts = counts if personalization is None else np.asarray(personalization, dtype=np.float64).copy()
    pers_counts[:, excluded] = 0
    n_classes, n_nodes = counts.shape
    # G: the class's influence rows with the excluded channels removed (Summit removes them after
    # building G, so they shape nothing else)
    dropped = np.zeros(n_nodes, dtype=bool)
    dropped[excluded] = True
    rows = np.flatnonzero(~(dropped[inputs.edge_src] | dropped[inputs.edge_dst]))
    e_cls, e_src, e_dst = inputs.edge_class[rows], inputs.edge_src[rows], inputs.edge_dst[rows]
    if settings.graph_nodes == "influence":
        # G's nodes come from the class's rows before the excluded channels are removed: a neuron
        # whose only edges went to an excluded one stays in G, isolated (networkx remove_node)
        members = np.zeros((n_classes, n_nodes), dtype=bool)
        members[inputs.edge_class, inputs.edge_src] = True
        members[inputs.edge_class, inputs.edge_dst] = True
        members[:, excluded] = False
    else:
        members = np.broadcast_to(~dropped, (n_classes, n_nodes)).copy()
    pers = layer_personalization(pers_counts, inputs.layer_offsets)
    result = personalized_pagerank(
        n_nodes, e_cls, e_src, e_dst, inputs.edge_weight[rows], pers, damping=settings.damping,
        max_iter=settings.pagerank_iterations, nodes=members,
    )
    t1 = time.perf_counter()
    sel = select_all(result.scores, inputs.layer_offsets, e_cls, e_src, e_dst, graph_rules(settings), members)
    t2 = time.perf_counter()
    ids = pl.Series("ids", inputs.neuron_ids, dtype=pl.Utf8)
    nodes = pl.DataFrame({
        "class_index": inputs.class_index[sel.node_class].astype(np.int32),
        "neuron_id": ids.gather(sel.node),
        "pagerank": result.scores[sel.node_class, sel.node],
        "count": counts[sel.node_class, sel.node],
    })
    kept = rows[sel.edge_rows]
    edges = pl.DataFrame({
        "class_index": inputs.class_index[inputs.edge_class[kept]].astype(np.int32),
        "src": ids.gather(inputs.edge_src[kept]),
        "dst": ids.gather(inputs.edge_dst[kept]),
        "weight": inputs.edge_weight[kept],
    })
    stats = {
        "pagerank_s": round(t1 - t0, 3), "selection_s": round(t2 - t1, 3),
        "pagerank_max_iterations": int(result.iterations.max(initial=0)),
        "unconverged_classes": [int(inputs.class_index[c]) for c in result.unconverged],
        "graph_nodes_mean": round(float(members.sum(axis=1).mean()) if n_classes else 0.0, 1),
        "relaxed_classes": sel.relaxed, "relaxation_rounds": sel.rounds,
        "relaxation_rounds_max": sel.rounds_max, "invalid_layers": sel.invalid,
        "nodes_per_class": round(nodes.height / n_classes, 2) if n_classes else 0.0,
        "edges_per_class": round(edges.height / n_classes, 2) if n_classes else 0.0,
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


def _retire_faithfulness(artifact: Path | str, manifest: dict[str, Any]) -> dict[str, Any]:
    """New graphs make the faithfulness rows stale: drop the table, keep the old summary in the
    manifest's ``faithfulness_history`` (one entry per measurement, with its graph method)."""
    table_path(artifact, "faithfulness").unlink(missing_ok=True)
    old = manifest.get("faithfulness")
    if not isinstance(old, dict):
        return {}
    history = [h for h in manifest.get("faithfulness_history") or [] if isinstance(h, dict)]
    return {"faithfulness": None, "faithfulness_history": [*history, old]}


def build_graphs(
    artifact: Path | str, settings: Settings | None = None, *, embedding: bool = True
) -> dict[str, Any]:
    """Compute and write ``class_nodes``, ``class_edges``, ``similarity`` (and ``embedding``).

    The graph rules are the settings' ``graph_method`` profile; the channels the manifest lists
    under ``method.exclude_channels`` are left out of every graph. Returns a summary (row
    counts and timings), also stored in the manifest under ``graphs``.
    """
    settings = settings or resolve()
    manifest = read_manifest(artifact)
    if manifest.get("published"):
        raise BadInput(
            f"artifact {artifact} holds published attribution graphs (imported by `summit import-summit`); "
            "they are kept as published, not rebuilt from the partial counts that came with them")
    method_section = manifest.get("method") if isinstance(manifest.get("method"), dict) else {}
    excluded = [str(x) for x in (method_section or {}).get("exclude_channels") or ()]
    previous = manifest.get("graphs") if isinstance(manifest.get("graphs"), dict) else {}
    started = time.perf_counter()
    cpu_started = time.process_time()
    inputs = load_graph_inputs(artifact)
    t_load = time.perf_counter()
    if settings.graph_counts == "graph" and inputs.graph_counts is None:
        raise ArtifactError("this artifact has no activation counts at graph_activation_mass (ingested before "
                            "they were recorded): re-ingest it, or use a profile with graph_counts activation "
                            "(--graph-method summit)")
    nodes, edges, stats = graph_tables(inputs, settings, excluded=excluded_positions(inputs, excluded))
    write_table(artifact, "class_nodes", nodes)
    write_table(artifact, "class_edges", edges)
    t_graphs = time.perf_counter()
    cpu_graphs = time.process_time() - cpu_started
    groups = group_suggestions(read_table(artifact, "neurons"), edges, min_cosine=settings.group_min_cosine,
                               max_size=settings.group_max_size)
    write_table(artifact, "group_suggestions", groups)
    t_groups = time.perf_counter()
    write_table(artifact, "similarity", similarity_table(inputs, settings.similar_per_class))
    t_sim = time.perf_counter()
    if embedding:
        write_table(artifact, "embedding", embedding_table(inputs, settings))
    t_emb = time.perf_counter()
    mass_key = "graph_activation_mass" if settings.graph_counts == "graph" else "activation_mass"
    used = {  # the method settings this step used, recorded in the manifest
        "graph_method": settings.graph_method, **settings.graph_rules(),
        "damping": settings.damping, "pagerank_iterations": settings.pagerank_iterations,
        "umap_neighbors": settings.umap_neighbors, "umap_min_dist": settings.umap_min_dist,
        "similar_per_class": settings.similar_per_class,
        "group_min_cosine": settings.group_min_cosine, "group_max_size": settings.group_max_size,
    }
    summary = {
        **used, "seed": settings.seed, "graph_rules_changed": settings.graph_rules_changed(),
        "counts_mass": (method_section or {}).get(mass_key), "excluded_channels": excluded,
        "classes": int(inputs.class_index.size), "influence_rows": int(inputs.edge_class.size),
        "class_nodes": nodes.height, "class_edges": edges.height,
        "suggested_groups": int(groups["group"].n_unique()),
        "embedding_method": ("umap" if inputs.class_index.size >= settings.umap_neighbors + 2 else "pca")
        if embedding else (previous or {}).get("embedding_method"),
        "embedding_rebuilt": embedding,
        **{k: v for k, v in stats.items() if not k.endswith("_s")},
    }
    timings = dict(manifest.get("timings") or {})
    timings.update({
        "graphs_load_s": round(t_load - started, 3), "graphs_pagerank_s": stats["pagerank_s"],
        "graphs_selection_s": stats["selection_s"], "graphs_total_s": round(t_graphs - started, 3),
        "graphs_cpu_s": round(cpu_graphs, 3),
        "groups_s": round(t_groups - t_graphs, 3), "similarity_s": round(t_sim - t_groups, 3),
    })
    if embedding:
        timings["embedding_s"] = round(t_emb - t_sim, 3)
    method = {**(manifest.get("method") or {}), **used}
    update_manifest(artifact, graphs=summary, timings=timings, method=method,
                    **_retire_faithfulness(artifact, manifest))
    log.info("graphs (%s): %d classes, %d nodes, %d edges in %.2f s", settings.graph_method, summary["classes"],
             nodes.height, edges.height, t_emb - started)
    return {**summary, "timings": timings}
