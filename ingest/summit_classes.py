"""Parse and check Summit's published class list (``data/imagenet.json``), when a copy has it.

One object per class, as Summit's generator (activation-matrices-to-json)
writes it::

    {"synset": "n02114548", "name": "white_wolf", "target_class": 270,
     "numOfInstances": 1300, "topOneAcc": 0.83, "topOneAccCount": 1079,
     "accs": ["97.5", ...],                  # per image: top-1 confidence in percent (a string)
     "embed": {"mixed3a": {"x": .., "y": ..}, ...},
     "topChannels": {"mixed3a": [{"c": 17, "i": 912}, ...], ...}}   # A row: channel, count

It gives what the graph files lack: images and top-1 accuracy per class, the
full activation-count rows (``topChannels``) and Summit's own embedding.
``accs`` is the confidence of the top prediction, not the probability of the
true class, so it does not fill ``classes.prob_hist``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from summit.errors import BadInput
from summit.ids import neuron_id
from summit.inception import LUCID_CHANNELS, LUCID_LAYER_NAMES

FILE = "data/imagenet.json"


@dataclass
class ClassRows:
    """Per-class facts (index -> value) and activation / embedding rows."""

    images: dict[int, int] = field(default_factory=dict)
    top1_correct: dict[int, int] = field(default_factory=dict)
    top1_confidence: dict[int, list[float]] = field(default_factory=dict)  # percent, per image
    act_class: list[int] = field(default_factory=list)
    act_id: list[str] = field(default_factory=list)
    act_count: list[int] = field(default_factory=list)
    embed: dict[int, dict[str, tuple[float, float]]] = field(default_factory=dict)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _entry(i: int, item: Any, wnids: tuple[str, ...], rows: ClassRows) -> int:
    if not isinstance(item, dict):
        raise BadInput(f"{FILE}: entry {i} is not an object")
    k = item.get("target_class")
    if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < len(wnids):
        raise BadInput(f"{FILE}: entry {i} has target_class {k!r}, not a class index 0-{len(wnids) - 1}")
    where = f"{FILE}: class {k}"
    if item.get("synset") != wnids[k]:
        raise BadInput(f"{where} is {wnids[k]} in ImageNet's sorted-wnid order, not {item.get('synset')!r}")
    images, acc = item.get("numOfInstances"), item.get("topOneAcc")
    if not isinstance(images, int) or isinstance(images, bool) or images < 0:
        raise BadInput(f"{where}: numOfInstances {images!r} is not a count")
    if not isinstance(acc, int | float) or isinstance(acc, bool) or not 0 <= acc <= 1:
        raise BadInput(f"{where}: topOneAcc {acc!r} is not in [0, 1]")
    correct = item.get("topOneAccCount", round(acc * images))
    if not isinstance(correct, int) or not 0 <= correct <= images:
        raise BadInput(f"{where}: topOneAccCount {correct!r} is not a count of at most {images}")
    rows.images[k], rows.top1_correct[k] = images, correct
    try:
        rows.top1_confidence[k] = [float(a) for a in item.get("accs", [])]
    except (TypeError, ValueError):
        raise BadInput(f"{where}: accs must be numbers (percent)") from None
    top = item.get("topChannels", {})
    if not isinstance(top, dict) or set(top) - set(LUCID_LAYER_NAMES):
        raise BadInput(f"{where}: topChannels must map InceptionV1's layers to lists")
    for layer, channels in top.items():
        seen: set[int] = set()
        for entry in channels if isinstance(channels, list) else [None]:
            if not isinstance(entry, dict) or set(entry) != {"c", "i"}:
                raise BadInput(f"{where}: topChannels.{layer} entries must be {{c, i}}, got {entry!r}")
            c, n = entry["c"], entry["i"]
            if not isinstance(c, int) or not 0 <= c < LUCID_CHANNELS[layer] or c in seen:
                raise BadInput(f"{where}: topChannels.{layer} channel {c!r} is out of range or repeated")
            if not isinstance(n, int) or n < 0:
                raise BadInput(f"{where}: topChannels.{layer} count {n!r} is not a count")
            seen.add(c)
            rows.act_class.append(k)
            rows.act_id.append(neuron_id(layer, c))
            rows.act_count.append(n)
    embed = item.get("embed")
    if embed:
        points = {}
        for layer in LUCID_LAYER_NAMES:
            xy = embed.get(layer) if isinstance(embed, dict) else None
            if not isinstance(xy, dict) or not _number(xy.get("x")) or not _number(xy.get("y")):
                raise BadInput(f"{where}: embed.{layer} must be {{x, y}} numbers")
            points[layer] = (float(xy["x"]), float(xy["y"]))
        rows.embed[k] = points
    return k


def parse_classes(raw: bytes, wnids: tuple[str, ...]) -> ClassRows:
    """Check imagenet.json against ImageNet's class list; every class must be there once."""
    try:
        items = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(f"{FILE}: not valid JSON ({exc})") from None
    if not isinstance(items, list):
        raise BadInput(f"{FILE}: must hold a JSON list of classes")
    rows = ClassRows()
    seen: set[int] = set()
    for i, item in enumerate(items):
        k = _entry(i, item, wnids, rows)
        if k in seen:
            raise BadInput(f"{FILE}: class {k} is listed twice")
        seen.add(k)
    if len(seen) != len(wnids):
        missing = min(set(range(len(wnids))) - seen)
        raise BadInput(f"{FILE}: class {missing} ({wnids[missing]}) is missing ({len(seen)} of {len(wnids)})")
    if rows.embed and len(rows.embed) != len(wnids):
        missing = min(set(range(len(wnids))) - set(rows.embed))
        raise BadInput(f"{FILE}: class {missing} has no embed while others have one")
    return rows
