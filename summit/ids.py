"""The one place where neuron ids are written and parsed.

A neuron is one channel of one neuron layer; its id is ``"<layer>:<channel>"``
where ``layer`` is the torch module path (e.g. ``inception4d`` or
``blocks.3.1``). Every other module (Parquet, Cypher, GraphQL, the web app via
GraphQL) uses these two functions instead of formatting ids by hand.
"""

from __future__ import annotations

from summit.errors import BadInput


def neuron_id(layer: str, channel: int) -> str:
    """Return the id of channel ``channel`` of layer ``layer``."""
    if not layer or ":" in layer:
        raise BadInput(f"layer name {layer!r} must be non-empty and contain no ':'")
    if channel < 0:
        raise BadInput(f"channel {channel} of layer {layer!r} must be >= 0")
    return f"{layer}:{int(channel)}"


def parse_neuron_id(value: str) -> tuple[str, int]:
    """Split a neuron id into (layer, channel); a malformed id is a BadInput."""
    layer, sep, channel = value.rpartition(":")
    if not sep or not layer or not channel.isdigit():
        raise BadInput(f"{value!r} is not a neuron id of the form '<layer>:<channel>'")
    return layer, int(channel)


def neuron_ids(layer: str, channels: int) -> list[str]:
    """All neuron ids of a layer with ``channels`` channels, in channel order."""
    return [neuron_id(layer, c) for c in range(channels)]
