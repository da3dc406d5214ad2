"""`summit ingest`: stream a labelled image set through a CNN and write an artifact.

Multi-GPU / multi-process: ``torchrun --nproc-per-node K -m summit.cli ingest ...``
shards the images; every process must see the same arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from summit.settings import resolve


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
    parser.add_argument("--force", action="store_true",
                        help="write into a non-empty --out (an earlier artifact there is deleted first)")
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
    from summit.cli.report import graphs_line, ingest_line
    from summit.ingest.ingest_run import IngestRequest, ingest_folder

    request = IngestRequest(model=args.model, data=Path(args.data), out=Path(args.out), weights=args.weights,
                            layers=args.layers, limit=args.limit, run_id=args.run_id, resume=args.resume,
                            force=args.force, progress=not args.no_progress)
    summary = ingest_folder(request, settings, say=lambda line: print(line, file=sys.stderr))
    if summary is None:
        return 0
    print(ingest_line(summary))
    if not args.no_graphs:
        from summit.graphs import build_graphs

        print(graphs_line(build_graphs(Path(args.out), settings)))
    return 0

