"""GraphQL type Model: one loaded artifact, and every question asked about it."""

from __future__ import annotations

from typing import Annotated

import strawberry
from summit.server import image_graph_resolvers
from summit.server.context import Info
from summit.server.limits import check_count, check_neuron_id, check_range, check_result_size
from summit.server.resolve import class_graph_record, class_index, class_info
from summit.server.types.class_connection import ClassConnection, matches, order_classes
from summit.server.types.class_graph import ClassGraph
from summit.server.types.comparison import Comparison
from summit.server.types.containing_class import ContainingClass
from summit.server.types.embedding_point import EmbeddingPoint
from summit.server.types.enums import ClassSort, PathMode
from summit.server.types.faithfulness import FaithfulnessSummary
from summit.server.types.image_graph import ImageGraph
from summit.server.types.image_graph_support import ImageGraphSupport
from summit.server.types.klass import Class
from summit.server.types.layer import Layer
from summit.server.types.neuron_detail import NeuronDetail
from summit.server.types.note import EdgeInput, Note
from summit.server.types.path import Path
from summit.server.types.search_hit import SearchHit
from summit.server.types.similar_class import SimilarClass
from summit.server.types.suggested_group import SuggestedGroup

from summit.artifact import dataset_name
from summit.errors import BadInput
from summit.store.base import ModelInfo

MAX_SEARCH_CHARS = 200


def _check_graph_size(graph: ClassGraph, max_results: int) -> ClassGraph:
    hint = "ask for fewer nodes with topN or minWeight"
    check_result_size("the graph's node list", len(graph.nodes), max_results, hint)
    check_result_size("the graph's edge list", len(graph.edges), max_results, hint)
    return graph


@strawberry.type(description="A loaded model run (one artifact) and the questions asked about it.")
class Model:
    id: str
    name: str
    dataset: str = strawberry.field(description="The dataset's name (the last part of its folder, never a path).")
    created: str
    images: int | None = strawberry.field(description="Images the counts come from; null: not published.")
    class_count: int
    top1_correct: int | None = strawberry.field(description="Top-1 correct images; null: not published.")
    top1_accuracy: float | None = strawberry.field(description="Top-1 accuracy; null: not published.")
    layers: list[Layer]
    graph_method: str = strawberry.field(
        description="Rules the class graphs were built with: 'summit' (Summit's published graphs), "
        "'summit-unified' (its notebook's final flags), 'explorer' (this project's); '+' when single rules "
        "were changed; '' when unknown. docs/method.md compares them.")
    faithfulness: FaithfulnessSummary | None = strawberry.field(
        description="Held-out ablation of the class graphs against the most active and random neurons.")

    @classmethod
    def from_record(cls, record: ModelInfo) -> Model:
        return cls(
            id=record.id, name=record.name, dataset=dataset_name(record.dataset), created=record.created,
            images=record.images, class_count=record.classes, top1_correct=record.top1_correct,
            top1_accuracy=None if record.images is None or record.top1_correct is None
            else record.top1_correct / record.images if record.images else 0.0,
            layers=[Layer.from_record(layer) for layer in record.layers], graph_method=record.graph_method,
            faithfulness=FaithfulnessSummary.from_json(record.faithfulness),
        )

    @strawberry.field(description="Classes, filtered by `search` (name, wnid or index), sorted and paged.")
    async def classes(
        self, info: Info, first: int | None = 100, after: str | None = None, search: str | None = None,
        sort: ClassSort | None = ClassSort.INDEX, similar_to: int | None = None,
    ) -> ClassConnection:
        first = 100 if first is None else first
        sort = ClassSort.INDEX if sort is None else sort
        check_count("first", first, info.context.max_results)
        if sort is ClassSort.SIMILARITY and similar_to is None:
            raise BadInput("sort: SIMILARITY needs similarTo (the index of the class to compare with)")
        gateway = info.context.gateway
        records = await gateway.call(gateway.store.classes, self.id)
        similarity: dict[int, float] = {}
        if similar_to is not None:
            anchor = await class_index(info, self.id, str(similar_to))
            similar = await gateway.call(gateway.store.similar_classes, self.id, anchor, layer=None,
                                         limit=info.context.max_results)
            similarity = {s.cls.index: s.similarity for s in similar}
        selected = [c for c in records if matches(c, search or "")]
        ordered = order_classes(selected, sort, similarity)
        return ClassConnection.from_record(self.id, ordered, first=first, after=after, similarity=similarity)

    @strawberry.field(name="class", description="One class by index, wnid or exact name.")
    async def class_(self, info: Info, key: str) -> Class:
        return Class.from_record(self.id, await class_info(info, self.id, key))

    @strawberry.field(description="A class's attribution graph, optionally re-thresholded (top-N per layer, min edge weight).")
    async def class_graph(
        self, info: Info, class_key: str, top_n: int | None = None, min_weight: int | None = 0
    ) -> ClassGraph:
        min_weight = 0 if min_weight is None else min_weight
        check_count("topN", top_n, info.context.max_results)
        if min_weight < 0:
            raise BadInput(f"minWeight must be >= 0, got {min_weight}")
        index = await class_index(info, self.id, class_key)
        record = await class_graph_record(info, self.id, index, top_n, min_weight)
        return _check_graph_size(ClassGraph.from_record(self.id, record), info.context.max_results)

    @strawberry.field(description="One neuron with its top classes, examples and influence edges.")
    async def neuron(self, info: Info, id: str) -> NeuronDetail:
        check_neuron_id(id, "id")
        gateway = info.context.gateway
        top = 10
        record = await gateway.call(gateway.store.neuron_detail, self.id, id, top_classes=top)
        info.context.model_loaders(self.id).examples.prime(id, list(record.examples))
        return NeuronDetail.from_record(self.id, record, top)

    @strawberry.field(description=(
        "Neurons within `hops` influence edges (either direction) of a neuron for one class; edge weight = "
        "influence count, node count = the class's activation count, pagerank 0 outside the attribution graph."))
    async def neighbourhood(self, info: Info, class_key: str, neuron_id: str, hops: int | None = 1) -> ClassGraph:
        hops = 1 if hops is None else hops
        check_neuron_id(neuron_id, "neuronId")
        check_range("hops", hops, 1, int(info.context.settings.max_hops), "max_hops")
        index = await class_index(info, self.id, class_key)
        gateway = info.context.gateway
        record = await gateway.call_heavy("neighbourhood", gateway.store.neighbourhood, self.id, index, neuron_id,
                                          hops=hops)
        return _check_graph_size(ClassGraph.from_record(self.id, record), info.context.max_results)

    @strawberry.field(description=(
        "The K strongest paths through the class's influence edges from a neuron to another "
        "(or to the last layer), by sum or bottleneck of the counts."))
    async def paths(
        self, info: Info, class_key: str, from_: Annotated[str, strawberry.argument(name="from")], to: str | None = None,
        k: int | None = 5, mode: PathMode | None = PathMode.SUM,
    ) -> list[Path]:
        k = 5 if k is None else k
        mode = PathMode.SUM if mode is None else mode
        check_neuron_id(from_, "from")
        if to is not None:
            check_neuron_id(to, "to")
        check_range("k", k, 1, int(info.context.settings.max_paths), "max_paths")
        index = await class_index(info, self.id, class_key)
        gateway = info.context.gateway
        records = await gateway.call_heavy("paths", gateway.store.paths, self.id, index, from_, to, k=k,
                                           mode=mode.value)
        return [Path.from_record(self.id, r) for r in records]

    @strawberry.field(description="Two classes' graphs compared: shared, only-A and only-B neurons, edges.")
    async def compare(self, info: Info, a: str, b: str) -> Comparison:
        index_a = await class_index(info, self.id, a)
        index_b = await class_index(info, self.id, b)
        gateway = info.context.gateway
        return Comparison.from_record(
            self.id, await gateway.call_heavy("compare", gateway.store.compare, self.id, index_a, index_b))

    @strawberry.field(description="Most similar classes (by activation counts; one layer or all).")
    async def similar_classes(
        self, info: Info, class_key: str, layer: str | None = None, limit: int | None = 20
    ) -> list[SimilarClass]:
        limit = 20 if limit is None else limit
        check_count("limit", limit, info.context.max_results)
        index = await class_index(info, self.id, class_key)
        if limit == 0:
            return []
        gateway = info.context.gateway
        records = await gateway.call(gateway.store.similar_classes, self.id, index, layer=layer, limit=limit)
        return [SimilarClass.from_record(self.id, r) for r in records]

    @strawberry.field(description="Classes (name, wnid) and neurons (id) matching text; exact, then prefix, then substring.")
    async def search(self, info: Info, text: str, limit: int | None = 20) -> list[SearchHit]:
        limit = 20 if limit is None else limit
        check_count("limit", limit, info.context.max_results)
        if not text.strip():
            raise BadInput("search text must not be empty")
        if len(text) > MAX_SEARCH_CHARS:
            raise BadInput(f"search text is longer than {MAX_SEARCH_CHARS} characters")
        if limit == 0:
            return []
        gateway = info.context.gateway
        records = await gateway.call(gateway.store.search, self.id, text.strip(), limit=limit)
        return [SearchHit.from_record(r) for r in records]

    @strawberry.field(description="Every class's 2-D position in the embedding of one layer, by class index.")
    async def embedding(self, info: Info, layer: str) -> list[EmbeddingPoint]:
        gateway = info.context.gateway
        records = await gateway.call(gateway.store.embedding, self.id, layer)
        check_result_size("the embedding", len(records), info.context.max_results, "raise max_results")
        return [EmbeddingPoint.from_record(self.id, r) for r in records]

    image_graph_support: ImageGraphSupport = strawberry.field(
        resolver=image_graph_resolvers.image_graph_support,
        description="Whether this server computes one image's attribution graph for this model (and why not).")
    image_graph: ImageGraph = strawberry.field(
        resolver=image_graph_resolvers.image_graph,
        description=("One image's attribution graph (a dataset image by its path, as examples name it, or "
                     "upload:<sha256> from POST /uploads) beside the graph of `classKey` (default: the image's "
                     "label, else the most probable class of the model's data); needs `summit serve --image-graphs`."))

    @strawberry.field(description=(
        "Suggested groups (supernodes) of one layer or of all: neurons whose edges across all class graphs "
        "are alike, by layer, then cohesion."))
    async def suggested_groups(self, info: Info, layer: str | None = None) -> list[SuggestedGroup]:
        gateway = info.context.gateway
        records = await gateway.call(gateway.store.suggested_groups, self.id, layer)
        check_result_size("the suggested groups", sum(len(r.neurons) for r in records), info.context.max_results,
                          "ask for one layer")
        return [SuggestedGroup.from_record(r) for r in records]

    @strawberry.field(description=(
        "Classes whose attribution graph contains every given neuron and edge (a pinned subgraph), "
        "ranked by the neurons' summed PageRank in that graph."))
    async def classes_containing(
        self, info: Info, neurons: list[str] | None = None, edges: list[EdgeInput] | None = None,
        limit: int | None = 50,
    ) -> list[ContainingClass]:
        limit = 50 if limit is None else limit
        neurons, edges = neurons or [], edges or []
        check_count("limit", limit, info.context.max_results)
        check_count("neurons and edges", len(neurons) + len(edges), info.context.max_results)
        for i, nid in enumerate(neurons):
            check_neuron_id(nid, f"neurons[{i}]")
        for i, edge in enumerate(edges):
            check_neuron_id(edge.src, f"edges[{i}].src")
            check_neuron_id(edge.dst, f"edges[{i}].dst")
        if limit == 0:
            return []
        gateway = info.context.gateway
        records = await gateway.call(gateway.store.classes_containing, self.id, neurons,
                                     [(e.src, e.dst) for e in edges], limit=limit)
        return [ContainingClass.from_record(self.id, r) for r in records]

    @strawberry.field(description="Users' notes on this model's neurons and groups (by kind, then target).")
    async def notes(self, info: Info) -> list[Note]:
        info.context.no_store()
        gateway = info.context.gateway
        records = await gateway.call(gateway.store.notes, self.id)
        check_result_size("the notes", len(records), info.context.max_results, "raise max_results")
        return [Note.from_record(r) for r in records]
