"""GraphQL type ImageGraphNode (a neuron of one image's attribution graph)."""

from __future__ import annotations

import strawberry
from summit.server.types.neuron import Neuron

from summit.image_graph import ImageGraphNode as NodeRecord
from summit.store import base


@strawberry.type(description="A neuron of one image's attribution graph.")
class ImageGraphNode:
    neuron: Neuron
    count: int = strawberry.field(description="1 when the image selects this channel (A of the image), else 0.")
    pagerank: float
    in_class_graph: bool = strawberry.field(description="The neuron is also in the class's attribution graph.")

    @classmethod
    def from_record(cls, model: str, record: NodeRecord, neuron: base.Neuron, shared: bool) -> ImageGraphNode:
        return cls(neuron=Neuron.from_record(model, neuron), count=record.count, pagerank=record.pagerank,
                   in_class_graph=shared)
