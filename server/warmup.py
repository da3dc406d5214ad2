"""Fill the app-wide memos in the background when ``summit serve`` starts.

Without it the first request for each class pays for its store calls (the graph,
then its nodes' pictures) on top of building the answer; at 1,000 classes that
made the first seconds of a load test an order of magnitude slower than the
rest. The warm-up asks the store for every neuron's picture (a few batched
calls per model) and every class's graph at the model's own thresholds (one call
per class, one at a time, so requests keep the other store threads); then, given a
``responses`` step (the app's ``server.prerender`` into its response cache), the web
app's class-view answers of every class, so that the first view of a class is a cache
hit too. It stops when the model list changes meanwhile: entries of an old generation
must not replace newer ones. The app then runs it again for the new list (a reload), while
the server stays ready.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from summit.server.memo import MISSING, ClassGraphs, NeuronImages, picture
from summit.server.store_access import ModelsMemo, StoreGateway

from summit.ids import neuron_id
from summit.store.base import ClassInfo, ModelInfo

IMAGE_BATCH = 1000  # neurons per store call


# (model, is it the first model (the one a null model argument means), its classes, generation) -> go on?
ResponsesStep = Callable[[ModelInfo, bool, Sequence[ClassInfo], int], Awaitable[bool]]


@dataclass
class WarmUpReport:
    images: int = 0
    graphs: int = 0
    generation: int | None = None  # the model-list generation this warm-up remembers (None: not known yet)


async def warm_up(images: NeuronImages, graphs: ClassGraphs | None, models_memo: ModelsMemo,
                  gateway: StoreGateway, report: WarmUpReport | None = None,
                  responses: ResponsesStep | None = None) -> WarmUpReport:
    """Remember every neuron's picture, then (``graphs`` given) every class's graph, then (``responses``
    given) have every model's class views pre-rendered.

    Returns the counts; ``report``, when given, is the object updated as it goes (for /healthz).
    """
    report = WarmUpReport() if report is None else report
    store = gateway.store
    models = await models_memo.get(gateway)
    generation = report.generation = models_memo.generation
    for model in models:
        ids = [neuron_id(layer.name, channel) for layer in model.layers for channel in range(layer.channels)]
        for start in range(0, min(len(ids), images.max_entries - report.images), IMAGE_BATCH):
            chunk = ids[start:start + IMAGE_BATCH]
            examples = await gateway.call(store.examples, model.id, chunk)
            visuals = await gateway.call(store.featurevis, model.id, chunk)
            if models_memo.generation != generation:
                return report
            for nid in chunk:
                path = picture(visuals.get(nid) or (), examples.get(nid) or ())
                if images.get(generation, (model.id, nid)) is MISSING:
                    images.put(generation, (model.id, nid), path)
            report.images += len(chunk)
    if graphs is None:
        return report
    classes_of: dict[str, list[ClassInfo]] = {}
    for model in models:
        classes = classes_of[model.id] = await gateway.call(store.classes, model.id)
        if models_memo.generation != generation:
            return report
        for cls in classes:
            if report.graphs >= graphs.max_entries:
                break
            key = (model.id, cls.index, None, 0)
            if graphs.contains(generation, key):
                continue
            graph = await gateway.call(store.class_graph, model.id, cls.index, top_n=None, min_weight=0)
            if models_memo.generation != generation:
                return report
            graphs.put(generation, key, graph)
            report.graphs += 1
    if responses is not None:
        for position, model in enumerate(models):
            if not await responses(model, position == 0, classes_of[model.id], generation):
                return report
    return report


__all__ = ["WarmUpReport", "warm_up"]
