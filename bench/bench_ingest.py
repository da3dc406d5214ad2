"""Benchmark: ingest pipeline throughput over bare forward-pass throughput (same model, batch, machine).

    .venv/bin/python bench/bench_ingest.py [--model efficientnet_lite0] [--batch 32] [--reps 5]
                                           [--device cpu] [--data DIR] [--weights FILE]

Three variants run on the same preprocessed batch of real images (decoding is
excluded from all three), interleaved round-robin so that machine load hits
them alike; the median time per variant is reported:

1. bare forward: ``model(x)`` under ``torch.no_grad``;
2. pipeline, activations only (``influence = none``): hooks, channel maxima,
   selection, A_l and act_sum, example top-k, class stats;
3. pipeline, activations + influence (``influence = auto``: the conv rules).

Targets (issue 3): (2)/(1) >= 0.8 and (3)/(1) >= 0.5 for EfficientNet-Lite0 on CPU.
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
    args = parser.parse_args()

    from summit.ingest.devices import resolve_device
    from summit.ingest.pipeline import build_ingestor

    from summit.settings import resolve

    device = resolve_device(args.device)
    loaded, weights = load(args.model, device, args.weights)
    images, labels = batch_of_images(loaded, args.data, args.batch)
    images = images.to(device)
    index = torch.arange(images.shape[0])
    model = loaded.module.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    ing_none = build_ingestor(loaded, resolve({"influence": "none", "device": str(device)}, environ={}), device)
    ing_auto = build_ingestor(loaded, resolve({"influence": "auto", "device": str(device)}, environ={}), device)
    rules = [p.rule for p in ing_auto.plans]

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize()

    def forward() -> None:
        with torch.no_grad():
            model(images)

    def pipeline(ing) -> None:
        with ing.hooks():
            ing.process(images, labels, index)

    variants = {"forward": forward, "activations": lambda: pipeline(ing_none),
                "activations+influence": lambda: pipeline(ing_auto)}
    for fn in variants.values():  # warm-up
        fn()
    wall: dict[str, list[float]] = {k: [] for k in variants}
    cpu: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(args.reps):
        for name, fn in variants.items():
            sync()
            started, started_cpu = time.perf_counter(), time.process_time()
            fn()
            sync()
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
    n = images.shape[0]
    print(f"model {args.model} ({weights}), device {device}, batch {n}, {images.shape[-1]} px, "
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
            print(f"  {name:24s} {n / t[name]:8.1f} img/s   ({t[name] * 1000:8.1f} ms/batch)")
        act = t["forward"] / t["activations"]
        inf = t["forward"] / t["activations+influence"]
        print(f"  ratio activations / forward:           {act:.2f}  (target >= 0.8) {'OK' if act >= 0.8 else 'BELOW'}")
        print(f"  ratio activations+influence / forward: {inf:.2f}  (target >= 0.5) {'OK' if inf >= 0.5 else 'BELOW'}")
    print("(wall times on a shared machine are noisy; 'wall best' and CPU time are less sensitive to other load)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
