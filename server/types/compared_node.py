"""GraphQL type ComparedNode."""

from __future__ import annotations

import strawberry
from summit.server.types.neuron import Neuron

from summit.store import base


@strawberry.type(description="A neuron in the comparison of two class graphs (null where absent from one).")
class ComparedNode:
    neuron: Neuron
    count_a: int | None
    count_b: int | None
    pagerank_a: float | None
    pagerank_b: float | None

    @classmethod
    def from_record(cls, model: str, record: base.ComparedNode) -> ComparedNode:
        return cls(neuron=Neuron.from_record(model, record.neuron), count_a=record.count_a,
                   count_b=record.count_b, pagerank_a=record.pagerank_a, pagerank_b=record.pagerank_b)
