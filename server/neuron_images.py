"""An app-wide memo of each neuron's picture path (the data is read-only between model loads).

A class graph shows one picture per node; finding it costs a store call for the
node's feature visualisations or top examples. The answer only changes when a
model is (re)loaded, so it is remembered per (model, neuron id) and forgotten
whenever the store's model list changes (``ModelsMemo.generation``). At most
``max_entries`` entries are kept (oldest forgotten first).
"""

from __future__ import annotations

from collections import OrderedDict

DEFAULT_MAX_ENTRIES = 200_000
_MISSING = object()


class NeuronImages:
    """``(model, neuron id) -> media path or None``, valid for one model-list generation."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES):
        self._max = max_entries
        self._generation: int | None = None
        self._entries: OrderedDict[tuple[str, str], str | None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _sync(self, generation: int) -> None:
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation

    def get(self, generation: int, model: str, neuron_id: str) -> object:
        """The remembered path (or None: the neuron has no picture), else ``MISSING``."""
        self._sync(generation)
        return self._entries.get((model, neuron_id), _MISSING)

    def put(self, generation: int, model: str, neuron_id: str, path: str | None) -> None:
        self._sync(generation)
        self._entries[(model, neuron_id)] = path
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)


MISSING = _MISSING

__all__ = ["MISSING", "NeuronImages"]
