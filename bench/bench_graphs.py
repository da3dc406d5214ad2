"""Benchmark: attribution graphs for 1,000 classes at InceptionV1 x ImageNet scale.

    .venv/bin/python bench/bench_graphs.py [--cache DIR] [--rows 20000000] [--nx-classes 3]

1. Writes (or reuses, from the cache dir) the full-scale synthetic artifact:
   9 layers / 5,484 neurons (InceptionV1's channel counts), 1,000 classes,
   >= 20 M influence rows, heavy-tailed counts. Generation runs in a child
   process so the peak memory below is that of the graph step alone.
2. Runs ``build_graphs`` (PageRank for all classes, selection, edges,
   similarity) and, separately, the UMAP embedding; prints each time.
3. Times networkx's ``pagerank`` (Summit's way) on a few classes of the same
   artifact, with the same graph and personalisation, and prints the measured
   ratio (networkx per class x 1,000 / ours for all) next to the ratio against
   Summit's reported ~30 s per class (about 8 hours for 1,000 classes).
4. Prints peak resident memory (``ru_maxrss``) of this process.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SUMMIT_SECONDS_PER_CLASS = 30.0


def ensure_artifact(path: Path, rows: int, classes: int, seed: int) -> None:
    manifest = path / "manifest.json"
    if manifest.exists():
        data = json.loads(manifest.read_text())
        synth = data.get("synthetic", {})
        from summit.synth import SYNTH_VERSION

        if (synth.get("version") == SYNTH_VERSION and synth.get("seed") == seed and data["dataset"]["classes"] == classes
                and synth.get("influence_rows", 0) >= rows * 0.99 and (path / "influences.parquet").exists()):
            print(f"reusing {path} ({synth['influence_rows']:,} influence rows)")
            return
    print(f"writing synthetic artifact to {path} ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "summit.cli", "synth", str(path), "--classes", str(classes),
         "--channels", "inception", "--influence-rows", str(rows), "--seed", str(seed), "--no-graphs",
         "--images-per-class", "1300"],
        check=True, cwd=REPO,
    )
    print(f"  synth: {time.perf_counter() - started:.1f} s")


def networkx_seconds_per_class(path: Path, classes: list[int]) -> float:
    import networkx as nx

    from summit.graphs.data import load_graph_inputs
    from summit.graphs.pagerank import layer_personalization

    inputs = load_graph_inputs(path)
    pers = layer_personalization(inputs.counts, inputs.layer_offsets)
    n = len(inputs.neuron_ids)
    times = []
    for c in classes:
        sel = inputs.edge_class == c
        started = time.perf_counter()
        graph = nx.Graph()
        graph.add_nodes_from(range(n))
        graph.add_weighted_edges_from(zip(inputs.edge_src[sel].tolist(), inputs.edge_dst[sel].tolist(),
                                          inputs.edge_weight[sel].tolist(), strict=True))
        nx.pagerank(graph, alpha=0.85, personalization=dict(enumerate(pers[c].tolist())), max_iter=100)
        times.append(time.perf_counter() - started)
    return float(np.mean(times))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cache", type=Path, default=REPO / ".cache" / "bench" / "synth-inception-1000")
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--nx-classes", type=int, default=3)
    parser.add_argument("--no-embedding", action="store_true")
    args = parser.parse_args()

    ensure_artifact(args.cache, args.rows, args.classes, args.seed)
    from summit.graphs import build_graphs
    from summit.settings import resolve

    settings = resolve(environ={})
    started = time.perf_counter()
    summary = build_graphs(args.cache, settings, embedding=False)
    graphs_s = time.perf_counter() - started
    timings = summary["timings"]
    print(f"classes: {summary['classes']}, influence rows: {summary['influence_rows']:,}")
    print(f"graphs (load + PageRank + selection + write): {graphs_s:.1f} s wall, "
          f"{timings['graphs_cpu_s']:.1f} s CPU (all threads; wall > CPU means the machine was shared)  "
          f"[load {timings['graphs_load_s']} s, PageRank {timings['graphs_pagerank_s']} s "
          f"({summary['pagerank_max_iterations']} iterations max), selection {timings['graphs_selection_s']} s, "
          f"suggested groups {timings['groups_s']} s ({summary['suggested_groups']} groups), "
          f"similarity {timings['similarity_s']} s]")
    print(f"kept: {summary['class_nodes']:,} nodes, {summary['class_edges']:,} edges; "
          f"relaxed classes: {summary['relaxed_classes']} (at most {summary['relaxation_rounds_max']} rounds)")
    summit_total = SUMMIT_SECONDS_PER_CLASS * summary["classes"]
    print(f"vs Summit's reported ~{SUMMIT_SECONDS_PER_CLASS:.0f} s/class ({summit_total / 3600:.1f} h): "
          f"{summit_total / graphs_s:,.0f}x faster")
    rss_graphs = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS after graphs: {rss_graphs:,.0f} MiB")
    if args.nx_classes:
        picks = np.linspace(0, summary["classes"] - 1, args.nx_classes).astype(int).tolist()
        per_class = networkx_seconds_per_class(args.cache, picks)
        print(f"networkx pagerank, same graphs, classes {picks}: {per_class:.2f} s/class -> "
              f"{per_class * summary['classes']:.0f} s for all; measured ratio "
              f"{per_class * summary['classes'] / graphs_s:,.1f}x (ours: whole graph step)")
    if not args.no_embedding:
        started = time.perf_counter()
        cpu_started = time.process_time()
        from summit.graphs.build import _embedding_table
        from summit.graphs.data import load_graph_inputs

        table = _embedding_table(load_graph_inputs(args.cache), settings)
        from summit.artifact import write_table

        write_table(args.cache, "embedding", table)  # the cached artifact stays complete for other benches
        print(f"UMAP embedding, {table['layer'].n_unique()} layers x {summary['classes']} classes: "
              f"{time.perf_counter() - started:.1f} s wall, {time.process_time() - cpu_started:.1f} s CPU "
              "(incl. numba warm-up)")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
