"""Pillow's resize, then the centre crop, as tensor maths on any device (for ``decode gpu``).

``Preprocess`` resizes with Pillow (``Image.resize``, bilinear or bicubic) and crops.
Pillow resamples separably, horizontal pass first, with per-output-pixel filter
weights that it normalises, turns into 22-bit fixed-point integers and applies to
the 8-bit pixels, rounding and clipping to 8 bits after each pass (Pillow's
``Resample.c``: ``precompute_coeffs``, ``normalize_coeffs_8bpc``, ``clip8``). Here the
same integer weights are built as dense (out, in) matrices and applied with a
float64 matmul: every product and partial sum is an integer below 2**53, so the
sums are exact in any order and the result equals Pillow's pixel for pixel
(tested against Pillow on real images). Only the rows and columns inside the
crop are computed: each output pixel depends on its own weights only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import torch

PRECISION_BITS = 32 - 8 - 2  # Pillow's fixed-point precision for 8-bit images


def _bilinear(x: float) -> float:
    x = abs(x)
    return 1.0 - x if x < 1.0 else 0.0


def _bicubic(x: float) -> float:
    a = -0.5
    x = abs(x)
    if x < 1.0:
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    if x < 2.0:
        return (((x - 5.0) * x + 8.0) * x - 4.0) * a
    return 0.0


FILTERS: dict[str, tuple[Callable[[float], float], float]] = {"bilinear": (_bilinear, 1.0), "bicubic": (_bicubic, 2.0)}


def pillow_weights(in_size: int, out_size: int, start: int, count: int,
                   interpolation: str) -> tuple[int, np.ndarray]:
    """Pillow's integer weights of output pixels ``start .. start + count``: (first input used, int64 matrix
    (count, inputs used from ``first`` on)), as ``precompute_coeffs`` + ``normalize_coeffs_8bpc`` compute them."""
    fn, support = FILTERS[interpolation]
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = support * filterscale
    one = 1 << PRECISION_BITS
    spans: list[tuple[int, list[int]]] = []
    for xx in range(start, start + count):
        center = (xx + 0.5) * scale
        ss = 1.0 / filterscale
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), in_size) - xmin
        w = [fn((x + xmin - center + 0.5) * ss) for x in range(xmax)]
        total = sum(w)
        normalised = [v / total for v in w] if total != 0.0 else w
        spans.append((xmin, [int(-0.5 + v * one) if v < 0 else int(0.5 + v * one) for v in normalised]))
    first = min(xmin for xmin, _ in spans)
    matrix = np.zeros((count, max(xmin + len(w) for xmin, w in spans) - first), dtype=np.int64)
    for row, (xmin, fixed) in enumerate(spans):
        matrix[row, xmin - first : xmin - first + len(fixed)] = fixed
    return first, matrix


@lru_cache(maxsize=1024)
def _matrix(in_size: int, out_size: int, start: int, count: int, interpolation: str,
            device: torch.device) -> tuple[int, torch.Tensor]:
    """(first input used, float64 weight matrix (count, inputs used)) on ``device``, cached per image geometry."""
    first, matrix = pillow_weights(in_size, out_size, start, count, interpolation)
    return first, torch.from_numpy(matrix).to(device, torch.float64)


def _round_clip(sums: torch.Tensor) -> torch.Tensor:
    """Pillow's ``clip8``: (sum + half) >> PRECISION_BITS, clipped to 0..255 (exact on integer-valued floats)."""
    return torch.floor((sums + (1 << (PRECISION_BITS - 1))) / (1 << PRECISION_BITS)).clamp_(0, 255)


def resize_crop(
    image: torch.Tensor, size: tuple[int, int], box: tuple[int, int, int, int], interpolation: str,
) -> torch.Tensor:
    """``image`` (3, H, W) uint8 resized to ``size`` (W', H') as Pillow does, then cropped to ``box``
    (left, top, right, bottom), which must lie inside the resized image. Returns float64 pixel values
    0..255, (3, bottom - top, right - left)."""
    if interpolation not in FILTERS:
        raise ValueError(f"interpolation {interpolation!r} is not emulated (use one of {sorted(FILTERS)})")
    _, height, width = image.shape
    new_w, new_h = size
    left, top, right, bottom = box
    if not (0 <= left < right <= new_w and 0 <= top < bottom <= new_h):
        raise ValueError(f"crop box {box} is not inside the resized image {new_w}x{new_h}")
    x = image.to(torch.float64)
    if new_h != height:  # the vertical pass reads only these rows: the horizontal pass needs no others
        first_row, vert = _matrix(height, new_h, top, bottom - top, interpolation, image.device)
        x = x[:, first_row : first_row + vert.shape[1]]
    else:
        x = x[:, top:bottom]
    if new_w != width:  # horizontal pass first, rounded to 8 bits, as Pillow does
        first_col, horiz = _matrix(width, new_w, left, right - left, interpolation, image.device)
        x = _round_clip(x[:, :, first_col : first_col + horiz.shape[1]] @ horiz.T)
    else:
        x = x[:, :, left:right]
    if new_h != height:
        x = _round_clip(vert @ x)
    return x
