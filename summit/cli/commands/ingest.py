"""`summit ingest`: stream a labelled image set through a CNN and write an artifact.

Multi-GPU / multi-process: ``torchrun --nproc-per-node K -m summit.cli ingest ...``
shards the images; every process must see the same arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from summit.settings import Settings, resolve


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True,
                        help="googlenet, efficientnet_lite0, torchvision:NAME or timm:NAME")
    parser.add_argument("--data", required=True, help="image folder (wnid folders, dataset.txt list, or flat)")
    parser.add_argument("--out", required=True, help="artifact directory to write")
    parser.add_argument("--layers", nargs="+", default=None,
                        help="neuron layers as module paths, lower to higher (default: the model's)")
    parser.add_argument("--weights", default=None, help="weights file (instead of the library's)")
    parser.add_argument("--batch-size", type=int, default=None, help="images per forward pass")
    parser.add_argument("--device", default=None, help="auto, cpu, cuda, cuda:N")
    parser.add_argument("--workers", type=int, default=None, help="data-loading worker processes")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N images")
    parser.add_argument("--checkpoint-every", type=int, default=None, help="images between checkpoints")
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint in --out")
    parser.add_argument("--run-id", default=None, help="model id in the stores (default: <model>-<data dir>)")
    parser.add_argument("--influence", choices=("auto", "grad", "none"), default=None,
                        help="influence rule: conv rules with gradient fallback, gradient only, or none")
    parser.add_argument("--no-graphs", action="store_true", help="skip attribution graphs after ingest")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    settings = resolve({
        "batch_size": args.batch_size, "device": args.device, "workers": args.workers,
        "checkpoint_every": args.checkpoint_every, "influence": args.influence,
    })
    from summit.errors import BadInput

    if args.limit is not None and args.limit < 1:
        raise BadInput(f"--limit must be at least 1, got {args.limit}")
    from summit.ingest.data import open_dataset
    from summit.ingest.models import load_model
    from summit.ingest.pipeline import IngestOptions, run_ingest, world_from_env

    loaded = load_model(args.model, weights=args.weights, layers=args.layers)
    dataset = open_dataset(args.data, output_wnids=loaded.output_wnids, transform=loaded.transform,
                           limit=args.limit, output_names=loaded.output_names)
    world = world_from_env()
    options = IngestOptions(out=Path(args.out), run_id=args.run_id, resume=args.resume,
                            progress=not args.no_progress)
    if world.main:
        print(f"ingest: {loaded.name}, {len(loaded.layers)} layers, {len(dataset)} images "
              f"({world.size} process{'es' if world.size > 1 else ''})", file=sys.stderr)
    summary = run_ingest(loaded, dataset, settings, options, world=world)
    if summary is None:
        return 0
    if args.weights:
        _record_weights_file(Path(args.out), Path(args.weights))
    t = summary["timings"]
    rate = summary["images"] / t["stream_seconds"] if t.get("stream_seconds") else 0.0
    print(
        f"wrote {summary['artifact']}: {summary['images']} images ({summary['skipped']} skipped), "
        f"{summary['classes']} classes, top-1 {summary['top1']:.1%}, {summary['neurons']} neurons, "
        f"{summary['influence_edges']} influence edges, {summary['examples']} examples; "
        f"{t['stream_seconds']:.1f} s streaming ({rate:.1f} img/s)"
    )
    if not args.no_graphs:
        _graphs(Path(args.out), settings)
    return 0


def _record_weights_file(artifact: Path, weights: Path) -> None:
    """Remember an explicit weights file so featurevis and faithfulness can reload the same model."""
    from summit.artifact import read_manifest, update_manifest

    model = dict(read_manifest(artifact).get("model") or {})
    model["weights"] = str(weights.resolve())
    update_manifest(artifact, model=model)


def _graphs(artifact: Path, settings: Settings) -> None:
    try:
        from summit.graphs import build_graphs
    except ImportError:
        print("graphs: not available in this build; run `summit graphs` later", file=sys.stderr)
        return
    summary = build_graphs(artifact, settings)
    print(f"graphs: {summary.get('classes')} classes, {summary.get('class_nodes')} graph nodes, "
          f"{summary.get('class_edges')} graph edges")
