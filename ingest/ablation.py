"""Channel ablation with forward hooks: zero chosen channels of chosen layers, per sample.

``ablate(module, masks)`` registers one forward hook per layer that sets the
channels marked ``True`` in that layer's mask to zero. A mask is (C,) for the
whole batch or (B, C) for one set of channels per sample, so one forward pass
can ablate a different set for every image (each image's class has its own
graph). Hooks are removed in ``finally``, also when the forward raises.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import torch
from torch import nn

from summit.errors import BadInput


def _zero_channels(output: torch.Tensor, mask: torch.Tensor, layer: str) -> torch.Tensor:
    if output.dim() < 2:
        raise BadInput(f"layer {layer!r} output has {output.dim()} dimension(s); ablation needs (B, C, ...)")
    channels = output.shape[1]
    if mask.shape[-1] != channels:
        raise BadInput(f"ablation mask for layer {layer!r} has {mask.shape[-1]} channels, the layer has {channels}")
    if mask.dim() == 2 and mask.shape[0] != output.shape[0]:
        raise BadInput(f"ablation mask for layer {layer!r} has {mask.shape[0]} rows for a batch of {output.shape[0]}")
    keep = mask.reshape(*(mask.shape if mask.dim() == 2 else (1, channels)), *([1] * (output.dim() - 2)))
    return output.masked_fill(keep.to(output.device), 0.0)


@contextmanager
def ablate(module: nn.Module, masks: Mapping[str, torch.Tensor]) -> Iterator[None]:
    """Within the block, forwards of ``module`` zero ``masks[layer]``'s True channels at each layer."""
    modules = dict(module.named_modules())
    unknown = [layer for layer in masks if layer not in modules]
    if unknown:
        raise BadInput(f"model has no layer(s) {', '.join(unknown)}")
    for layer, mask in masks.items():
        if mask.dtype != torch.bool or mask.dim() not in (1, 2):
            raise BadInput(f"ablation mask for layer {layer!r} must be a bool tensor of shape (C,) or (B, C)")
    handles = []
    try:
        for layer, mask in masks.items():
            def hook(_mod: nn.Module, _inp: object, out: torch.Tensor, *, _layer: str = layer,
                     _mask: torch.Tensor = mask) -> torch.Tensor:
                return _zero_channels(out, _mask, _layer)

            handles.append(modules[layer].register_forward_hook(hook))
        yield
    finally:
        for handle in handles:
            handle.remove()
