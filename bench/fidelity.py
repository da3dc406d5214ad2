"""Held-out faithfulness per graph profile: which rules give graphs that beat the most active neurons?

    .venv/bin/python bench/fidelity.py ARTIFACT --data ABLATION_IMAGES [--profiles summit,summit-unified,explorer]
        [--seeds 2] [--batch-size 32] [--workers 1] [--every K] [--out results.json]

For each profile: rebuild the artifact's class graphs with it (no new ingest), then
ablate every class's graph, as many of its most active neurons per layer, and as
many random neurons per layer, on the held-out images of ``--data`` (images the
graphs were built from are left out). Prints, per profile, nodes and edges per class
and the mean drops of the true-class probability with 95 % bootstrap intervals over
classes, and the paired margin graph minus most active; writes them to ``--out``.
Extra profiles: ``NAME:setting=value,...`` (e.g. ``summit-unified:graph_mass=0.15``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any


def parse_profile(text: str) -> tuple[str, dict[str, Any]]:
    name, _, rest = text.partition(":")
    changes = dict(part.split("=", 1) for part in rest.split(",") if part) if rest else {}
    return name, changes


def run(artifact: Path, data: Path, profile: str, changes: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from summit.ingest.artifact_model import load_artifact_model
    from summit.ingest.devices import resolve_device
    from summit.ingest.faithfulness_run import run_faithfulness

    from summit.artifact import read_manifest
    from summit.graphs import build_graphs
    from summit.settings import resolve

    settings = resolve({"graph_method": profile, **changes})
    started = time.perf_counter()
    graphs = build_graphs(artifact, settings, embedding=False)
    graph_s = time.perf_counter() - started
    device = resolve_device("cpu")
    loaded = load_artifact_model(artifact, read_manifest(artifact), None, device)
    started = time.perf_counter()
    classes = None
    if args.every > 1:
        from summit.artifact import read_table

        classes = [c for c in read_table(artifact, "classes")["class_index"].to_list() if c % args.every == 0]
    summary = run_faithfulness(artifact, loaded, data, classes=classes, controls=args.seeds, seed=0,
                               batch_size=args.batch_size, workers=args.workers, device=device)
    label = profile + (":" + ",".join(f"{k}={v}" for k, v in changes.items()) if changes else "")
    if args.out:  # the per-class rows, for paired comparisons between profiles
        from summit.artifact import read_table

        read_table(artifact, "faithfulness").write_parquet(
            args.out.with_name(f"{args.out.stem}.{label.replace(':', '_').replace('=', '-')}.parquet"))
    return {
        "profile": label,
        "nodes_per_class": graphs["nodes_per_class"], "edges_per_class": graphs["edges_per_class"],
        "graphs_s": round(graph_s, 1), "faithfulness_s": round(time.perf_counter() - started, 1),
        "classes": summary["classes"], "images": summary["images"], "shared_images": summary["shared_images"],
        "prob_drop": summary["prob_drop"], "top1_drop": summary["top1_drop"],
        "per_neuron": summary["prob_drop_per_neuron"],
    }


def fmt(figure: dict[str, Any]) -> str:
    return f"{figure['mean']:.3f} [{figure['low']:.3f}, {figure['high']:.3f}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("artifact", type=Path)
    parser.add_argument("--data", type=Path, required=True, help="held-out images (same classes)")
    parser.add_argument("--profiles", default="summit,summit-unified,explorer")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--every", type=int, default=1, help="measure only classes whose index is a multiple "
                        "of K (a quick screen of variants)")
    args = parser.parse_args()
    results = []
    for text in args.profiles.split(";" if ";" in args.profiles else ","):
        name, changes = parse_profile(text)
        result = run(args.artifact, args.data, name, changes, args)
        results.append(result)
        p = result["prob_drop"]
        print(f"{result['profile']}: {result['nodes_per_class']} nodes, {result['edges_per_class']} edges per "
              f"class; {result['classes']} classes, {result['images']} held-out images "
              f"({result['shared_images']} shared left out); p(class) drop graph {fmt(p['graph'])}, most active "
              f"{fmt(p['active'])}, random {fmt(p['random'])}; graph - most active {fmt(p['graph_minus_active'])}"
              f"; {result['graphs_s']} s graphs, {result['faithfulness_s']} s ablation", flush=True)
        if args.out:
            args.out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
