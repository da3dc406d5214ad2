"""GraphQL type Path."""

from __future__ import annotations

import strawberry
from summit.server.context import Info
from summit.server.types.neuron import Neuron

from summit.store import base


@strawberry.type(description="A path through a class graph, from lower to higher layer.")
class Path:
    model: strawberry.Private[str]
    neurons: list[str]
    weights: list[int] = strawberry.field(description="Edge weights along the path (len(neurons) - 1).")
    score: float = strawberry.field(description="Sum or bottleneck (minimum) of the weights.")

    @classmethod
    def from_record(cls, model: str, record: base.GraphPath) -> Path:
        return cls(model=model, neurons=list(record.neurons), weights=list(record.weights), score=record.score)

    @strawberry.field(description="The path's neurons as objects (batched per request).")
    async def nodes(self, info: Info) -> list[Neuron]:
        records = await info.context.model_loaders(self.model).neurons.load_many(self.neurons)
        return [Neuron.from_record(self.model, r) for r in records]
