"""GraphQL type SuggestedGroup."""

from __future__ import annotations

import strawberry

from summit.store import base


@strawberry.type(description=(
    "Neurons of one layer whose incoming and outgoing edges across all class graphs are alike "
    "(cosine), computed by `summit graphs`; offered to users as a group to accept or edit."))
class SuggestedGroup:
    id: int
    layer: str
    neurons: list[str] = strawberry.field(description="Member neuron ids, in channel order.")
    cohesion: float = strawberry.field(description="Mean cosine of the members' pairs of edge profiles.")

    @classmethod
    def from_record(cls, record: base.SuggestedGroup) -> SuggestedGroup:
        return cls(id=record.id, layer=record.layer, neurons=list(record.neurons), cohesion=record.cohesion)
