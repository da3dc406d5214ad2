"""Which neurons and edges form a class's attribution graph (METHOD.md 4.3-4.4).

Per class and layer, neurons are taken in descending PageRank (ties: lower
channel first) until their share of the layer's PageRank mass reaches the
threshold ``graph_mass`` (the neuron that crosses it is kept). Layers are
processed from the first up; a layer other than the first that keeps no
neuron with an influence edge to a kept neuron of the layer below has its
threshold raised by ``graph_mass_step`` until it does (if the class has no
such edge at all, nothing can help and the layer keeps its first selection).
Edges of the graph are the class's influence edges between kept neurons.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Selection:
    node_class: np.ndarray  # class position of each kept node
    node: np.ndarray  # node position (0..N-1)
    edge_rows: np.ndarray  # indices into the edge arrays of the kept edges
    relaxed: int  # (class, layer) pairs whose threshold had to be raised


def _kept_count(share: np.ndarray, threshold: float) -> int:
    """Smallest k >= 1 whose cumulative share reaches ``threshold`` (all if it never does)."""
    return min(int(np.searchsorted(share, threshold, side="left")) + 1, int(share.size))


def select_class(
    scores: np.ndarray,
    layer_offsets: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    *,
    mass: float,
    step: float,
) -> tuple[np.ndarray, int]:
    """Kept-node mask (N,) for one class; ``src``/``dst`` are that class's edges (src in the layer below).

    Returns the mask and the number of layers whose threshold was raised.
    """
    n = scores.shape[0]
    kept = np.zeros(n, dtype=bool)
    relaxed = 0
    for layer, (lo, hi) in enumerate(itertools.pairwise(layer_offsets)):
        values = scores[lo:hi]
        total = values.sum()
        if hi == lo or total <= 0:
            continue
        order = np.argsort(-values, kind="stable")
        share = np.cumsum(values[order]) / total
        threshold = mass
        k = _kept_count(share, threshold)
        if layer > 0 and step > 0:
            into = (dst >= lo) & (dst < hi)
            linked = dst[into & kept[src]]
            if linked.size:
                rank = np.empty(hi - lo, dtype=np.int64)
                rank[order] = np.arange(hi - lo)
                first = int(rank[linked - lo].min())
                if k <= first:
                    relaxed += 1
                    while k <= first:
                        threshold += step
                        k = _kept_count(share, threshold)
        kept[lo + order[:k]] = True
    return kept, relaxed


def select_all(
    scores: np.ndarray,
    layer_offsets: np.ndarray,
    edge_class: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    *,
    mass: float,
    step: float,
) -> Selection:
    """Selection for every class. Edge arrays must be sorted by ``edge_class``."""
    n_classes = scores.shape[0]
    bounds = np.searchsorted(edge_class, np.arange(n_classes + 1), side="left")
    node_class, nodes, edge_rows = [], [], []
    relaxed = 0
    for c in range(n_classes):
        lo, hi = bounds[c], bounds[c + 1]
        s, d = src[lo:hi], dst[lo:hi]
        kept, r = select_class(scores[c], layer_offsets, s, d, mass=mass, step=step)
        relaxed += r
        idx = np.flatnonzero(kept)
        nodes.append(idx)
        node_class.append(np.full(idx.size, c, dtype=np.int64))
        edge_rows.append(lo + np.flatnonzero(kept[s] & kept[d]))
    empty = np.zeros(0, dtype=np.int64)
    return Selection(
        np.concatenate(node_class) if node_class else empty,
        np.concatenate(nodes) if nodes else empty,
        np.concatenate(edge_rows) if edge_rows else empty,
        relaxed,
    )
