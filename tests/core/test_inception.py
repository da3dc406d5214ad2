"""InceptionV1 facts (summit/inception.py) against each other and against Summit's published files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summit.inception import (
    BOTTLENECK_CHANNELS,
    BRANCH_CHANNELS,
    LUCID_CHANNELS,
    LUCID_LAYER_NAMES,
    TORCHVISION_TO_LUCID,
    branch_of,
    input_layer,
    lucid_names,
)


def test_branches_add_up_to_each_layer() -> None:
    assert sum(LUCID_CHANNELS.values()) == 5484
    for layer, n in LUCID_CHANNELS.items():
        assert sum(BRANCH_CHANNELS[layer]) == n, layer
    assert [branch_of("mixed4a", c) for c in (0, 191, 192, 395, 396, 443, 444, 507)] == [0, 0, 1, 1, 2, 2, 3, 3]
    with pytest.raises(ValueError, match="out of range"):
        branch_of("mixed4a", 508)


def test_inputs_of_each_branch() -> None:
    assert input_layer("mixed4a", 10) == ("mixed3b", 480)  # 1x1: the layer below
    assert input_layer("mixed4a", 200) == ("mixed4a_3x3_bottleneck", 96)
    assert input_layer("mixed4a", 400) == ("mixed4a_5x5_bottleneck", 16)
    assert input_layer("mixed4a", 500) == ("mixed3b", 480)  # pool: the max-pool keeps the channels below
    with pytest.raises(ValueError, match="first neuron layer"):
        input_layer("mixed3a", 0)


def test_layer_names() -> None:
    assert lucid_names(list(LUCID_LAYER_NAMES)) == {n: n for n in LUCID_LAYER_NAMES}
    assert lucid_names(list(TORCHVISION_TO_LUCID)) == TORCHVISION_TO_LUCID
    assert TORCHVISION_TO_LUCID["inception4d"] == "mixed4d"
    assert lucid_names(["blocks.0.0", "blocks.1.0"]) is None


def test_published_inputs_fit_the_bottlenecks(summit_data: Path) -> None:
    """The published attr_channels of 3x3/5x5 channels index the bottleneck, and use all of it."""
    widest: dict[tuple[str, int], int] = {}
    for k in range(0, 1000, 5):
        graph = json.loads((summit_data / "data" / "ag" / f"ag-{k}.json").read_text())
        for layer, nodes in graph.items():
            for n in nodes:
                for a in n["attr_channels"]:
                    key = (layer, branch_of(layer, n["channel"]))
                    widest[key] = max(widest.get(key, 0), int(a["prev_channel"]))
    for (layer, branch), top in widest.items():
        _, width = input_layer(layer, sum(BRANCH_CHANNELS[layer][:branch]))
        assert top < width, (layer, branch, top, width)
        if branch in (1, 2):
            assert top >= BOTTLENECK_CHANNELS[layer][branch - 1] // 2, (layer, branch, top)
