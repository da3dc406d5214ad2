"""What is known about InceptionV1 (GoogLeNet) as Summit used it: layers, branches, names.

Summit's published data is about Lucid's ``InceptionV1`` (a TF1 GoogLeNet,
"inception5h"): nine neuron layers ``mixed3a`` ... ``mixed5b``, each the
concatenation of four branches, in this order: a 1x1 conv, a 3x3 conv after a
1x1 "bottleneck" (reduce) conv, a 5x5 conv after its bottleneck, and a 1x1 conv
after a 3x3 max-pool. The numbers below are that network's channel counts (the
published graphs use exactly these ranges; tests/importer check every file
against them).

torchvision's GoogLeNet has the same architecture under other names
(``inception3a`` ... ``inception5b``) and one difference in size: its 4a 3x3
branch has 208 channels where Lucid's has 204 (``mixed4a``: 508 vs 512).
"""

from __future__ import annotations

from typing import Final

# (layer, channels) in forward order: 5,484 neurons in all.
LUCID_LAYERS: Final[tuple[tuple[str, int], ...]] = (
    ("mixed3a", 256), ("mixed3b", 480), ("mixed4a", 508), ("mixed4b", 512), ("mixed4c", 512),
    ("mixed4d", 528), ("mixed4e", 832), ("mixed5a", 832), ("mixed5b", 1024),
)
LUCID_LAYER_NAMES: Final[tuple[str, ...]] = tuple(name for name, _ in LUCID_LAYERS)
LUCID_CHANNELS: Final[dict[str, int]] = dict(LUCID_LAYERS)

# Output channels of the four concatenated branches (1x1, 3x3, 5x5, pool) of each layer.
BRANCH_CHANNELS: Final[dict[str, tuple[int, int, int, int]]] = {
    "mixed3a": (64, 128, 32, 32), "mixed3b": (128, 192, 96, 64), "mixed4a": (192, 204, 48, 64),
    "mixed4b": (160, 224, 64, 64), "mixed4c": (128, 256, 64, 64), "mixed4d": (112, 288, 64, 64),
    "mixed4e": (256, 320, 128, 128), "mixed5a": (256, 320, 128, 128), "mixed5b": (384, 384, 128, 128),
}
# Channels of the 1x1 bottleneck convs in front of the 3x3 and 5x5 branches.
BOTTLENECK_CHANNELS: Final[dict[str, tuple[int, int]]] = {
    "mixed3a": (96, 16), "mixed3b": (128, 32), "mixed4a": (96, 16), "mixed4b": (112, 24),
    "mixed4c": (128, 24), "mixed4d": (144, 32), "mixed4e": (160, 32), "mixed5a": (160, 48),
    "mixed5b": (192, 48),
}
BRANCH_NAMES: Final[tuple[str, str, str, str]] = ("1x1", "3x3", "5x5", "pool")

# torchvision GoogLeNet module -> Lucid layer (the original Summit front end knows only the latter).
TORCHVISION_TO_LUCID: Final[dict[str, str]] = {
    f"inception{name[5:]}": name for name in LUCID_LAYER_NAMES
}


def branch_of(layer: str, channel: int) -> int:
    """Index (0 = 1x1, 1 = 3x3, 2 = 5x5, 3 = pool) of the branch that outputs ``channel`` of ``layer``."""
    start = 0
    for branch, size in enumerate(BRANCH_CHANNELS[layer]):
        if channel < start + size:
            return branch
        start += size
    raise ValueError(f"{layer} has {start} channels; {channel} is out of range")


def bottleneck_layer(layer: str, branch: int) -> str:
    """Lucid's name for the bottleneck conv in front of the 3x3 (branch 1) or 5x5 (branch 2) branch."""
    if branch not in (1, 2):
        raise ValueError(f"only the 3x3 and 5x5 branches have a bottleneck, not branch {branch}")
    return f"{layer}_{BRANCH_NAMES[branch]}_bottleneck"


def input_layer(layer: str, channel: int) -> tuple[str, int]:
    """(name, channels) of the layer whose channels feed ``channel`` of ``layer`` directly.

    For the 1x1 and pool branches that is the neuron layer below; for the 3x3 and
    5x5 branches it is the branch's bottleneck conv, which is not a neuron layer.
    """
    index = LUCID_LAYER_NAMES.index(layer)
    if index == 0:
        raise ValueError(f"{layer} is the first neuron layer; nothing below it is recorded")
    branch = branch_of(layer, channel)
    if branch in (1, 2):
        return bottleneck_layer(layer, branch), BOTTLENECK_CHANNELS[layer][branch - 1]
    below = LUCID_LAYER_NAMES[index - 1]
    return below, LUCID_CHANNELS[below]


def lucid_names(layers: list[str]) -> dict[str, str] | None:
    """``{our layer: Lucid layer}`` when ``layers`` are InceptionV1's nine layers under either naming."""
    if list(layers) == list(LUCID_LAYER_NAMES):
        return {name: name for name in layers}
    if list(layers) == list(TORCHVISION_TO_LUCID):
        return dict(TORCHVISION_TO_LUCID)
    return None
