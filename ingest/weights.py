"""Finding, reading and mapping weight files (no network access, ever).

- ``read_state_dict(path)``: a state dict from a ``.pth``/``.pt``/``.bin`` or
  ``.safetensors`` file (a bare state dict or one under ``state_dict``/``model``).
- ``sha256_file(path)``: the digest recorded in the artifact manifest.
- ``hub_cached_file(url)``: the torch hub cache file for a download URL, if present.
- ``map_lukemelas_efficientnet(source, model)``: lukemelas ``EfficientNet-PyTorch``
  keys (``_blocks.3._expand_conv.weight``) -> timm ``EfficientNet`` keys
  (``blocks.2.0.conv_pw.weight``), every key mapped and every shape checked.
- ``load_strict(model, state, source)``: ``load_state_dict(strict=True)`` with a
  readable ``WeightsUnavailable`` on any mismatch.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

import torch
from torch import nn

from summit.errors import WeightsUnavailable

StateDict = dict[str, torch.Tensor]


def sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_state_dict(path: str | os.PathLike[str]) -> StateDict:
    """Read a state dict from ``path``; ``WeightsUnavailable`` when missing or unreadable."""
    file = Path(path)
    if not file.is_file():
        raise WeightsUnavailable(f"weights file {file} does not exist")
    try:
        if file.suffix == ".safetensors":
            from safetensors.torch import load_file

            raw: object = load_file(str(file))
        else:
            raw = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as exc:  # any reader failure is a bad weights file for the user
        raise WeightsUnavailable(f"weights file {file} cannot be read as a state dict: {exc}") from None
    if isinstance(raw, Mapping):
        for key in ("state_dict", "model", "model_state_dict"):
            inner = raw.get(key)
            if isinstance(inner, Mapping):
                raw = inner
                break
    if not isinstance(raw, Mapping) or not all(isinstance(v, torch.Tensor) for v in raw.values()):
        raise WeightsUnavailable(f"weights file {file} does not hold a state dict (name -> tensor)")
    state = {str(k): v for k, v in raw.items()}
    # checkpoints saved from DataParallel / DDP wrappers
    if state and all(k.startswith("module.") for k in state):
        state = {k[len("module."):]: v for k, v in state.items()}
    return state


def hub_cached_file(url: str) -> Path | None:
    """The torch hub cache file torchvision would download ``url`` to, when it is there."""
    name = os.path.basename(urlparse(url).path)
    path = Path(torch.hub.get_dir()) / "checkpoints" / name
    return path if path.is_file() else None


def load_strict(model: nn.Module, state: Mapping[str, torch.Tensor], source: str) -> None:
    """Load ``state`` into ``model`` with every key and shape matching, else a clear error."""
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong = sorted(
        f"{k} {tuple(state[k].shape)} (model {tuple(expected[k].shape)})"
        for k in set(state) & set(expected)
        if tuple(state[k].shape) != tuple(expected[k].shape)
    )
    if missing or unexpected or wrong:
        parts = []
        for label, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", wrong)):
            if keys:
                more = f" (+{len(keys) - 5} more)" if len(keys) > 5 else ""
                parts.append(f"{len(keys)} {label}: {', '.join(keys[:5])}{more}")
        raise WeightsUnavailable(f"weights from {source} do not fit the model: {'; '.join(parts)}")
    model.load_state_dict(dict(state), strict=True)


# lukemelas EfficientNet-PyTorch -> timm -------------------------------------------------

_TOP_LEVEL = {
    "_conv_stem.": "conv_stem.",
    "_bn0.": "bn1.",
    "_conv_head.": "conv_head.",
    "_bn1.": "bn2.",
    "_fc.": "classifier.",
}
# Block parts; blocks without an expansion conv (timm DepthwiseSeparableConv) name them differently.
_EXPANDED_BLOCK = {
    "_expand_conv.": "conv_pw.",
    "_bn0.": "bn1.",
    "_depthwise_conv.": "conv_dw.",
    "_bn1.": "bn2.",
    "_project_conv.": "conv_pwl.",
    "_bn2.": "bn3.",
    "_se_reduce.": "se.conv_reduce.",
    "_se_expand.": "se.conv_expand.",
}
_SEPARABLE_BLOCK = {
    "_depthwise_conv.": "conv_dw.",
    "_bn1.": "bn1.",
    "_project_conv.": "conv_pw.",
    "_bn2.": "bn2.",
    "_se_reduce.": "se.conv_reduce.",
    "_se_expand.": "se.conv_expand.",
}


def timm_block_paths(model: nn.Module) -> list[str]:
    """Module paths of a timm EfficientNet's blocks in forward order (``blocks.S.I``)."""
    blocks = getattr(model, "blocks", None)
    if not isinstance(blocks, nn.Sequential):
        raise WeightsUnavailable("model has no timm-style 'blocks' sequence to map EfficientNet weights onto")
    return [f"blocks.{s}.{i}" for s, stage in enumerate(blocks) for i, _ in enumerate(stage.children())]


def map_lukemelas_efficientnet(source: Mapping[str, torch.Tensor], model: nn.Module) -> StateDict:
    """Rename lukemelas-style EfficientNet keys to ``model``'s (timm) keys; strict.

    Block ``_blocks.N`` is the N-th block in forward order; whether a block has an
    expansion conv is read from the source keys and must agree with the model's
    block. Raises ``WeightsUnavailable`` naming any key that maps nowhere, any
    model key left unfilled, and any shape mismatch.
    """
    paths = timm_block_paths(model)
    modules = dict(model.named_modules())
    expanded = {
        int(k.split(".")[1]) for k in source if k.startswith("_blocks.") and "._expand_conv." in k
    }
    mapped: StateDict = {}
    unmapped: list[str] = []
    for key, tensor in source.items():
        target = None
        if key.startswith("_blocks."):
            _, index_text, rest = key.split(".", 2)
            index = int(index_text)
            if index < len(paths):
                table = _EXPANDED_BLOCK if index in expanded else _SEPARABLE_BLOCK
                for old, new in table.items():
                    if rest.startswith(old):
                        target = f"{paths[index]}.{new}{rest[len(old):]}"
                        break
                block = modules[paths[index]]
                if (index in expanded) != hasattr(block, "conv_pwl"):
                    raise WeightsUnavailable(
                        f"EfficientNet weights: block _blocks.{index} "
                        f"{'has' if index in expanded else 'lacks'} an expansion conv but model block "
                        f"{paths[index]} is a {type(block).__name__}"
                    )
        else:
            for old, new in _TOP_LEVEL.items():
                if key.startswith(old):
                    target = new + key[len(old):]
                    break
        if target is None:
            unmapped.append(key)
        else:
            mapped[target] = tensor
    if unmapped:
        more = f" (+{len(unmapped) - 5} more)" if len(unmapped) > 5 else ""
        raise WeightsUnavailable(
            f"EfficientNet weights: {len(unmapped)} keys map to no model parameter: "
            f"{', '.join(unmapped[:5])}{more}"
        )
    return mapped
