"""GraphQL type GraphNode (a neuron in a class's attribution graph)."""

from __future__ import annotations

import strawberry
from summit.server.types.neuron import Neuron

from summit.store import base


@strawberry.type(description="A neuron of an attribution graph with its count and PageRank for the class.")
class GraphNode:
    neuron: Neuron
    count: int
    pagerank: float

    @classmethod
    def from_record(cls, model: str, record: base.GraphNode) -> GraphNode:
        return cls(neuron=Neuron.from_record(model, record.neuron), count=record.count, pagerank=record.pagerank)
