"""App-wide memos of store answers that only change when a model is (re)loaded.

The data behind the server is read-only between model loads, so an answer can
be remembered until the store's model list changes (``ModelsMemo.generation``,
checked at most once a second). Each memo is bounded (oldest entry forgotten
first) and forgets everything when the generation it sees changes. ``NeuronImages`` and
``ClassGraphs`` are the two the class-graph path uses; ``server.warmup`` fills them at start.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar

from cachetools import LRUCache

from summit.store import base

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Missing:
    """The answer of ``get`` for a key that is not remembered (``None`` is a value a memo may hold)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()


class GenerationMemo(Generic[K, V]):
    """``key -> value``, valid for one model-list generation, at most ``max_entries`` entries.

    The entries are a ``cachetools.LRUCache`` (least recently used forgotten first); the memo
    forgets them all when asked with another generation than the one it holds.
    """

    def __init__(self, max_entries: int):
        if max_entries < 1:
            raise ValueError(f"max_entries must be >= 1, got {max_entries}")
        self.max_entries = max_entries
        self.generation: int | None = None
        self._entries: LRUCache[K, V] = LRUCache(maxsize=max_entries)

    def __len__(self) -> int:
        return len(self._entries)

    def _sync(self, generation: int) -> None:
        if generation != self.generation:
            self._entries.clear()
            self.generation = generation

    def clear(self) -> None:
        """Forget every entry and the generation."""
        self._entries.clear()
        self.generation = None

    def get(self, generation: int, key: K) -> V | Missing:
        """The remembered value (now the most recently used), else ``MISSING``."""
        self._sync(generation)
        return self._entries.get(key, MISSING)

    def put(self, generation: int, key: K, value: V) -> None:
        self._sync(generation)
        self._entries[key] = value

    def contains(self, generation: int, key: K) -> bool:
        self._sync(generation)
        return key in self._entries


DEFAULT_MAX_IMAGES = 200_000
DEFAULT_MAX_GRAPHS = 10_000  # class graphs at a model's own thresholds: tens of KB each

ImageKey = tuple[str, str]  # (model id, neuron id)
GraphKey = tuple[str, int, int | None, int]  # (model id, class index, top_n, min_weight)


class NeuronImages(GenerationMemo[ImageKey, str | None]):
    """``(model, neuron id) -> media path of its picture, or None (no picture)``; a class graph
    shows one per node, and finding it costs a store call (feature visualisations or examples)."""

    def __init__(self, max_entries: int = DEFAULT_MAX_IMAGES):
        super().__init__(max_entries)


def picture(featurevis: Sequence[str], examples: Sequence[base.Example]) -> str | None:
    """A neuron's one picture (what ``NeuronImages`` holds): its first feature visualisation, else its top example."""
    if featurevis:
        return featurevis[0]
    return examples[0].media if examples else None


class ClassGraphs(GenerationMemo[GraphKey, base.ClassGraph]):
    """``(model, class index, top_n, min_weight) -> the store's ClassGraph`` (frozen records)."""

    def __init__(self, max_entries: int = DEFAULT_MAX_GRAPHS):
        super().__init__(max_entries)


__all__ = ["MISSING", "ClassGraphs", "GenerationMemo", "Missing", "NeuronImages", "picture"]
