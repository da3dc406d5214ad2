"""App-wide memos of store answers that only change when a model is (re)loaded.

The data behind the server is read-only between model loads, so an answer can
be remembered until the store's model list changes (``ModelsMemo.generation``,
checked at most once a second). Each memo is bounded (oldest entry forgotten
first) and forgets everything when the generation it sees changes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Missing:
    """The answer of ``get`` for a key that is not remembered (``None`` is a value a memo may hold)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()


class GenerationMemo(Generic[K, V]):
    """``key -> value``, valid for one model-list generation, at most ``max_entries`` entries (LRU)."""

    def __init__(self, max_entries: int):
        if max_entries < 1:
            raise ValueError(f"max_entries must be >= 1, got {max_entries}")
        self.max_entries = max_entries
        self._generation: int | None = None
        self._entries: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _sync(self, generation: int) -> None:
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation

    def get(self, generation: int, key: K) -> V | Missing:
        """The remembered value, else ``MISSING``."""
        self._sync(generation)
        value = self._entries.get(key, MISSING)
        if value is not MISSING:
            self._entries.move_to_end(key)
        return value

    def put(self, generation: int, key: K, value: V) -> None:
        self._sync(generation)
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def contains(self, generation: int, key: K) -> bool:
        self._sync(generation)
        return key in self._entries


__all__ = ["MISSING", "GenerationMemo", "Missing"]
