"""GraphQL type SearchHit."""

from __future__ import annotations

import strawberry

from summit.store import base


@strawberry.type(description="A search result: kind 'class' (id = index) or 'neuron' (id = neuron id).")
class SearchHit:
    kind: str
    id: str
    label: str
    score: float = strawberry.field(description="2 = exact, 1 = prefix, 0.5 = substring match.")

    @classmethod
    def from_record(cls, record: base.SearchHit) -> SearchHit:
        return cls(kind=record.kind, id=record.id, label=record.label, score=record.score)
