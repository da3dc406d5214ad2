"""Every GraphStore method written once over a few store-specific fetches.

``CypherStore`` resolves the model's active load, keeps immutable per-load
lookups (classes, neurons, layers) cached by load id, and turns the raw rows a
concrete store fetches into result dataclasses. Every public read is checked
against concurrent reloads (``summit.store.consistency``): no answer is ever
read from a load that was being deleted. Neo4j and the embedded store
only implement the ``_fetch_*`` methods (their own Cypher), so both give the
same answers.
"""

from __future__ import annotations

import functools
import threading
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
from cachetools import LRUCache

from summit.errors import BadInput, NotFound
from summit.graph_schema import FAITHFULNESS_FIELDS, MODEL, MODEL_ADDED_COLUMNS, MODEL_STATS, NOTE
from summit.ids import is_digits, parse_digits, shown
from summit.store import common
from summit.store.base import (
    DEFAULT_MAX_CONCURRENCY,
    ClassActivation,
    ClassGraph,
    ClassInfo,
    Comparison,
    ContainingClass,
    Direction,
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
    NoteKind,
    PathMode,
    SearchHit,
    SimilarClass,
    SuggestedGroup,
)
from summit.store.consistency import consistent, note_load
from summit.store.paths import k_best_paths_layered

ALL_LAYERS = "all"
CACHED_LOADS = 8

Row = dict[str, Any]


UNCHECKED_FETCHES = ("_fetch_models", "_fetch_active_load")  # they read the model pointers, not a load's data


def _noting(fetch: Any) -> Any:
    @functools.wraps(fetch)
    def noted(self: Any, load: str, *args: Any, **kwargs: Any) -> Any:
        note_load(load)
        return fetch(self, load, *args, **kwargs)

    return noted


def models_query(missing: Collection[str] = ()) -> str:
    """Both stores' model-list query; columns of ``MODEL_ADDED_COLUMNS`` in ``missing`` (a store
    written before they existed, opened read-only) read as ''."""
    added = ", ".join(f"{chr(39) * 2 if c in missing else 'm.' + c} AS {c}" for c in MODEL_ADDED_COLUMNS)
    return (f"MATCH (m:{MODEL}) RETURN m.id AS id, m.active_load AS active_load, m.name AS name, "
            "m.classes AS classes, m.images AS images, m.top1_correct AS top1_correct, "
            f"m.dataset AS dataset, m.created AS created, {added}")


# Notes: the same Cypher on both stores (Neo4j: the database; embedded: its notes database).
NOTES_QUERY = (f"MATCH (n:{NOTE}) WHERE n.model = $model RETURN n.kind AS kind, n.target AS target, "
               "n.neurons AS neurons, n.text AS text, n.updated AS updated")
SET_NOTE_QUERY = (f"MERGE (n:{NOTE} {{key: $key}}) SET n.model = $model, n.kind = $kind, n.target = $target, "
                  "n.neurons = $neurons, n.text = $text, n.updated = $updated")
FIND_NOTE_QUERY = f"MATCH (n:{NOTE} {{key: $key}}) RETURN n.key AS key"
DELETE_NOTE_QUERY = f"MATCH (n:{NOTE} {{key: $key}}) DELETE n"


def class_from_row(row: Row) -> ClassInfo:
    faith = None
    if row.get("has_faithfulness"):
        faith = Faithfulness(**{name: row[f"f_{name}"] for name in FAITHFULNESS_FIELDS})
    hist = row.get("prob_hist")
    top1 = row.get("top1_prob_hist")
    return ClassInfo(
        index=int(row["index"]), wnid=row["wnid"], name=row["name"], images=_int_or_none(row.get("images")),
        top1_correct=_int_or_none(row.get("top1_correct")),
        prob_hist=None if hist is None else tuple(int(x) for x in hist), faithfulness=faith,
        top1_prob_hist=None if top1 is None else tuple(int(x) for x in top1),
    )


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def neuron_from_row(row: Row) -> Neuron:
    return Neuron(id=row["id"], layer=row["layer"], layer_index=int(row["layer_index"]), channel=int(row["channel"]))


class CypherStore(ABC):
    """GraphStore over the ``_fetch_*`` primitives of a concrete store."""

    max_concurrency = DEFAULT_MAX_CONCURRENCY

    def __init__(self) -> None:
        self._caches: LRUCache[str, common.LoadCache] = LRUCache(maxsize=CACHED_LOADS)
        self._cache_lock = threading.Lock()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every ``_fetch_*(load, ...)`` a store defines notes the load it reads (``consistency.note_load``):
        a read that fetched a load's data is checked afterwards; one answered from the cached,
        immutable lookups of a load that was active when it started needs no check."""
        super().__init_subclass__(**kwargs)
        for name, method in list(vars(cls).items()):
            if name.startswith("_fetch_") and name not in UNCHECKED_FETCHES and callable(method):
                setattr(cls, name, _noting(method))

    # --- primitives a store implements --------------------------------------
    @abstractmethod
    def ping(self) -> bool: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _fetch_models(self) -> list[Row]: ...  # id, active_load, name, classes, images, top1_correct, dataset, created

    @abstractmethod
    def _fetch_active_load(self, model: str) -> str | None: ...

    @abstractmethod
    def _fetch_catalogue(self, load: str) -> tuple[list[Row], list[Row], list[Row]]: ...  # classes, neurons, layers

    @abstractmethod
    def _fetch_class_graph(
        self, load: str, class_index: int, *, with_edges: bool = True
    ) -> tuple[list[Row], list[Row]]: ...  # nodes (id, count, pagerank), edges (src, dst, weight)

    @abstractmethod
    def _fetch_top_classes(self, load: str, neuron_id: str, limit: int) -> list[Row]: ...

    @abstractmethod
    def _fetch_featurevis(self, load: str, neuron_ids: list[str]) -> list[Row]: ...  # neuron_id, featurevis

    @abstractmethod
    def _fetch_examples(self, load: str, neuron_ids: list[str]) -> list[Row]: ...

    @abstractmethod
    def _rows(self, query: str, params: dict[str, Any] | None = None) -> list[Row]: ...

    @abstractmethod
    def _influence_pattern(self, load: str, neuron_id: str, side: str) -> tuple[str, dict[str, Any]]: ...
    # the MATCH pattern binding (a:InfluenceNode)-[r:INFLUENCES]->(b:InfluenceNode) with the neuron
    # at ``a`` ("out") or ``b`` ("in")

    def _fetch_influence(
        self, load: str, neuron_id: str, class_index: int | None, direction: str, limit: int
    ) -> list[Row]:
        """src, dst, count (count desc, src, dst per side; summed over classes when class_index is None)."""
        note_load(load)
        where = "WHERE a.class = $ci " if class_index is not None else ""
        count = "r.count" if class_index is not None else "sum(r.count)"
        rows: list[Row] = []
        for side in (("out", "in") if direction == "both" else (direction,)):
            pattern, params = self._influence_pattern(load, neuron_id, side)
            rows += self._rows(
                f"MATCH {pattern} {where}RETURN a.neuron AS src, b.neuron AS dst, {count} AS count "
                "ORDER BY count DESC, src, dst LIMIT $limit",
                {**params, "limit": limit, **({"ci": class_index} if class_index is not None else {})},
            )
        return rows

    @abstractmethod
    def _fetch_class_influence(self, load: str, class_index: int) -> tuple[bytes | None, bytes | None]: ...
    # (packed edges, int64 activation counts by neuron ord)

    @abstractmethod
    def _fetch_similar(self, load: str, class_index: int, layer: str, limit: int) -> list[Row]: ...

    @abstractmethod
    def _fetch_embedding(self, load: str, layer: str) -> list[Row]: ...

    @abstractmethod
    def _fetch_suggested_groups(self, load: str) -> list[Row]: ...  # group, layer, cohesion, neuron_id

    @abstractmethod
    def _fetch_containing_nodes(self, load: str, neuron_ids: list[str]) -> list[Row]: ...
    # class_index, found (how many of the neurons the class graph has), mass (their pagerank sum)

    @abstractmethod
    def _fetch_containing_edges(self, load: str, srcs: list[str], dsts: list[str]) -> list[Row]: ...
    # src, dst, class_index of every class-graph edge from one of ``srcs`` to one of ``dsts``

    @abstractmethod
    def _notes_read(self, query: str, params: dict[str, Any]) -> list[Row]: ...  # where notes live

    @abstractmethod
    def _notes_write(self, query: str, params: dict[str, Any]) -> None: ...

    # --- consistency with concurrent loads (summit.store.consistency) ---------------------
    def _read_token(self) -> object:
        """Taken before a read; passed to ``_loads_still_active`` after it (a store may use a counter)."""
        return None

    def _loads_still_active(self, token: object, loads: set[str]) -> bool:
        """Are all ``loads`` still some model's active load? (Then none of them was being deleted.)"""
        del token
        rows = self._rows(f"MATCH (m:{MODEL}) WHERE m.active_load IN $loads RETURN count(m) AS n",
                          {"loads": sorted(loads)})
        return bool(rows) and int(rows[0]["n"]) == len(loads)

    def _forget_loads(self, loads: set[str]) -> None:
        """Drop cached lookups of ``loads`` (read while a load went away, they may be partial)."""
        with self._cache_lock:
            for load in loads:
                self._caches.pop(load, None)

    # --- shared plumbing ------------------------------------------------------
    def _load(self, model: str) -> str:
        if not isinstance(model, str) or not model:
            raise BadInput("a model id is required")
        load = self._fetch_active_load(model)
        if load is None:
            known = ", ".join(sorted(m["id"] for m in self._fetch_models())) or "none loaded"
            raise NotFound(f"model {shown(model)} is not in the store (models: {known})")
        return load

    def _cache(self, load: str) -> common.LoadCache:
        with self._cache_lock:
            cached = self._caches.get(load)
            if cached is not None:
                return cached
        classes, neurons, layers = self._fetch_catalogue(load)
        cache = common.LoadCache(
            classes=sorted((class_from_row(r) for r in classes), key=lambda c: c.index),
            neurons=[neuron_from_row(r) for r in sorted(neurons, key=lambda r: int(r["ord"]))],
            layers=sorted((LayerInfo(r["name"], int(r["index"]), int(r["channels"])) for r in layers),
                          key=lambda x: x.index),
        )
        with self._cache_lock:
            self._caches[load] = cache
        return cache

    def _resolve(self, model: str) -> tuple[str, common.LoadCache]:
        load = self._load(model)
        return load, self._cache(load)

    @staticmethod
    def _class(cache: common.LoadCache, model: str, class_index: int) -> ClassInfo:
        if isinstance(class_index, bool) or not isinstance(class_index, int):
            raise BadInput(f"class index must be an integer, got {class_index!r}")
        cls = cache.class_by_index.get(class_index)
        if cls is None:
            raise NotFound(f"model {model!r} has no class with index {class_index}")
        return cls

    @staticmethod
    def _neuron(cache: common.LoadCache, model: str, neuron_id: str) -> Neuron:
        neuron = cache.neuron_by_id.get(neuron_id) if isinstance(neuron_id, str) else None
        if neuron is None:
            raise NotFound(f"model {model!r} has no neuron {shown(neuron_id)}")
        return neuron

    # --- GraphStore -------------------------------------------------------------
    @consistent
    def models(self) -> list[ModelInfo]:
        return [self._model_info(row) for row in sorted(self._fetch_models(), key=lambda r: r["id"])]

    def _model_info(self, row: Row) -> ModelInfo:
        cache = self._cache(row["active_load"])
        return ModelInfo(
            id=row["id"], name=row["name"] or "", classes=int(row["classes"]), images=_int_or_none(row.get("images")),
            top1_correct=_int_or_none(row.get("top1_correct")), layers=tuple(cache.layers),
            dataset=row["dataset"] or "", created=row["created"] or "",
            artifact_path=row.get("artifact_path") or "", load_id=row["active_load"] or "",
            graph_method=row.get("graph_method") or "", faithfulness=row.get("faithfulness") or "",
        )

    def model_stats(self) -> dict[str, Row]:
        """Per model id: its size and last load (``graph_schema.MODEL_STATS``; None where not recorded)."""
        present = self._model_columns()
        if present is None:
            return {}
        columns = ", ".join(f"m.{name} AS {name}" if name in present else f"NULL AS {name}" for name in MODEL_STATS)
        out: dict[str, Row] = {}
        for row in self._rows(f"MATCH (m:{MODEL}) RETURN m.id AS id, {columns}"):
            model = row.pop("id")
            out[model] = {k: (None if v in (-1, -1.0, "") else v) for k, v in row.items()}
        return out

    def _model_columns(self) -> set[str] | None:
        """Model properties the store can hold (an older store may lack some); None: no models at all."""
        return set(MODEL_STATS)

    @consistent
    def model(self, model: str) -> ModelInfo:
        self._load(model)
        for row in self._fetch_models():
            if row["id"] == model:
                return self._model_info(row)
        raise NotFound(f"model {model!r} is not in the store")

    @consistent
    def classes(self, model: str) -> list[ClassInfo]:
        return list(self._resolve(model)[1].classes)

    @consistent
    def classes_by_index(self, model: str, indices: Sequence[int]) -> list[ClassInfo]:
        _, cache = self._resolve(model)
        return [self._class(cache, model, i) for i in indices]

    @consistent
    def class_by_key(self, model: str, key: str) -> ClassInfo:
        _, cache = self._resolve(model)
        text = str(key).strip()
        if is_digits(text) and parse_digits(text, "class key") in cache.class_by_index:
            return cache.class_by_index[int(text)]
        found = cache.class_by_wnid.get(text) or cache.class_by_name.get(text)
        if found is None:
            raise NotFound(f"model {model!r} has no class with index, wnid or name {shown(key)}")
        return found

    def _full_graph(self, load: str, cache: common.LoadCache, model: str, class_index: int) -> ClassGraph:
        cls = self._class(cache, model, class_index)
        node_rows, edge_rows = self._fetch_class_graph(load, class_index)
        nodes = common.sort_nodes(
            GraphNode(cache.neuron_by_id[r["id"]], int(r["count"]), float(r["pagerank"])) for r in node_rows
        )
        edges = common.sort_edges(GraphEdge(r["src"], r["dst"], int(r["weight"])) for r in edge_rows)
        return ClassGraph(cls, nodes, edges)

    @consistent
    def class_graph(
        self, model: str, class_index: int, *, top_n: int | None = None, min_weight: int = 0
    ) -> ClassGraph:
        load, cache = self._resolve(model)
        graph = self._full_graph(load, cache, model, class_index)
        return common.rethreshold(graph, top_n, min_weight)

    @consistent
    def neurons(self, model: str, ids: Sequence[str]) -> list[Neuron]:
        _, cache = self._resolve(model)
        return [self._neuron(cache, model, i) for i in ids]

    @consistent
    def neuron_detail(self, model: str, neuron_id: str, *, top_classes: int = 10) -> NeuronDetail:
        if top_classes < 0:
            raise BadInput(f"top_classes must be >= 0, got {top_classes}")
        load, cache = self._resolve(model)
        neuron = self._neuron(cache, model, neuron_id)
        tops = self._fetch_top_classes(load, neuron_id, top_classes) if top_classes else []
        activations = sorted(
            (ClassActivation(cache.class_by_index[int(r["class_index"])], int(r["count"]),
                             _float_or_none(r["mean"]))
             for r in tops),
            key=lambda a: (-a.count, a.cls.index),
        )
        examples = self._examples(load, [neuron_id]).get(neuron_id, [])
        featurevis = self._featurevis(load, [neuron_id])[neuron_id]
        return NeuronDetail(neuron, tuple(activations), tuple(examples), tuple(featurevis))

    def _examples(self, load: str, ids: list[str]) -> dict[str, list[Example]]:
        out: dict[str, list[Example]] = {i: [] for i in ids}
        for r in self._fetch_examples(load, ids):
            out[r["neuron_id"]].append(
                Example(r["neuron_id"], int(r["rank"]), r["image"], _float_or_none(r["score"]), r["media"])
            )
        for items in out.values():
            items.sort(key=lambda e: e.rank)
        return out

    @consistent
    def examples(self, model: str, neuron_ids: Sequence[str]) -> dict[str, list[Example]]:
        load, cache = self._resolve(model)
        ids = common.ordered_unique([self._neuron(cache, model, i).id for i in neuron_ids])
        return self._examples(load, ids)

    def _featurevis(self, load: str, ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {i: [] for i in ids}
        for r in self._fetch_featurevis(load, ids):
            out[r["neuron_id"]] = list(r["featurevis"] or ())
        return out

    @consistent
    def featurevis(self, model: str, neuron_ids: Sequence[str]) -> dict[str, list[str]]:
        load, cache = self._resolve(model)
        ids = common.ordered_unique([self._neuron(cache, model, i).id for i in neuron_ids])
        return self._featurevis(load, ids)

    @consistent
    def influence_edges(
        self, model: str, neuron_id: str, *, class_index: int | None, direction: Direction, limit: int
    ) -> list[InfluenceEdge]:
        if direction not in ("in", "out", "both"):
            raise BadInput(f"direction must be 'in', 'out' or 'both', got {direction!r}")
        if limit < 1:
            raise BadInput(f"limit must be >= 1, got {limit}")
        load, cache = self._resolve(model)
        self._neuron(cache, model, neuron_id)
        if class_index is not None:
            self._class(cache, model, class_index)
        rows = self._fetch_influence(load, neuron_id, class_index, direction, limit)
        edges = [InfluenceEdge(r["src"], r["dst"], class_index, int(r["count"])) for r in rows]
        edges.sort(key=lambda e: (-e.count, e.src, e.dst))
        return edges[:limit]

    def _class_edges(self, load: str, class_index: int) -> tuple[Any, Any, Any]:
        return common.unpack_edges(self._fetch_class_influence(load, class_index)[0])

    @consistent
    def neighbourhood(self, model: str, class_index: int, neuron_id: str, *, hops: int) -> ClassGraph:
        """Neurons within ``hops`` (either direction) of ``neuron_id`` in the class's influence graph.

        Edges: the class's influence edges that touch a neuron nearer than ``hops``; edge weight =
        influence count; node count = the class's activation count, pagerank = the class graph's
        pagerank (0 for neurons outside the attribution graph).
        """
        load, cache = self._resolve(model)
        cls = self._class(cache, model, class_index)
        self._neuron(cache, model, neuron_id)
        blob, count_blob = self._fetch_class_influence(load, class_index)
        src, dst, cnt = common.unpack_edges(blob)
        counts = np.frombuffer(count_blob, dtype="<i8") if count_blob else np.zeros(len(cache.neurons), np.int64)
        size = len(cache.neurons)
        ords, picked = common.neighbourhood_edges(src, dst, size, cache.ord_by_id[neuron_id], hops)
        node_rows, _ = self._fetch_class_graph(load, class_index, with_edges=False)
        pagerank = np.zeros(size)
        for r in node_rows:
            pagerank[cache.ord_by_id[r["id"]]] = float(r["pagerank"])
        ords = ords[np.lexsort((cache.id_rank[ords], -pagerank[ords], cache.layer_of[ords]))]
        nodes = tuple(GraphNode(cache.neurons[o], int(counts[o]), float(pagerank[o])) for o in ords.tolist())
        es, ed, ec = src[picked], dst[picked], cnt[picked]
        order = np.lexsort((cache.id_rank[ed], cache.id_rank[es]))
        names = cache.neurons
        edges = tuple(GraphEdge(names[a].id, names[b].id, c)
                      for a, b, c in zip(es[order].tolist(), ed[order].tolist(), ec[order].tolist(), strict=True))
        return ClassGraph(cls, nodes, edges)

    @consistent
    def paths(
        self, model: str, class_index: int, src: str, dst: str | None, *, k: int, mode: PathMode
    ) -> list[GraphPath]:
        """K strongest paths in the class's influence graph from ``src`` to ``dst`` (or to the last layer)."""
        load, cache = self._resolve(model)
        self._class(cache, model, class_index)
        start = self._neuron(cache, model, src)
        if dst is not None:
            end = self._neuron(cache, model, dst)
            if end.layer_index <= start.layer_index:
                raise BadInput(f"path end {dst!r} must be in a higher layer than its start {src!r}")
            targets = np.array([cache.ord_by_id[dst]], dtype=np.int64)
        else:
            last = int(cache.layer_of.max())
            targets = np.flatnonzero(cache.layer_of == last)
        s, d, c = self._class_edges(load, class_index)
        found = k_best_paths_layered(s, d, c, cache.layer_of, cache.id_rank, cache.ord_by_id[src], targets,
                                     k=k, mode=mode)
        names = cache.neurons
        return [GraphPath(tuple(names[i].id for i in nodes), tuple(weights), score)
                for score, nodes, weights in found]

    @consistent
    def compare(self, model: str, a: int, b: int) -> Comparison:
        load, cache = self._resolve(model)
        return common.compare(self._full_graph(load, cache, model, a), self._full_graph(load, cache, model, b))

    @consistent
    def similar_classes(
        self, model: str, class_index: int, *, layer: str | None, limit: int
    ) -> list[SimilarClass]:
        if limit < 1:
            raise BadInput(f"limit must be >= 1, got {limit}")
        load, cache = self._resolve(model)
        self._class(cache, model, class_index)
        name = ALL_LAYERS if layer is None else layer
        if name != ALL_LAYERS and name not in {x.name for x in cache.layers}:
            raise NotFound(f"model {model!r} has no layer {shown(layer)}")
        rows = self._fetch_similar(load, class_index, name, limit)
        out = [SimilarClass(cache.class_by_index[int(r["other_index"])], float(r["cosine"])) for r in rows]
        out.sort(key=lambda s: (-s.similarity, s.cls.index))
        return out[:limit]

    @consistent
    def search(self, model: str, text: str, *, limit: int) -> list[SearchHit]:
        _, cache = self._resolve(model)
        return common.search(cache, str(text), limit)

    @consistent
    def embedding(self, model: str, layer: str) -> list[EmbeddingPoint]:
        load, cache = self._resolve(model)
        rows = self._fetch_embedding(load, layer)
        if not rows and layer not in {x.name for x in cache.layers} and layer != ALL_LAYERS:
            raise NotFound(f"model {model!r} has no embedding for layer {shown(layer)}")
        points = [EmbeddingPoint(int(r["class_index"]), r["layer"], float(r["x"]), float(r["y"])) for r in rows]
        points.sort(key=lambda p: p.class_index)
        return points

    @consistent
    def suggested_groups(self, model: str, layer: str | None) -> list[SuggestedGroup]:
        load, cache = self._resolve(model)
        if layer is not None and layer not in {x.name for x in cache.layers}:
            raise NotFound(f"model {model!r} has no layer {layer!r}")
        members: dict[int, list[str]] = {}
        info: dict[int, tuple[str, float]] = {}
        for r in self._fetch_suggested_groups(load):
            if layer is None or r["layer"] == layer:
                members.setdefault(int(r["group"]), []).append(r["neuron_id"])
                info[int(r["group"])] = (r["layer"], float(r["cohesion"]))
        order = cache.ord_by_id
        return [SuggestedGroup(g, info[g][0], tuple(sorted(members[g], key=order.__getitem__)), info[g][1])
                for g in sorted(members)]

    @consistent
    def classes_containing(
        self, model: str, neuron_ids: Sequence[str], edges: Sequence[tuple[str, str]], *, limit: int
    ) -> list[ContainingClass]:
        """Classes whose graph has every neuron of ``neuron_ids`` and every edge (and so both its ends)."""
        if limit < 1:
            raise BadInput(f"limit must be >= 1, got {limit}")
        load, cache = self._resolve(model)
        pairs = list(dict.fromkeys((str(a), str(b)) for a, b in edges))
        wanted = common.ordered_unique([*neuron_ids, *(end for pair in pairs for end in pair)])
        if not wanted:
            raise BadInput("name at least one neuron or edge of the subgraph")
        for nid in wanted:
            self._neuron(cache, model, nid)
        found = {int(r["class_index"]): float(r["mass"]) for r in self._fetch_containing_nodes(load, wanted)
                 if int(r["found"]) == len(wanted)}
        if pairs and found:
            asked = set(pairs)
            have: dict[int, set[tuple[str, str]]] = {}
            rows = self._fetch_containing_edges(load, common.ordered_unique([a for a, _ in pairs]),
                                                common.ordered_unique([b for _, b in pairs]))
            for r in rows:
                if (r["src"], r["dst"]) in asked:
                    have.setdefault(int(r["class_index"]), set()).add((r["src"], r["dst"]))
            found = {c: m for c, m in found.items() if len(have.get(c, ())) == len(asked)}
        ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [ContainingClass(cache.class_by_index[c], mass) for c, mass in ranked]

    # --- notes ------------------------------------------------------------------------
    def notes(self, model: str) -> list[Note]:
        self._load(model)
        rows = self._notes_read(NOTES_QUERY, {"model": model})
        found = [Note(r["kind"], r["target"], tuple(r["neurons"] or ()), r["text"], r["updated"]) for r in rows]
        return sorted(found, key=lambda n: (n.kind, n.target))

    def set_note(self, model: str, kind: NoteKind, target: str, neurons: Sequence[str], text: str) -> Note:
        _, cache = self._resolve(model)
        note = common.check_note(kind, target, neurons, text)
        for nid in note.neurons:
            self._neuron(cache, model, nid)
        self._notes_write(SET_NOTE_QUERY, {
            "key": common.note_key(model, kind, target), "model": model, "kind": note.kind, "target": note.target,
            "neurons": list(note.neurons), "text": note.text, "updated": note.updated})
        return note

    def delete_note(self, model: str, kind: NoteKind, target: str) -> bool:
        self._load(model)
        common.check_note_target(kind, target)
        key = {"key": common.note_key(model, kind, target)}
        if not self._notes_read(FIND_NOTE_QUERY, key):
            return False
        self._notes_write(DELETE_NOTE_QUERY, key)
        return True
