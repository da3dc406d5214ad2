"""GraphQL type EmbeddingPoint."""

from __future__ import annotations

import strawberry
from summit.server.context import Info
from summit.server.types.klass import Class

from summit.store import base


@strawberry.type(description="A class's position in the 2-D embedding of one layer.")
class EmbeddingPoint:
    model: strawberry.Private[str]
    class_index: int
    layer: str
    x: float
    y: float

    @classmethod
    def from_record(cls, model: str, record: base.EmbeddingPoint) -> EmbeddingPoint:
        return cls(model=model, class_index=record.class_index, layer=record.layer, x=record.x, y=record.y)

    @strawberry.field(name="class", description="The class at this point (batched per request).")
    async def cls(self, info: Info) -> Class:
        record = await info.context.model_loaders(self.model).classes.load(self.class_index)
        return Class.from_record(self.model, record)
