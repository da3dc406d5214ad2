"""The attribution graph of one image's counts, under the rules of the class graphs (METHOD.md 4).

``one_graph`` wraps one image's A (one count per neuron) and I (its influence
edges) as a one-class ``GraphInputs`` and runs ``graph_tables`` on it: the same
personalisation, PageRank and cut that ``build_graphs`` runs for every class,
with the method settings the caller passes (the artifact's own).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from summit.errors import BadInput
from summit.graphs.build import graph_tables
from summit.graphs.data import GraphInputs, NeuronLayout
from summit.settings import Settings


def one_graph(
    layout: NeuronLayout,
    counts: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray,
    settings: Settings,
    *,
    class_index: int = 0,
    personalization: np.ndarray | None = None,
    graph_counts: np.ndarray | None = None,
    excluded: np.ndarray | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Nodes (neuron_id, pagerank, count) and edges (src, dst, weight) of one image's graph.

    ``counts`` (N,): the image's A in ``layout``'s node order (at ``activation_mass``;
    ``graph_counts``: at ``graph_activation_mass``, used by the profiles that count there);
    ``src``/``dst``: node positions of its influence edges (src in the layer below dst),
    ``weight`` their I; ``personalization`` (N,): counts to personalise PageRank by instead;
    ``excluded``: node positions left out of G (the artifact's excluded channels).
    """
    n = int(layout.ids.len())
    if counts.shape != (n,) or any(x is not None and x.shape != (n,) for x in (personalization, graph_counts)):
        raise BadInput(f"one_graph: counts must have one value per neuron ({n})")
    if not src.shape == dst.shape == weight.shape:
        raise BadInput("one_graph: src, dst and weight must have the same length")
    if src.size and bool((layout.node_layer[src] + 1 != layout.node_layer[dst]).any()):
        raise BadInput("one_graph: every edge must go from one layer to the next")
    inputs = GraphInputs(
        neuron_ids=layout.ids.to_list(), layers=layout.layers, layer_offsets=layout.layer_offsets,
        node_layer=layout.node_layer, class_index=np.array([class_index], dtype=np.int64),
        counts=counts.astype(np.int64)[None, :], edge_class=np.zeros(src.size, dtype=np.int32),
        edge_src=src.astype(np.int32), edge_dst=dst.astype(np.int32), edge_weight=weight.astype(np.int64),
        graph_counts=None if graph_counts is None else graph_counts.astype(np.int64)[None, :],
    )
    pers = None if personalization is None else personalization.astype(np.float64)[None, :]
    nodes, edges, _ = graph_tables(inputs, settings, personalization=pers, excluded=excluded)
    return nodes.drop("class_index"), edges.drop("class_index")
