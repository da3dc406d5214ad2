"""GraphQL type NeuronDetail."""

from __future__ import annotations

import strawberry
from summit.server.context import Info
from summit.server.limits import check_count
from summit.server.resolve import class_index
from summit.server.types.class_activation import ClassActivation
from summit.server.types.enums import Direction
from summit.server.types.influence_edge import InfluenceEdge
from summit.server.types.neuron import Neuron

from summit.store import base


@strawberry.type(description="A neuron with the classes it serves and its influence edges.")
class NeuronDetail:
    model: strawberry.Private[str]
    record: strawberry.Private[base.NeuronDetail]
    top_classes_asked: strawberry.Private[int]
    neuron: Neuron

    @classmethod
    def from_record(cls, model: str, record: base.NeuronDetail, top_classes_asked: int) -> NeuronDetail:
        return cls(model=model, record=record, top_classes_asked=top_classes_asked,
                   neuron=Neuron.from_record(model, record.neuron, featurevis=record.featurevis))

    @strawberry.field(description="Classes that select this neuron most often (count desc, then index).")
    async def top_classes(self, info: Info, limit: int | None = 10) -> list[ClassActivation]:
        limit = 10 if limit is None else limit
        check_count("limit", limit, info.context.max_results)
        rows = self.record.top_classes
        if limit > self.top_classes_asked and len(rows) >= self.top_classes_asked:
            gateway = info.context.gateway
            more = await gateway.call(gateway.store.neuron_detail, self.model, self.record.neuron.id,
                                      top_classes=limit)
            rows = more.top_classes
        return [ClassActivation.from_record(self.model, r) for r in rows[:limit]]

    @strawberry.field(description="Influence edges (count desc), for one class or summed over all classes.")
    async def edges(
        self, info: Info, class_key: str | None = None, direction: Direction | None = Direction.BOTH,
        limit: int | None = 50,
    ) -> list[InfluenceEdge]:
        direction = Direction.BOTH if direction is None else direction
        limit = 50 if limit is None else limit
        check_count("limit", limit, info.context.max_results)
        index = None if class_key is None else await class_index(info, self.model, class_key)
        if limit == 0:
            return []
        gateway = info.context.gateway
        rows = await gateway.call(gateway.store.influence_edges, self.model, self.record.neuron.id,
                                  class_index=index, direction=direction.value, limit=limit)
        return [InfluenceEdge.from_record(r) for r in rows]
