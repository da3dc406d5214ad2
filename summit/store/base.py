"""The GraphStore contract: one interface, two implementations (Neo4j, embedded LadybugDB).

The server talks only to this protocol. Both implementations must give
identical answers (a contract test suite runs every method against both).
Result types are plain frozen dataclasses; lists come back in a defined,
deterministic order (documented per method) so the two stores can be compared.
This module never imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

PathMode = Literal["sum", "bottleneck"]
Direction = Literal["in", "out", "both"]
NoteKind = Literal["neuron", "group"]


@dataclass(frozen=True)
class LayerInfo:
    name: str
    index: int
    channels: int


@dataclass(frozen=True)
class ModelInfo:
    id: str  # run id (manifest["run_id"])
    name: str  # model name, e.g. "efficientnet_lite0"
    classes: int
    images: int | None  # None: not published (an imported artifact)
    top1_correct: int | None
    layers: tuple[LayerInfo, ...]
    dataset: str = ""
    created: str = ""
    artifact_path: str = ""  # where the artifact was loaded from (its media/ folder is served)
    graph_method: str = ""  # the graph rules profile ("summit", ...; "+" when single rules were changed)
    faithfulness: str = ""  # JSON of the artifact's faithfulness summary ('' when not measured)
    # The store's load serving the model: changes on every (re)load, even of the same artifact. Not part
    # of equality (two loads of one artifact give equal answers); the server's memos watch it (ModelsMemo).
    load_id: str = field(default="", compare=False)


@dataclass(frozen=True)
class Faithfulness:
    images: int
    graph_neurons: int
    base_prob: float
    graph_prob_drop: float
    random_prob_drop_mean: float
    random_prob_drop_std: float
    base_top1: float
    graph_top1_drop: float
    random_top1_drop_mean: float
    random_top1_drop_std: float
    active_prob_drop: float | None = None  # the class's most active neurons ablated (None: not measured)
    active_top1_drop: float | None = None


@dataclass(frozen=True)
class ClassInfo:
    index: int
    wnid: str
    name: str
    images: int | None  # None: not published (an imported artifact); likewise below
    top1_correct: int | None
    prob_hist: tuple[int, ...] | None
    faithfulness: Faithfulness | None = None
    top1_prob_hist: tuple[int, ...] | None = None  # top-1 confidence histogram (Summit's); None: unknown

    @property
    def accuracy(self) -> float | None:
        if self.images is None or self.top1_correct is None:
            return None
        return self.top1_correct / self.images if self.images else 0.0


@dataclass(frozen=True)
class Neuron:
    id: str
    layer: str
    layer_index: int
    channel: int


@dataclass(frozen=True)
class GraphNode:
    neuron: Neuron
    count: int
    pagerank: float


@dataclass(frozen=True)
class GraphEdge:
    src: str
    dst: str
    weight: int


@dataclass(frozen=True)
class ClassGraph:
    """Nodes sorted by (layer_index, -pagerank, id); edges by (src, dst)."""

    cls: ClassInfo
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]


@dataclass(frozen=True)
class Example:
    neuron_id: str
    rank: int
    image: str | None  # None: not published
    score: float | None
    media: str  # path relative to the artifact's media folder


@dataclass(frozen=True)
class ClassActivation:
    cls: ClassInfo
    count: int
    mean: float | None  # None: activation sums not published


@dataclass(frozen=True)
class InfluenceEdge:
    src: str
    dst: str
    class_index: int | None  # None when summed across all classes
    count: int


@dataclass(frozen=True)
class NeuronDetail:
    neuron: Neuron
    top_classes: tuple[ClassActivation, ...]  # by count desc, then class index
    examples: tuple[Example, ...]  # by rank
    featurevis: tuple[str, ...] = ()  # media paths, variant order


@dataclass(frozen=True)
class GraphPath:
    neurons: tuple[str, ...]  # from lower to higher layer
    weights: tuple[int, ...]  # len(neurons) - 1 edge weights
    score: float  # sum or bottleneck (min) of weights


@dataclass(frozen=True)
class ComparedNode:
    neuron: Neuron
    count_a: int | None
    count_b: int | None
    pagerank_a: float | None
    pagerank_b: float | None


@dataclass(frozen=True)
class ComparedEdge:
    src: str
    dst: str
    weight_a: int | None
    weight_b: int | None


@dataclass(frozen=True)
class Comparison:
    """Each list sorted by (layer_index, id) / (src, dst)."""

    a: ClassInfo
    b: ClassInfo
    shared: tuple[ComparedNode, ...]
    only_a: tuple[ComparedNode, ...]
    only_b: tuple[ComparedNode, ...]
    edges: tuple[ComparedEdge, ...] = field(default=())


@dataclass(frozen=True)
class SimilarClass:
    cls: ClassInfo
    similarity: float


@dataclass(frozen=True)
class SearchHit:
    kind: Literal["class", "neuron"]
    id: str  # class: str(index); neuron: neuron id
    label: str  # class: "name (wnid)"; neuron: neuron id
    score: float  # 2 = exact, 1 = prefix, 0.5 = substring


@dataclass(frozen=True)
class EmbeddingPoint:
    class_index: int
    layer: str
    x: float
    y: float


@dataclass(frozen=True)
class SuggestedGroup:
    """Neurons of one layer whose class-graph edges are alike (``summit.graphs.groups``)."""

    id: int
    layer: str
    neurons: tuple[str, ...]  # channel order
    cohesion: float  # mean pairwise cosine of the members' edge profiles


@dataclass(frozen=True)
class ContainingClass:
    """A class whose attribution graph holds every asked neuron and edge."""

    cls: ClassInfo
    mass: float  # the asked neurons' summed PageRank in the class's graph


@dataclass(frozen=True)
class Note:
    """A user's note on a neuron or on a group of neurons; kept per model, across reloads."""

    kind: NoteKind
    target: str  # neuron id, or the group's id in the user's view
    neurons: tuple[str, ...]  # the neuron, or the group's members when the note was written
    text: str
    updated: str  # ISO 8601 UTC time of the last change


DEFAULT_MAX_CONCURRENCY = 8


@runtime_checkable
class GraphStore(Protocol):
    """Every call the server makes, and nothing else: reads, plus the notes users write.

    All methods raise NotFound for unknown model/class/neuron. ``max_concurrency`` is how many
    threads the server lets into the store at once.
    """

    max_concurrency: int

    def ping(self) -> bool: ...

    def close(self) -> None: ...

    def models(self) -> list[ModelInfo]: ...

    def model(self, model: str) -> ModelInfo: ...

    def classes(self, model: str) -> list[ClassInfo]: ...  # by index

    def classes_by_index(self, model: str, indices: Sequence[int]) -> list[ClassInfo]: ...  # input order

    def class_by_key(self, model: str, key: str) -> ClassInfo: ...  # index, wnid, or exact name

    def class_graph(
        self, model: str, class_index: int, *, top_n: int | None = None, min_weight: int = 0
    ) -> ClassGraph: ...

    def neurons(self, model: str, ids: Sequence[str]) -> list[Neuron]: ...  # input order

    def neuron_detail(self, model: str, neuron_id: str, *, top_classes: int = 10) -> NeuronDetail: ...

    def examples(self, model: str, neuron_ids: Sequence[str]) -> dict[str, list[Example]]: ...  # by rank

    def featurevis(self, model: str, neuron_ids: Sequence[str]) -> dict[str, list[str]]: ...
    # every asked neuron -> its feature visualisations' media paths in variant order ([] when none)

    def influence_edges(
        self, model: str, neuron_id: str, *, class_index: int | None, direction: Direction, limit: int
    ) -> list[InfluenceEdge]: ...  # count desc, then (src, dst)

    def neighbourhood(self, model: str, class_index: int, neuron_id: str, *, hops: int) -> ClassGraph: ...

    def paths(
        self, model: str, class_index: int, src: str, dst: str | None, *, k: int, mode: PathMode
    ) -> list[GraphPath]: ...  # score desc, then neurons

    def compare(self, model: str, a: int, b: int) -> Comparison: ...

    def similar_classes(
        self, model: str, class_index: int, *, layer: str | None, limit: int
    ) -> list[SimilarClass]: ...  # similarity desc, then index

    def search(self, model: str, text: str, *, limit: int) -> list[SearchHit]: ...  # score desc, label

    def embedding(self, model: str, layer: str) -> list[EmbeddingPoint]: ...  # by class index

    def suggested_groups(self, model: str, layer: str | None) -> list[SuggestedGroup]: ...
    # one layer's (or every layer's) groups by (layer index, -cohesion, first member), i.e. by id

    def classes_containing(
        self, model: str, neuron_ids: Sequence[str], edges: Sequence[tuple[str, str]], *, limit: int
    ) -> list[ContainingClass]: ...  # graphs holding every neuron and edge; mass desc, then index

    def notes(self, model: str) -> list[Note]: ...  # by (kind, target)

    # The only writes the server makes (the caller checks the user's write rights):
    def set_note(
        self, model: str, kind: NoteKind, target: str, neurons: Sequence[str], text: str
    ) -> Note: ...  # create or replace

    def delete_note(self, model: str, kind: NoteKind, target: str) -> bool: ...  # False when there was none


class GraphLoader(Protocol):
    """Write side: load an artifact as one model, replacing an earlier load atomically."""

    def load_artifact(self, artifact: str, *, batch_rows: int) -> str: ...  # returns model id

    def write_load(self, data: Any, *, batch_rows: int, progress: Any = None) -> str: ...  # LoadData; load id

    def remove_orphans(self) -> list[str]: ...  # what killed loads left; the load ids removed

    def drop_model(self, model: str) -> None: ...
