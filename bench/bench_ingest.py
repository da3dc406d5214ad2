"""Benchmark: ingest pipeline throughput over bare forward-pass throughput (same model, batch, machine).

    .venv/bin/python bench/bench_ingest.py [--model efficientnet_lite0] [--batch 32] [--reps 5]
                                           [--device cpu] [--data DIR] [--weights FILE]
                                           [--kernels torch,triton]

Variants run on the same preprocessed batch of real images (decoding is
excluded from all), interleaved round-robin so that machine load hits them
alike; the median time per variant is reported:

1. bare forward: ``model(x)`` under ``torch.no_grad``;
2. pipeline, activations only (``influence = none``): hooks, channel maxima,
   selection, A_l and act_sum, example top-k, class stats;
3. pipeline, activations + influence (``influence = auto``: the conv rules), once
   per influence kernel in ``--kernels`` (``torch``: the per-pair maps; ``triton``:
   the fused kernels of ingest/pair_kernels.py; default both where CUDA and triton
   are present, else torch).

On a GPU the peak device memory of each variant is printed too (max over reps of
``torch.cuda.max_memory_allocated`` during one call), and with two kernels the
accumulators after one batch are compared (counts must be identical).

Targets (issue 3): (2)/(1) >= 0.8 and (3)/(1) >= 0.5 for EfficientNet-Lite0 on CPU.
Targets (issue 18, GPU, triton kernel): (3)/(1) >= 0.35 for GoogLeNet, >= 0.5 for Lite0,
peak memory no higher than the torch kernel's.
Real weights come from the model loader; if they cannot be loaded the model is
built with random weights and the output says so (throughput is the same).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "imagenet-val-1300"


def load(model_name: str, device: torch.device, weights: str | None = None):
    from summit.ingest.models import load_model

    from summit.errors import SummitError

    try:
        return load_model(model_name, weights=weights, device=device), (
            "real weights" if weights is None else f"weights {weights}")
    except SummitError as exc:
        import timm
        from summit.ingest.model_spec import LoadedModel
        from summit.ingest.models import imagenet_classes

        if model_name != "efficientnet_lite0":
            raise
        print(f"real weights unavailable ({exc}); using random weights", file=sys.stderr)
        module = timm.create_model("tf_efficientnet_lite0", pretrained=False).eval().to(device)
        wnids, names = imagenet_classes()
        layers = [f"blocks.{s}.{b}" for s, n in enumerate([1, 2, 2, 3, 3, 4, 1]) for b in range(n)] + ["bn2"]
        loaded = LoadedModel("efficientnet_lite0", module, layers, list(wnids), list(names),
                             transform=lambda im: im, normalize=lambda x: x, input_size=224)
        return loaded, "random weights"


def batch_of_images(loaded, data: Path, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
    from summit.ingest.data import open_dataset

    try:
        ds = open_dataset(data, output_wnids=loaded.output_wnids, transform=loaded.transform, limit=batch)
        items = [ds[i] for i in range(len(ds))]
        images = torch.stack([it.image for it in items if it.image is not None])
        labels = torch.tensor([it.label for it in items if it.image is not None])
        if images.shape[0] == batch:
            return images, labels
    except Exception as exc:
        print(f"could not read {data} ({exc}); using random images", file=sys.stderr)
    gen = torch.Generator().manual_seed(0)
    return (torch.randn(batch, 3, loaded.input_size, loaded.input_size, generator=gen),
            torch.randint(0, len(loaded.output_wnids), (batch,), generator=gen))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--model", default="efficientnet_lite0")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--weights", default=None, help="weights file (default: the model's own)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--kernels", default=None,
                        help="influence kernels to time, comma-separated (default: torch,triton with CUDA and "
                             "triton, else torch)")
    args = parser.parse_args()

    from summit.ingest.devices import resolve_device, triton_available
    from summit.ingest.pipeline import build_ingestor

    from summit.settings import resolve

    device = resolve_device(args.device)
    if args.kernels is None:
        args.kernels = "torch,triton" if device.type == "cuda" and triton_available() else "torch"
    kernels = [k.strip() for k in args.kernels.split(",") if k.strip()]
    loaded, weights = load(args.model, device, args.weights)
    images, labels = batch_of_images(loaded, args.data, args.batch)
    images = images.to(device)
    index = torch.arange(images.shape[0])
    model = loaded.module.eval()
    for p in model.parameters():
        p.requires_grad_(False)

    def ingestor(influence: str, kernel: str = "torch"):
        return build_ingestor(loaded, resolve({"influence": influence, "device": str(device),
                                               "influence_kernel": kernel}, environ={}), device)

    ing_none = ingestor("none")
    ing_auto = {k: ingestor("auto", k) for k in kernels}
    rules = [p.rule for p in next(iter(ing_auto.values())).plans]
    cuda = device.type == "cuda"

    def sync() -> None:
        if cuda:
            torch.cuda.synchronize()

    def forward() -> None:
        with torch.no_grad():
            model(images)

    def pipeline(ing) -> None:
        with ing.hooks():
            ing.process(images, labels, index)

    same = compare_kernels(ing_auto, pipeline) if len(kernels) > 1 else None
    variants = {"forward": forward, "activations": lambda: pipeline(ing_none)}
    for k, ing in ing_auto.items():
        variants[influence_label(k, kernels)] = lambda ing=ing: pipeline(ing)
    for fn in variants.values():  # warm-up (and the triton kernels' compilation)
        fn()
    wall: dict[str, list[float]] = {k: [] for k in variants}
    cpu: dict[str, list[float]] = {k: [] for k in variants}
    peak: dict[str, int] = dict.fromkeys(variants, 0)
    for _ in range(args.reps):
        for name, fn in variants.items():
            sync()
            if cuda:
                torch.cuda.reset_peak_memory_stats(device)
            started, started_cpu = time.perf_counter(), time.process_time()
            fn()
            sync()
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
            if cuda:
                peak[name] = max(peak[name], torch.cuda.max_memory_allocated(device))
    n = images.shape[0]
    print(f"model {args.model} ({weights}), device {device}"
          f"{' (' + torch.cuda.get_device_name(device) + ')' if cuda else ''}, batch {n}, {images.shape[-1]} px, "
          f"{args.reps} interleaved reps, torch threads {torch.get_num_threads()}")
    print(f"influence rules: {', '.join(f'{r} x{rules.count(r)}' for r in sorted(set(rules)))}")
    stats = {
        "wall median": {k: statistics.median(v) for k, v in wall.items()},
        "wall best": {k: min(v) for k, v in wall.items()},
        "CPU time median": {k: statistics.median(v) for k, v in cpu.items()},
    }
    for label, t in stats.items():
        print(f"[{label}]")
        for name in variants:
            print(f"  {name:32s} {n / t[name]:8.1f} img/s   ({t[name] * 1000:8.1f} ms/batch)")
        act = t["forward"] / t["activations"]
        print(f"  ratio activations / forward:                   {act:.2f}  (target >= 0.8) "
              f"{'OK' if act >= 0.8 else 'BELOW'}")
        for k in kernels:
            name = influence_label(k, kernels)
            inf = t["forward"] / t[name]
            print(f"  ratio {name + ' / forward:':40s} {inf:.2f}")
    if cuda:
        print("[peak device memory during one call, MiB]")
        for name in variants:
            print(f"  {name:32s} {peak[name] / 2**20:10.1f}")
    if same is not None:
        print(f"counts after one batch, {' vs '.join(kernels)}: {same}")
    print("(wall times on a shared machine are noisy; 'wall best' and CPU time are less sensitive to other load)")
    return 0


def influence_label(kernel: str, kernels: list[str]) -> str:
    return "activations+influence" + (f" [{kernel}]" if len(kernels) > 1 else "")


def compare_kernels(ingestors: dict, pipeline) -> str:
    """Run one batch through each kernel's fresh ingestor; compare every accumulator with the first's."""
    states = {}
    for kernel, ing in ingestors.items():
        pipeline(ing)
        states[kernel] = flatten(ing.state_dict())
    first, *others = states.values()
    differ = total = 0
    for other in others:
        for key, value in first.items():
            total += value.numel()
            if value.shape != other[key].shape:
                differ += value.numel()
            else:
                differ += int((value != other[key]).sum())
    return ("IDENTICAL" if differ == 0 else "DIFFERENT") + f" ({differ} of {total} entries differ)"


def flatten(state, prefix: str = "") -> dict:
    if isinstance(state, dict):
        out: dict = {}
        for key, value in state.items():
            out.update(flatten(value, f"{prefix}{key}/"))
        return out
    return {prefix.rstrip("/"): state}


if __name__ == "__main__":
    sys.exit(main())
