"""Benchmark: feature visualisation throughput (neurons per minute) by batch size, one run.

    .venv/bin/python bench/bench_featurevis.py [--model efficientnet_lite0] [--size 128] [--steps 256]
        [--batches 1,4,16] [--timed-steps 8] [--layer blocks.4.0] [--device cpu] [--threads N]

For each batch size B, B neurons of one layer are rendered with the real
weights (``ingest.models.load_model``). Every step costs the same (one forward
to the neuron's layer, one backward, one Adam update), so after a one-step
warm-up ``--timed-steps`` steps are timed and the throughput at ``--steps``
steps is ``60 * B / (steps * seconds_per_step)``; ``--timed-steps 0`` times a
full ``--steps`` run instead. Batch sizes are measured round-robin (``--reps``
rounds, median) so that machine load hits them alike; the ratio of each batch
size's throughput to batch 1's is printed from the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--model", default="efficientnet_lite0")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=256)
    parser.add_argument("--batches", default="1,4,16")
    parser.add_argument("--timed-steps", type=int, default=8)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--layer", help="neuron layer (default: the middle neuron layer)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    args = parser.parse_args()

    from summit.ingest.devices import resolve_device
    from summit.ingest.featurevis import FeatureVisConfig, Target, render
    from summit.ingest.models import load_model

    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    loaded = load_model(args.model, device=device)
    layer = args.layer or loaded.layers[len(loaded.layers) // 2]
    batches = [int(b) for b in args.batches.split(",")]
    timed = args.timed_steps or args.steps
    print(f"model {args.model} ({loaded.weights_sha256[:12] or 'no sha'}), layer {layer}, {args.size} px, "
          f"{args.steps} steps, device {device}, torch threads {torch.get_num_threads()}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpu(s)")
    per_step: dict[int, list[float]] = {b: [] for b in batches}
    for b in batches:  # warm-up: first-call allocations and kernel choice
        render(loaded.module, loaded.normalize, [Target(f"{layer}:{c}") for c in range(b)],
               FeatureVisConfig(steps=1, size=args.size), device)
    for _ in range(args.reps):
        for b in batches:
            targets = [Target(f"{layer}:{c}") for c in range(b)]
            start = time.perf_counter()
            render(loaded.module, loaded.normalize, targets, FeatureVisConfig(steps=timed, size=args.size), device)
            if device.type == "cuda":
                torch.cuda.synchronize()
            per_step[b].append((time.perf_counter() - start) / timed)
    base = None
    print(f"batch  s/step  neurons/min  vs batch {batches[0]}")
    for b in batches:
        step = statistics.median(per_step[b])
        rate = 60 * b / (args.steps * step)
        base = base or rate
        print(f"{b:5d}  {step:6.3f}  {rate:11.2f}  {rate / base:9.2f}x")


if __name__ == "__main__":
    main()
