"""GraphQL type ImageGraphEdge (an influence edge of one image's attribution graph)."""

from __future__ import annotations

import strawberry

from summit.image_graph import ImageGraphEdge as EdgeRecord


@strawberry.type(description="An influence edge of one image's graph (src in the layer below dst).")
class ImageGraphEdge:
    src: str
    dst: str
    weight: int = strawberry.field(description="The image's influence count (1 for a pair it keeps).")
    in_class_graph: bool = strawberry.field(description="The edge is also in the class's attribution graph.")

    @classmethod
    def from_record(cls, record: EdgeRecord, shared: bool) -> ImageGraphEdge:
        return cls(src=record.src, dst=record.dst, weight=record.weight, in_class_graph=shared)
