"""One image's attribution graph: what the server asks for, the protocol that answers, the answer.

The graph of one image follows the class graphs' rules (METHOD.md 2-4) with the
counts of that one image: A is 1 for every channel the image selects (at the
artifact's activation mass), I is 1 for every influence pair the image keeps
(top-k inputs, composed hops merged by the widest path, identity skips), and
PageRank, its personalisation and the cut are the artifact's own (its recorded
method settings). Personalisation ``image`` scales the image's A per layer as a
class graph scales the class's A; ``class`` personalises by the compared class's
A instead (the image's paths, seen from the class).

The server never imports torch: it talks to an ``ImageGraphs`` object that the
command line builds (``summit serve --image-graphs`` ->
``summit.ingest.image_graph.ArtifactImageGraphs``) and hands to the app. Without
one, the API says that image graphs are off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from summit.store.base import ModelInfo

Personalization = Literal["image", "class"]
PERSONALIZATIONS: tuple[Personalization, ...] = ("image", "class")
UPLOAD_PREFIX = "upload:"
TOP_PREDICTIONS = 5


def upload_name(digest: str) -> str:
    """The image name of an uploaded file: ``upload:<sha256 hex>``."""
    return UPLOAD_PREFIX + digest


def is_upload(image: str) -> bool:
    return image.startswith(UPLOAD_PREFIX)


@dataclass(frozen=True)
class ImageInput:
    """The image to run: a dataset path (as the ``examples`` table names it), or an upload and its bytes."""

    image: str
    data: bytes | None = None  # the uploaded file (JPEG or PNG); None for a dataset image


@dataclass(frozen=True)
class Prediction:
    class_index: int  # the model's output index (= the artifact's class index)
    wnid: str
    name: str
    probability: float


@dataclass(frozen=True)
class ImageGraphNode:
    neuron_id: str
    count: int  # A of the image: 1 when the image selects the channel, else 0
    pagerank: float


@dataclass(frozen=True)
class ImageGraphEdge:
    src: str
    dst: str
    weight: int  # I of the image (1 for a kept pair)


@dataclass(frozen=True)
class ImageGraph:
    """Nodes sorted by (layer, -pagerank, neuron id); edges by (src, dst)."""

    image: str
    class_index: int  # the class it is shown beside (and, with "class", personalised by)
    label_index: int | None  # the dataset's label of the image; None for uploads
    personalization: Personalization
    predictions: tuple[Prediction, ...]  # the model's top classes, most probable first
    nodes: tuple[ImageGraphNode, ...]
    edges: tuple[ImageGraphEdge, ...]
    preview_jpeg: bytes  # what the model saw (resized and cropped), as a JPEG
    seconds: float  # wall time of the computation (decode, forward pass, counts, PageRank, cut)
    method: dict[str, float | int | str] = field(default_factory=dict)  # the settings the rules used


@dataclass(frozen=True)
class Availability:
    """Whether a model's image graphs can be computed, and if not, why (a sentence for the user)."""

    available: bool
    reason: str = ""
    dataset_images: bool = False  # its dataset's images can be found (else only uploads work)


@runtime_checkable
class ImageGraphs(Protocol):
    """Computes image graphs for the models of a store (implemented in ``summit.ingest``).

    Calls may block for a while (model loading, a forward pass): the server runs them in
    a worker thread, one at a time.
    """

    def availability(self, model: ModelInfo) -> Availability: ...

    def prepare(self, model: ModelInfo) -> None: ...  # load what ``graph`` needs now (Unavailable if it cannot)

    def graph(
        self, model: ModelInfo, image: ImageInput, *, class_index: int | None, personalization: Personalization
    ) -> ImageGraph: ...
