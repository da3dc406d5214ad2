"""GraphQL type ClassGraph (the attribution graph of a class, or a part of it)."""

from __future__ import annotations

import strawberry
from summit.server.types.graph_edge import GraphEdge
from summit.server.types.graph_node import GraphNode
from summit.server.types.klass import Class

from summit.store import base


@strawberry.type(description="Nodes sorted by (layerIndex, -pagerank, id); edges by (src, dst).")
class ClassGraph:
    cls: Class = strawberry.field(name="class")
    nodes: list[GraphNode]
    edges: list[GraphEdge]

    @classmethod
    def from_record(cls, model: str, record: base.ClassGraph) -> ClassGraph:
        return cls(
            cls=Class.from_record(model, record.cls),
            nodes=[GraphNode.from_record(model, n) for n in record.nodes],
            edges=[GraphEdge.from_record(e) for e in record.edges],
        )
