"""A tiny hand-set in-memory GraphStore for server unit tests (runs without H5's stores).

Three layers (a: 3, b: 3, c: 2 channels), three classes. The integration tests in
``test_stores.py`` run the same queries against the real embedded and Neo4j stores.
"""

from __future__ import annotations

from collections.abc import Sequence

from summit.errors import NotFound
from summit.ids import neuron_id
from summit.store.base import (
    DEFAULT_MAX_CONCURRENCY,
    ClassActivation,
    ClassGraph,
    ClassInfo,
    ComparedEdge,
    ComparedNode,
    Comparison,
    ContainingClass,
    EmbeddingPoint,
    Example,
    Faithfulness,
    GraphEdge,
    GraphNode,
    GraphPath,
    InfluenceEdge,
    LayerInfo,
    ModelInfo,
    Neuron,
    NeuronDetail,
    Note,
    SearchHit,
    SimilarClass,
    SuggestedGroup,
)
from summit.store.common import check_note

MODEL = "tiny-run"
LAYERS = (LayerInfo("a", 0, 3), LayerInfo("b", 1, 3), LayerInfo("c", 2, 2))
NEURONS = {neuron_id(l.name, c): Neuron(neuron_id(l.name, c), l.name, l.index, c) for l in LAYERS for c in range(l.channels)}  # noqa: E741
FAITH = Faithfulness(10, 3, 0.9, 0.5, 0.1, 0.05, 0.8, 0.6, 0.1, 0.02)
CLASSES = (
    ClassInfo(0, "n01", "tench", 10, 8, tuple(range(20)), FAITH),
    ClassInfo(1, "n02", "goldfish", 10, 5, (0,) * 20),
    ClassInfo(2, "n03", "great white shark", 4, 4, (1,) * 20),
)
# class -> nodes (id, count, pagerank), edges (src, dst, weight)
GRAPHS: dict[int, tuple[list[tuple[str, int, float]], list[tuple[str, str, int]]]] = {
    0: ([("a:0", 9, 0.3), ("a:1", 4, 0.1), ("b:0", 8, 0.3), ("c:1", 7, 0.3)],
        [("a:0", "b:0", 6), ("a:1", "b:0", 2), ("b:0", "c:1", 5)]),
    1: ([("a:0", 3, 0.2), ("b:2", 6, 0.4), ("c:0", 5, 0.4)], [("a:0", "b:2", 3), ("b:2", "c:0", 4)]),
    2: ([("a:2", 2, 0.5), ("c:1", 2, 0.5)], []),
}


class MemStore:
    """Implements the read side of ``GraphStore`` for one tiny model; counts calls per method."""

    max_concurrency = DEFAULT_MAX_CONCURRENCY

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.saved_notes: dict[tuple[str, str], Note] = {}
        self.media_paths = {n: [f"examples/{NEURONS[n].layer}/{NEURONS[n].channel}_{r}.jpg" for r in range(2)]
                            for n in NEURONS}

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def _check_model(self, model: str) -> None:
        if model != MODEL:
            raise NotFound(f"no model {model!r}")

    def _class(self, index: int) -> ClassInfo:
        if not 0 <= index < len(CLASSES):
            raise NotFound(f"no class {index}")
        return CLASSES[index]

    def _neuron(self, nid: str) -> Neuron:
        if nid not in NEURONS:
            raise NotFound(f"no neuron {nid!r}")
        return NEURONS[nid]

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        pass

    def models(self) -> list[ModelInfo]:
        self._count("models")
        return [ModelInfo(MODEL, "tiny", 3, 24, 17, LAYERS, "toyset", "2026-11-25")]

    def model(self, model: str) -> ModelInfo:
        self._count("model")
        self._check_model(model)
        return self.models()[0]

    def classes(self, model: str) -> list[ClassInfo]:
        self._count("classes")
        self._check_model(model)
        return list(CLASSES)

    def classes_by_index(self, model: str, indices: Sequence[int]) -> list[ClassInfo]:
        self._count("classes_by_index")
        self._check_model(model)
        return [self._class(i) for i in indices]

    def class_by_key(self, model: str, key: str) -> ClassInfo:
        self._count("class_by_key")
        self._check_model(model)
        for c in CLASSES:
            if key in (str(c.index), c.wnid, c.name):
                return c
        raise NotFound(f"no class {key!r}")

    def class_graph(self, model: str, class_index: int, *, top_n: int | None = None, min_weight: int = 0) -> ClassGraph:
        self._count("class_graph")
        self._check_model(model)
        cls = self._class(class_index)
        nodes, edges = GRAPHS[class_index]
        kept = sorted(nodes, key=lambda n: (NEURONS[n[0]].layer_index, -n[2], n[0]))
        if top_n is not None:
            per_layer: dict[int, int] = {}
            chosen = []
            for n in kept:
                li = NEURONS[n[0]].layer_index
                if per_layer.get(li, 0) < top_n:
                    chosen.append(n)
                    per_layer[li] = per_layer.get(li, 0) + 1
            kept = chosen
        ids = {n[0] for n in kept}
        return ClassGraph(
            cls, tuple(GraphNode(NEURONS[i], c, p) for i, c, p in kept),
            tuple(GraphEdge(s, d, w) for s, d, w in sorted(edges) if s in ids and d in ids and w >= min_weight),
        )

    def neurons(self, model: str, ids: Sequence[str]) -> list[Neuron]:
        self._count("neurons")
        self._check_model(model)
        return [self._neuron(i) for i in ids]

    def _examples(self, nid: str) -> list[Example]:
        return [Example(nid, r, f"img{r}.jpg", 1.0 / (r + 1), p) for r, p in enumerate(self.media_paths[nid])]

    def neuron_detail(self, model: str, neuron_id: str, *, top_classes: int = 10) -> NeuronDetail:
        self._count("neuron_detail")
        self._check_model(model)
        neuron = self._neuron(neuron_id)
        acts = sorted(((c, n[1]) for c, (nodes, _) in GRAPHS.items() for n in nodes if n[0] == neuron_id),
                      key=lambda t: (-t[1], t[0]))
        return NeuronDetail(
            neuron, tuple(ClassActivation(CLASSES[c], cnt, cnt / 2) for c, cnt in acts[:top_classes]),
            tuple(self._examples(neuron_id)), (f"featurevis/{neuron.layer}/{neuron.channel}.png",),
        )

    def examples(self, model: str, neuron_ids: Sequence[str]) -> dict[str, list[Example]]:
        self._count("examples")
        self._check_model(model)
        return {i: self._examples(i) for i in neuron_ids if i in NEURONS}

    def featurevis(self, model: str, neuron_ids: Sequence[str]) -> dict[str, list[str]]:
        self._count("featurevis")
        self._check_model(model)
        return {i: [f"featurevis/{self._neuron(i).layer}/{self._neuron(i).channel}.png"] for i in neuron_ids}

    def influence_edges(self, model: str, neuron_id: str, *, class_index: int | None, direction: str, limit: int) -> list[InfluenceEdge]:
        self._count("influence_edges")
        self._check_model(model)
        self._neuron(neuron_id)
        out: dict[tuple[str, str], int] = {}
        for c, (_, edges) in GRAPHS.items():
            if class_index is not None and c != class_index:
                continue
            for s, d, w in edges:
                if (direction in ("out", "both") and s == neuron_id) or (direction in ("in", "both") and d == neuron_id):
                    out[(s, d)] = out.get((s, d), 0) + w
        rows = sorted(out.items(), key=lambda t: (-t[1], t[0]))[:limit]
        return [InfluenceEdge(s, d, class_index, w) for (s, d), w in rows]

    def neighbourhood(self, model: str, class_index: int, neuron_id: str, *, hops: int) -> ClassGraph:
        self._count("neighbourhood")
        graph = self.class_graph(model, class_index)
        self._neuron(neuron_id)
        near = {neuron_id}
        for _ in range(hops):
            near |= {e.dst for e in graph.edges if e.src in near} | {e.src for e in graph.edges if e.dst in near}
        return ClassGraph(graph.cls, tuple(n for n in graph.nodes if n.neuron.id in near),
                          tuple(e for e in graph.edges if e.src in near and e.dst in near))

    def paths(self, model: str, class_index: int, src: str, dst: str | None, *, k: int, mode: str) -> list[GraphPath]:
        self._count("paths")
        graph = self.class_graph(model, class_index)
        self._neuron(src)
        found: list[GraphPath] = []

        def walk(path: list[str], weights: list[int]) -> None:
            nxt = [e for e in graph.edges if e.src == path[-1]]
            if (dst is None and not nxt) or path[-1] == dst:
                if weights:
                    score = float(sum(weights) if mode == "sum" else min(weights))
                    found.append(GraphPath(tuple(path), tuple(weights), score))
                return
            for e in nxt:
                walk([*path, e.dst], [*weights, e.weight])

        walk([src], [])
        return sorted(found, key=lambda p: (-p.score, p.neurons))[:k]

    def compare(self, model: str, a: int, b: int) -> Comparison:
        self._count("compare")
        ga, gb = self.class_graph(model, a), self.class_graph(model, b)
        na = {n.neuron.id: n for n in ga.nodes}
        nb = {n.neuron.id: n for n in gb.nodes}

        def node(i: str) -> ComparedNode:
            x, y = na.get(i), nb.get(i)
            return ComparedNode(NEURONS[i], x.count if x else None, y.count if y else None,
                                x.pagerank if x else None, y.pagerank if y else None)

        def key(i: str) -> tuple[int, str]:
            return (NEURONS[i].layer_index, i)

        ea = {(e.src, e.dst): e.weight for e in ga.edges}
        eb = {(e.src, e.dst): e.weight for e in gb.edges}
        return Comparison(
            ga.cls, gb.cls,
            tuple(node(i) for i in sorted(na.keys() & nb.keys(), key=key)),
            tuple(node(i) for i in sorted(na.keys() - nb.keys(), key=key)),
            tuple(node(i) for i in sorted(nb.keys() - na.keys(), key=key)),
            tuple(ComparedEdge(s, d, ea.get((s, d)), eb.get((s, d))) for s, d in sorted(ea.keys() | eb.keys())),
        )

    def similar_classes(self, model: str, class_index: int, *, layer: str | None, limit: int) -> list[SimilarClass]:
        self._count("similar_classes")
        self._check_model(model)
        self._class(class_index)
        others = [c for c in CLASSES if c.index != class_index]
        return [SimilarClass(c, 1.0 / (1 + abs(c.index - class_index))) for c in others][:limit]

    def search(self, model: str, text: str, *, limit: int) -> list[SearchHit]:
        self._count("search")
        self._check_model(model)
        t = text.lower()
        hits = []
        for c in CLASSES:
            name = c.name.lower()
            score = 2.0 if name == t else 1.0 if name.startswith(t) else 0.5 if t in name else 0.0
            if score:
                hits.append(SearchHit("class", str(c.index), f"{c.name} ({c.wnid})", score))
        for nid in NEURONS:
            score = 2.0 if nid == t else 1.0 if nid.startswith(t) else 0.0
            if score:
                hits.append(SearchHit("neuron", nid, nid, score))
        return sorted(hits, key=lambda h: (-h.score, h.label))[:limit]

    def embedding(self, model: str, layer: str) -> list[EmbeddingPoint]:
        self._count("embedding")
        self._check_model(model)
        if layer not in {info.name for info in LAYERS}:
            raise NotFound(f"no layer {layer!r}")
        return [EmbeddingPoint(c.index, layer, float(c.index), -float(c.index)) for c in CLASSES]

    def suggested_groups(self, model: str, layer: str | None) -> list[SuggestedGroup]:
        self._count("suggested_groups")
        self._check_model(model)
        groups = [SuggestedGroup(0, "a", ("a:0", "a:1"), 0.9), SuggestedGroup(1, "b", ("b:0", "b:2"), 0.7)]
        return [g for g in groups if layer in (None, g.layer)]

    def classes_containing(self, model: str, neuron_ids: Sequence[str], edges: Sequence[tuple[str, str]], *,
                           limit: int) -> list[ContainingClass]:
        self._count("classes_containing")
        self._check_model(model)
        wanted = {*neuron_ids, *(end for edge in edges for end in edge)}
        for nid in wanted:
            self._neuron(nid)
        found = []
        for c, (nodes, graph_edges) in GRAPHS.items():
            pagerank = {n: p for n, _, p in nodes}
            if wanted <= pagerank.keys() and set(edges) <= {(s, d) for s, d, _ in graph_edges}:
                found.append(ContainingClass(CLASSES[c], sum(pagerank[n] for n in wanted)))
        return sorted(found, key=lambda x: (-x.mass, x.cls.index))[:limit]

    def notes(self, model: str) -> list[Note]:
        self._count("notes")
        self._check_model(model)
        return [self.saved_notes[k] for k in sorted(self.saved_notes)]

    def set_note(self, model: str, kind: str, target: str, neurons: Sequence[str], text: str) -> Note:
        self._count("set_note")
        self._check_model(model)
        note = check_note(kind, target, neurons, text)  # type: ignore[arg-type]
        for nid in note.neurons:
            self._neuron(nid)
        self.saved_notes[(kind, target)] = note
        return note

    def delete_note(self, model: str, kind: str, target: str) -> bool:
        self._count("delete_note")
        self._check_model(model)
        return self.saved_notes.pop((kind, target), None) is not None
