"""Benchmark: how the ingest accumulators grow with images and classes (the full-ImageNet question).

    python bench/bench_scale.py [--model efficientnet_lite0] [--images N] [--classes 1000]
        [--batch 256] [--device auto] [--data data/demo] [--report-every N]

A full ImageNet run streams 1.28 M images of 1,000 classes; the influence counts are
sparse keys (class, dst channel, src channel) per layer pair, so their size grows
with the number of distinct (class, pair) combinations seen. Without 1.28 M images
here, this streams the real images of ``--data`` again and again (preprocessed
once, on the device) with labels drawn at random from ``--classes`` classes, so
every class sees the pair patterns of many different images: a pessimistic model
of key growth (real classes share patterns within a class). Reports, every
``--report-every`` images: sparse keys in all accumulators, their bytes, the largest
single accumulator, device memory (peak) and images/s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def accumulator_keys(ing) -> dict[str, int]:
    """Keys held by every sparse accumulator (influence counts), by name."""
    sizes = {}
    for name, counts in [*((f"direct/{k}", v) for k, v in ing.direct.items()),
                         *((f"hop/{p}:{h}", v) for (p, h), v in ing.hop_counts.items())]:
        keys, _ = counts.get()
        sizes[name] = keys.numel()
    return sizes


def sparse_sizes(ing) -> tuple[int, str, int]:
    """Total keys over every sparse accumulator, and the largest one (name, keys)."""
    sizes = accumulator_keys(ing)
    name = max(sizes, key=sizes.__getitem__) if sizes else ""
    return sum(sizes.values()), name, sizes.get(name, 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--model", default="efficientnet_lite0")
    parser.add_argument("--weights", default=None)
    parser.add_argument("--images", type=int, default=None,
                        help="images to stream (default: 20,000 on a GPU, 512 on cpu)")
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--data", type=Path, default=REPO / "data" / "demo")
    parser.add_argument("--report-every", type=int, default=None,
                        help="images between reports (default: a quarter of --images)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--counts-device", default="device", choices=("auto", "device", "cpu"),
                        help="where the sparse counts live (setting counts_device; default: the run's device)")
    args = parser.parse_args()

    from summit.ingest.data import open_dataset
    from summit.ingest.devices import resolve_device
    from summit.ingest.models import load_model
    from summit.ingest.pipeline import build_ingestor

    from summit.settings import resolve

    device = resolve_device(args.device)
    if args.images is None:
        args.images = 20000 if device.type == "cuda" else 512
    if args.report_every is None:
        args.report_every = max(1, args.images // 4)
    if args.images < 1 or args.batch < 1 or args.classes < 1:
        parser.error("--images, --batch and --classes must be positive")
    loaded = load_model(args.model, weights=args.weights, device=device)
    if args.classes > len(loaded.output_wnids):
        parser.error(f"--classes {args.classes}: the model has {len(loaded.output_wnids)} outputs")
    dataset = open_dataset(args.data, output_wnids=loaded.output_wnids, transform=loaded.transform)
    pool = torch.stack([item.image for item in (dataset[i] for i in range(len(dataset))) if item.image is not None])
    pool = pool.to(device)
    ing = build_ingestor(loaded, resolve({"device": str(device), "counts_device": args.counts_device}, environ={}),
                         device)
    gen = torch.Generator().manual_seed(args.seed)
    print(f"model {args.model}, device {device}, {pool.shape[0]} distinct images reused, labels random over "
          f"{args.classes} classes, batch {args.batch}, {len(ing.plans)} influence plans, "
          f"counts on {ing.counts_device}")
    print(f"{'images':>8} {'keys':>14} {'MiB':>9} {'largest accumulator':>28} {'peak dev MiB':>13} {'img/s':>8}")
    done, next_report = 0, args.report_every
    started = time.perf_counter()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    with ing.hooks():
        while done < args.images:
            n = min(args.batch, args.images - done)
            picks = torch.randint(0, pool.shape[0], (n,), generator=gen)
            labels = torch.randint(0, args.classes, (n,), generator=gen)
            ing.process(pool[picks.to(device)], labels, torch.arange(done, done + n))
            done += n
            if done >= next_report or done == args.images:
                next_report += args.report_every
                if device.type == "cuda":
                    torch.cuda.synchronize(device)
                elapsed = time.perf_counter() - started
                keys, name, largest = sparse_sizes(ing)
                peak = torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else float("nan")
                print(f"{done:8d} {keys:14,d} {keys * 16 / 2**20:9.1f} {name:>18s} {largest:9,d} {peak:13.0f} "
                      f"{done / elapsed:8.1f}", flush=True)
    from summit.ingest.finalize import merge_pair

    started = time.perf_counter()
    edges = sum(merge_pair(ing, p).keys.numel() for p in range(len(ing.plans)))
    print(f"per-class merges of every pair (end of a run): {time.perf_counter() - started:.1f} s, "
          f"{edges:,d} influence rows")
    sizes = accumulator_keys(ing)
    print("largest accumulators: " + ", ".join(
        f"{name} {keys:,d}" for name, keys in sorted(sizes.items(), key=lambda kv: -kv[1])[:6]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
