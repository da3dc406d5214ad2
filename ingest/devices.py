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
