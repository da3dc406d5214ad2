"""Personalised PageRank for every class at once (METHOD.md section 4.2).

Each class has its own undirected weighted graph over the same N neurons.
All C graphs are stacked into one block-diagonal sparse transition matrix of
shape (C*N, C*N) (node ``n`` of class ``c`` is row ``c*N + n``), so one
sparse matrix-vector product advances every class by one power iteration.
20 M influence rows give 40 M non-zeros (each undirected edge both ways).

The iteration is exactly networkx's ``pagerank`` (scipy variant) with
``personalization`` and ``dangling=None``: start at ``1/N``; transition
probabilities ``w(u, v) / deg(u)``; the mass on dangling (isolated) nodes is
redistributed by the personalisation vector; per class, stop at the first
iteration whose L1 change is below ``N * tol`` (that class is then frozen
while others go on), at most ``max_iter`` iterations. Where networkx would
raise (no convergence), the last iterate is returned and the class is
reported in ``PageRankResult.unconverged``; where networkx would divide by
zero (a class whose personalisation is all zero) the personalisation is
uniform.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from summit.errors import BadInput


@dataclass(frozen=True)
class PageRankResult:
    scores: np.ndarray  # (C, N) float64, each row sums to 1
    iterations: np.ndarray  # (C,) iterations each class ran
    unconverged: np.ndarray  # class positions that hit max_iter without converging


def layer_personalization(counts: np.ndarray, layer_offsets: np.ndarray) -> np.ndarray:
    """Per class, each layer's counts scaled to [0, 1] by that layer's maximum (METHOD 4.2).

    ``counts`` is (C, N) with neurons of layer l in columns
    ``layer_offsets[l]:layer_offsets[l+1]``. A layer whose counts are all zero
    contributes zeros. The result is not normalised (PageRank does that).
    """
    out = np.zeros(counts.shape, dtype=np.float64)
    for lo, hi in itertools.pairwise(layer_offsets):
        block = counts[:, lo:hi].astype(np.float64)
        peak = block.max(axis=1, keepdims=True) if hi > lo else np.zeros((counts.shape[0], 1))
        np.divide(block, peak, out=out[:, lo:hi], where=peak > 0)
    return out


def transition_matrix(
    n_classes: int, n_nodes: int, cls: np.ndarray, src: np.ndarray, dst: np.ndarray, weight: np.ndarray
) -> tuple[sp.csr_array, np.ndarray]:
    """Transposed row-stochastic block matrix P^T (CSR) and the dangling mask (C*N,).

    Edges are undirected: (src, dst, w) links both ways; duplicate rows add up.
    """
    size = n_classes * n_nodes
    if size >= 2**31:
        raise BadInput(f"{n_classes} classes x {n_nodes} neurons is too large for one batch")
    base = cls.astype(np.int32) * np.int32(n_nodes)
    a = base + src.astype(np.int32)
    b = base + dst.astype(np.int32)
    del base
    w = weight.astype(np.float64)
    deg = np.bincount(a, weights=w, minlength=size)
    deg += np.bincount(b, weights=w, minlength=size)
    inv = np.zeros(size)
    np.divide(1.0, deg, out=inv, where=deg > 0)
    # P[u, v] = w / deg(u); we store P^T so that x_new = P^T x is one CSR matvec.
    # Duplicate (class, src, dst) rows need no merging: the matvec adds them up.
    rows = np.concatenate([b, a])
    cols = np.concatenate([a, b])
    data = np.concatenate([w * inv[a], w * inv[b]])
    del a, b, w
    return _csr(rows, cols, data, size), deg == 0


def _csr(rows: np.ndarray, cols: np.ndarray, data: np.ndarray, size: int) -> sp.csr_array:
    """CSR from triplets by one counting pass, keeping duplicates (no per-row sort)."""
    try:
        from scipy.sparse._sparsetools import coo_tocsr
    except ImportError:  # pragma: no cover - private scipy API moved: public (slower) path
        coo_tocsr = None
    if coo_tocsr is None or data.size >= 2**31:  # pragma: no cover
        return sp.csr_array((data, (rows, cols)), shape=(size, size))
    indptr = np.empty(size + 1, dtype=np.int32)
    indices = np.empty(data.size, dtype=np.int32)
    values = np.empty(data.size, dtype=np.float64)
    coo_tocsr(size, size, data.size, rows, cols, data, indptr, indices, values)
    return sp.csr_array((values, indices, indptr), shape=(size, size))


def personalized_pagerank(
    n_nodes: int,
    cls: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray,
    personalization: np.ndarray,
    *,
    damping: float = 0.85,
    max_iter: int = 100,
    tol: float = 1.0e-6,
) -> PageRankResult:
    """PageRank of every class's graph. ``cls``, ``src``, ``dst``: edge arrays with
    class positions ``0..C-1`` and node positions ``0..N-1``; ``personalization``: (C, N) >= 0.
    """
    personalization = np.asarray(personalization, dtype=np.float64)
    n_classes = personalization.shape[0]
    if personalization.shape != (n_classes, n_nodes):
        raise BadInput(f"personalization has shape {personalization.shape}, expected ({n_classes}, {n_nodes})")
    if np.any(personalization < 0) or not np.all(np.isfinite(personalization)):
        raise BadInput("personalization values must be finite and >= 0")
    if not 0.0 <= damping <= 1.0:
        raise BadInput(f"damping must be in [0, 1], got {damping}")
    if n_classes == 0 or n_nodes == 0:
        return PageRankResult(np.zeros((n_classes, n_nodes)), np.zeros(n_classes, np.int64),
                              np.zeros(0, np.int64))
    totals = personalization.sum(axis=1, keepdims=True)
    p = np.where(totals > 0, personalization / np.where(totals > 0, totals, 1.0), 1.0 / n_nodes)
    pt, dangling = transition_matrix(n_classes, n_nodes, cls, src, dst, weight)
    dangling = dangling.reshape(n_classes, n_nodes)
    x = np.full((n_classes, n_nodes), 1.0 / n_nodes)
    active = np.ones(n_classes, dtype=bool)
    iterations = np.zeros(n_classes, dtype=np.int64)
    threshold = n_nodes * tol
    for _ in range(max_iter):
        spread = (pt @ x.ravel()).reshape(n_classes, n_nodes)
        lost = np.where(dangling, x, 0.0).sum(axis=1, keepdims=True)
        x_new = damping * (spread + lost * p) + (1.0 - damping) * p
        err = np.abs(x_new - x).sum(axis=1)
        iterations[active] += 1
        x[active] = x_new[active]
        active &= ~(err < threshold)
        if not active.any():
            break
    return PageRankResult(x, iterations, np.flatnonzero(active))
