"""Real EfficientNet-Lite0 on real validation images: A at 1 % and 3 % equal Summit's loop, ties included.

The brute force is activation-matrices.ipynb's rule written out in plain Python:
per image and layer, ``sorted(zip(p, channel), reverse=True)`` and "add channels
while the mass taken is below the threshold". Lite0's ReLU6 layers saturate at
6.0, so the cut often falls inside a tie; the test also shows that the other tie
rule (lower channel first) would count differently.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
from summit.ingest.data import open_dataset
from summit.ingest.models import load_model
from summit.ingest.pipeline import IngestOptions, run_ingest
from torch.utils.data import Subset

from summit.artifact import read_table
from summit.settings import resolve

VAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "imagenet-val-1300"
IMAGES = 24

pytestmark = [pytest.mark.realmodel, pytest.mark.slow]


def summit_select(maxima: np.ndarray, mass: float, *, higher_first: bool = True) -> list[int]:
    p = maxima / maxima.sum()
    if higher_first:
        order = [c for _, c in sorted(zip(p.tolist(), range(len(p)), strict=True), reverse=True)]
    else:
        order = sorted(range(len(p)), key=lambda c: (-p[c], c))
    taken, share = [], 0.0
    for c in order:
        if share >= mass:
            break
        taken.append(c)
        share += p[c]
    return taken


def test_counts_at_both_masses_equal_summits_loop_on_real_images(tmp_path: Path) -> None:
    lite0 = load_model("efficientnet_lite0")
    dataset = open_dataset(VAL, output_wnids=lite0.output_wnids, transform=lite0.transform)
    subset = Subset(dataset, list(range(IMAGES)))
    settings = resolve({"device": "cpu", "workers": 0, "batch_size": 8, "influence": "none",
                        "examples_per_neuron": 0}, environ={})
    run_ingest(lite0, subset, settings, IngestOptions(tmp_path / "a", progress=False, write_examples=False))
    acts = read_table(tmp_path / "a", "activations")
    got = {m: Counter({(c, n): v for c, n, v in acts.select("class_index", "neuron_id", col).iter_rows() if v})
           for m, col in ((0.01, "count"), (0.03, "graph_count"))}

    modules = dict(lite0.module.named_modules())
    captured: dict[str, torch.Tensor] = {}
    handles = [modules[name].register_forward_hook(
        lambda _m, _i, out, name=name: captured.__setitem__(name, out.detach().flatten(2).amax(-1)))
        for name in lite0.layers]
    want: dict[float, Counter] = {0.01: Counter(), 0.03: Counter()}
    lower: dict[float, Counter] = {0.01: Counter(), 0.03: Counter()}
    ties_at_cut = 0
    try:
        for k in range(IMAGES):
            item = dataset[k]
            with torch.no_grad():
                lite0.module(item.image[None])
            for name in lite0.layers:
                maxima = captured[name][0].clamp_min(0).double().numpy()
                for mass in (0.01, 0.03):
                    chosen = summit_select(maxima, mass)
                    want[mass].update((item.label, f"{name}:{c}") for c in chosen)
                    lower[mass].update((item.label, f"{name}:{c}") for c in summit_select(maxima, mass,
                                                                                         higher_first=False))
                    last = maxima[chosen[-1]]
                    ties_at_cut += int((maxima == last).sum() > 1 and len(chosen) < len(maxima))
    finally:
        for handle in handles:
            handle.remove()
    for mass in (0.01, 0.03):
        assert got[mass] == want[mass], mass
    assert sum(want[0.03].values()) > sum(want[0.01].values())
    # saturation is real here: the cut falls inside a tie, and the lower-index rule counts differently
    assert ties_at_cut > 0
    assert lower[0.01] != want[0.01]
    differing = sum(1 for key in set(lower[0.01]) | set(want[0.01]) if lower[0.01][key] != want[0.01][key])
    print(f"\n{IMAGES} images: {ties_at_cut} (image, layer, mass) cuts inside a tie; {differing} of "
          f"{len(set(lower[0.01]) | set(want[0.01]))} A cells at 1 % differ under the lower-index rule")
