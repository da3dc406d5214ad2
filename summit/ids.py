"""The one place where neuron ids are written and parsed.

A neuron is one channel of one neuron layer; its id is ``"<layer>:<channel>"``
where ``layer`` is the torch module path (e.g. ``inception4d`` or
``blocks.3.1``). Every other module (Parquet, Cypher, GraphQL, the web app via
GraphQL) uses these two functions instead of formatting ids by hand.
"""

from __future__ import annotations

from summit.errors import BadInput

MAX_DIGITS = 18  # indices and channels are far shorter; longer digit strings are refused, never converted
SHOWN_CHARS = 60  # how much of a bad value an error message repeats


def shown(value: object) -> str:
    """``repr(value)``, cut to about ``SHOWN_CHARS`` characters (error messages never echo a megabyte)."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS]}... ({len(text)} characters)"


def is_digits(text: str) -> bool:
    """True for a non-empty string of ASCII digits (``str.isdigit`` also accepts '²' and other scripts)."""
    return text.isascii() and text.isdigit()


def parse_digits(text: str, what: str) -> int:
    """A non-negative integer written in ASCII digits; BadInput naming ``what`` otherwise, or when it has
    more than ``MAX_DIGITS`` digits (Python refuses to convert more than 4,300; no index is that long)."""
    if not is_digits(text):
        raise BadInput(f"{what} must be a non-negative integer written in digits 0-9, got {shown(text)}")
    if len(text) > MAX_DIGITS:
        raise BadInput(f"{what} has {len(text)} digits; no index or channel has more than {MAX_DIGITS}")
    return int(text)


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
    if not sep or not layer or not is_digits(channel):
        raise BadInput(f"{shown(value)} is not a neuron id of the form '<layer>:<channel>'")
    return layer, parse_digits(channel, f"the channel of neuron id {shown(value)}")


def neuron_ids(layer: str, channels: int) -> list[str]:
    """All neuron ids of a layer with ``channels`` channels, in channel order."""
    return [neuron_id(layer, c) for c in range(channels)]
