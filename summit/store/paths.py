"""K strongest paths in a layered DAG (shared by both stores).

A path's score is the sum or the bottleneck (minimum) of its edge weights.
Dynamic programming in topological order keeps, for every node, the K best
partial paths from the source ranked by (-score, neuron sequence). Both scores
are monotone in the prefix and, in a layered DAG, all prefixes ending at one
node have the same length, so extending the K best prefixes of each
predecessor yields exactly the K best paths (ties broken by the neuron ids).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict, deque
from collections.abc import Iterable

from summit.errors import BadInput

Path = tuple[float, tuple[str, ...], tuple[int, ...]]  # score, neurons, weights


def _key(p: Path) -> tuple[float, tuple[str, ...]]:
    return (-p[0], p[1])


def k_best_paths(
    edges: Iterable[tuple[str, str, int]], src: str, targets: set[str], *, k: int, mode: str
) -> list[Path]:
    """The ``k`` best paths from ``src`` to any node of ``targets``; score desc, then neuron ids."""
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
