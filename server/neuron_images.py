"""An app-wide memo of each neuron's picture path (the data is read-only between model loads).

A class graph shows one picture per node; finding it costs a store call for the
node's feature visualisations or top examples. The answer only changes when a
model is (re)loaded, so it is remembered per (model, neuron id) and forgotten
whenever the store's model list changes (``ModelsMemo.generation``). At most
``max_entries`` entries are kept (oldest forgotten first).
"""

from __future__ import annotations

from collections import OrderedDict

from server.store_access import ModelsMemo, StoreGateway
from summit.ids import neuron_id

DEFAULT_MAX_ENTRIES = 200_000
_MISSING = object()


class NeuronImages:
    """``(model, neuron id) -> media path or None``, valid for one model-list generation."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES):
        self.max_entries = max_entries
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
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


MISSING = _MISSING


PREFILL_BATCH = 1000  # neurons per store call while prefilling


async def prefill(memo: NeuronImages, models_memo: ModelsMemo, gateway: StoreGateway) -> int:
    """Remember the picture of every neuron of every loaded model (a few store calls per model).

    Run once in the background by ``summit serve`` so the first class graphs do not each
    look their nodes' pictures up. Stops when the model list changes meanwhile (entries
    of an old generation must not replace newer ones). Returns the neurons remembered.
    """
    store = gateway.store
    models = await models_memo.get(gateway)
    generation = models_memo.generation
    featurevis = getattr(store, "featurevis", None)
    done = 0
    for model in models:
        ids = [neuron_id(layer.name, channel) for layer in model.layers for channel in range(layer.channels)]
        for start in range(0, min(len(ids), memo.max_entries - done), PREFILL_BATCH):
            chunk = ids[start:start + PREFILL_BATCH]
            examples = await gateway.call(store.examples, model.id, chunk)
            visuals = await gateway.call(featurevis, model.id, chunk) if featurevis is not None else {}
            if models_memo.generation != generation:
                return done
            for nid in chunk:
                paths = visuals.get(nid) or ()
                found = examples.get(nid) or ()
                path = paths[0] if paths else (found[0].media if found else None)
                if memo.get(generation, model.id, nid) is MISSING:
                    memo.put(generation, model.id, nid, path)
            done += len(chunk)
    return done


__all__ = ["MISSING", "NeuronImages", "prefill"]
