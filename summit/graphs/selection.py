"""Which neurons and edges form a class's attribution graph (METHOD.md 4.4-4.6).

One engine, switched by ``GraphRules`` (the graph_* settings; ``graph_method``
names a profile of them):

* **cut** (``cut``, ``threshold``): PageRank values sorted descending (equal
  values: higher channel first), shares ``v / sum(v)`` added while the share
  taken is below the mass m. ``strict`` (Summit's ``get_prob_mass``): t = the
  first value not added, keep every node with PageRank strictly above t (all of
  them when every value was added, where Summit's loop would run off the end);
  ``count``: keep exactly the nodes added (at least one). ``layer``: one cut per
  layer over that layer's nodes; ``unified``: one cut over all nodes of the graph.
  Only nodes of the class's graph G take part.
* **validity**: a layer other than the first is valid when some kept node of it
  has an edge to a kept node of the layer below.
* **relaxation** while a layer is invalid: ``unified`` raises the one mass by
  ``step``; per layer, ``pair`` (Summit) raises, in one round, the mass of every
  invalid layer and of the layer below it (a layer can rise twice in a round),
  then cuts everything again; ``layer`` goes bottom-up and raises only the
  invalid layer's own mass. Masses are Python floats added step by step, as in
  Summit. A layer with no edge of G into it cannot be made valid: it is not
  relaxed (Summit's loop would run until its cut ran off the end of the
  values and fail) and is reported in ``invalid``.
* **writing** (``prune``): ``summit`` writes every kept first-layer node and a
  kept higher node only if it has a neighbour in the layer below in G; an edge
  between kept nodes only if its lower end is in the first layer or has a kept
  edge to its own lower layer (one step, not recursive). ``none`` writes every
  kept node and every edge between kept nodes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class GraphRules:
    """The selection rules of METHOD.md 4.4-4.6 (settings graph_cut, graph_threshold, ...)."""

    cut: str = "layer"  # "layer" | "unified"
    threshold: str = "strict"  # "strict" | "count"
    relax: str = "pair"  # "pair" | "layer"
    prune: str = "summit"  # "summit" | "none"
    mass: float = 0.1
    step: float = 0.005


@dataclass
class ClassSelection:
    nodes: np.ndarray  # node positions written
    edge_rows: np.ndarray  # rows of the class's edge arrays written
    rounds: int  # relaxation rounds (pair/unified) or mass raises (layer)
    masses: list[float] = field(default_factory=list)  # final mass per layer
    invalid: list[int] = field(default_factory=list)  # layers left invalid (nothing could help)


@dataclass(frozen=True)
class Selection:
    node_class: np.ndarray  # class position of each written node
    node: np.ndarray  # node position (0..N-1)
    edge_rows: np.ndarray  # indices into the edge arrays of the written edges
    relaxed: int  # classes whose masses had to be raised
    rounds: int  # relaxation rounds over all classes
    rounds_max: int  # most rounds one class needed
    invalid: int  # (class, layer) pairs left invalid


class Cut:
    """The mass cut over one group of nodes (a layer, or the whole graph)."""

    def __init__(self, positions: np.ndarray, values: np.ndarray):
        order = np.lexsort((-positions, -values))  # value desc, then higher position first
        self.positions = positions[order]
        self.values = values[order]
        total = float(np.sum(self.values))  # Summit: np.sum of the sorted list
        self.shares = np.cumsum(self.values / total) if total > 0 else np.zeros(self.values.size)
        self.total = total

    @property
    def size(self) -> int:
        return int(self.values.size)

    def added(self, mass: float) -> int:
        """How many values Summit's loop adds before the share taken reaches ``mass`` (size if never)."""
        if self.size == 0 or mass <= 0:
            return 0
        if self.total <= 0:
            return 1
        return min(int(np.searchsorted(self.shares, mass, side="left")) + 1, self.size)

    def kept(self, mass: float, strict: bool) -> np.ndarray:
        n = self.added(mass)
        if not strict:
            return self.positions[: max(n, min(1, self.size))]
        if n >= self.size:
            return self.positions
        return self.positions[self.values > self.values[n]]


def _layer_pairs_valid(kept: np.ndarray, src: np.ndarray, dst: np.ndarray, dst_layer: np.ndarray,
                       layers: int) -> np.ndarray:
    """valid[l] for every layer (True for layer 0): a kept edge into layer l exists."""
    valid = np.zeros(layers, dtype=bool)
    valid[0] = True
    both = kept[src] & kept[dst]
    valid[np.unique(dst_layer[both])] = True
    return valid


def select_class(
    scores: np.ndarray,
    layer_offsets: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    rules: GraphRules,
    members: np.ndarray | None = None,
) -> ClassSelection:
    """Selection for one class. ``scores`` (N,): PageRank; ``src``/``dst``: the class's edges of G
    (src in the layer below dst); ``members`` (N,) bool: the nodes of G (default: all)."""
    n = scores.shape[0]
    layers = len(layer_offsets) - 1
    members = np.ones(n, dtype=bool) if members is None else members
    node_layer = np.repeat(np.arange(layers), np.diff(layer_offsets))
    dst_layer = node_layer[dst]
    strict = rules.threshold == "strict"
    positions = np.flatnonzero(members)
    if rules.cut == "unified":
        cuts = [Cut(positions, scores[positions])]
    else:
        cuts = []
        for lo, hi in itertools.pairwise(layer_offsets):
            pos = positions[(positions >= lo) & (positions < hi)]
            cuts.append(Cut(pos, scores[pos]))
    masses = [float(rules.mass)] * len(cuts)
    rounds = 0
    invalid: list[int] = []
    kept = np.zeros(n, dtype=bool)
    hopeless = np.ones(layers, dtype=bool)  # layers with no edge of G into them
    hopeless[0] = False
    hopeless[np.unique(dst_layer)] = False
    if rules.cut == "layer" and rules.relax == "layer":
        for layer, cut in enumerate(cuts):
            chosen = cut.kept(masses[layer], strict)
            if layer > 0:
                into = (dst_layer == layer) & kept[src]
                linked = np.zeros(n, dtype=bool)
                linked[dst[into]] = True
                if not linked[cut.positions].any():
                    invalid.append(layer)  # nothing can help: the first cut stays
                else:
                    while not linked[chosen].any() and rules.step > 0:
                        masses[layer] += rules.step
                        rounds += 1
                        chosen = cut.kept(masses[layer], strict)
            kept[chosen] = True
    else:
        while True:
            kept[:] = False
            for cut, mass in zip(cuts, masses, strict=True):
                kept[cut.kept(mass, strict)] = True
            valid = _layer_pairs_valid(kept, src, dst, dst_layer, layers)
            bad = [layer for layer in range(1, layers) if not valid[layer] and not hopeless[layer]]
            if not bad or rules.step <= 0:
                break
            if rules.cut == "unified":
                masses = [m + rules.step for m in masses]
            else:
                for layer in bad:  # Summit: every invalid layer and the one below it, in layer order
                    masses[layer - 1] += rules.step
                    masses[layer] += rules.step
            rounds += 1
        invalid = [layer for layer in range(1, layers) if not valid[layer]]
    both = kept[src] & kept[dst]
    if rules.prune == "summit":
        has_lower = np.zeros(n, dtype=bool)
        has_lower[dst] = True  # a neighbour in the layer below, in G
        written = kept & ((node_layer == 0) | has_lower)
        reaches_down = np.zeros(n, dtype=bool)
        reaches_down[dst[both]] = True  # a kept edge to its own lower layer
        edge_ok = both & ((node_layer[src] == 0) | reaches_down[src])
    else:
        written = kept
        edge_ok = both
    if rules.cut == "unified":
        masses = masses * layers
    return ClassSelection(np.flatnonzero(written), np.flatnonzero(edge_ok), rounds, masses, invalid)


def select_all(
    scores: np.ndarray,
    layer_offsets: np.ndarray,
    edge_class: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    rules: GraphRules,
    members: np.ndarray | None = None,
) -> Selection:
    """Selection for every class. Edge arrays must be sorted by ``edge_class``; ``members`` (C, N)."""
    n_classes = scores.shape[0]
    bounds = np.searchsorted(edge_class, np.arange(n_classes + 1), side="left")
    node_class, nodes, edge_rows = [], [], []
    relaxed = rounds = rounds_max = invalid = 0
    for c in range(n_classes):
        lo, hi = bounds[c], bounds[c + 1]
        sel = select_class(scores[c], layer_offsets, src[lo:hi], dst[lo:hi], rules,
                           None if members is None else members[c])
        relaxed += sel.rounds > 0
        rounds += sel.rounds
        rounds_max = max(rounds_max, sel.rounds)
        invalid += len(sel.invalid)
        nodes.append(sel.nodes)
        node_class.append(np.full(sel.nodes.size, c, dtype=np.int64))
        edge_rows.append(lo + sel.edge_rows)
    empty = np.zeros(0, dtype=np.int64)
    return Selection(
        np.concatenate(node_class) if node_class else empty,
        np.concatenate(nodes) if nodes else empty,
        np.concatenate(edge_rows) if edge_rows else empty,
        relaxed, rounds, rounds_max, invalid,
    )
