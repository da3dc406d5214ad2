"""How much does Summit's stride-3 sampling change the influence picks? (docs/method.md, rule table)

    .venv/bin/python bench/summit_stride.py [--images 32] [--data ../shared/data/imagenet-val-1300]

Summit's influence.py takes each pair's contribution map with
``tf.nn.depthwise_conv2d(..., strides=[1, 3, 3, 1], 'SAME')`` before the max, so
it looks at every third position in each direction; this project takes the max
over all positions. For every hop of EfficientNet-Lite0 (real weights, real
images) this counts how often the top ``influence_topk`` inputs of an output
channel differ between the two (per image and output channel), and how often
the top-1 input differs. With 'SAME' padding the sampled outputs of a stride-3
conv are the stride-1 outputs at rows and columns 0, 3, 6, ...
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=32)
    parser.add_argument("--data", type=Path, default=REPO / ".." / "shared" / "data" / "imagenet-val-1300")
    args = parser.parse_args()
    from summit.ingest.data import open_dataset
    from summit.ingest.influence import onehop, top_inputs
    from summit.ingest.models import load_model
    from summit.ingest.pipeline import build_ingestor

    from summit.settings import resolve

    started = time.perf_counter()
    loaded = load_model("efficientnet_lite0")
    settings = resolve({"device": "cpu"}, environ={})
    ing = build_ingestor(loaded, settings, torch.device("cpu"))
    k = settings.influence_topk
    dataset = open_dataset(args.data, output_wnids=loaded.output_wnids, transform=loaded.transform,
                           limit=args.images)
    images = torch.stack([dataset[i].image for i in range(len(dataset))])
    inputs: dict[str, torch.Tensor] = {}
    modules = dict(loaded.module.named_modules())
    handles = [modules[path].register_forward_pre_hook(
        lambda _m, inp, path=path: inputs.__setitem__(path, inp[0].detach())) for path in ing.x_consumers]
    try:
        with torch.no_grad():
            loaded.module(images)
    finally:
        for h in handles:
            h.remove()
    sets = tops = total = 0
    for (p, h), (kernel, geometry) in ing.kernels.items():
        hop = ing.plans[p].hops[h]
        x = inputs[hop.x_from]
        if kernel.shape[-1] != 1 or geometry.stride != (1, 1):
            continue  # Lite0's hops are 1x1, stride 1 (depthwise convs keep channel identity)
        full, _ = top_inputs(onehop(x, kernel, geometry), k)
        sampled, _ = top_inputs(onehop(x[..., ::3, ::3].contiguous(), kernel, geometry), k)
        same = (full.sort(-1).values == sampled.sort(-1).values).all(-1)
        sets += int((~same).sum())
        tops += int((full[..., 0] != sampled[..., 0]).sum())
        total += same.numel()
    print(f"EfficientNet-Lite0, {len(dataset)} images, {total} (image, hop output) pairs: top-{k} input set "
          f"differs in {sets / total:.1%}, top-1 input in {tops / total:.1%} with Summit's stride-3 sampling "
          f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
