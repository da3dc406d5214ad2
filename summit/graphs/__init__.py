"""Attribution graphs, class similarity and class embedding (METHOD.md sections 4-5).

numpy/scipy/polars only (never torch). Entry point: ``build_graphs``.
"""

from summit.graphs.build import build_graphs

__all__ = ["build_graphs"]
