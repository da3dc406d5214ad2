"""Torch device names from settings ('auto' picks CUDA when present), and the device-side choices:
where influence counts live, which influence kernel runs."""

from __future__ import annotations

import os

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


# A full-ImageNet run's sparse influence counts reached 19.7 GiB of device memory after
# 100,000 images and still grow (bench/bench_scale.py, 1,000 classes). With
# ``counts_device auto`` they start on the GPU and move to host memory once less than
# this share of the GPU's memory is left. Host counts cost speed (H200, 16 host cores:
# 354 instead of 2,209 img/s for the model-side work, 30 s instead of 0.6 s for the
# end-of-run merges at 4,096 images), not results (the same keys).
SPILL_WHEN_AVAILABLE_BELOW = 0.25


def resolve_counts_device(choice: str, device: torch.device) -> tuple[torch.device, bool]:
    """(where the sparse influence counts start, whether they may move to the host) for ``counts_device``."""
    if choice == "device":
        return device, False
    if choice == "cpu":
        return torch.device("cpu"), False
    if choice != "auto":
        raise BadInput(f"counts_device {choice!r}: use auto, device or cpu")
    return device, device.type == "cuda"


def should_spill(free: int, reserved: int, allocated: int, total: int,
                 threshold: float = SPILL_WHEN_AVAILABLE_BELOW) -> bool:
    """True when the GPU memory still available (free, plus what the allocator caches unused) is short."""
    available = free + max(reserved - allocated, 0)
    return available < threshold * total


def gpu_free_bytes(device: torch.device) -> int:
    """Memory the driver reports free on ``device`` (a CUDA device)."""
    return int(torch.cuda.mem_get_info(device)[0])


def gpu_memory_short(device: torch.device, threshold: float = SPILL_WHEN_AVAILABLE_BELOW) -> bool:
    free, total = torch.cuda.mem_get_info(device)
    return should_spill(free, torch.cuda.memory_reserved(device), torch.cuda.memory_allocated(device), total,
                        threshold)


def triton_available() -> bool:
    """Whether the triton package imports (it ships with torch's CUDA wheels on Linux)."""
    try:
        import triton  # noqa: F401
    except ImportError:
        return False
    return True


def triton_interpreting() -> bool:
    """Whether Triton kernels run under its CPU interpreter (TRITON_INTERPRET=1)."""
    return os.environ.get("TRITON_INTERPRET", "0").strip().lower() in {"1", "true", "yes", "on"}


def resolve_influence_kernel(choice: str, device: torch.device) -> str:
    """'torch' or 'triton' for the setting ``influence_kernel`` on ``device``."""
    if choice == "torch":
        return "torch"
    if choice == "auto":
        return "triton" if device.type == "cuda" and triton_available() else "torch"
    if choice != "triton":
        raise BadInput(f"influence_kernel {choice!r}: use auto, torch or triton")
    if not triton_available():
        raise BadInput("influence_kernel triton: the triton package is not installed (it ships with torch's "
                       "CUDA wheels; pip install triton), or use influence_kernel torch")
    if device.type != "cuda" and not triton_interpreting():
        raise BadInput(f"influence_kernel triton needs a CUDA device (the run's device is {device}); on the CPU "
                       "set TRITON_INTERPRET=1 to run the kernels in Triton's interpreter (slow; for checks)")
    return "triton"
