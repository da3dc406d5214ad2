"""`summit faithfulness ARTIFACT --data DIR`: ablate each class graph and measure what is lost.

For each class (or ``--classes``), its images are re-run with the class graph's
neurons set to zero and, as controls, with as many of the class's most active
neurons per layer and as many random neurons per layer (``--seeds`` draws); the
drops in true-class probability and top-1 accuracy go to the artifact's
``faithfulness`` table and a summary (means over classes with 95 % bootstrap
intervals) to its manifest. Held out: images the graphs were built from are left
out (``--in-sample`` measures on them anyway).
"""

from __future__ import annotations

import argparse
import sys
import time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("artifact", help="artifact directory with class graphs (`summit graphs`)")
    parser.add_argument("--data", required=True, help="labelled image folder or list file (as for ingest)")
    parser.add_argument("--classes", nargs="+", type=int, metavar="K", help="class indices to measure (default all)")
    parser.add_argument("--seeds", type=int, help="random-ablation controls per class (setting faithfulness_seeds)")
    parser.add_argument("--seed", type=int, help="random seed (setting seed)")
    parser.add_argument("--batch-size", type=int, help="images per forward pass, before the 2 + seeds "
                        "copies (setting batch_size)")
    parser.add_argument("--workers", type=int, help="data-loading processes (setting workers)")
    parser.add_argument("--device", help="torch device: auto, cpu, cuda, cuda:N (setting device)")
    parser.add_argument("--limit", type=int, help="use only the first N images of the data")
    parser.add_argument("--in-sample", action="store_true",
                        help="also measure on images the graphs were built from (default: held out only)")
    parser.add_argument("--weights", help="model weights file (default: what the manifest records)")


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from summit.artifact import read_manifest
    from summit.ingest.artifact_model import load_artifact_model
    from summit.ingest.devices import resolve_device
    from summit.ingest.faithfulness_run import run_faithfulness
    from summit.settings import resolve

    settings = resolve({"faithfulness_seeds": args.seeds, "seed": args.seed, "batch_size": args.batch_size,
                        "workers": args.workers, "device": args.device})
    manifest = read_manifest(args.artifact)
    device = resolve_device(settings.device)
    started = time.perf_counter()
    loaded = load_artifact_model(args.artifact, manifest, args.weights, device)
    with tqdm(unit="img", desc="faithfulness", file=sys.stderr, disable=None) as bar:
        summary = run_faithfulness(
            args.artifact, loaded, args.data, classes=args.classes, controls=settings.faithfulness_seeds,
            seed=settings.seed, batch_size=settings.batch_size, workers=settings.workers, device=device,
            limit=args.limit, in_sample=args.in_sample, progress=bar.update,
            on_total=lambda n: setattr(bar, "total", n),
        )
    where = "in-sample" if args.in_sample else f"held out ({summary['shared_images']} shared image(s) left out)"
    print(f"faithfulness of the {summary['graph_method']} graphs: {summary['classes']} class(es), "
          f"{summary['images']} image(s), {where}, {time.perf_counter() - started:.1f} s")
    for label, key in (("true-class probability", "prob_drop"), ("top-1 accuracy", "top1_drop")):
        f = summary[key]
        print(f"  mean {label} drop (95 % CI over classes): " + ", ".join(
            f"{name} {_ci(f[name])}" for name in ("graph", "active", "random", "graph_minus_active")))
    return 0


def _ci(figure: dict) -> str:
    if figure["mean"] is None:
        return "-"
    return f"{figure['mean']:.4f} [{figure['low']:.4f}, {figure['high']:.4f}]"
