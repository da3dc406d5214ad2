"""Benchmark and check: the whole ingest stream on each device, batch size and decoder, counts compared.

    python bench/bench_devices.py [--model efficientnet_lite0] [--weights FILE] [--data data/demo]
        [--limit 256] [--repeat 1] [--devices cuda,cpu] [--batches 16,64] [--workers 4] [--influence auto]
        [--decodes cpu,gpu] [--kernel auto] [--loader-only]

Without a GPU it runs on cpu only, at every batch size (e.g. ``--limit 48 --batches 8,32``).

For every (device, batch size, decoder) the dataset's first ``--limit`` images
(streamed ``--repeat`` times, so a fast GPU has enough to time) go through the
real ingest (``ingest.pipeline.stream``: data loading, hooks, selection,
activation counts, examples, influence counts) and are timed (images/s, decoding
included). ``--decodes`` names where images are decoded: ``cpu`` (today's loader:
Pillow in the workers) and/or ``gpu`` (setting ``decode gpu``: the workers only
read files; nvjpeg, resize and crop on the device). With ``--loader-only`` the
loaders alone are timed too (no model), and the preprocessed tensors of both
decoders are compared pixel by pixel (largest and mean difference, in 0-255 units).
The accumulators are then compared with the first run's:

- integer counts (A_l, class images/top-1/histogram, influence counts, example
  indices) must be identical between batch sizes on one device and decoder (the
  project's rule: counts do not depend on the batch size);
- between devices, floating-point kernels differ (cuDNN vs CPU convolutions), so
  a channel whose maximum sits at the selection threshold can flip: the share of
  differing entries is printed, not required to be zero; the same between
  decoders (nvjpeg and libjpeg round the IDCT differently);
- float sums (act_sum, example scores) are compared by their largest relative
  difference.

Exit status 1 when a count differs between batch sizes on one device and decoder.
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


def run_once(args: argparse.Namespace, device_name: str, batch: int, decode: str) -> tuple[dict[str, Any], float, int]:
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
                        "influence": args.influence, "decode": decode, "influence_kernel": args.kernel},
                       environ={})
    ing = build_ingestor(loaded, settings, device)
    state = RunState(torch.zeros(n, dtype=torch.bool))
    if device.type == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    stream(ing, dataset, list(range(n)) * args.repeat, state, settings, progress=False)
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    return flatten(ing.state_dict()), seconds, n * args.repeat


def loaders(args: argparse.Namespace, device_name: str, batch: int, decodes: list[str]) -> None:
    """The loaders alone (no model), and the preprocessed tensors of the decoders compared."""
    from summit.ingest.data import collate, open_dataset
    from summit.ingest.device_decode import DeviceDecoder, EncodedImages, collate_encoded
    from summit.ingest.devices import resolve_device
    from summit.ingest.models import load_model
    from torch.utils.data import DataLoader

    device = resolve_device(device_name)
    loaded = load_model(args.model, weights=args.weights, device=device)
    dataset = open_dataset(args.data, output_wnids=loaded.output_wnids, transform=loaded.transform,
                           limit=args.limit)
    first: dict[str, torch.Tensor] = {}
    for decode in decodes:
        if decode == "cpu":
            loader = DataLoader(dataset, batch_size=batch, num_workers=args.workers, collate_fn=collate,
                                pin_memory=device.type == "cuda")
            convert = lambda b: b.images.to(device, non_blocking=True)  # noqa: E731
        else:
            decoder = DeviceDecoder(loaded.transform, device)
            loader = DataLoader(EncodedImages(dataset), batch_size=batch, num_workers=args.workers,
                                collate_fn=collate_encoded)
            convert = lambda b, d=decoder: d(b).images  # noqa: E731
        images = 0
        started = time.perf_counter()
        for _ in range(args.repeat):
            for raw in loader:
                out = convert(raw)
                images += out.shape[0]
                if decode not in first:
                    first[decode] = out.float().cpu()
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - started
        print(f"loader only, decode {decode}, {device_name}, batch {batch}, {args.workers} workers: {images} images "
              f"in {seconds:6.2f} s = {images / seconds:8.1f} img/s", flush=True)
    if "cpu" in first and "gpu" in first:
        pre = loaded.transform
        scale = torch.tensor(pre.scale).view(1, 3, 1, 1)
        diff = ((first["gpu"] - first["cpu"]) * scale).abs()  # back to 0-255 pixel units
        print(f"pixels, decode gpu vs cpu (first batch, {diff.shape[0]} images): largest difference "
              f"{diff.max().item():.1f}, mean {diff.mean().item():.3f}, share differing "
              f"{(diff > 0.5).float().mean().item() * 100:.2f} % (0-255 units)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--model", default="efficientnet_lite0")
    parser.add_argument("--weights", default=None, help="weights file (default: the model's own)")
    parser.add_argument("--data", type=Path, default=REPO / "data" / "demo")
    parser.add_argument("--limit", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=1, help="stream the images this many times")
    parser.add_argument("--devices", default="cuda,cpu" if torch.cuda.is_available() else "cpu",
                        help="comma-separated (default: cuda,cpu with a GPU, else cpu)")
    parser.add_argument("--batches", default="16,64")
    parser.add_argument("--cpu-batches", default=None, help="batch sizes on cpu (default: the first of --batches)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--influence", default="auto")
    parser.add_argument("--kernel", default="auto", help="setting influence_kernel")
    parser.add_argument("--decodes", default="cpu", help="decoders on cuda, comma-separated: cpu, gpu")
    parser.add_argument("--loader-only", action="store_true", help="also time the loaders alone (first device)")
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    decodes = [d.strip() for d in args.decodes.split(",") if d.strip()]
    if args.cpu_batches:
        cpu_batches = [int(b) for b in args.cpu_batches.split(",")]
    else:  # cpu beside a GPU: one batch size (a reference); cpu alone: all of them (the batch-size check)
        cpu_batches = batches if args.devices == "cpu" else batches[:1]
    runs: dict[tuple[str, int, str], dict[str, Any]] = {}
    print(f"model {args.model}, data {args.data} (first {args.limit} images x {args.repeat}), influence "
          f"{args.influence}, kernel {args.kernel}, workers {args.workers}, torch {torch.__version__}")
    if torch.cuda.is_available():
        print(f"cuda device: {torch.cuda.get_device_name(0)}")
    devices = args.devices.split(",")
    if args.loader_only:
        loaders(args, devices[0], batches[-1], decodes if devices[0] != "cpu" else ["cpu"])
    for device in devices:
        for decode in decodes if device != "cpu" else ["cpu"]:
            for batch in cpu_batches if device == "cpu" else batches:
                state, seconds, n = run_once(args, device, batch, decode)
                runs[(device, batch, decode)] = state
                print(f"{device:6s} batch {batch:4d} decode {decode}: {n} images in {seconds:6.2f} s = "
                      f"{n / seconds:8.1f} img/s (decoding, hooks, counts and influence included)", flush=True)
    failed = False
    for group in dict.fromkeys((d, dec) for d, _, dec in runs):
        mine = [key for key in runs if (key[0], key[2]) == group]
        for key in mine[1:]:
            differ, total, worst, notes = compare(runs[mine[0]], runs[key])
            verdict = "IDENTICAL" if differ == 0 else "DIFFERENT"
            failed |= differ != 0
            print(f"{group[0]} decode {group[1]} batch {mine[0][1]} vs {key[1]}: counts {verdict} ({differ} of "
                  f"{total} entries differ); largest relative float difference {worst:.2e}")
            for note in notes[:8]:
                print(f"    {note}")
    first = next(iter(runs))
    for key in runs:
        if (key[0], key[2]) != (first[0], first[2]):
            differ, total, worst, notes = compare(runs[first], runs[key])
            print(f"{first[0]}/{first[2]} vs {key[0]}/{key[2]} (batch {first[1]} vs {key[1]}): {differ} of {total} "
                  f"count entries differ ({100 * differ / max(total, 1):.4f} %); largest relative float difference "
                  f"{worst:.2e}")
            for note in notes[:8]:
                print(f"    {note}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
