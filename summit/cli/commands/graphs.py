"""`summit graphs ARTIFACT`: attribution graphs, class similarity and embedding (METHOD.md 4-5).

Rebuilds from the artifact's counts, so ``--graph-method`` switches between
Summit's rules and this project's without a new ingest.
"""

from __future__ import annotations

import argparse

from summit.settings import GRAPH_PROFILES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("artifact", metavar="ARTIFACT", help="artifact directory (written by ingest or synth)")
    parser.add_argument("--graph-method", default=None, metavar="NAME",
                        help=f"graph rules profile: {', '.join(GRAPH_PROFILES)} (setting graph_method; "
                        "docs/method.md compares them)")
    parser.add_argument("--damping", type=float, default=None, help="PageRank damping (default 0.85)")
    parser.add_argument("--iterations", type=int, default=None,
                        help="PageRank power iterations at most (default 100)")
    parser.add_argument("--graph-mass", type=float, default=None,
                        help="starting share of PageRank mass a cut keeps (default: the profile's)")
    parser.add_argument("--group-min-cosine", type=float, default=None,
                        help="suggested groups: least mean cosine of the members' edge profiles (default 0.5)")
    parser.add_argument("--group-max-size", type=int, default=None,
                        help="suggested groups: most neurons in one group (default 8)")
    parser.add_argument("--no-embedding", action="store_true", help="skip the UMAP class embedding")


def run(args: argparse.Namespace) -> int:
    from summit.artifact import open_artifact
    from summit.graphs import build_graphs
    from summit.settings import resolve

    settings = resolve({"graph_method": args.graph_method, "damping": args.damping,
                        "pagerank_iterations": args.iterations, "graph_mass": args.graph_mass,
                        "group_min_cosine": args.group_min_cosine, "group_max_size": args.group_max_size})
    open_artifact(args.artifact, check_references=False)  # ids are checked while loading
    summary = build_graphs(args.artifact, settings, embedding=not args.no_embedding)
    t = summary["timings"]
    changed = summary["graph_rules_changed"]
    method = settings.graph_method + (f" with {', '.join(f'{k}={v}' for k, v in changed.items())}" if changed else "")
    print(f"{args.artifact}: graphs by {method}: {summary['classes']} classes, {summary['class_nodes']} graph "
          f"nodes ({summary['nodes_per_class']}/class), {summary['class_edges']} graph edges "
          f"({summary['edges_per_class']}/class); PageRank {t['graphs_pagerank_s']} s, "
          f"graphs {t['graphs_total_s']} s, {summary['suggested_groups']} suggested groups {t['groups_s']} s, "
          f"similarity {t['similarity_s']} s"
          + (f", embedding {t['embedding_s']} s ({summary['embedding_method']})" if summary["embedding_rebuilt"]
             else ""))
    if summary["unconverged_classes"]:
        print(f"note: PageRank did not converge in {settings.pagerank_iterations} iterations for "
              f"{len(summary['unconverged_classes'])} class(es); their last iterate was kept")
    if summary["invalid_layers"]:
        print(f"note: {summary['invalid_layers']} (class, layer) pair(s) have no influence edge to the layer "
              "below in the class's graph; no mass could connect them")
    return 0
