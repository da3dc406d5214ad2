"""Per-request DataLoaders: nested fields of one request share one store call per level.

Built by ``Loaders`` inside the request context (never at module level), one
set per model id, so a class graph's nodes asking for their examples make a
single ``store.examples`` call instead of one per node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader
from summit.server.store_access import StoreGateway

from summit.store.base import ClassInfo, Example, Neuron


@dataclass
class ModelLoaders:
    """The loaders of one model within one request."""

    classes: DataLoader[int, ClassInfo]
    neurons: DataLoader[str, Neuron]
    examples: DataLoader[str, list[Example]]
    featurevis: DataLoader[str, list[str]]


def build_model_loaders(gateway: StoreGateway, model: str) -> ModelLoaders:
    store = gateway.store

    async def load_classes(indices: Sequence[int]) -> list[ClassInfo]:
        return await gateway.call(store.classes_by_index, model, list(indices))

    async def load_neurons(ids: Sequence[str]) -> list[Neuron]:
        return await gateway.call(store.neurons, model, list(ids))

    async def load_examples(ids: Sequence[str]) -> list[list[Example]]:
        found = await gateway.call(store.examples, model, list(ids))
        return [list(found.get(i, ())) for i in ids]

    async def load_featurevis(ids: Sequence[str]) -> list[list[str]]:
        found = await gateway.call(store.featurevis, model, list(ids))
        return [list(found.get(i, ())) for i in ids]

    return ModelLoaders(
        classes=DataLoader(load_fn=load_classes),
        neurons=DataLoader(load_fn=load_neurons),
        examples=DataLoader(load_fn=load_examples),
        featurevis=DataLoader(load_fn=load_featurevis),
    )


class Loaders:
    """Lazily built ``ModelLoaders`` per model id, for one request."""

    def __init__(self, gateway: StoreGateway):
        self._gateway = gateway
        self._by_model: dict[str, ModelLoaders] = {}

    def for_model(self, model: str) -> ModelLoaders:
        if model not in self._by_model:
            self._by_model[model] = build_model_loaders(self._gateway, model)
        return self._by_model[model]
