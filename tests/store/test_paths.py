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
    assert k_best_paths(edges, src, targets, k=k, mode=mode) == brute_force(edges, src, targets, k, mode)


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
