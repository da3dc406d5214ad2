"""Benchmark and check: the whole ingest stream on each device and batch size, counts compared.

    python bench/bench_devices.py [--model efficientnet_lite0] [--weights FILE] [--data data/demo]
        [--limit 256] [--devices cuda,cpu] [--batches 16,64] [--workers 4] [--influence auto]

Without a GPU it runs on cpu only, at every batch size (e.g. ``--limit 48 --batches 8,32``).

For every (device, batch size) the dataset's first ``--limit`` images are streamed
through the real ingest (``ingest.pipeline.stream``: data loading, hooks,
selection, activation counts, examples, influence counts) and timed (images/s,
decoding included). The accumulators are then compared with the first run's:

- integer counts (A_l, class images/top-1/histogram, influence counts, example
  indices) must be identical between batch sizes on one device (the project's
  rule: counts do not depend on the batch size);
- between devices, floating-point kernels differ (cuDNN vs CPU convolutions), so
  a channel whose maximum sits at the selection threshold can flip: the share of
  differing entries is printed, not required to be zero;
- float sums (act_sum, example scores) are compared by their largest relative
  difference.

Exit status 1 when a count differs between batch sizes on one device.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def flatten(state: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(state, dict):
        out: dict[str, Any] = {}
        for key, value in state.items():
            out.update(flatten(value, f"{prefix}{key}/"))
        return out
    return {prefix.rstrip("/"): state}


def sparse_pairs(flat: dict[str, Any]) -> dict[str, dict[int, int]]:
    """Sparse counters (``.../keys`` + ``.../counts``) as {key: count} dicts."""
    pairs = {}
    for name in flat:
        if name.endswith("/keys") and name[:-5] + "/counts" in flat:
            base = name[:-5]
            pairs[base] = dict(zip(flat[name].tolist(), flat[base + "/counts"].tolist(), strict=True))
    return pairs


def compare(reference: dict[str, Any], other: dict[str, Any]) -> tuple[int, int, float, list[str]]:
    """(differing count entries, total count entries, largest relative float difference, notes)."""
    differ = total = 0
    worst = 0.0
    notes: list[str] = []
    ref_sparse, other_sparse = sparse_pairs(reference), sparse_pairs(other)
    for base, counts in ref_sparse.items():
        theirs = other_sparse.get(base, {})
        keys = set(counts) | set(theirs)
        bad = sum(1 for k in keys if counts.get(k) != theirs.get(k))
        differ, total = differ + bad, total + len(keys)
        if bad:
            notes.append(f"{base}: {bad} of {len(keys)} keys differ")
    skip = {f"{b}/keys" for b in ref_sparse} | {f"{b}/counts" for b in ref_sparse}
    for name, value in reference.items():
        if name in skip or not isinstance(value, torch.Tensor):
            continue
        theirs = other[name]
        if value.dtype.is_floating_point:
            scale = value.abs().max().item() or 1.0
            worst = max(worst, (value - theirs).abs().max().item() / scale)
            continue
        bad = int((value != theirs).sum().item())
        differ, total = differ + bad, total + value.numel()
        if bad:
            notes.append(f"{name}: {bad} of {value.numel()} entries differ")
    return differ, total, worst, notes


def run_once(args: argparse.Namespace, device_name: str, batch: int) -> tuple[dict[str, Any], float, int]:
    from summit.ingest.data import open_dataset
    from summit.ingest.devices import resolve_device
    from summit.ingest.models import load_model
    from summit.ingest.pipeline import RunState, build_ingestor, stream

    from summit.settings import resolve

    device = resolve_device(device_name)
    loaded = load_model(args.model, weights=args.weights, device=device)
    dataset = open_dataset(args.data, output_wnids=loaded.output_wnids, transform=loaded.transform,
                           limit=args.limit)
    n = len(dataset)
    settings = resolve({"batch_size": batch, "workers": args.workers, "device": device_name,
                        "influence": args.influence}, environ={})
    ing = build_ingestor(loaded, settings, device)
    state = RunState(torch.zeros(n, dtype=torch.bool))
    if device.type == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    stream(ing, dataset, list(range(n)), state, settings, progress=False)
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    return flatten(ing.state_dict()), seconds, n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--model", default="efficientnet_lite0")
    parser.add_argument("--weights", default=None, help="weights file (default: the model's own)")
    parser.add_argument("--data", type=Path, default=REPO / "data" / "demo")
    parser.add_argument("--limit", type=int, default=256)
    parser.add_argument("--devices", default="cuda,cpu" if torch.cuda.is_available() else "cpu",
                        help="comma-separated (default: cuda,cpu with a GPU, else cpu)")
    parser.add_argument("--batches", default="16,64")
    parser.add_argument("--cpu-batches", default=None, help="batch sizes on cpu (default: the first of --batches)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--influence", default="auto")
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    if args.cpu_batches:
        cpu_batches = [int(b) for b in args.cpu_batches.split(",")]
    else:  # cpu beside a GPU: one batch size (a reference); cpu alone: all of them (the batch-size check)
        cpu_batches = batches if args.devices == "cpu" else batches[:1]
    runs: dict[tuple[str, int], dict[str, Any]] = {}
    print(f"model {args.model}, data {args.data} (first {args.limit} images), influence {args.influence}, "
          f"workers {args.workers}, torch {torch.__version__}")
    if torch.cuda.is_available():
        print(f"cuda device: {torch.cuda.get_device_name(0)}")
    for device in args.devices.split(","):
        for batch in cpu_batches if device == "cpu" else batches:
            state, seconds, n = run_once(args, device, batch)
            runs[(device, batch)] = state
            print(f"{device:6s} batch {batch:4d}: {n} images in {seconds:6.2f} s = {n / seconds:8.1f} img/s "
                  "(decoding, hooks, counts and influence included)", flush=True)
    failed = False
    for device in dict.fromkeys(d for d, _ in runs):
        mine = [key for key in runs if key[0] == device]
        for key in mine[1:]:
            differ, total, worst, notes = compare(runs[mine[0]], runs[key])
            verdict = "IDENTICAL" if differ == 0 else "DIFFERENT"
            failed |= differ != 0
            print(f"{device} batch {mine[0][1]} vs {key[1]}: counts {verdict} ({differ} of {total} entries differ); "
                  f"largest relative float difference {worst:.2e}")
            for note in notes[:8]:
                print(f"    {note}")
    first = next(iter(runs))
    for key in runs:
        if key[0] != first[0]:
            differ, total, worst, notes = compare(runs[first], runs[key])
            print(f"{first[0]} vs {key[0]} (batch {first[1]} vs {key[1]}): {differ} of {total} count entries differ "
                  f"({100 * differ / max(total, 1):.4f} %); largest relative float difference {worst:.2e}")
            for note in notes[:8]:
                print(f"    {note}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
