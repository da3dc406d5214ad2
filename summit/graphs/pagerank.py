"""Personalised PageRank for every class at once (METHOD.md section 4.2).

Each class has its own undirected weighted graph over the same N neurons.
All C graphs form one block-diagonal symmetric weight matrix W of shape
(C*N, C*N) (node ``n`` of class ``c`` is row ``c*N + n``); only its upper
half is stored (one CSR entry per influence row, 20 M for ImageNet scale),
and ``W y = U y + U^T y`` is two sparse passes over it, so each power
iteration advances every class at once without allocating.

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

``nodes`` (optional, (C, N) bool) restricts each class's graph to a subset of
the neurons, as Summit's graph G holds only neurons with an influence edge of
the class: outside it a node starts at 0, has no personalisation and keeps 0;
inside, the start is ``1/N_c`` and the stopping rule ``N_c * tol`` with ``N_c``
the class's node count, exactly networkx on that subgraph.
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


class SymmetricOperator:
    """``y -> W y`` for the block-diagonal symmetric weight matrix W of all classes.

    Only the upper half U (one entry per influence row: row ``c*N + src``,
    column ``c*N + dst``) is stored, as CSR; ``W y = U y + U^T y``, where
    ``U^T y`` reads the same arrays as CSC. Duplicate rows simply add up.
    """

    def __init__(self, size: int, rows: np.ndarray, cols: np.ndarray, data: np.ndarray):
        self.size = size
        self.indptr = np.zeros(size + 1, dtype=np.int32)
        self.indices = np.empty(data.size, dtype=np.int32)
        self.data = np.empty(data.size, dtype=np.float64)
        if data.size >= 2**31:  # pragma: no cover - far beyond one machine's batch
            raise BadInput(f"{data.size} edges are too many for one batch")
        try:
            from scipy.sparse import _sparsetools as tools

            tools.coo_tocsr(size, size, data.size, rows, cols, data, self.indptr, self.indices, self.data)
            self._tools = tools
        except (ImportError, AttributeError):  # pragma: no cover - private scipy API moved
            upper = sp.csr_array((data, (rows, cols)), shape=(size, size))
            self.indptr, self.indices, self.data = upper.indptr, upper.indices, upper.data
            self._tools = None

    def matvec(self, y: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``out = W y`` without allocating (out must not alias y)."""
        if self._tools is None:  # pragma: no cover
            upper = sp.csr_array((self.data, self.indices, self.indptr), shape=(self.size, self.size))
            out[:] = upper @ y + upper.T @ y
            return out
        out.fill(0.0)
        self._tools.csr_matvec(self.size, self.size, self.indptr, self.indices, self.data, y, out)
        self._tools.csc_matvec(self.size, self.size, self.indptr, self.indices, self.data, y, out)
        return out


def weight_operator(
    n_classes: int, n_nodes: int, cls: np.ndarray, src: np.ndarray, dst: np.ndarray, weight: np.ndarray
) -> tuple[SymmetricOperator, np.ndarray]:
    """The symmetric weight operator of all classes and the weighted degree of every node (C*N,)."""
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
    return SymmetricOperator(size, a, b, w), deg


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
    nodes: np.ndarray | None = None,
) -> PageRankResult:
    """PageRank of every class's graph. ``cls``, ``src``, ``dst``: edge arrays with
    class positions ``0..C-1`` and node positions ``0..N-1``; ``personalization``: (C, N) >= 0;
    ``nodes``: (C, N) bool, the nodes of each class's graph (default: all; edges must join nodes of it).
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
    if nodes is None:
        member = np.ones((n_classes, n_nodes), dtype=bool)
    else:
        member = np.asarray(nodes, dtype=bool)
        if member.shape != (n_classes, n_nodes):
            raise BadInput(f"nodes has shape {member.shape}, expected ({n_classes}, {n_nodes})")
        personalization = np.where(member, personalization, 0.0)
    sizes = member.sum(axis=1, keepdims=True).astype(np.float64)
    uniform = np.where(member, 1.0 / np.maximum(sizes, 1.0), 0.0)
    totals = personalization.sum(axis=1, keepdims=True)
    p = np.where(totals > 0, personalization / np.where(totals > 0, totals, 1.0), uniform)
    op, deg = weight_operator(n_classes, n_nodes, cls, src, dst, weight)
    inv_deg = np.zeros(deg.size)
    np.divide(1.0, deg, out=inv_deg, where=deg > 0)
    dangling = (deg == 0).astype(np.float64).reshape(n_classes, n_nodes)
    del deg
    # x_new = d * (P^T x + lost * p) + (1 - d) * p  with  P^T x = W (x / deg)
    x = uniform.copy()
    scaled = np.empty(x.size)
    spread = np.empty(x.size)
    tmp = np.empty_like(x)
    x_new = spread.reshape(n_classes, n_nodes)
    active = sizes[:, 0] > 0  # a class without nodes has nothing to rank
    iterations = np.zeros(n_classes, dtype=np.int64)
    threshold = sizes[:, 0] * tol
    for _ in range(max_iter):
        np.multiply(x.ravel(), inv_deg, out=scaled)
        op.matvec(scaled, spread)
        lost = np.einsum("ij,ij->i", x, dangling)
        x_new *= damping
        np.multiply(p, (damping * lost + (1.0 - damping))[:, None], out=tmp)
        x_new += tmp
        np.subtract(x_new, x, out=tmp)
        np.abs(tmp, out=tmp)
        err = tmp.sum(axis=1)
        iterations[active] += 1
        np.copyto(x, x_new, where=active[:, None])
        active &= ~(err < threshold)
        if not active.any():
            break
    return PageRankResult(x, iterations, np.flatnonzero(active))
