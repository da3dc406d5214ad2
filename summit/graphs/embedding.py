"""Class embedding: UMAP of each layer's activation-count rows (METHOD.md 5).

UMAP with the cosine metric, ``umap_neighbors`` neighbours, ``umap_min_dist``
and a fixed seed; the first layer starts from UMAP's spectral layout and each
later layer starts from the previous layer's positions, so points move
smoothly between layers.

Tiny class counts (fewer than ``neighbours + 2`` classes, where UMAP's
neighbour graph is degenerate) use a deterministic fallback instead: PCA of
the L2-normalised rows (cosine geometry), component signs fixed so the
largest loading is positive, each layer rotated/reflected onto the previous
one (orthogonal Procrustes) for the same smooth movement. Both are scaled so
coordinates lie in [-1, 1] per layer (centred at 0).
"""

from __future__ import annotations

import warnings

import numpy as np


def _unit_rows(rows: np.ndarray) -> np.ndarray:
    rows = rows.astype(np.float64)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


def _normalise(xy: np.ndarray) -> np.ndarray:
    xy = xy - xy.mean(axis=0, keepdims=True)
    peak = np.abs(xy).max()
    return xy / peak if peak > 0 else xy


def pca_layout(rows: np.ndarray, previous: np.ndarray | None = None) -> np.ndarray:
    """Deterministic 2-D layout for few classes (fallback for UMAP)."""
    n = rows.shape[0]
    unit = _unit_rows(rows)
    centred = unit - unit.mean(axis=0, keepdims=True)
    xy = np.zeros((n, 2))
    if n > 1 and np.abs(centred).max() > 0:
        u, s, vt = np.linalg.svd(centred, full_matrices=False)
        comps = min(2, vt.shape[0])
        for i in range(comps):
            sign = 1.0 if vt[i, np.argmax(np.abs(vt[i]))] >= 0 else -1.0
            xy[:, i] = u[:, i] * s[i] * sign
    if previous is not None and n > 1:
        # orthogonal Procrustes: rotate/reflect xy onto the previous layer's positions.
        m = xy.T @ (previous - previous.mean(axis=0))
        uu, _, vv = np.linalg.svd(m)
        xy = xy @ (uu @ vv)
    return _normalise(xy)


def embed_layers(
    layer_rows: list[np.ndarray], *, neighbors: int = 15, min_dist: float = 0.1, seed: int = 0,
    pca: bool = False,
) -> list[np.ndarray]:
    """(C, 2) positions per layer, each layer initialised from the previous one (``pca``: the fast layout)."""
    if not layer_rows:
        return []
    n = layer_rows[0].shape[0]
    out: list[np.ndarray] = []
    if pca or n < neighbors + 2:
        previous = None
        for rows in layer_rows:
            previous = pca_layout(rows, previous)
            out.append(previous)
        return out
    import umap  # heavy import (numba): only when needed

    init: str | np.ndarray = "spectral"
    for rows in layer_rows:
        reducer = umap.UMAP(
            n_neighbors=neighbors, min_dist=min_dist, metric="cosine", random_state=seed,
            init=init, n_components=2,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            xy = np.asarray(reducer.fit_transform(rows.astype(np.float32)), dtype=np.float64)
        xy = _normalise(xy)
        out.append(xy)
        init = xy
    return out
