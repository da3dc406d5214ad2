"""Profile one ingest batch (torch.profiler): the operators that cost the most, CPU and device time.

    python bench/profile_ingest.py [--model efficientnet_lite0] [--weights FILE] [--device auto] [--batch 64]
        [--influence auto] [--kernel auto] [--rows 20]

A follow-up tool for bench_ingest.py: where the pipeline's time goes beyond the
forward pass (hooks, selection, influence). Random images (the cost does not
depend on pixel values); two warm-up batches, then one profiled.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--model", default="efficientnet_lite0")
    parser.add_argument("--weights", default=None)
    parser.add_argument("--device", default="auto", help="auto (cuda when present), cpu, cuda")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--influence", default="auto")
    parser.add_argument("--kernel", default="auto", help="setting influence_kernel: auto, torch, triton")
    parser.add_argument("--rows", type=int, default=20)
    args = parser.parse_args()

    from summit.ingest.devices import resolve_device
    from summit.ingest.models import load_model
    from summit.ingest.pipeline import build_ingestor
    from torch.profiler import ProfilerActivity, profile

    from summit.settings import resolve

    device = resolve_device(args.device)
    loaded = load_model(args.model, weights=args.weights, device=device)
    ing = build_ingestor(loaded, resolve({"influence": args.influence, "device": str(device),
                                          "influence_kernel": args.kernel}, environ={}), device)
    gen = torch.Generator().manual_seed(0)
    images = torch.randn(args.batch, 3, loaded.input_size, loaded.input_size, generator=gen).to(device)
    labels = torch.randint(0, len(loaded.output_wnids), (args.batch,), generator=gen)
    index = torch.arange(args.batch)
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    with ing.hooks():
        for _ in range(2):
            ing.process(images, labels, index)
        if device.type == "cuda":
            torch.cuda.synchronize()
        with profile(activities=activities, record_shapes=False) as prof:
            ing.process(images, labels, index)
            if device.type == "cuda":
                torch.cuda.synchronize()
    key = "self_cuda_time_total" if device.type == "cuda" else "self_cpu_time_total"
    print(f"model {args.model}, device {device}, batch {args.batch}, influence {args.influence}, "
          f"kernel {ing.kernel}")
    print(prof.key_averages().table(sort_by=key, row_limit=args.rows, max_name_column_width=60))
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.rows // 2,
                                    max_name_column_width=60))
    return 0


if __name__ == "__main__":
    sys.exit(main())
