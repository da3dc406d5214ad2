"""Batched personalised PageRank equals networkx's, class by class."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from summit.errors import BadInput
from summit.graphs.pagerank import layer_personalization, personalized_pagerank


def _random_classes(rng: np.random.Generator, n_classes: int, sizes: list[int], edges_per_pair: int):
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    cls, src, dst, w = [], [], [], []
    for c in range(n_classes):
        for layer in range(1, len(sizes)):
            m = int(rng.integers(0, edges_per_pair + 1))
            s = rng.integers(offsets[layer - 1], offsets[layer], size=m)
            d = rng.integers(offsets[layer], offsets[layer + 1], size=m)
            pairs = sorted(set(zip(s.tolist(), d.tolist(), strict=True)))
            for a, b in pairs:
                cls.append(c)
                src.append(a)
                dst.append(b)
                w.append(int(rng.zipf(2.0)))
    counts = rng.binomial(30, rng.uniform(0, 0.4, size=(n_classes, offsets[-1])))
    counts[rng.random(counts.shape) < 0.4] = 0
    return offsets, np.array(cls), np.array(src), np.array(dst), np.array(w), counts


def _networkx(n_nodes, cls, src, dst, w, pers, c, **kwargs):
    graph = nx.Graph()
    graph.add_nodes_from(range(n_nodes))
    sel = cls == c
    graph.add_weighted_edges_from(zip(src[sel].tolist(), dst[sel].tolist(), w[sel].tolist(), strict=True))
    pr = nx.pagerank(graph, alpha=0.85, personalization=dict(enumerate(pers[c].tolist())), **kwargs)
    return np.array([pr[n] for n in range(n_nodes)])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_networkx_for_many_classes(seed: int) -> None:
    rng = np.random.default_rng(seed)
    offsets, cls, src, dst, w, counts = _random_classes(rng, 25, [6, 9, 7, 5], 14)
    pers = layer_personalization(counts, offsets)
    n = int(offsets[-1])
    result = personalized_pagerank(n, cls, src, dst, w, pers, damping=0.85, max_iter=100)
    assert result.unconverged.size == 0
    for c in range(25):
        if pers[c].sum() == 0:
            continue
        expected = _networkx(n, cls, src, dst, w, pers, c, max_iter=100, tol=1e-6)
        np.testing.assert_allclose(result.scores[c], expected, atol=1e-12, rtol=0)
        # networkx stops at an L1 change below N * 1e-6, so the fully converged
        # answer is only that close in L1 (geometric tail: <= 0.85 / 0.15 times the last step).
        tight = _networkx(n, cls, src, dst, w, pers, c, max_iter=1000, tol=1e-14)
        assert np.abs(result.scores[c] - tight).sum() < 6 * n * 1e-6
    np.testing.assert_allclose(result.scores.sum(axis=1), 1.0, atol=1e-12)


def test_dangling_nodes_and_isolated_layers() -> None:
    # class 0: nodes 3, 4 isolated (dangling); class 1: no edges at all.
    cls = np.array([0, 0])
    src = np.array([0, 1])
    dst = np.array([2, 2])
    w = np.array([3, 1])
    pers = np.array([[1.0, 0.0, 0.5, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0, 0.0]])
    result = personalized_pagerank(5, cls, src, dst, w, pers)
    expected0 = _networkx(5, cls, src, dst, w, pers, 0)
    np.testing.assert_allclose(result.scores[0], expected0, atol=1e-12)
    # no edges: every node dangling, all mass follows the personalisation
    np.testing.assert_allclose(result.scores[1], [0, 1, 0, 0, 0], atol=1e-6)


def test_zero_personalization_is_uniform_and_bad_input_rejected() -> None:
    result = personalized_pagerank(3, np.array([0]), np.array([0]), np.array([1]), np.array([1]),
                                   np.zeros((1, 3)))
    graph = nx.Graph()
    graph.add_nodes_from(range(3))
    graph.add_edge(0, 1, weight=1)
    pr = nx.pagerank(graph)
    np.testing.assert_allclose(result.scores[0], [pr[0], pr[1], pr[2]], atol=1e-12)
    with pytest.raises(BadInput, match="personalization"):
        personalized_pagerank(3, np.array([0]), np.array([0]), np.array([1]), np.array([1]), -np.ones((1, 3)))
    with pytest.raises(BadInput, match="shape"):
        personalized_pagerank(4, np.array([0]), np.array([0]), np.array([1]), np.array([1]), np.ones((1, 3)))


def test_unconverged_classes_are_reported() -> None:
    rng = np.random.default_rng(5)
    offsets, cls, src, dst, w, counts = _random_classes(rng, 4, [5, 5, 5], 10)
    pers = layer_personalization(counts, offsets) + 0.01
    result = personalized_pagerank(int(offsets[-1]), cls, src, dst, w, pers, max_iter=2)
    assert set(result.unconverged.tolist()) == {0, 1, 2, 3}
    assert result.iterations.tolist() == [2, 2, 2, 2]


def test_layer_personalization_scales_each_layer_by_its_max() -> None:
    counts = np.array([[2, 4, 0, 5, 10], [0, 0, 0, 3, 0]])
    pers = layer_personalization(counts, np.array([0, 3, 5]))
    np.testing.assert_allclose(pers, [[0.5, 1.0, 0.0, 0.5, 1.0], [0, 0, 0, 1.0, 0]])


def test_duplicate_edge_rows_add_up() -> None:
    pers = np.array([[1.0, 0.0, 0.0, 0.5]])
    twice = personalized_pagerank(4, np.array([0, 0, 0]), np.array([0, 0, 1]), np.array([2, 2, 3]),
                                  np.array([1, 1, 4]), pers)
    once = personalized_pagerank(4, np.array([0, 0]), np.array([0, 1]), np.array([2, 3]), np.array([2, 4]), pers)
    np.testing.assert_allclose(twice.scores, once.scores, atol=1e-15)


@pytest.mark.parametrize("seed", [3, 4])
def test_node_subsets_match_networkx_on_the_class_subgraph(seed: int) -> None:
    """Summit's G holds only the class's neurons with influence rows (plus, isolated, neurons whose
    only neighbour was removed): PageRank over that subgraph, start 1/N_c, stop at N_c * tol."""
    rng = np.random.default_rng(seed)
    offsets, cls, src, dst, w, counts = _random_classes(rng, 12, [6, 9, 7, 5], 10)
    n = int(offsets[-1])
    pers = layer_personalization(counts, offsets)
    members = np.zeros((12, n), dtype=bool)
    members[cls, src] = True
    members[cls, dst] = True
    lonely = np.argmin(members, axis=1)  # one neuron without edges joins G, isolated
    members[np.arange(12), lonely] = True
    result = personalized_pagerank(n, cls, src, dst, w, pers, nodes=members)
    for c in range(12):
        graph = nx.Graph()
        graph.add_nodes_from(np.flatnonzero(members[c]).tolist())
        sel = cls == c
        graph.add_weighted_edges_from(zip(src[sel].tolist(), dst[sel].tolist(), w[sel].tolist(), strict=True))
        p = {node: pers[c, node] for node in graph.nodes}
        if sum(p.values()) == 0:
            p = None  # networkx: uniform over G (ours as well)
        expected = nx.pagerank(graph, alpha=0.85, personalization=p)
        assert members[c].sum() < n  # a real subset
        for node, value in expected.items():
            assert result.scores[c, node] == pytest.approx(value, abs=1e-12)
        assert np.all(result.scores[c, ~members[c]] == 0.0)
