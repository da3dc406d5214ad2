"""GraphQL type InfluenceEdge."""

from __future__ import annotations

import strawberry

from summit.store import base


@strawberry.type(description="Influence between two neurons, for one class or (classIndex null) summed over all.")
class InfluenceEdge:
    src: str
    dst: str
    class_index: int | None
    count: int

    @classmethod
    def from_record(cls, record: base.InfluenceEdge) -> InfluenceEdge:
        return cls(src=record.src, dst=record.dst, class_index=record.class_index, count=record.count)
