"""Class similarity: cosine of the classes' activation-count rows (METHOD.md 5).

Per layer l, ``cos(A_l[c], A_l[d])``; layer ``"all"`` uses the concatenated
rows of every layer. A class whose row is all zero has cosine 0 with every
class. Per class and layer the ``k`` most similar other classes are kept
(ties: lower class index first).
"""

from __future__ import annotations

import numpy as np

ALL_LAYERS = "all"


def cosine_matrix(rows: np.ndarray) -> np.ndarray:
    """(C, C) cosine similarities of the rows of ``rows``."""
    rows = rows.astype(np.float64)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit = np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
    return unit @ unit.T


def top_similar(cos: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(class, other, cosine) of each class's ``k`` most similar other classes."""
    n = cos.shape[0]
    k = min(k, n - 1)
    if k <= 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    masked = cos.copy()
    np.fill_diagonal(masked, -np.inf)
    # sort by (-cosine, other index): lexsort's last key is primary.
    other = np.tile(np.arange(n), (n, 1))
    order = np.lexsort((other, -masked), axis=1)[:, :k]
    cls = np.repeat(np.arange(n), k)
    others = order.ravel()
    return cls, others, masked[cls, others]
