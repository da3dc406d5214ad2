"""Tiny models and in-memory datasets for the ingest tests (no files, no downloads)."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

import torch
from torch import nn

from ingest.data import Item
from ingest.model_spec import LoadedModel


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
