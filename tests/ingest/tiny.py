"""Tiny models and in-memory datasets for the ingest tests (no files, no downloads)."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

import torch
from summit.ingest.data import Item
from summit.ingest.model_spec import LoadedModel
from torch import nn


class TensorImages(torch.utils.data.Dataset):
    """Images held as tensors; positions in ``corrupt`` behave like undecodable files."""

    def __init__(self, images: torch.Tensor, labels: list[int] | torch.Tensor, corrupt: set[int] | None = None):
        self.images = images
        self.labels = [int(v) for v in labels]
        self.corrupt = corrupt or set()

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> Item:
        return Item(None if i in self.corrupt else self.images[i], self.labels[i], i)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.images.numpy().tobytes()).hexdigest()

    def describe(self) -> dict[str, Any]:
        return {"root": "memory", "images": len(self), "fingerprint": self.fingerprint}


def loaded(model: nn.Module, layers: list[str], num_classes: int, size: int, name: str = "tiny") -> LoadedModel:
    """A ``LoadedModel`` around a hand-made module (identity preprocessing)."""
    return LoadedModel(
        name=name, module=model.eval(), layers=layers,
        output_wnids=[f"n{c:08d}" for c in range(num_classes)],
        output_names=[f"class {c}" for c in range(num_classes)],
        transform=lambda image: image, normalize=lambda x: x, input_size=size,
        weights_sha256="0" * 64, preprocessing={"kind": "identity"},
    )


class ConvChain(nn.Module):
    """conv-bn-relu x3 then a linear head: layers c1, c2, c3 (all one-hop pairs)."""

    def __init__(self, channels: tuple[int, ...] = (3, 4, 5, 6), classes: int = 3, kernel: int = 3):
        super().__init__()
        layers = []
        for n, (a, b) in enumerate(itertools.pairwise(channels)):
            layers.append((f"conv{n + 1}", nn.Conv2d(a, b, kernel, padding=kernel // 2, bias=True)))
            layers.append((f"bn{n + 1}", nn.BatchNorm2d(b)))
            layers.append((f"c{n + 1}", nn.ReLU()))
        self.body = nn.Sequential()
        for name, module in layers:
            self.body.add_module(name, module)
        self.head = nn.Linear(channels[-1], classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x).amax(dim=(2, 3)))


def run_tiny(
    tmp_path: Any, model: nn.Module, layers: list[str], images: torch.Tensor, labels: list[int], *,
    classes: int, batch_size: int = 4, examples: bool = False, corrupt: set[int] | None = None,
    name: str = "a", **method: Any,
) -> dict[str, Any]:
    """Ingest in-memory images with the real pipeline; return the artifact's counts as dicts."""
    from summit.ingest.pipeline import IngestOptions, run_ingest

    from summit.artifact import read_manifest, read_table
    from summit.settings import resolve

    settings = resolve({"batch_size": batch_size, "workers": 0, "device": "cpu", **method}, environ={})
    out = tmp_path / name
    run_ingest(loaded(model, layers, classes, images.shape[-1]), TensorImages(images, labels, corrupt), settings,
               IngestOptions(out, progress=False, write_examples=examples))
    return artifact_counts(out) | {"manifest": read_manifest(out), "path": out,
                                   "classes": read_table(out, "classes")}


def artifact_counts(out: Any) -> dict[str, Any]:
    from summit.artifact import read_table

    acts = read_table(out, "activations")
    infl = read_table(out, "influences")
    return {
        "acts": {(r[0], r[1]): r[2] for r in acts.select("class_index", "neuron_id", "count").iter_rows() if r[2]},
        "graph_acts": {(r[0], r[1]): r[2] for r in acts.select("class_index", "neuron_id", "graph_count").iter_rows()
                       if r[2]},
        "sums": {(r[0], r[1]): r[2] for r in acts.select("class_index", "neuron_id", "act_sum").iter_rows()},
        "influences": {(r[0], r[1], r[2]): r[3] for r in infl.iter_rows()},
    }


def flat(state: Any, prefix: str = "") -> dict[str, torch.Tensor]:
    """A nested state dict (``Ingestor.state_dict()``) as {"part/key/field": tensor}."""
    if isinstance(state, dict):
        out: dict[str, torch.Tensor] = {}
        for key, value in state.items():
            out.update(flat(value, f"{prefix}{key}/"))
        return out
    return {prefix.rstrip("/"): state}


def randomize_bn(model: nn.Module, seed: int = 0) -> nn.Module:
    """Random BatchNorm statistics and (partly negative) scales, so folding matters."""
    gen = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.rand(n, generator=gen) - 0.5)
            m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=gen) * 2 - 0.5)
            m.bias.data.copy_(torch.rand(n, generator=gen) - 0.5)
    return model
