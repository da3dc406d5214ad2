"""GraphQL type ContainingClass."""

from __future__ import annotations

import strawberry
from summit.server.types.klass import Class

from summit.store import base


@strawberry.type(description="A class whose attribution graph holds every neuron and edge of a subgraph.")
class ContainingClass:
    cls: Class = strawberry.field(name="class")
    mass: float = strawberry.field(description="The subgraph's neurons' summed PageRank in this class's graph.")

    @classmethod
    def from_record(cls, model: str, record: base.ContainingClass) -> ContainingClass:
        return cls(cls=Class.from_record(model, record.cls), mass=record.mass)
