"""Model input preprocessing: resize the short side, centre-crop, normalise.

``Preprocess`` (PIL image -> normalised tensor) and ``Normalize`` ([0, 1] tensor ->
normalised tensor) are small picklable classes, so DataLoader workers can use
them with any start method. ``geometric`` gives the resized and cropped PIL image
(what the model sees, before value normalisation), for dataset-example patches.

Normalisation is ``(pixel - offset) / scale`` on 0-255 pixel values, which covers
both the torchvision convention (``offset = 255 * mean``, ``scale = 255 * std``)
and TF-Lite's ``(pixel - 127) / 128``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from PIL import Image

_INTERPOLATION = {
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "nearest": Image.Resampling.NEAREST,
    "lanczos": Image.Resampling.LANCZOS,
}


def resized_size(width: int, height: int, short_side: int) -> tuple[int, int]:
    """Size after scaling the short side to ``short_side`` (torchvision's rounding: truncate)."""
    if width <= height:
        return short_side, int(short_side * height / width)
    return int(short_side * width / height), short_side


def crop_box(width: int, height: int, crop: int) -> tuple[int, int, int, int]:
    """Centre-crop box (left, top, right, bottom), torchvision's rounding."""
    top = round((height - crop) / 2.0)
    left = round((width - crop) / 2.0)
    return left, top, left + crop, top + crop


class Normalize:
    """``(x * 255 - offset) / scale`` per channel, for [0, 1] image tensors (..., 3, H, W)."""

    def __init__(self, offset: Sequence[float], scale: Sequence[float]):
        self.offset = tuple(float(v) for v in offset)
        self.scale = tuple(float(v) for v in scale)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        offset = torch.tensor(self.offset, dtype=x.dtype, device=x.device).view(3, 1, 1)
        scale = torch.tensor(self.scale, dtype=x.dtype, device=x.device).view(3, 1, 1)
        return (x * 255.0 - offset) / scale

    def __repr__(self) -> str:
        return f"Normalize(offset={self.offset}, scale={self.scale})"


class Preprocess:
    """PIL image -> float tensor (3, crop, crop): resize short side, centre crop, normalise."""

    def __init__(
        self,
        *,
        resize: int,
        crop: int,
        interpolation: str,
        offset: Sequence[float],
        scale: Sequence[float],
    ):
        if interpolation not in _INTERPOLATION:
            raise ValueError(f"unknown interpolation {interpolation!r}; one of {sorted(_INTERPOLATION)}")
        self.resize = int(resize)
        self.crop = int(crop)
        self.interpolation = interpolation
        self.offset = tuple(float(v) for v in offset)
        self.scale = tuple(float(v) for v in scale)
        self._offset = torch.tensor(self.offset).view(3, 1, 1)
        self._scale = torch.tensor(self.scale).view(3, 1, 1)

    def geometric(self, image: Image.Image) -> Image.Image:
        """The RGB image resized and cropped exactly as the model sees it (no value change)."""
        image = image.convert("RGB")
        size = resized_size(image.width, image.height, self.resize)
        if size != image.size:
            image = image.resize(size, _INTERPOLATION[self.interpolation])
        return image.crop(crop_box(image.width, image.height, self.crop))

    def __call__(self, image: Image.Image) -> torch.Tensor:
        pixels = torch.from_numpy(np.asarray(self.geometric(image), dtype=np.uint8).copy())
        x = pixels.permute(2, 0, 1).to(torch.float32)
        return (x - self._offset) / self._scale

    @property
    def normalize(self) -> Normalize:
        return Normalize(self.offset, self.scale)

    def describe(self) -> dict[str, Any]:
        """What goes into the artifact manifest (enough to reproduce the preprocessing)."""
        return {
            "resize_short_side": self.resize,
            "center_crop": self.crop,
            "interpolation": self.interpolation,
            "normalize": "(pixel - offset) / scale on 0-255 values",
            "offset": list(self.offset),
            "scale": list(self.scale),
        }

    def __repr__(self) -> str:
        return (
            f"Preprocess(resize={self.resize}, crop={self.crop}, interpolation={self.interpolation!r}, "
            f"offset={self.offset}, scale={self.scale})"
        )


def torchvision_style(resize: int, crop: int, interpolation: str, mean: Sequence[float],
                      std: Sequence[float]) -> Preprocess:
    """A ``Preprocess`` from torchvision/timm-style mean and std on [0, 1] values."""
    return Preprocess(
        resize=resize, crop=crop, interpolation=interpolation,
        offset=[255.0 * m for m in mean], scale=[255.0 * s for s in std],
    )
