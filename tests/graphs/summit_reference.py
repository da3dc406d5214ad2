"""Summit's graph stage as its notebook runs it, written out plainly (dicts, loops, networkx).

Independent of ``summit.graphs``: per class, G is a networkx Graph of the class's
influence rows, the excluded channels are removed from it afterwards, the
personalisation is ``A / max A`` of the layer (over all channels but the
excluded), PageRank is ``networkx.pagerank``, the mass cut is the loop "add
sorted values while the share is below m; t = the next value; keep > t", the
relaxation and the written graph follow attribution-graph.ipynb (gen_dag).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
import numpy as np


def _cut_value(values: list[float], mass: float) -> float:
    values = sorted(values, reverse=True)
    total = float(np.sum(np.array(values)))  # Summit sums the sorted list with np.sum
    taken, count = 0.0, 0
    while taken < mass:
        if count == len(values):
            return float("-inf")  # every value added (Summit would fail here)
        taken += values[count] / total
        count += 1
    return values[count] if count < len(values) else float("-inf")


def summit_class_graph(
    layers: list[str],
    edges: list[tuple[str, str, int]],  # (lower neuron, upper neuron, count) of one class
    counts: dict[str, int],  # A of the class per neuron id (0 when absent)
    channels: dict[str, int],
    excluded: set[str],
    *,
    unified: bool,
    mass: float,
    step: float,
) -> dict[str, Any]:
    """The nodes (with PageRank) and edges Summit writes for one class, and its final masses."""
    layer_of = {}
    g = nx.Graph()
    for lower, upper, count in edges:
        g.add_edge(upper, lower, weight=count)
    for node in excluded:
        if node in g:
            g.remove_node(node)
    for node in g.nodes:
        layer_of[node] = node.rsplit(":", 1)[0]
    personalization = {}
    for layer in layers:
        top = max((counts.get(f"{layer}:{c}", 0) for c in range(channels[layer])
                   if f"{layer}:{c}" not in excluded), default=0)
        for c in range(channels[layer]):
            node = f"{layer}:{c}"
            if node in g:
                personalization[node] = counts.get(node, 0) / top if top else 0.0
    pagerank = nx.pagerank(g, alpha=0.85, personalization=personalization, weight="weight")
    index = {layer: k for k, layer in enumerate(layers)}
    masses = dict.fromkeys(layers, mass)
    reachable = {max(layer_of[a], layer_of[b], key=index.__getitem__) for a, b in g.edges}
    while True:
        if unified:
            t = _cut_value(list(pagerank.values()), masses[layers[0]])
            thresholds = dict.fromkeys(layers, t)
        else:
            thresholds = {}
            for layer in layers:
                values = [v for n, v in pagerank.items() if layer_of[n] == layer]
                thresholds[layer] = _cut_value(values, masses[layer]) if values else float("inf")
        kept = {n for n, v in pagerank.items() if v > thresholds[layer_of[n]]}
        kept_edges = defaultdict(list)  # upper node -> kept lower nodes
        for a, b in g.edges:
            upper, lower = (a, b) if index[layer_of[a]] > index[layer_of[b]] else (b, a)
            if upper in kept and lower in kept:
                kept_edges[upper].append(lower)
        valid = {layer: any(layer_of[u] == layer for u in kept_edges) for layer in layers[1:]}
        # a layer with no edge of G into it can never be valid (Summit's loop would fail): not raised
        bad = [layer for layer in layers[1:] if not valid[layer] and layer in reachable]
        if not bad:
            break
        if unified:
            for layer in layers:
                masses[layer] += step
        else:
            for k, layer in enumerate(layers[1:]):
                if layer in bad:
                    masses[layers[k]] += step
                    masses[layer] += step
    nodes = {}
    for node in kept:
        layer = layer_of[node]
        has_lower = any(index[layer_of[m]] == index[layer] - 1 for m in g.neighbors(node))
        if index[layer] == 0 or has_lower:
            nodes[node] = pagerank[node]
    out_edges = set()
    for upper, lowers in kept_edges.items():
        for lower in lowers:
            if index[layer_of[lower]] == 0 or lower in kept_edges:
                out_edges.add((lower, upper))
    return {"nodes": nodes, "edges": out_edges, "masses": masses}
