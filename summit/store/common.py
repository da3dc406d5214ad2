"""Pure helpers shared by both stores: packed edge lists, search scoring, re-thresholding, comparison.

Both stores fetch raw rows with their own Cypher and hand them to these
functions, so the answers are identical by construction.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from summit.errors import BadInput
from summit.ids import parse_neuron_id
from summit.store import deadline
from summit.store.base import (
    ClassGraph,
    ClassInfo,
    ComparedEdge,
    ComparedNode,
    Comparison,
    GraphEdge,
    GraphNode,
    LayerInfo,
    Neuron,
    Note,
    NoteKind,
    SearchHit,
)

EXACT, PREFIX, SUBSTRING = 2.0, 1.0, 0.5


def pack_edges(src: np.ndarray, dst: np.ndarray, count: np.ndarray) -> bytes:
    """Pack one class's edges as little-endian int32 src ords, int32 dst ords, int64 counts."""
    return (
        np.asarray(src, dtype="<i4").tobytes()
        + np.asarray(dst, dtype="<i4").tobytes()
        + np.asarray(count, dtype="<i8").tobytes()
    )


def unpack_edges(blob: bytes | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inverse of ``pack_edges``."""
    if not blob:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    n = len(blob) // 16
    src = np.frombuffer(blob, dtype="<i4", count=n, offset=0).astype(np.int64)
    dst = np.frombuffer(blob, dtype="<i4", count=n, offset=4 * n).astype(np.int64)
    cnt = np.frombuffer(blob, dtype="<i8", count=n, offset=8 * n).astype(np.int64)
    return src, dst, cnt


@dataclass
class LoadCache:
    """Immutable per-load lookups (a load's content never changes, so caching by load id is safe)."""

    classes: list[ClassInfo]
    neurons: list[Neuron]  # by ord
    layers: list[LayerInfo]
    class_by_index: dict[int, ClassInfo] = field(default_factory=dict)
    neuron_by_id: dict[str, Neuron] = field(default_factory=dict)
    ord_by_id: dict[str, int] = field(default_factory=dict)
    class_by_wnid: dict[str, ClassInfo] = field(default_factory=dict)
    class_by_name: dict[str, ClassInfo] = field(default_factory=dict)
    layer_of: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # by ord
    id_rank: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # rank of id in str order

    def __post_init__(self) -> None:
        self.layer_of = np.array([n.layer_index for n in self.neurons], dtype=np.int64)
        self.id_rank = np.argsort(np.argsort(np.array([n.id for n in self.neurons], dtype=str), kind="stable"))
        self.class_by_index = {c.index: c for c in self.classes}
        self.neuron_by_id = {n.id: n for n in self.neurons}
        self.ord_by_id = {n.id: i for i, n in enumerate(self.neurons)}
        self.class_by_wnid = {c.wnid: c for c in self.classes}
        self.class_by_name = {}
        for c in self.classes:
            self.class_by_name.setdefault(c.name, c)


def class_label(cls: ClassInfo) -> str:
    return f"{cls.name} ({cls.wnid})"


def _score(text: str, candidates: Iterable[str]) -> float:
    best = 0.0
    for cand in candidates:
        cand = cand.lower()
        if cand == text:
            return EXACT
        if cand.startswith(text):
            best = max(best, PREFIX)
        elif text in cand:
            best = max(best, SUBSTRING)
    return best


def search(cache: LoadCache, text: str, limit: int) -> list[SearchHit]:
    """Case-insensitive search over class names (and each comma-separated synonym), wnids and neuron ids.

    Score 2 = exact, 1 = prefix, 0.5 = substring; sorted by score desc, then label.
    """
    if limit < 1:
        raise BadInput(f"search limit must be >= 1, got {limit}")
    needle = text.strip().lower()
    if not needle:
        return []
    hits: list[SearchHit] = []
    for cls in cache.classes:
        names = [cls.name, cls.wnid, str(cls.index), *(part.strip() for part in cls.name.split(","))]
        score = _score(needle, names)
        if score:
            hits.append(SearchHit("class", str(cls.index), class_label(cls), score))
    for neuron in cache.neurons:
        score = _score(needle, (neuron.id,))
        if score:
            hits.append(SearchHit("neuron", neuron.id, neuron.id, score))
    hits.sort(key=lambda h: (-h.score, h.label, h.kind))
    return hits[:limit]


def sort_nodes(nodes: Iterable[GraphNode]) -> tuple[GraphNode, ...]:
    return tuple(sorted(nodes, key=lambda n: (n.neuron.layer_index, -n.pagerank, n.neuron.id)))


def sort_edges(edges: Iterable[GraphEdge]) -> tuple[GraphEdge, ...]:
    return tuple(sorted(edges, key=lambda e: (e.src, e.dst)))


def rethreshold(graph: ClassGraph, top_n: int | None, min_weight: int) -> ClassGraph:
    """Keep the ``top_n`` neurons per layer by pagerank and edges of weight >= ``min_weight`` among them."""
    if top_n is not None and top_n < 1:
        raise BadInput(f"top_n must be >= 1, got {top_n}")
    if min_weight < 0:
        raise BadInput(f"min_weight must be >= 0, got {min_weight}")
    nodes = list(graph.nodes)
    if top_n is not None:
        kept: list[GraphNode] = []
        per_layer: dict[int, int] = {}
        for node in graph.nodes:  # already sorted by (layer, -pagerank, id)
            seen = per_layer.get(node.neuron.layer_index, 0)
            if seen < top_n:
                kept.append(node)
                per_layer[node.neuron.layer_index] = seen + 1
        nodes = kept
    ids = {n.neuron.id for n in nodes}
    edges = [e for e in graph.edges if e.weight >= min_weight and e.src in ids and e.dst in ids]
    return ClassGraph(graph.cls, tuple(nodes), tuple(edges))


def compare(a: ClassGraph, b: ClassGraph) -> Comparison:
    """Shared / only-A / only-B neurons and the union of both graphs' edges with both weights."""
    na = {n.neuron.id: n for n in a.nodes}
    nb = {n.neuron.id: n for n in b.nodes}

    def node(nid: str) -> ComparedNode:
        x, y = na.get(nid), nb.get(nid)
        neuron = (x or y).neuron  # type: ignore[union-attr]
        return ComparedNode(
            neuron,
            x.count if x else None, y.count if y else None,
            x.pagerank if x else None, y.pagerank if y else None,
        )

    def order(ids: Iterable[str]) -> tuple[ComparedNode, ...]:
        nodes = [node(i) for i in ids]
        return tuple(sorted(nodes, key=lambda n: (n.neuron.layer_index, n.neuron.id)))

    ea = {(e.src, e.dst): e.weight for e in a.edges}
    eb = {(e.src, e.dst): e.weight for e in b.edges}
    edges = tuple(ComparedEdge(s, d, ea.get((s, d)), eb.get((s, d))) for s, d in sorted(set(ea) | set(eb)))
    return Comparison(
        a.cls, b.cls,
        order(na.keys() & nb.keys()), order(na.keys() - nb.keys()), order(nb.keys() - na.keys()),
        edges,
    )


def neighbourhood_edges(
    src: np.ndarray, dst: np.ndarray, size: int, centre: int, hops: int
) -> tuple[np.ndarray, np.ndarray]:
    """Undirected BFS over packed edges of ``size`` nodes.

    Returns the node ordinals within ``hops`` of ``centre`` and the indices of the edges that touch a
    node nearer than ``hops`` (so both their ends are within ``hops``).
    """
    if hops < 1:
        raise BadInput(f"hops must be >= 1, got {hops}")
    seen = np.zeros(size, dtype=bool)
    seen[centre] = True
    frontier = np.zeros(size, dtype=bool)
    frontier[centre] = True
    chosen = np.zeros(len(src), dtype=bool)
    for _ in range(hops):
        deadline.check()  # a request out of time stops here, between hops
        touch = frontier[src] | frontier[dst]
        if not touch.any():
            break
        chosen |= touch
        reached = np.zeros(size, dtype=bool)
        reached[src[touch]] = True
        reached[dst[touch]] = True
        frontier = reached & ~seen
        seen |= reached
    return np.flatnonzero(seen), np.flatnonzero(chosen)


def ordered_unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


NOTE_MAX_CHARS = 2000
GROUP_MAX_NEURONS = 500
GROUP_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def note_key(model: str, kind: str, target: str) -> str:
    """The unique key of a note: one per (model, kind, target), across every load of the model."""
    return f"{model}|{kind}|{target}"


def check_note_target(kind: str, target: str) -> None:
    if kind == "neuron":
        parse_neuron_id(target)
    elif kind == "group":
        if not isinstance(target, str) or not GROUP_ID.match(target):
            raise BadInput(f"group id {target!r} must be 1-64 letters, digits, '-' or '_'")
    else:
        raise BadInput(f"note kind must be 'neuron' or 'group', got {kind!r}")


def check_note(kind: NoteKind, target: str, neurons: Sequence[str], text: str) -> Note:
    """A well-formed note (the caller checks that its neurons exist), stamped with the time now."""
    check_note_target(kind, target)
    members = ordered_unique(list(neurons))
    if kind == "neuron":
        if members not in ([], [target]):
            raise BadInput(f"a neuron's note names only that neuron ({target!r}), not {members}")
        members = [target]
    elif not members:
        raise BadInput(f"a note on group {target!r} needs the group's neurons")
    elif len(members) > GROUP_MAX_NEURONS:
        raise BadInput(f"a group holds at most {GROUP_MAX_NEURONS} neurons, got {len(members)}")
    for nid in members:
        parse_neuron_id(nid)
    body = text.strip() if isinstance(text, str) else ""
    if not body:
        raise BadInput("a note needs text (to remove a note, delete it)")
    if len(body) > NOTE_MAX_CHARS:
        raise BadInput(f"a note holds at most {NOTE_MAX_CHARS} characters, got {len(body)}")
    updated = _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds")
    return Note(kind, target, tuple(members), body, updated)
