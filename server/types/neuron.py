"""GraphQL type Neuron (one channel of one layer)."""

from __future__ import annotations

from typing import cast

import strawberry
from summit.server.context import Info, media_url
from summit.server.limits import check_count
from summit.server.memo import Missing, picture
from summit.server.types.example import Example

from summit.store import base


@strawberry.type(description="One channel of one layer; id is '<layer>:<channel>'.")
class Neuron:
    model: strawberry.Private[str]
    known_featurevis: strawberry.Private[tuple[str, ...] | None]
    id: str
    layer: str
    layer_index: int
    channel: int

    @classmethod
    def from_record(cls, model: str, record: base.Neuron, featurevis: tuple[str, ...] | None = None) -> Neuron:
        return cls(model=model, known_featurevis=featurevis, id=record.id, layer=record.layer,
                   layer_index=record.layer_index, channel=record.channel)

    @strawberry.field(description="Top dataset example patches, by rank (batched per request).")
    async def examples(self, info: Info, limit: int | None = 10) -> list[Example]:
        limit = 10 if limit is None else limit
        check_count("limit", limit, info.context.max_results)
        records = await info.context.model_loaders(self.model).examples.load(self.id)
        return [Example.from_record(self.model, r) for r in records[:limit]]

    async def _featurevis_paths(self, info: Info) -> tuple[str, ...]:
        if self.known_featurevis is not None:
            return self.known_featurevis
        return tuple(await info.context.model_loaders(self.model).featurevis.load(self.id))

    @strawberry.field(description="URLs of the feature visualisations under /media, variant order.")
    async def featurevis(self, info: Info) -> list[str]:
        return [media_url(self.model, p) for p in await self._featurevis_paths(info)]

    @strawberry.field(description="One picture of the neuron: its first feature visualisation, else its top example.")
    def image(self, info: Info) -> str | None:
        # A plain (not async) resolver: a class graph asks this of every node, and graphql-core
        # runs each awaitable list item as a task (measured: 2 of the 5 ms of a 29-node graph).
        # The app-wide memo (filled at start by server.warmup) answers at once; a miss returns
        # a coroutine, which graphql-core awaits like any async resolver's result.
        memo, generation = info.context.neuron_images, info.context.models_memo.generation
        if memo is not None:
            known = memo.get(generation, (self.model, self.id))
            if not isinstance(known, Missing):
                return None if known is None else media_url(self.model, known)
        return cast("str | None", self._image_url(info))

    async def _image_url(self, info: Info) -> str | None:
        memo, generation = info.context.neuron_images, info.context.models_memo.generation
        path = await self._image_path(info)
        if memo is not None:
            memo.put(generation, (self.model, self.id), path)
        return None if path is None else media_url(self.model, path)

    async def _image_path(self, info: Info) -> str | None:
        paths = await self._featurevis_paths(info)
        if paths:
            return picture(paths, ())
        return picture((), await info.context.model_loaders(self.model).examples.load(self.id))
