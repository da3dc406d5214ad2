"""Torch device names from settings: 'auto' picks CUDA when present."""

from __future__ import annotations

import torch

from summit.errors import BadInput


def resolve_device(name: str) -> torch.device:
    """'auto' -> cuda if available else cpu; anything else must be a valid, available torch device."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        raise BadInput(f"device {name!r} is not a torch device (use auto, cpu, cuda or cuda:N)") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise BadInput(f"device {name!r} asked for, but CUDA is not available here (use --device cpu)")
    return device


# A full-ImageNet run's sparse influence counts reached 20 GiB of device memory after
# 100,000 images and still grow (bench/bench_scale.py, 1,000 classes): below this much
# GPU memory, ``counts_device auto`` keeps them in host memory instead. That costs speed
# (H200, 16 host cores: 354 instead of 2,209 img/s for the model-side work, 30 s instead
# of 0.6 s for the end-of-run merges at 4,096 images), not results (the same keys).
AUTO_COUNTS_MIN_GPU_BYTES = 40 * 2**30


def resolve_counts_device(choice: str, device: torch.device, gpu_bytes: int | None = None) -> torch.device:
    """The device of the sparse influence counts for setting ``counts_device`` on run device ``device``.

    ``gpu_bytes``: the GPU's memory (default: asked from CUDA); only used by 'auto' on a GPU.
    """
    if choice == "device":
        return device
    if choice == "cpu":
        return torch.device("cpu")
    if choice != "auto":
        raise BadInput(f"counts_device {choice!r}: use auto, device or cpu")
    if device.type != "cuda":
        return device
    if gpu_bytes is None:
        gpu_bytes = int(torch.cuda.get_device_properties(device).total_memory)
    return torch.device("cpu") if gpu_bytes < AUTO_COUNTS_MIN_GPU_BYTES else device
