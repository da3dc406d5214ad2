"""GraphQL type GraphEdge."""

from __future__ import annotations

import strawberry

from summit.store import base


@strawberry.type(description="An edge of an attribution graph, from a lower-layer neuron to a higher one.")
class GraphEdge:
    src: str
    dst: str
    weight: int

    @classmethod
    def from_record(cls, record: base.GraphEdge) -> GraphEdge:
        return cls(src=record.src, dst=record.dst, weight=record.weight)
