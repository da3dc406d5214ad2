"""GraphQL type Comparison."""

from __future__ import annotations

import strawberry
from summit.server.types.compared_edge import ComparedEdge
from summit.server.types.compared_node import ComparedNode
from summit.server.types.klass import Class

from summit.store import base


@strawberry.type(description="Two class graphs side by side; lists sorted by (layerIndex, id) / (src, dst).")
class Comparison:
    a: Class
    b: Class
    shared: list[ComparedNode]
    only_a: list[ComparedNode]
    only_b: list[ComparedNode]
    edges: list[ComparedEdge]

    @classmethod
    def from_record(cls, model: str, record: base.Comparison) -> Comparison:
        return cls(
            a=Class.from_record(model, record.a), b=Class.from_record(model, record.b),
            shared=[ComparedNode.from_record(model, n) for n in record.shared],
            only_a=[ComparedNode.from_record(model, n) for n in record.only_a],
            only_b=[ComparedNode.from_record(model, n) for n in record.only_b],
            edges=[ComparedEdge.from_record(e) for e in record.edges],
        )
