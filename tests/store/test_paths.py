"""The K-best-paths DP equals brute-force enumeration on random layered DAGs."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summit.errors import BadInput
from summit.store.paths import k_best_paths


def brute_force(edges: list[tuple[str, str, int]], src: str, targets: set[str], k: int, mode: str) -> list:
    out: dict[str, list[tuple[str, int]]] = {}
    for a, b, w in edges:
        out.setdefault(a, []).append((b, w))
    found = []

    def walk(node: str, nodes: tuple[str, ...], weights: tuple[int, ...]) -> None:
        if node in targets and weights:
            score = float(sum(weights)) if mode == "sum" else float(min(weights))
            found.append((score, nodes, weights))
        for nxt, w in out.get(node, []):
            walk(nxt, (*nodes, nxt), (*weights, w))

    walk(src, (src,), ())
    found.sort(key=lambda p: (-p[0], p[1]))
    return found[:k]


@st.composite
def layered(draw: st.DrawFn) -> tuple[list[tuple[str, str, int]], list[list[str]]]:
    widths = draw(st.lists(st.integers(1, 4), min_size=2, max_size=5))
    layers = [[f"l{i}:{j}" for j in range(w)] for i, w in enumerate(widths)]
    edges = []
    for lower, upper in itertools.pairwise(layers):
        for a in lower:
            for b in upper:
                if draw(st.booleans()):
                    edges.append((a, b, draw(st.integers(1, 5))))  # small weights: many ties
    return edges, layers


@settings(max_examples=80, deadline=None)
@given(layered(), st.integers(1, 6), st.sampled_from(["sum", "bottleneck"]), st.data())
def test_dp_equals_brute_force(graph: tuple, k: int, mode: str, data: st.DataObject) -> None:
    edges, layers = graph
    src = data.draw(st.sampled_from(layers[0]))
    to_last = data.draw(st.booleans())
    targets = set(layers[-1]) if to_last else {data.draw(st.sampled_from(layers[-1]))}
    got = k_best_paths(edges, src, targets, k=k, mode=mode)
    expected = brute_force(edges, src, targets, k, mode)
    assert [score for score, _, _ in got] == [score for score, _, _ in expected]  # exactly the K best scores
    every_path = {(nodes, weights): score for score, nodes, weights in brute_force(edges, src, targets, 10**6, mode)}
    assert len({nodes for _, nodes, _ in got}) == len(got)  # no path twice
    for score, nodes, weights in got:
        assert every_path.get((nodes, weights)) == score  # a real path, with its own score
    if mode == "sum":  # ties by neuron ids survive the DP only for sums (summit/store/paths.py)
        assert got == expected


def test_bottleneck_ties_prefer_the_stronger_prefix() -> None:
    # Both paths to l3:0 have bottleneck 1; the DP keeps l1:1's prefix (bottleneck 2) at l2:3,
    # so with k=1 it answers that path, although l1:0 sorts first.
    edges = [("l0:0", "l1:0", 1), ("l0:0", "l1:1", 2), ("l1:0", "l2:3", 1), ("l1:1", "l2:3", 2), ("l2:3", "l3:0", 1)]
    assert k_best_paths(edges, "l0:0", {"l3:0"}, k=1, mode="bottleneck") == [
        (1.0, ("l0:0", "l1:1", "l2:3", "l3:0"), (2, 2, 1))]
    assert [p[1][1] for p in k_best_paths(edges, "l0:0", {"l3:0"}, k=2, mode="bottleneck")] == ["l1:0", "l1:1"]


def test_bad_arguments() -> None:
    with pytest.raises(BadInput, match="k must be"):
        k_best_paths([], "a", {"b"}, k=0, mode="sum")
    with pytest.raises(BadInput, match="mode"):
        k_best_paths([], "a", {"b"}, k=1, mode="longest")
    assert k_best_paths([("a", "b", 1)], "a", {"c"}, k=1, mode="sum") == []


@settings(max_examples=80, deadline=None)
@given(layered(), st.integers(1, 6), st.sampled_from(["sum", "bottleneck"]), st.data())
def test_vectorised_dp_equals_reference(graph: tuple, k: int, mode: str, data: st.DataObject) -> None:
    import numpy as np

    from summit.store.paths import k_best_paths_layered

    edges, layers = graph
    names = [n for layer in layers for n in layer]
    ords = {n: i for i, n in enumerate(names)}
    layer_of = np.array([int(n.split(":")[0][1:]) for n in names])
    id_rank = np.argsort(np.argsort(np.array(names)))
    start_layer = data.draw(st.integers(0, len(layers) - 2))
    src = data.draw(st.sampled_from(layers[start_layer]))
    targets = set(layers[-1]) if data.draw(st.booleans()) else {data.draw(st.sampled_from(layers[-1]))}
    arr = np.array([(ords[a], ords[b], w) for a, b, w in edges], dtype=np.int64).reshape(-1, 3)
    got = k_best_paths_layered(arr[:, 0], arr[:, 1], arr[:, 2], layer_of, id_rank, ords[src],
                               np.array([ords[t] for t in targets]), k=k, mode=mode)
    expected = k_best_paths(edges, src, targets, k=k, mode=mode)
    assert [(s, tuple(names[i] for i in p), tuple(w)) for s, p, w in got] == expected
