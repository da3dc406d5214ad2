"""GraphQL type ClassActivation."""

from __future__ import annotations

import strawberry
from summit.server.types.klass import Class

from summit.store import base


@strawberry.type(description="How often a neuron was selected on a class's images, and its mean activation.")
class ClassActivation:
    cls: Class = strawberry.field(name="class")
    count: int
    mean: float | None = strawberry.field(description="Mean activation; null: not published.")

    @classmethod
    def from_record(cls, model: str, record: base.ClassActivation) -> ClassActivation:
        return cls(cls=Class.from_record(model, record.cls), count=record.count, mean=record.mean)
