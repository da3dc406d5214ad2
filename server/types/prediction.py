"""GraphQL type Prediction (one of the model's most probable classes for an image)."""

from __future__ import annotations

import strawberry
from summit.server.types.klass import Class

from summit.image_graph import Prediction as PredictionRecord
from summit.store.base import ClassInfo


@strawberry.type(description="A class the model predicts for the image, with its softmax probability.")
class Prediction:
    class_index: int
    wnid: str
    name: str
    probability: float
    cls: Class | None = strawberry.field(
        name="class", description="The class in this model's data (null when the artifact holds no such class).")

    @classmethod
    def from_record(cls, model: str, record: PredictionRecord, known: ClassInfo | None) -> Prediction:
        return cls(class_index=record.class_index, wnid=record.wnid, name=record.name,
                   probability=record.probability, cls=Class.from_record(model, known) if known else None)
