"""Mass cuts, relaxation and the graph written, on hand-made PageRank vectors and edge sets.

Every expected set below was worked out by hand from the rules of METHOD.md 4.4-4.6
(Summit's notebook); the comments show the arithmetic.
"""

from __future__ import annotations

import numpy as np
import pytest

from summit.graphs.selection import Cut, GraphRules, select_all, select_class
from summit.settings import GRAPH_PROFILES


def rules_of(profile: str, **changes: object) -> GraphRules:
    p = GRAPH_PROFILES[profile]
    base = GraphRules(cut=p["graph_cut"], threshold=p["graph_threshold"], relax=p["graph_relax"],
                      prune=p["graph_prune"], mass=p["graph_mass"], step=p["graph_mass_step"])
    return GraphRules(**{**base.__dict__, **changes})


SUMMIT = rules_of("summit")
UNIFIED = rules_of("summit-unified")
EXPLORER = rules_of("explorer")

# three layers of four nodes: 0-3 | 4-7 | 8-11; edges go from the lower layer (src) up (dst)
OFFSETS3 = np.array([0, 4, 8, 12])
EDGES = {"1-5": (1, 5), "2-6": (2, 6), "5-8": (5, 8), "4-9": (4, 9), "3-7": (3, 7), "4-8": (4, 8)}
SRC = np.array([a for a, _ in EDGES.values()])
DST = np.array([b for _, b in EDGES.values()])


def written_edges(sel) -> set[str]:
    names = list(EDGES)
    return {names[r] for r in sel.edge_rows.tolist()}


def test_strict_cut_drops_a_value_tied_with_the_first_not_added() -> None:
    cut = Cut(np.arange(4), np.array([0.4, 0.3, 0.3, 0.0]))
    # shares .4 (< .5), .7 (>= .5): two values added, t = the third value = .3
    assert cut.added(0.5) == 2
    assert cut.kept(0.5, strict=True).tolist() == [0]  # .3 is not > .3: the second one goes too
    assert cut.kept(0.5, strict=False).tolist() == [0, 2]  # count: the two added, tie -> higher position
    assert cut.kept(0.3, strict=True).tolist() == [0]  # .4 >= .3: one added, t = .3
    # mass 1: the share reaches 1 after three values, t = 0.0, so the zero stays out
    assert sorted(cut.kept(1.0, strict=True).tolist()) == [0, 1, 2]
    # every value added: Summit's loop would run off the end; all are kept
    whole = Cut(np.arange(2), np.array([0.5, 0.5]))
    assert whole.added(1.0) == 2
    assert whole.kept(1.0, strict=True).tolist() == [1, 0]
    assert cut.kept(0.0, strict=True).size == 0
    assert cut.kept(0.0, strict=False).size == 1


def test_summit_per_layer_pair_relaxation_two_rounds_and_pruning() -> None:
    # per-layer shares (each layer sums to 1)
    scores = np.array([0.50, 0.30, 0.15, 0.05,   # layer 0
                       0.40, 0.35, 0.20, 0.05,   # layer 1
                       0.60, 0.20, 0.10, 0.10])  # layer 2
    rules = rules_of("summit", mass=0.35, step=0.1)
    sel = select_class(scores, OFFSETS3, SRC, DST, rules)
    # round 0, all masses .35: keeps {0} {4} {8}. Layer 1: no kept edge (1-5: 1 not kept) -> invalid;
    #   layer 2: 4-8 kept -> valid. Raise layer 1 and the layer below: m0 = m1 = .45.
    # round 1: layer 0 .5 >= .45 -> {0}; layer 1 .40 < .45, .75 -> {4, 5} (t = .20). 1-5 still
    #   not kept -> invalid. m0 = m1 = .55.
    # round 2: layer 0 .5 < .55, .8 -> {0, 1} (t = .15); 1-5 kept -> valid. Done.
    assert sel.rounds == 2
    assert sel.masses == pytest.approx([0.55, 0.55, 0.35])
    assert sel.invalid == []
    # written: node 4 is kept but has no neighbour below in G -> not written;
    # edge 4-8 joins kept nodes but its lower end 4 has no kept edge further down -> dropped
    assert sel.nodes.tolist() == [0, 1, 5, 8]
    assert written_edges(sel) == {"1-5", "5-8"}
    # the same cut without Summit's pruning writes node 4 and edge 4-8
    plain = select_class(scores, OFFSETS3, SRC, DST, rules_of("summit", mass=0.35, step=0.1, prune="none"))
    assert plain.nodes.tolist() == [0, 1, 4, 5, 8]
    assert written_edges(plain) == {"1-5", "5-8", "4-8"}


def test_pair_relaxation_raises_a_layer_twice_in_one_round() -> None:
    # without edge 4-8 both layers 1 and 2 start invalid: in round 1 layer 1 rises as itself and
    # as the layer below layer 2
    keep = [k for k, name in enumerate(EDGES) if name != "4-8"]
    scores = np.array([0.50, 0.30, 0.15, 0.05, 0.45, 0.35, 0.15, 0.05, 0.60, 0.20, 0.10, 0.10])
    sel = select_class(scores, OFFSETS3, SRC[keep], DST[keep], rules_of("summit", mass=0.35, step=0.1))
    # round 0: {0} {4} {8}, layers 1 and 2 invalid -> m0 .45, m1 .35 + .1 + .1 = .55, m2 .45
    # round 1: {0}; layer 1 .45 < .55, .80 -> {4, 5}; {8}: 5-8 valid, layer 1 invalid -> m0 .55, m1 .65
    # round 2: layer 0 .5 < .55 -> {0, 1}: 1-5 valid. Done.
    assert sel.rounds == 2
    assert sel.masses == pytest.approx([0.55, 0.65, 0.45])
    assert sel.masses[1] == 0.35 + 0.1 + 0.1 + 0.1  # the float accumulates step by step
    assert sel.nodes.tolist() == [0, 1, 5, 8]


def test_summit_unified_cut_relaxes_one_mass() -> None:
    # one cut over the whole graph (values sum to 1)
    scores = np.array([0.20, 0.05, 0.02, 0.01, 0.25, 0.10, 0.03, 0.02, 0.22, 0.06, 0.02, 0.02])
    sel = select_class(scores, OFFSETS3, SRC, DST, rules_of("summit-unified", mass=0.3, step=0.1))
    # sorted: .25 .22 .20 .10 .06 .05 .03 .02 .02 .02 .02 .01, shares .25 .47 .67 .77 .83 .88 .91 ...
    # m .3 and .4: 2 added, t = .20 -> {4, 8}: layer 1 invalid (no kept node of layer 0)
    # m .5, .6: 3 added -> {0, 4, 8}; m .7: 4 added -> + 5; m .8: 5 added (t = .05) -> + 9
    # m .9: .88 < .9, .91 -> 7 added, t = .02 -> + 1, 6 (all four .02 stay out: not > t). 1-5 kept.
    assert sel.rounds == 6
    assert sel.masses == [0.3 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1] * 3
    # written: 4 has no neighbour below -> out; 6 (neighbour 2 in G, not kept) and 9 (neighbour 4)
    # are written without edges; 4-9 and 4-8 are dropped (lower end 4 reaches nothing below)
    assert sel.nodes.tolist() == [0, 1, 5, 6, 8, 9]
    assert written_edges(sel) == {"1-5", "5-8"}


def test_only_nodes_of_g_take_part_in_the_cut() -> None:
    # nodes 2 and 3 are not in G: their (high) values must not count in layer 0's mass
    scores = np.array([0.30, 0.10, 0.50, 0.10, 0.40, 0.35, 0.20, 0.05, 0.60, 0.20, 0.10, 0.10])
    members = np.ones(12, dtype=bool)
    members[[2, 3]] = False
    src, dst = np.array([0, 1, 5]), np.array([4, 5, 8])
    sel = select_class(scores, OFFSETS3, src, dst, rules_of("summit", mass=0.5, step=0.1), members)
    # layer 0 over {0, 1}: shares .75, 1.0 -> {0}; with 2 and 3 counted it would be {2} (share .5)
    assert 0 in sel.nodes.tolist()
    assert 2 not in sel.nodes.tolist()


def test_hopeless_layer_is_reported_not_relaxed() -> None:
    # no edge of G into layer 2: nothing can make it valid; layer 1 is valid at once
    scores = np.array([0.50, 0.30, 0.15, 0.05, 0.40, 0.35, 0.20, 0.05, 0.60, 0.20, 0.10, 0.10])
    sel = select_class(scores, OFFSETS3, np.array([0]), np.array([4]), rules_of("summit", mass=0.35))
    assert sel.invalid == [2]
    assert sel.rounds == 0
    assert sel.nodes.tolist() == [0, 4]  # 8 is kept but has no neighbour below in G


# --- this project's own profile ("explorer": count cut, own-layer relaxation, no pruning) ---
OFFSETS = np.array([0, 4, 7])  # two layers: nodes 0-3 (layer 0), 4-6 (layer 1)


def test_explorer_keeps_until_mass_reached() -> None:
    scores = np.array([0.4, 0.3, 0.2, 0.1, 0.1, 0.6, 0.3])
    src, dst = np.array([0, 1]), np.array([5, 6])
    sel = select_class(scores, OFFSETS, src, dst, rules_of("explorer", mass=0.3))
    assert sel.nodes.tolist() == [0, 5]
    assert sel.rounds == 0
    # mass 0.5: layer 0 needs 0.4 + 0.3; layer 1: 0.6 already reaches it
    assert select_class(scores, OFFSETS, src, dst, rules_of("explorer", mass=0.5)).nodes.tolist() == [0, 1, 5]
    assert select_class(scores, OFFSETS, src, dst, rules_of("explorer", mass=1.0)).nodes.size == 7


def test_explorer_relaxes_only_the_invalid_layer() -> None:
    # layer 1: node 5 is top (0.62) but only linked to node 2, which is not kept; node 6 (0.28) is
    # linked to kept node 0: layer 1's mass must rise past 0.62, layer 0's stays
    scores = np.array([0.4, 0.3, 0.2, 0.1, 0.1, 0.62, 0.28])
    src, dst = np.array([2, 0]), np.array([5, 6])
    sel = select_class(scores, OFFSETS, src, dst, rules_of("explorer", mass=0.3))
    assert sel.nodes.tolist() == [0, 5, 6]
    assert sel.masses[0] == 0.3
    assert sel.masses[1] > 0.62
    assert sel.rounds == int(np.ceil((0.62 - 0.3) / 0.005 - 1e-9))
    assert written_edges_of(sel, 2) == {1}
    # step 0 disables the rule
    sel = select_class(scores, OFFSETS, src, dst, rules_of("explorer", mass=0.3, step=0.0))
    assert sel.nodes.tolist() == [0, 5]


def written_edges_of(sel, n: int) -> set[int]:
    return set(sel.edge_rows.tolist()) & set(range(n))


def test_explorer_no_possible_link_keeps_the_first_selection() -> None:
    scores = np.array([0.4, 0.3, 0.2, 0.1, 0.1, 0.6, 0.3])
    sel = select_class(scores, OFFSETS, np.array([3]), np.array([5]), rules_of("explorer", mass=0.3))
    assert sel.nodes.tolist() == [0, 5]
    assert sel.invalid == [1]


def test_ties_prefer_the_higher_channel() -> None:
    scores = np.array([0.25, 0.25, 0.25, 0.25, 0.5, 0.25, 0.25])
    sel = select_class(scores, OFFSETS, np.array([3]), np.array([4]), rules_of("explorer", mass=0.3))
    assert sel.nodes.tolist() == [2, 3, 4]


def test_select_all_classes_and_edges() -> None:
    scores = np.array([
        [0.4, 0.3, 0.2, 0.1, 0.1, 0.62, 0.28],  # relaxation case
        [0.1, 0.1, 0.1, 0.7, 0.7, 0.2, 0.1],
    ])
    edge_class = np.array([0, 0, 0, 1, 1])
    src = np.array([2, 0, 1, 3, 0])
    dst = np.array([5, 6, 5, 4, 4])
    sel = select_all(scores, OFFSETS, edge_class, src, dst, rules_of("explorer", mass=0.3))
    kept = sorted(zip(sel.node_class.tolist(), sel.node.tolist(), strict=True))
    assert kept == [(0, 0), (0, 5), (0, 6), (1, 3), (1, 4)]
    assert sel.edge_rows.tolist() == [1, 3]
    assert sel.relaxed == 1
