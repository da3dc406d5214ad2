"""Dataset-example patches (METHOD.md section 6): receptive fields and JPEG crops.

The receptive field of a layer is measured, not hand-copied: the gradient of one
output position (all channels) with respect to a random input marks the input
pixels that position sees; its bounding box relative to ``position x stride``
gives the crop for any argmax position of that layer.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image
from torch import nn

from summit.artifact import MEDIA_DIR

PATCH_MAX_SIDE = 128


@dataclass(frozen=True)
class Field:
    """Receptive field of a layer: stride (input pixels per output step) and box offsets."""

    stride_y: float
    stride_x: float
    y0: int
    y1: int
    x0: int
    x1: int
    height: int  # layer output size
    width: int

    def box(self, pos: int, image_h: int, image_w: int) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) of the crop for a flat argmax ``pos`` (y * width + x), clipped."""
        y, x = divmod(int(pos), self.width)
        cy, cx = round(y * self.stride_y), round(x * self.stride_x)
        top, bottom = max(0, cy + self.y0), min(image_h, cy + self.y1 + 1)
        left, right = max(0, cx + self.x0), min(image_w, cx + self.x1 + 1)
        if bottom <= top or right <= left:
            return 0, 0, image_w, image_h
        return left, top, right, bottom


def receptive_fields(model: nn.Module, layers: list[str], input_size: int, device: torch.device) -> dict[str, Field]:
    """Measure each layer's receptive field with one forward and one backward per layer."""
    modules = dict(model.named_modules())
    outputs: dict[str, torch.Tensor] = {}
    handles = []
    dtype = next(model.parameters()).dtype
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(1, 3, input_size, input_size, generator=generator, dtype=dtype).to(device).requires_grad_(True)

    def keep(name: str):
        def hook(_m: nn.Module, _i: object, out: torch.Tensor) -> None:
            outputs[name] = out
        return hook

    try:
        for name in layers:
            handles.append(modules[name].register_forward_hook(keep(name)))
        with torch.enable_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    fields = {}
    for n, name in enumerate(layers):
        out = outputs[name]
        h, w = out.shape[-2:]
        cy, cx = h // 2, w // 2
        (grad,) = torch.autograd.grad(out[0, :, cy, cx].sum(), x, retain_graph=n < len(layers) - 1)
        mask = grad[0].abs().sum(0) > 0
        sy, sx = input_size / h, input_size / w
        if not bool(mask.any()):
            fields[name] = Field(sy, sx, 0, input_size - 1, 0, input_size - 1, h, w)
            continue
        ys = torch.nonzero(mask.any(1)).flatten()
        xs = torch.nonzero(mask.any(0)).flatten()
        oy, ox = round(cy * sy), round(cx * sx)
        fields[name] = Field(sy, sx, int(ys.min()) - oy, int(ys.max()) - oy, int(xs.min()) - ox, int(xs.max()) - ox, h, w)
    return fields


def denormalizer(normalize: Callable[[torch.Tensor], torch.Tensor]) -> Callable[[torch.Tensor], torch.Tensor]:
    """Invert the model's per-channel affine normalisation (measured on constant images)."""
    zero = normalize(torch.zeros(3, 1, 1, dtype=torch.float64))
    one = normalize(torch.ones(3, 1, 1, dtype=torch.float64))
    slope = one - zero

    def undo(x: torch.Tensor) -> torch.Tensor:
        return ((x.double() - zero.to(x.device)) / slope.to(x.device)).clamp(0, 1)
    return undo


def to_pil(image: torch.Tensor, undo: Callable[[torch.Tensor], torch.Tensor]) -> Image.Image:
    array = (undo(image).mul(255).round().to(torch.uint8).permute(1, 2, 0).cpu().numpy())
    return Image.fromarray(array)


def write_patches(
    out: Path,
    picks: Mapping[int, list[tuple[str, int, int, int]]],
    load: Callable[[int], torch.Tensor | None],
    fields: Mapping[str, Field],
    undo: Callable[[torch.Tensor], torch.Tensor],
    threads: int | None = None,
) -> set[tuple[str, int, int]]:
    """Write the patch JPEGs; ``picks[sample] = [(layer, channel, rank, pos), ...]``.

    Each image is loaded once (``load(sample)`` gives the model-input tensor or None);
    images are cropped and encoded on a small thread pool (PIL releases the GIL).
    Returns the (layer, channel, rank) written.
    """
    for layer in {w[0] for wanted in picks.values() for w in wanted}:
        (out / MEDIA_DIR / media_path(layer, 0, 0)).parent.mkdir(parents=True, exist_ok=True)

    def one(sample: int) -> list[tuple[str, int, int]]:
        tensor = load(sample)
        if tensor is None:
            return []
        image = to_pil(tensor, undo)
        done = []
        for layer, channel, rank, pos in picks[sample]:
            crop = image.crop(fields[layer].box(pos, image.height, image.width))
            crop.thumbnail((PATCH_MAX_SIDE, PATCH_MAX_SIDE))
            buf = io.BytesIO()
            crop.save(buf, format="JPEG", quality=88)
            (out / MEDIA_DIR / media_path(layer, channel, rank)).write_bytes(buf.getvalue())
            done.append((layer, channel, rank))
        return done

    workers = threads or min(4, os.cpu_count() or 1)
    written: set[tuple[str, int, int]] = set()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done in pool.map(one, sorted(picks)):
            written.update(done)
    return written


def media_path(layer: str, channel: int, rank: int) -> str:
    """Path of a patch relative to the artifact's ``media/`` folder."""
    return f"examples/{layer}/{channel}_{rank}.jpg"
