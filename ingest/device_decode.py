"""``decode gpu``: the loader workers only read files; JPEGs are decoded, resized and cropped on the device.

* ``EncodedImages`` (a Dataset over an ``ImageDataset``) gives per sample the file's
  bytes when it is a complete 1- or 3-channel JPEG, else the pixels decoded by
  Pillow in the worker exactly as the CPU loader does (PNG, CMYK JPEGs, truncated
  files), or nothing when Pillow cannot read it either (skipped, as today).
* ``DeviceDecoder`` turns a collated ``EncodedBatch`` into the model's input on the
  device: one batched ``torchvision.io.decode_jpeg`` call (nvjpeg on CUDA), then
  per image Pillow's resize and the centre crop (``ingest.resample``, pixel-exact),
  then the value normalisation of ``Preprocess``. A JPEG the device decoder refuses
  is decoded by Pillow instead; one Pillow cannot read is skipped.

On the CPU (tests) the result equals the Pillow loader's bit for bit: libjpeg-turbo
decodes both, and the resize maths are Pillow's. On a GPU only the JPEG decoder
differs (nvjpeg's IDCT and chroma upsampling round differently from libjpeg's).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import torch
from PIL import Image
from summit.ingest.data import Batch, ImageDataset, load_rgb, skip_reason
from summit.ingest.preprocess import Preprocess, crop_box, resized_size
from summit.ingest.resample import FILTERS, resize_crop
from torch.utils.data import Dataset

from summit.errors import BadInput

_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def jpeg_components(data: bytes) -> int | None:
    """Colour components of a JPEG from its frame header (1 grey, 3 YCbCr/RGB, 4 CMYK), None if not a JPEG."""
    if len(data) < 4 or data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in _SOF:
            return data[i + 9] if i + 9 < len(data) else None
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
            continue
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


def device_decodable(data: bytes) -> bool:
    """A whole JPEG (ends with its EOI marker) with 1 or 3 components: the device decoder takes it."""
    return jpeg_components(data) in (1, 3) and data.rstrip(b"\x00")[-2:] == b"\xff\xd9"


class Encoded(NamedTuple):
    """What ``EncodedImages[i]`` gives: JPEG bytes (1-D uint8), or pixels (3, H, W) uint8, or None (``error``: why)."""

    data: torch.Tensor | None
    label: int
    sample_index: int
    error: str = ""


@dataclass
class EncodedBatch:
    items: list[torch.Tensor]
    labels: torch.Tensor
    sample_indices: torch.Tensor
    skipped: list[int] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)  # skipped sample index -> why


class EncodedImages(Dataset[Encoded]):
    """The samples of an ``ImageDataset`` as file bytes (JPEGs the device can decode) or Pillow's pixels."""

    def __init__(self, dataset: ImageDataset):
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, position: int) -> Encoded:
        sample = self.dataset.samples[position]
        path = self.dataset.root / sample.relpath
        try:
            data = path.read_bytes()
            if device_decodable(data):
                return Encoded(torch.frombuffer(bytearray(data), dtype=torch.uint8), sample.label,
                               sample.sample_index)
            pixels = np.asarray(load_rgb(path), dtype=np.uint8)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            return Encoded(None, sample.label, sample.sample_index, skip_reason(exc, self.dataset.root))
        return Encoded(torch.from_numpy(pixels.copy()).permute(2, 0, 1), sample.label, sample.sample_index)


def collate_encoded(items: Sequence[Encoded]) -> EncodedBatch:
    good = [item for item in items if item.data is not None]
    return EncodedBatch(
        items=[item.data for item in good if item.data is not None],
        labels=torch.tensor([item.label for item in good], dtype=torch.long),
        sample_indices=torch.tensor([item.sample_index for item in good], dtype=torch.long),
        skipped=[item.sample_index for item in items if item.data is None],
        reasons={item.sample_index: item.error or "unreadable image" for item in items if item.data is None},
    )


class DeviceDecoder:
    """Decode (JPEGs), resize, crop and normalise an ``EncodedBatch`` on ``device`` as ``preprocess`` does."""

    def __init__(self, preprocess: Preprocess, device: torch.device):
        problem = unsupported(preprocess)
        if problem:
            raise BadInput(f"decode gpu: {problem}")
        self.pre = preprocess
        self.device = device
        self.offset = torch.tensor(preprocess.offset, dtype=torch.float32, device=device).view(3, 1, 1)
        self.scale = torch.tensor(preprocess.scale, dtype=torch.float32, device=device).view(3, 1, 1)

    def __call__(self, batch: EncodedBatch) -> Batch:
        pixels = self.decode(batch.items)
        keep = [n for n, image in enumerate(pixels) if image is not None]
        refused = [int(batch.sample_indices[n]) for n, p in enumerate(pixels) if p is None]
        skipped = list(batch.skipped) + refused
        reasons = {**batch.reasons, **dict.fromkeys(refused, "neither the device's JPEG decoder nor Pillow reads it")}
        images = [self.geometric(pixels[n]) for n in keep]  # type: ignore[arg-type]
        stacked = torch.stack(images) if images else torch.empty(0, 3, self.pre.crop, self.pre.crop,
                                                                 device=self.device)
        keep_t = torch.tensor(keep, dtype=torch.long)
        return Batch(images=(stacked.to(torch.float32) - self.offset) / self.scale,
                     labels=batch.labels[keep_t], sample_indices=batch.sample_indices[keep_t], skipped=skipped,
                     reasons=reasons)

    def decode(self, items: list[torch.Tensor]) -> list[torch.Tensor | None]:
        """(3, H, W) uint8 pixels on the device per item (None: unreadable); JPEG bytes decoded in one call."""
        from torchvision.io import ImageReadMode, decode_jpeg

        out: list[torch.Tensor | None] = [None] * len(items)
        jpegs = [n for n, item in enumerate(items) if item.ndim == 1]
        for n, item in enumerate(items):
            if item.ndim == 3:
                out[n] = item.to(self.device, non_blocking=True)
        if jpegs:
            data = [items[n] for n in jpegs]
            try:
                decoded = decode_jpeg(data, mode=ImageReadMode.RGB, device=self.device)
            except RuntimeError:  # one bad file fails the batch: decode one by one, Pillow for the refused
                decoded = [self._decode_one(d) for d in data]
            for n, image in zip(jpegs, decoded, strict=True):
                out[n] = image
        return out

    def _decode_one(self, data: torch.Tensor) -> torch.Tensor | None:
        from torchvision.io import ImageReadMode, decode_jpeg

        try:
            return decode_jpeg(data, mode=ImageReadMode.RGB, device=self.device)
        except RuntimeError:
            pass
        try:
            pixels = np.asarray(load_rgb(io.BytesIO(data.numpy().tobytes())), dtype=np.uint8)  # type: ignore[arg-type]
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            return None
        return torch.from_numpy(pixels.copy()).permute(2, 0, 1).to(self.device)

    def geometric(self, image: torch.Tensor) -> torch.Tensor:
        """Pillow's resize of the short side, then the centre crop: float64 pixels (3, crop, crop)."""
        height, width = int(image.shape[-2]), int(image.shape[-1])
        size = resized_size(width, height, self.pre.resize)
        return resize_crop(image, size, crop_box(size[0], size[1], self.pre.crop), self.pre.interpolation)


def unsupported(transform: Any) -> str:
    """Why ``transform`` cannot run on the device ('' when it can)."""
    if not isinstance(transform, Preprocess):
        return "the model's preprocessing is not the standard resize-crop-normalise (Preprocess)"
    if transform.interpolation not in FILTERS:
        return f"interpolation {transform.interpolation!r} is not emulated on the device (only {sorted(FILTERS)})"
    if transform.resize < transform.crop:
        return f"the crop ({transform.crop}) is larger than the resized short side ({transform.resize})"
    return ""


def resolve_decoder(choice: str, dataset: Any, device: torch.device) -> DeviceDecoder | None:
    """The ``DeviceDecoder`` for the setting ``decode`` (None: decode on the CPU in the loader workers)."""
    if choice == "cpu":
        return None
    if choice not in ("auto", "gpu"):
        raise BadInput(f"decode {choice!r}: use auto, cpu or gpu")
    problem = ""
    if device.type != "cuda":
        problem = f"needs a CUDA device (the run's device is {device})"
    elif not isinstance(dataset, ImageDataset):
        problem = "the dataset is not a folder or list of image files"
    else:
        problem = unsupported(dataset.transform)
    if problem:
        if choice == "gpu":
            raise BadInput(f"decode gpu: {problem}; use decode cpu")
        return None
    return DeviceDecoder(dataset.transform, device)
