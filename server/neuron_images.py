"""The app-wide memos of the class-graph path: each neuron's picture and each class's graph.

A class graph shows one picture per node; finding it costs a store call for the
node's feature visualisations or top examples, and the graph itself is a store
call too. Both answers only change when a model is (re)loaded, so they are
remembered (``server.memo.GenerationMemo``) and filled for every neuron and every
class in the background by ``server.warmup`` when ``summit serve`` starts.
"""

from __future__ import annotations

from server.memo import MISSING, GenerationMemo
from summit.store import base

DEFAULT_MAX_IMAGES = 200_000
DEFAULT_MAX_GRAPHS = 10_000  # class graphs at a model's own thresholds: tens of KB each

ImageKey = tuple[str, str]  # (model id, neuron id)
GraphKey = tuple[str, int, int | None, int]  # (model id, class index, top_n, min_weight)


class NeuronImages(GenerationMemo[ImageKey, str | None]):
    """``(model, neuron id) -> media path of its picture, or None (no picture)``."""

    def __init__(self, max_entries: int = DEFAULT_MAX_IMAGES):
        super().__init__(max_entries)


class ClassGraphs(GenerationMemo[GraphKey, base.ClassGraph]):
    """``(model, class index, top_n, min_weight) -> the store's ClassGraph`` (frozen records)."""

    def __init__(self, max_entries: int = DEFAULT_MAX_GRAPHS):
        super().__init__(max_entries)


__all__ = ["MISSING", "ClassGraphs", "NeuronImages"]
