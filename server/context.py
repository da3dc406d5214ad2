"""The per-request GraphQL context: settings, the store gateway, loaders and URL helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from strawberry.types import Info as _Info
from summit.server.image_graphs import ImageGraphService
from summit.server.loaders import Loaders, ModelLoaders
from summit.server.memo import ClassGraphs, NeuronImages
from summit.server.store_access import ModelsMemo, StoreGateway

from summit.settings import Settings
from summit.store.base import GraphStore


@dataclass
class Context:
    settings: Settings
    gateway: StoreGateway
    loaders: Loaders
    models_memo: ModelsMemo
    neuron_images: NeuronImages | None = None  # app-wide picture memo (None: ask the store every request)
    class_graphs: ClassGraphs | None = None  # app-wide class-graph memo (None: ask the store every request)
    image_graphs: ImageGraphService | None = None  # one image's graph (None: the feature is off)
    can_write: bool = False  # may this request change stored data (notes)? see server/rights.py
    response: Any = None  # the HTTP response being built (headers), when served over HTTP

    def no_store(self) -> None:
        """This answer depends on the user or on data users change: never cache it (server or browser)."""
        if self.response is not None:
            self.response.headers["cache-control"] = "no-store"

    @property
    def store(self) -> GraphStore:
        return self.gateway.store

    def model_loaders(self, model: str) -> ModelLoaders:
        return self.loaders.for_model(model)

    @property
    def max_results(self) -> int:
        return self.settings.max_results


Info = _Info[Context, None]


def media_url(model: str, relative: str) -> str:
    """The URL under which the server serves ``relative`` (a path in the model's media folder)."""
    return f"/media/{quote(model, safe='')}/{quote(relative.lstrip('/'), safe='/')}"
