"""GraphQL type ImageGraph (the attribution graph of one image, beside its class's graph)."""

from __future__ import annotations

import base64

import strawberry
from summit.server.types.image_graph_edge import ImageGraphEdge
from summit.server.types.image_graph_node import ImageGraphNode
from summit.server.types.image_personalization import ImagePersonalization
from summit.server.types.klass import Class
from summit.server.types.method_setting import MethodSetting
from summit.server.types.prediction import Prediction

from summit.ids import parse_neuron_id
from summit.image_graph import ImageGraph as ImageGraphRecord
from summit.store import base


@strawberry.type(description=(
    "One image's attribution graph under the class graphs' rules (A and I of the image, PageRank and cut at the "
    "artifact's settings), marked against the class's graph. Nodes sorted by (layerIndex, -pagerank, id); edges "
    "by (src, dst)."))
class ImageGraph:
    image: str = strawberry.field(description="The dataset path of the image, or upload:<sha256>.")
    cls: Class = strawberry.field(name="class", description="The class whose graph it is shown beside.")
    label: Class | None = strawberry.field(description="The dataset's label of the image (null for uploads).")
    personalization: ImagePersonalization
    predictions: list[Prediction]
    nodes: list[ImageGraphNode]
    edges: list[ImageGraphEdge]
    shared_nodes: int = strawberry.field(description="Nodes that are also in the class's graph.")
    class_nodes: int = strawberry.field(description="Nodes of the class's graph.")
    preview: str = strawberry.field(description="What the model saw (resized, cropped), as a data: URL (JPEG).")
    seconds: float = strawberry.field(description="Time the server took to compute it.")
    method: list[MethodSetting] = strawberry.field(description="The method settings the rules used.")

    @classmethod
    def from_record(
        cls, model: base.ModelInfo, record: ImageGraphRecord, class_graph: base.ClassGraph,
        classes: dict[int, base.ClassInfo],
    ) -> ImageGraph:
        layer_index = {layer.name: layer.index for layer in model.layers}

        def neuron(neuron_id: str) -> base.Neuron:
            layer, channel = parse_neuron_id(neuron_id)
            return base.Neuron(neuron_id, layer, layer_index.get(layer, -1), channel)

        in_class = {n.neuron.id for n in class_graph.nodes}
        class_edges = {(e.src, e.dst) for e in class_graph.edges}
        nodes = [ImageGraphNode.from_record(model.id, n, neuron(n.neuron_id), n.neuron_id in in_class)
                 for n in record.nodes]
        label = classes.get(record.label_index) if record.label_index is not None else None
        return cls(
            image=record.image, cls=Class.from_record(model.id, class_graph.cls),
            label=Class.from_record(model.id, label) if label else None,
            personalization=ImagePersonalization(record.personalization),
            predictions=[Prediction.from_record(model.id, p, classes.get(p.class_index)) for p in record.predictions],
            nodes=nodes,
            edges=[ImageGraphEdge.from_record(e, (e.src, e.dst) in class_edges) for e in record.edges],
            shared_nodes=sum(n.in_class_graph for n in nodes), class_nodes=len(class_graph.nodes),
            preview="data:image/jpeg;base64," + base64.b64encode(record.preview_jpeg).decode("ascii"),
            seconds=record.seconds,
            method=[MethodSetting(name=k, value=str(v)) for k, v in sorted(record.method.items())],
        )
