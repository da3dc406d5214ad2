"""GraphQL type SimilarClass."""

from __future__ import annotations

import strawberry
from summit.server.types.klass import Class

from summit.store import base


@strawberry.type(description="A class and its similarity (cosine of activation counts) to the asked class.")
class SimilarClass:
    cls: Class = strawberry.field(name="class")
    similarity: float

    @classmethod
    def from_record(cls, model: str, record: base.SimilarClass) -> SimilarClass:
        return cls(cls=Class.from_record(model, record.cls), similarity=record.similarity)
