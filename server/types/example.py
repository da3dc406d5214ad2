"""GraphQL type Example (a dataset example patch of a neuron)."""

from __future__ import annotations

import strawberry
from summit.server.context import media_url

from summit.store import base


@strawberry.type(description="A dataset image patch that strongly activates a neuron.")
class Example:
    neuron_id: str
    rank: int
    image: str | None = strawberry.field(description="The source image (path in the dataset); null: not published.")
    score: float | None = strawberry.field(description="Its activation; null: not published.")
    url: str = strawberry.field(description="URL of the patch under /media.")

    @classmethod
    def from_record(cls, model: str, record: base.Example) -> Example:
        return cls(neuron_id=record.neuron_id, rank=record.rank, image=record.image, score=record.score,
                   url=media_url(model, record.media))
