"""GraphQL type Layer."""

from __future__ import annotations

import strawberry

from summit.store.base import LayerInfo


@strawberry.type(description="A neuron layer (torch module path) of the model.")
class Layer:
    name: str
    index: int
    channels: int

    @classmethod
    def from_record(cls, record: LayerInfo) -> Layer:
        return cls(name=record.name, index=record.index, channels=record.channels)
