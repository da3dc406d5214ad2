"""Parse and check Summit's published attribution graphs (``ag-<k>.json``) into artifact rows.

One file per class k (ImageNet class index, sorted-wnid order). It maps each of
InceptionV1's nine layers to the layer's kept neurons::

    {"channel": 409, "layer": "mixed4b", "count": 366, "pagerank": 0.00147,
     "prev_channels": [{"prev_channel": 268, "inf": 756}, ...],
     "attr_channels": [{"prev_channel": "18", "inf": 1299}, ...]}

What each field becomes (docs/method.md, "Summit's published graphs"):

- the node -> ``class_nodes`` (pagerank, count) and, since ``count`` is the
  class's activation count A of the neuron, an ``activations`` row;
- ``prev_channels`` -> ``class_edges`` (weight = inf) and ``influences``: edges
  from kept neurons of the layer below;
- ``attr_channels`` (the 3 strongest raw one-hop inputs) -> ``attr_channels``
  verbatim, and, for neurons of the 1x1 and pool branches whose inputs are
  neurons of the layer below, ``influences`` too. Inputs of the 3x3 and 5x5
  branches are channels of the branch's bottleneck conv, not neurons: they stay
  out of ``influences``.

Everything is checked; a problem is a ``BadInput`` naming the file and the node.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from summit.errors import BadInput
from summit.ids import neuron_id
from summit.inception import LUCID_CHANNELS, LUCID_LAYER_NAMES, input_layer

NODE_KEYS = frozenset({"channel", "layer", "count", "pagerank", "prev_channels", "attr_channels"})


@dataclass
class GraphRows:
    """Column lists of the tables the published graphs fill."""

    node_class: list[int] = field(default_factory=list)
    node_id: list[str] = field(default_factory=list)
    node_pagerank: list[float] = field(default_factory=list)
    node_count: list[int] = field(default_factory=list)
    edge_class: list[int] = field(default_factory=list)
    edge_src: list[str] = field(default_factory=list)
    edge_dst: list[str] = field(default_factory=list)
    edge_weight: list[int] = field(default_factory=list)
    attr_class: list[int] = field(default_factory=list)
    attr_dst: list[str] = field(default_factory=list)
    attr_rank: list[int] = field(default_factory=list)
    attr_layer: list[str] = field(default_factory=list)
    attr_channel: list[int] = field(default_factory=list)
    attr_inf: list[int] = field(default_factory=list)
    # (class, src, dst) -> count: prev_channels edges plus attr inputs that are neurons
    influences: dict[tuple[int, str, str], int] = field(default_factory=dict)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Where:
    """Builds 'data/ag/ag-<k>.json: <layer> channel <c>: <problem>' messages."""

    def __init__(self, k: int):
        self.file = f"data/ag/ag-{k}.json"

    def fail(self, problem: str, layer: str | None = None, channel: Any = None) -> BadInput:
        at = "" if layer is None else f" {layer}" + ("" if channel is None else f" channel {channel}") + ":"
        return BadInput(f"{self.file}:{at} {problem}")


def _check_inputs(where: _Where, layer: str, channel: int, items: Any, key: str) -> list[tuple[int, int]]:
    if not isinstance(items, list):
        raise where.fail(f"{key} must be a list", layer, channel)
    out = []
    for item in items:
        if not isinstance(item, dict) or set(item) != {"prev_channel", "inf"}:
            raise where.fail(f"each {key} entry must be {{prev_channel, inf}}, got {item!r}", layer, channel)
        prev, inf = item["prev_channel"], item["inf"]
        if isinstance(prev, str) and prev.isdigit():
            prev = int(prev)
        if not _int(prev) or prev < 0:
            raise where.fail(f"{key}: prev_channel {item['prev_channel']!r} is not a channel number", layer, channel)
        if not _int(inf) or inf < 0:
            raise where.fail(f"{key}: inf {inf!r} is not a count", layer, channel)
        out.append((prev, inf))
    if len({p for p, _ in out}) != len(out):
        raise where.fail(f"{key} lists a channel twice", layer, channel)
    return out


def parse_graph(k: int, raw: bytes, rows: GraphRows) -> int:
    """Check ag-<k>.json and append its rows; returns the number of nodes."""
    where = _Where(k)
    try:
        graph = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(f"{where.file}: not valid JSON ({exc})") from None
    if not isinstance(graph, dict):
        raise where.fail("must hold a JSON object of layers")
    unknown = sorted(set(graph) - set(LUCID_LAYER_NAMES))
    if unknown:
        raise where.fail(f"unknown layer {unknown[0]!r} (InceptionV1 has {', '.join(LUCID_LAYER_NAMES)})")
    missing = [name for name in LUCID_LAYER_NAMES if name not in graph]
    if missing:
        raise where.fail(f"layer {missing[0]!r} is missing")
    kept: dict[str, set[int]] = {}
    nodes = 0
    for index, layer in enumerate(LUCID_LAYER_NAMES):
        entries = graph[layer]
        if not isinstance(entries, list):
            raise where.fail("must be a list of neurons", layer)
        channels: set[int] = set()
        for node in entries:
            if not isinstance(node, dict) or set(node) != NODE_KEYS:
                raise where.fail(f"each neuron must have exactly the fields {', '.join(sorted(NODE_KEYS))}", layer)
            channel = node["channel"]
            if not _int(channel) or not 0 <= channel < LUCID_CHANNELS[layer]:
                raise where.fail(f"channel {channel!r} is not one of its {LUCID_CHANNELS[layer]} channels", layer)
            if channel in channels:
                raise where.fail("is listed twice", layer, channel)
            channels.add(channel)
            if node["layer"] != layer:
                raise where.fail(f"says it is in layer {node['layer']!r}", layer, channel)
            count, pagerank = node["count"], node["pagerank"]
            if not _int(count) or count < 0:
                raise where.fail(f"count {count!r} is not a count", layer, channel)
            if isinstance(pagerank, bool) or not isinstance(pagerank, int | float) or not 0 <= pagerank <= 1:
                raise where.fail(f"pagerank {pagerank!r} is not in [0, 1]", layer, channel)
            dst = neuron_id(layer, channel)
            rows.node_class.append(k)
            rows.node_id.append(dst)
            rows.node_pagerank.append(float(pagerank))
            rows.node_count.append(count)
            prev = _check_inputs(where, layer, channel, node["prev_channels"], "prev_channels")
            attr = _check_inputs(where, layer, channel, node["attr_channels"], "attr_channels")
            if index == 0:
                if prev or attr:
                    raise where.fail("is in the first layer but has inputs", layer, channel)
                continue
            below = LUCID_LAYER_NAMES[index - 1]
            for src_channel, inf in prev:
                if src_channel not in kept[below]:
                    raise where.fail(f"prev_channel {src_channel} is not a neuron of this graph's {below}",
                                     layer, channel)
                src = neuron_id(below, src_channel)
                rows.edge_class.append(k)
                rows.edge_src.append(src)
                rows.edge_dst.append(dst)
                rows.edge_weight.append(inf)
                rows.influences[(k, src, dst)] = inf
            source_layer, source_channels = input_layer(layer, channel)
            for rank, (src_channel, inf) in enumerate(attr):
                if src_channel >= source_channels:
                    raise where.fail(f"attr_channels: {source_layer} has {source_channels} channels, not "
                                     f"{src_channel}", layer, channel)
                rows.attr_class.append(k)
                rows.attr_dst.append(dst)
                rows.attr_rank.append(rank)
                rows.attr_layer.append(source_layer)
                rows.attr_channel.append(src_channel)
                rows.attr_inf.append(inf)
                if source_layer == below:
                    key = (k, neuron_id(below, src_channel), dst)
                    if rows.influences.setdefault(key, inf) != inf:
                        raise where.fail(f"prev_channels and attr_channels disagree on the influence of "
                                         f"{below} channel {src_channel} ({rows.influences[key]} vs {inf})",
                                         layer, channel)
        kept[layer] = channels
        nodes += len(channels)
    return nodes
