"""GraphQL type ComparedEdge."""

from __future__ import annotations

import strawberry

from summit.store import base


@strawberry.type(description="An edge in the comparison of two class graphs (null weight where absent).")
class ComparedEdge:
    src: str
    dst: str
    weight_a: int | None
    weight_b: int | None

    @classmethod
    def from_record(cls, record: base.ComparedEdge) -> ComparedEdge:
        return cls(src=record.src, dst=record.dst, weight_a=record.weight_a, weight_b=record.weight_b)
