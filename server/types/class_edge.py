"""GraphQL type ClassEdge (one entry of a class connection)."""

from __future__ import annotations

import strawberry
from summit.server.types.klass import Class

from summit.store.base import ClassInfo


@strawberry.type(description="A class in a paged list; similarity is set when the list was asked `similarTo`.")
class ClassEdge:
    cursor: str
    node: Class
    similarity: float | None

    @classmethod
    def from_record(cls, model: str, record: ClassInfo, cursor: str, similarity: float | None) -> ClassEdge:
        return cls(cursor=cursor, node=Class.from_record(model, record), similarity=similarity)
