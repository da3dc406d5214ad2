"""Suggested groups (supernodes): per layer, neurons whose class-graph edges are alike.

A neuron's *edge profile* is the vector of its incoming and outgoing edge weights
in every class graph: one entry per (class, neighbour below) and per (class,
neighbour above), each weight divided by the largest edge weight of its class's
graph so that every class counts on the same scale. Two neurons of one layer are
alike when the cosine of their profiles is high: they take input from the same
neurons and feed the same neurons, in the same classes.

Per layer, the neurons that have any edge are clustered by scipy's hierarchical
clustering (average linkage on the distance 1 - cosine) and the tree is cut at
``1 - min_cosine``; a cluster larger than ``max_size`` is split at its own
top-most merge until every part fits. Clusters of one neuron are no suggestion.
A group's ``cohesion`` is the mean cosine of its members' pairs.

Input: the ``class_edges`` table (and the ``neurons`` table for layers), so
``summit graphs`` and an import that writes class graphs directly both call
``group_suggestions``. Output rows: one per member, grouped by ``group``
(numbered by layer, then cohesion descending, then first member), members in
channel order.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from scipy.spatial.distance import squareform

from summit.artifact import conform


def edge_profiles(neurons: pl.DataFrame, class_edges: pl.DataFrame) -> csr_matrix:
    """(N, 2 * C * N) sparse profiles, rows in ``neurons`` order (see the module docstring).

    ``neurons`` has ``neuron_id``; ``class_edges`` has ``class_index``, ``src``, ``dst``, ``weight``
    (edges naming unknown neurons are an error of the caller: the artifact checks references).
    """
    n = neurons.height
    ords = neurons.select(pl.col("neuron_id"), pl.int_range(pl.len(), dtype=pl.Int64).alias("ord"))
    edges = (
        class_edges.filter(pl.col("weight") > 0)
        .join(ords.rename({"neuron_id": "src", "ord": "s"}), on="src")
        .join(ords.rename({"neuron_id": "dst", "ord": "d"}), on="dst")
        .with_columns(
            pl.col("class_index").rank("dense").cast(pl.Int64).sub(1).alias("c"),
            (pl.col("weight") / pl.col("weight").max().over("class_index")).alias("w"),
        )
    )
    classes = edges["c"].n_unique()
    c, s, d = edges["c"].to_numpy(), edges["s"].to_numpy(), edges["d"].to_numpy()
    w = edges["w"].to_numpy().astype(np.float64)
    width = max(1, 2 * classes * n)
    rows = np.concatenate([d, s])  # a dst's profile has its input (class, src); a src's its output
    cols = np.concatenate([c * n + s, classes * n + c * n + d])
    return csr_matrix((np.concatenate([w, w]), (rows, cols)), shape=(n, width))


def _cosines(profiles: csr_matrix) -> np.ndarray:
    norms = np.sqrt(np.asarray(profiles.multiply(profiles).sum(axis=1)).ravel())
    unit = csr_matrix(profiles.multiply(1.0 / norms[:, None]))
    cos = np.asarray((unit @ unit.T).todense())
    np.clip(cos, -1.0, 1.0, out=cos)
    return cos


def _split(members: np.ndarray, cos: np.ndarray, max_size: int) -> list[np.ndarray]:
    """Cut ``members`` at the top merge of their own tree until every part has ``max_size`` or fewer."""
    if members.size <= max_size:
        return [members]
    distance = squareform(1.0 - cos[np.ix_(members, members)], checks=False)
    halves = fcluster(linkage(distance, method="average"), t=2, criterion="maxclust")
    if np.unique(halves).size < 2:  # every pair equally far: cut into channel-order chunks
        return [members[i:i + max_size] for i in range(0, members.size, max_size)]
    return [part for label in np.unique(halves) for part in _split(members[halves == label], cos, max_size)]


def cluster_layer(profiles: csr_matrix, *, min_cosine: float, max_size: int) -> list[tuple[np.ndarray, float]]:
    """Groups (row positions in channel order, cohesion) among the rows of one layer's profiles."""
    active = np.flatnonzero(profiles.getnnz(axis=1) > 0)
    if active.size < 2:
        return []
    cos = _cosines(profiles[active])
    np.fill_diagonal(cos, 1.0)
    distance = squareform(np.maximum(1.0 - cos, 0.0), checks=False)
    labels = fcluster(linkage(distance, method="average"), t=1.0 - min_cosine, criterion="distance")
    groups = []
    for label in np.unique(labels):
        for part in _split(np.flatnonzero(labels == label), cos, max_size):
            if part.size < 2:
                continue
            pairs = cos[np.ix_(part, part)][np.triu_indices(part.size, k=1)]
            groups.append((active[np.sort(part)], float(pairs.mean())))
    return groups


def group_suggestions(
    neurons: pl.DataFrame, class_edges: pl.DataFrame, *, min_cosine: float, max_size: int
) -> pl.DataFrame:
    """The ``group_suggestions`` table from the ``neurons`` and ``class_edges`` tables."""
    neurons = neurons.sort("layer_index", "channel")
    profiles = edge_profiles(neurons, class_edges)
    ids = neurons["neuron_id"].to_list()
    layer_names = neurons["layer"].to_list()
    bounds = neurons.with_row_index("row").group_by("layer_index", maintain_order=True).agg(
        pl.col("row").min().alias("lo"), (pl.col("row").max() + 1).alias("hi"))
    found: list[tuple[int, float, int, np.ndarray]] = []
    for layer_index, lo, hi in bounds.iter_rows():
        for rows, cohesion in cluster_layer(profiles[lo:hi], min_cosine=min_cosine, max_size=max_size):
            found.append((layer_index, -cohesion, int(rows[0]) + lo, rows + lo))
    found.sort(key=lambda g: g[:3])
    groups, layers, members, cohesions = [], [], [], []
    for number, (_, negative, _, rows) in enumerate(found):
        for row in rows.tolist():
            groups.append(number)
            layers.append(layer_names[row])
            members.append(ids[row])
            cohesions.append(-negative)
    frame = pl.DataFrame({"group": groups, "layer": layers, "neuron_id": members, "cohesion": cohesions},
                         schema={"group": pl.Int32, "layer": pl.Utf8, "neuron_id": pl.Utf8, "cohesion": pl.Float64})
    return conform("group_suggestions", frame)
