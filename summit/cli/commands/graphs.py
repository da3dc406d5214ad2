"""`summit graphs ARTIFACT`: attribution graphs, class similarity and embedding (METHOD.md 4-5)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("artifact", metavar="ARTIFACT", help="artifact directory (written by ingest or synth)")
    parser.add_argument("--damping", type=float, default=None, help="PageRank damping (default 0.85)")
    parser.add_argument("--iterations", type=int, default=None,
                        help="PageRank power iterations at most (default 100)")
    parser.add_argument("--graph-mass", type=float, default=None,
                        help="share of a layer's PageRank mass kept per class (default 0.075)")
    parser.add_argument("--no-embedding", action="store_true", help="skip the UMAP class embedding")


def run(args: argparse.Namespace) -> int:
    from summit.artifact import open_artifact
    from summit.graphs import build_graphs
    from summit.settings import resolve

    settings = resolve({"damping": args.damping, "pagerank_iterations": args.iterations,
                        "graph_mass": args.graph_mass})
    open_artifact(args.artifact, check_references=False)  # ids are checked while loading
    summary = build_graphs(args.artifact, settings, embedding=not args.no_embedding)
    t = summary["timings"]
    print(f"{args.artifact}: {summary['classes']} classes, {summary['class_nodes']} graph nodes, "
          f"{summary['class_edges']} graph edges; PageRank {t['graphs_pagerank_s']} s, "
          f"graphs {t['graphs_total_s']} s, similarity {t['similarity_s']} s"
          + (f", embedding {t['embedding_s']} s ({summary['embedding_method']})" if "embedding_s" in t else ""))
    if summary["unconverged_classes"]:
        print(f"note: PageRank did not converge in {settings.pagerank_iterations} iterations for "
              f"{len(summary['unconverged_classes'])} class(es); their last iterate was kept")
    return 0
