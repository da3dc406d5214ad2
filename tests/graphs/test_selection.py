"""Per-layer mass selection with the relaxation rule, on hand-made PageRank vectors."""

from __future__ import annotations

import numpy as np

from summit.graphs.selection import select_all, select_class

# two layers: nodes 0-3 (layer 0), 4-6 (layer 1)
OFFSETS = np.array([0, 4, 7])


def test_keeps_until_mass_reached_without_relaxation() -> None:
    scores = np.array([0.4, 0.3, 0.2, 0.1, 0.1, 0.6, 0.3])
    src, dst = np.array([0, 1]), np.array([5, 6])
    kept, relaxed = select_class(scores, OFFSETS, src, dst, mass=0.3, step=0.005)
    assert np.flatnonzero(kept).tolist() == [0, 5]
    assert relaxed == 0
    # mass 0.5: layer 0 needs 0.4 + 0.3; layer 1: 0.6 already reaches it
    kept, _ = select_class(scores, OFFSETS, src, dst, mass=0.5, step=0.005)
    assert np.flatnonzero(kept).tolist() == [0, 1, 5]
    # the neuron that crosses the threshold is kept; mass 1 keeps everything
    kept, _ = select_class(scores, OFFSETS, src, dst, mass=1.0, step=0.005)
    assert kept.all()


def test_relaxation_adds_the_first_neuron_linked_to_the_layer_below() -> None:
    # layer 1: node 5 is top (0.62) but only linked to node 2, which is not kept;
    # node 6 (0.28) is linked to kept node 0. Threshold 0.3 must rise past 0.62.
    scores = np.array([0.4, 0.3, 0.2, 0.1, 0.1, 0.62, 0.28])
    src, dst = np.array([2, 0]), np.array([5, 6])
    kept, relaxed = select_class(scores, OFFSETS, src, dst, mass=0.3, step=0.005)
    assert np.flatnonzero(kept).tolist() == [0, 5, 6]
    assert relaxed == 1
    # a big step overshoots: 0.3 + 0.5 = 0.8 < 0.9 (0.62 + 0.28) keeps 5 and 6 too
    kept, _ = select_class(scores, OFFSETS, src, dst, mass=0.3, step=0.5)
    assert np.flatnonzero(kept).tolist() == [0, 5, 6]
    # step 0 disables the rule
    kept, relaxed = select_class(scores, OFFSETS, src, dst, mass=0.3, step=0.0)
    assert np.flatnonzero(kept).tolist() == [0, 5]
    assert relaxed == 0


def test_relaxation_follows_the_raised_layer_upwards() -> None:
    # three layers: 0-1 | 2-4 | 5-6. Layer 1 must relax to keep node 3; then layer 2
    # is connected through node 3 (kept only because of the relaxation).
    offsets = np.array([0, 2, 5, 7])
    scores = np.array([0.9, 0.1, 0.7, 0.2, 0.1, 0.8, 0.2])
    src = np.array([1, 0, 3])
    dst = np.array([2, 3, 5])
    kept, relaxed = select_class(scores, offsets, src, dst, mass=0.05, step=0.005)
    assert np.flatnonzero(kept).tolist() == [0, 2, 3, 5]
    assert relaxed == 1


def test_no_possible_link_keeps_the_first_selection() -> None:
    scores = np.array([0.4, 0.3, 0.2, 0.1, 0.1, 0.6, 0.3])
    kept, relaxed = select_class(scores, OFFSETS, np.array([3]), np.array([1 + 4]), mass=0.3, step=0.005)
    # node 3 is not kept and nothing else links: layer 1 stays {5}
    assert np.flatnonzero(kept).tolist() == [0, 5]
    assert relaxed == 0


def test_ties_prefer_lower_channel() -> None:
    scores = np.array([0.25, 0.25, 0.25, 0.25, 0.5, 0.25, 0.25])
    kept, _ = select_class(scores, OFFSETS, np.array([0]), np.array([4]), mass=0.3, step=0.005)
    assert np.flatnonzero(kept).tolist() == [0, 1, 4]


def test_select_all_classes_and_edges() -> None:
    scores = np.array([
        [0.4, 0.3, 0.2, 0.1, 0.1, 0.62, 0.28],  # relaxation case
        [0.1, 0.1, 0.1, 0.7, 0.7, 0.2, 0.1],
    ])
    edge_class = np.array([0, 0, 0, 1, 1])
    src = np.array([2, 0, 1, 3, 0])
    dst = np.array([5, 6, 5, 4, 4])
    sel = select_all(scores, OFFSETS, edge_class, src, dst, mass=0.3, step=0.005)
    kept = sorted(zip(sel.node_class.tolist(), sel.node.tolist(), strict=True))
    assert kept == [(0, 0), (0, 5), (0, 6), (1, 3), (1, 4)]
    assert sel.edge_rows.tolist() == [1, 3]  # class 0: 0->6; class 1: 3->4
    assert sel.relaxed == 1
