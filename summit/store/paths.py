"""K strongest paths in a layered DAG (shared by both stores).

A path's score is the sum or the bottleneck (minimum) of its edge weights.
Dynamic programming in topological order keeps, for every node, the K best
partial paths from the source ranked by (-score, neuron sequence). Both scores
are monotone in the prefix, so the K scores returned are exactly the K best.

Which paths carry tied scores: with ``sum`` the order (-score, neuron sequence)
survives extending every prefix by the same edge (in a layered DAG all prefixes
ending at one node have the same length), so the answer is exactly the K best
paths with ties broken by the neuron ids. With ``bottleneck``, ``min`` folds
different prefix scores into one, so a prefix kept for its higher bottleneck can
stand where a tied path with lower ids would have been: among paths of equal
bottleneck the answer prefers those whose prefixes were stronger, then lower ids.
The scores, and every path's own score, are exact either way (a property test
checks both against brute force).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict, deque
from collections.abc import Iterable

import numpy as np

from summit.errors import BadInput
from summit.store import deadline

Path = tuple[float, tuple[str, ...], tuple[int, ...]]  # score, neurons, weights


def _key(p: Path) -> tuple[float, tuple[str, ...]]:
    return (-p[0], p[1])


def k_best_paths(
    edges: Iterable[tuple[str, str, int]], src: str, targets: set[str], *, k: int, mode: str
) -> list[Path]:
    """The ``k`` best paths from ``src`` to any node of ``targets``; score desc, then neuron ids
    (for ``bottleneck``, ties as the module docstring says)."""
    if k < 1:
        raise BadInput(f"k must be >= 1, got {k}")
    if mode not in ("sum", "bottleneck"):
        raise BadInput(f"path mode must be 'sum' or 'bottleneck', got {mode!r}")
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for a, b, w in edges:
        out[a].append((b, int(w)))
    # nodes reachable from src
    reach = {src}
    queue = deque([src])
    while queue:
        u = queue.popleft()
        for v, _ in out.get(u, ()):
            if v not in reach:
                reach.add(v)
                queue.append(v)
    goal = targets & reach
    goal.discard(src)
    if not goal:
        return []
    # keep only nodes that reach a target
    back: dict[str, list[str]] = defaultdict(list)
    for u in reach:
        for v, _ in out.get(u, ()):
            back[v].append(u)
    useful = set(goal)
    queue = deque(goal)
    while queue:
        v = queue.popleft()
        for u in back.get(v, ()):
            if u not in useful:
                useful.add(u)
                queue.append(u)
    # topological order (Kahn) of the useful subgraph
    indeg = dict.fromkeys(useful, 0)
    for u in useful:
        for v, _ in out.get(u, ()):
            if v in useful:
                indeg[v] += 1
    order = []
    ready = deque(sorted(n for n, d in indeg.items() if d == 0))
    while ready:
        u = ready.popleft()
        order.append(u)
        for v, _ in out.get(u, ()):
            if v in useful:
                indeg[v] -= 1
                if indeg[v] == 0:
                    ready.append(v)
    if len(order) != len(useful):
        raise BadInput("the influence graph has a cycle; paths need a layered DAG")
    use_sum = mode == "sum"
    start = 0.0 if use_sum else math.inf
    best: dict[str, list[Path]] = {src: [(start, (src,), ())]}
    incoming: dict[str, list[Path]] = defaultdict(list)
    for u in order:
        mine = best.get(u)
        if u != src:
            mine = heapq.nsmallest(k, incoming.pop(u, []), key=_key)
            best[u] = mine
        if not mine:
            continue
        for v, w in out.get(u, ()):
            if v not in useful:
                continue
            bucket = incoming[v]
            for score, nodes, weights in mine:
                new = score + w if use_sum else min(score, w)
                bucket.append((float(new), (*nodes, v), (*weights, w)))
    found = [p for t in goal for p in best.get(t, [])]
    return heapq.nsmallest(k, found, key=_key)


def k_best_paths_layered(
    src: np.ndarray, dst: np.ndarray, weight: np.ndarray, layer_of: np.ndarray, id_rank: np.ndarray,
    source: int, targets: np.ndarray, *, k: int, mode: str,
) -> list[tuple[float, list[int], list[int]]]:
    """``k_best_paths`` vectorised with numpy for layered graphs (edges go from layer l to l + 1).

    Nodes are integer ordinals; ``layer_of[n]`` is a node's layer index and ``id_rank[n]`` the rank of
    its id in string order (for the tie-break). Edges that skip layers are ignored. Returns
    (score, node ordinals, weights) sorted by score desc, then neuron ids - the same answer as
    ``k_best_paths`` (a property test checks this).
    """
    if k < 1:
        raise BadInput(f"k must be >= 1, got {k}")
    if mode not in ("sum", "bottleneck"):
        raise BadInput(f"path mode must be 'sum' or 'bottleneck', got {mode!r}")
    targets = np.unique(np.asarray(targets, dtype=np.int64))
    if targets.size == 0:
        return []
    goal_layers = np.unique(layer_of[targets])
    if goal_layers.size != 1:
        raise BadInput("path targets must all be in one layer")
    start_layer, goal_layer = int(layer_of[source]), int(goal_layers[0])
    if goal_layer <= start_layer:
        return []
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    weight = np.asarray(weight, dtype=np.int64)
    src_layer = layer_of[src]
    ok = (layer_of[dst] == src_layer + 1) & (src_layer >= start_layer) & (src_layer < goal_layer)
    src, dst, weight, src_layer = src[ok], dst[ok], weight[ok], src_layer[ok]
    use_sum = mode == "sum"

    nodes = np.array([source], dtype=np.int64)
    scores = np.array([0.0 if use_sum else math.inf])
    lex = np.zeros(1, dtype=np.int64)
    steps: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # per layer: nodes, parent entry, edge weight
    for layer in range(start_layer, goal_layer):
        deadline.check()  # a request out of time stops here, between layers
        pick = src_layer == layer
        e_src, e_dst, e_w = src[pick], dst[pick], weight[pick]
        order = np.argsort(nodes, kind="stable")
        sorted_nodes = nodes[order]
        starts = np.searchsorted(sorted_nodes, e_src, "left")
        counts = np.searchsorted(sorted_nodes, e_src, "right") - starts
        total = int(counts.sum())
        if total == 0:
            return []
        rep = np.repeat(np.arange(e_src.size), counts)
        offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        entry = order[np.repeat(starts, counts) + offsets]
        c_node = e_dst[rep]
        c_w = e_w[rep]
        c_score = scores[entry] + c_w if use_sum else np.minimum(scores[entry], c_w)
        c_lex = np.empty(total, dtype=np.int64)
        c_lex[np.lexsort((id_rank[c_node], lex[entry]))] = np.arange(total)
        best = np.lexsort((c_lex, -c_score, c_node))
        grouped = c_node[best]
        first = np.r_[True, grouped[1:] != grouped[:-1]]
        group_start = np.maximum.accumulate(np.where(first, np.arange(total), 0))
        keep = best[(np.arange(total) - group_start) < k]
        nodes, scores, lex = c_node[keep], c_score[keep], c_lex[keep]
        steps.append((nodes, entry[keep], c_w[keep]))
    final = np.flatnonzero(np.isin(nodes, targets))
    final = final[np.lexsort((lex[final], -scores[final]))][:k]
    out = []
    for idx in final.tolist():
        path_nodes, path_weights = [], []
        i = idx
        for step_nodes, parents, weights in reversed(steps):
            path_nodes.append(int(step_nodes[i]))
            path_weights.append(int(weights[i]))
            i = int(parents[i])
        path_nodes.append(source)
        out.append((float(scores[idx]), path_nodes[::-1], path_weights[::-1]))
    return out
