"""GraphQL type Class (an output class of the model)."""

from __future__ import annotations

import strawberry
from summit.server.types.faithfulness import Faithfulness

from summit.store.base import ClassInfo


@strawberry.type(name="Class", description="An output class with its validation accuracy.")
class Class:
    model: strawberry.Private[str]
    index: int
    wnid: str
    name: str
    images: int | None = strawberry.field(description="Images of the class; null: not published.")
    top1_correct: int | None = strawberry.field(description="Images classified correctly; null: not published.")
    accuracy: float | None = strawberry.field(description="Top-1 accuracy; null: not published.")
    prob_hist: list[int] | None = strawberry.field(
        description="Histogram of the predicted probability of this class on its images (20 bins over [0, 1]); "
                    "null: not published."
    )
    top1_prob_hist: list[int] | None = strawberry.field(
        description="Histogram of the top-1 confidence (the largest predicted probability, whatever class) on "
        "this class's images, 20 bins over [0, 1]: the histogram Summit showed. Null (or empty) when not "
        "recorded."
    )
    faithfulness: Faithfulness | None

    @classmethod
    def from_record(cls, model: str, record: ClassInfo) -> Class:
        return cls(
            model=model, index=record.index, wnid=record.wnid, name=record.name, images=record.images,
            top1_correct=record.top1_correct, accuracy=record.accuracy,
            prob_hist=None if record.prob_hist is None else list(record.prob_hist),
            top1_prob_hist=None if record.top1_prob_hist is None else list(record.top1_prob_hist),
            faithfulness=Faithfulness.from_record(record.faithfulness) if record.faithfulness else None,
        )
