"""The resolvers of ``Model.imageGraphSupport`` and ``Model.imageGraph`` (types in ``server/types/``)."""

from __future__ import annotations

from typing import Any

from summit.server.context import Info
from summit.server.resolve import class_graph_record, class_index
from summit.server.types.image_graph import ImageGraph
from summit.server.types.image_graph_support import ImageGraphSupport
from summit.server.types.image_personalization import ImagePersonalization

from summit.errors import BadInput, NotFound, Unavailable
from summit.image_graph import ImageInput, Personalization, is_upload
from summit.store.base import ModelInfo

MAX_IMAGE_CHARS = 1000
OFF = "image graphs are off on this server: start it with `summit serve --image-graphs`"


async def _model_info(info: Info, model: str) -> ModelInfo:
    for known in await info.context.models_memo.get(info.context.gateway):
        if known.id == model:
            return known
    gateway = info.context.gateway
    return await gateway.call(gateway.store.model, model)


async def image_graph_support(root: Any, info: Info) -> ImageGraphSupport:
    service = info.context.image_graphs
    if service is None:
        return ImageGraphSupport(available=False, reason=OFF, dataset_images=False, uploads=False,
                                 max_upload_bytes=0)
    found = await service.availability(await _model_info(info, root.id))
    return ImageGraphSupport(available=found.available, reason=found.reason or None,
                             dataset_images=found.available and found.dataset_images,
                             uploads=found.available and service.uploads is not None,
                             max_upload_bytes=service.max_upload_bytes if service.uploads is not None else 0)


async def image_graph(
    root: Any, info: Info, image: str, class_key: str | None = None,
    personalization: ImagePersonalization | None = ImagePersonalization.IMAGE,
) -> ImageGraph:
    service = info.context.image_graphs
    if service is None:
        raise Unavailable(OFF)
    image = image.strip()
    if not image or len(image) > MAX_IMAGE_CHARS:
        raise BadInput(f"image must be a dataset image path or upload:<sha256> of 1 to {MAX_IMAGE_CHARS} characters")
    data = None
    if is_upload(image):
        if service.uploads is None:
            raise Unavailable("uploads are off on this server: start it with `summit serve --allow-upload`")
        data = service.uploads.get(image)
        if data is None:
            raise NotFound(f"{image} is not held by the server (never uploaded, or dropped since): upload it again")
    model = await _model_info(info, root.id)
    index = None if class_key is None else await class_index(info, model.id, class_key)
    chosen: Personalization = "class" if personalization is ImagePersonalization.CLASS else "image"
    with info.context.gateway.heavy("imageGraph"):  # a network's forward and backward pass: heavy work
        record = await service.graph(model, ImageInput(image, data), class_index=index, personalization=chosen)
    class_graph = await class_graph_record(info, model.id, record.class_index)
    gateway = info.context.gateway
    classes = {c.index: c for c in await gateway.call(gateway.store.classes, model.id)}
    return ImageGraph.from_record(model, record, class_graph, classes)
