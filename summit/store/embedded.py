"""The embedded graph store (LadybugDB, a Kuzu fork): the default, no server needed.

Each load of a model gets its own node/relationship tables (``Neuron_<load>``
...; see ``summit.graph_schema``), bulk-loaded with ``COPY ... FROM`` a polars
frame. ``Model.active_load`` points at the load queries use; reloading writes a
new load, flips the pointer in one statement, then drops the old load's tables.

LadybugDB lets one process open a database for writing, and a process that
opens it read-only sees pages a writer elsewhere is changing. So one process
holds a store: ``summit serve`` opens it for writing, and ``summit load`` into a
served store goes through that server (``summit.store.owner``). Within the
process, queries use one connection and loads another, so queries go on during a
load; reads are checked against the loads that retire meanwhile
(``summit.store.consistency``: here a counter, since every write is this
process's own).

Users' notes live in the shared ``Note`` table (not in any load's tables), so a
reload keeps them; the process that holds the store writes them like a load.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from summit.errors import BadInput, Forbidden, StoreBusy, StoreUnavailable, TimedOut
from summit.graph_schema import (
    ACTIVATES,
    CLASS,
    CLASS_INFLUENCE,
    EMBEDDED_SHARED_DDL,
    EXAMPLE,
    GRAPH_EDGE,
    GRAPH_NODE,
    HAS_EXAMPLE,
    HAS_NODE,
    IN_GROUP,
    INFLUENCE_NODE,
    INFLUENCE_OF_NEURON,
    INFLUENCES,
    LAYER,
    MODEL,
    MODEL_ADDED_COLUMNS,
    NEURON,
    NODE_PROPERTIES,
    NOTE,
    POINT,
    RELATIONSHIPS,
    SIMILAR,
    SUGGESTED_GROUP,
    embedded_drop_ddl,
    embedded_load_ddl,
    table,
)
from summit.settings import user_data_dir
from summit.store import deadline
from summit.store.lifecycle import CypherLoader
from summit.store.owner import busy_message, lock_holder
from summit.store.prepare import LoadData
from summit.store.queries import Row, models_query

log = logging.getLogger(__name__)


def default_path() -> Path:
    """``store`` in the user data directory (``$XDG_DATA_HOME/summit/store``)."""
    return user_data_dir() / "store"


def _projection(var: str, label: str, skip: tuple[str, ...] = ()) -> str:
    return ", ".join(f"{var}.`{p}` AS `{p}`" for p, _ in NODE_PROPERTIES[label] if p not in skip)


_LOAD_TABLE = re.compile(r"^(?P<label>[A-Za-z_]+)_(?P<load>L[0-9a-f]{16})$")
RECOVERY_PENDING = "read-write mode"  # LadybugDB's advice when a killed writer left a checkpoint to finish


def _open_database(path: Path, read_only: bool) -> Any:
    """``ladybug.Database``; a store locked by another writer is StoreBusy naming its process."""
    import ladybug

    try:
        return ladybug.Database(str(path), read_only=read_only)
    except RuntimeError as exc:
        if "Could not set lock" in str(exc):
            pid = lock_holder(str(exc))
            raise StoreBusy(busy_message(path, pid), pid) from None
        raise


class EmbeddedStore(CypherLoader):
    """GraphStore and GraphLoader over a LadybugDB database directory/file.

    ``create``: a missing store is created (loads); ``summit serve`` passes False and says
    "load an artifact first". Opened read-only, a store that a killed writer left with a
    checkpoint to finish is first opened for writing once, which finishes it.
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False, create: bool = True):
        super().__init__()
        import ladybug

        self.path = Path(path) if path else default_path()
        if read_only or not create:
            if not self.path.exists():
                raise StoreUnavailable(f"embedded store {self.path} does not exist; load an artifact first "
                                       f"(summit load ARTIFACT --embedded {self.path})")
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            try:
                self._db = _open_database(self.path, read_only)
            except RuntimeError as exc:
                if not read_only or RECOVERY_PENDING not in str(exc):
                    raise
                log.warning("embedded store %s: finishing the checkpoint an interrupted writer left", self.path)
                _open_database(self.path, False).close()
                self._db = _open_database(self.path, True)
            self._conn = ladybug.Connection(self._db)
            self._write_conn = None if read_only else ladybug.Connection(self._db)
        except RuntimeError as exc:
            raise StoreUnavailable(f"cannot open the embedded store at {self.path}: {exc}") from None
        self._lock = threading.RLock()  # the query connection
        self._write_lock = threading.RLock()  # the load connection: queries go on while a load writes
        self.read_only = read_only
        if not read_only:
            for ddl in EMBEDDED_SHARED_DDL:
                self._write(ddl)

    # --- plumbing -------------------------------------------------------------
    def _write(self, query: str, params: dict[str, Any] | None = None) -> Any:
        if self._write_conn is None:
            raise BadInput(f"embedded store {self.path} is open read-only; cannot load or drop")
        with self._write_lock:
            return self._write_conn.execute(query, params or {})

    def _read_token(self) -> object:
        return self._retired

    def _loads_still_active(self, token: object, loads: set[str]) -> bool:
        """Every write to this store is this process's own: no load was retired meanwhile <=> all intact."""
        del loads
        return self._retired == token

    def _rows(self, query: str, params: dict[str, Any] | None = None) -> list[Row]:
        deadline.acquire(self._lock)  # a caller with a deadline (the server) waits no longer than it allows
        try:
            left = deadline.remaining()
            self._conn.set_query_timeout(0 if left is None else max(1, int(left * 1000)))
            try:
                result = self._conn.execute(query, params or {})
            except RuntimeError as exc:
                if str(exc).startswith("Interrupted"):  # the query timeout above ended it
                    raise TimedOut(deadline.MESSAGE) from None
                raise
            if isinstance(result, list):  # several statements: not something Summit sends
                raise BadInput("one Cypher statement per call")
            names = result.get_column_names()
            return [dict(zip(names, row, strict=True)) for row in result.get_all()]
        finally:
            self._lock.release()

    def _has_shared_tables(self) -> bool:
        rows = self._rows("CALL show_tables() RETURN name")
        return any(r["name"] == MODEL for r in rows)

    def ping(self) -> bool:
        try:
            self._rows("RETURN 1 AS one")
        except RuntimeError:
            return False
        return True

    def close(self) -> None:
        with self._lock, self._write_lock:
            self._conn.close()
            if self._write_conn is not None:
                self._write_conn.close()
            self._db.close()

    # --- read primitives --------------------------------------------------------
    def _fetch_models(self) -> list[Row]:
        if self.read_only and not self._has_shared_tables():
            return []
        # A store written before a column of MODEL_ADDED_COLUMNS existed, opened read-only, lacks it.
        return self._rows(models_query(self._model_missing_columns()))

    def _model_missing_columns(self) -> set[str]:
        return set(MODEL_ADDED_COLUMNS) - self._model_table_columns()

    def _model_table_columns(self) -> set[str]:
        if not self._has_shared_tables():
            return set()
        return {r["name"] for r in self._rows(f"CALL TABLE_INFO('{MODEL}') RETURN name")}

    def _model_columns(self) -> set[str] | None:
        return self._model_table_columns() or None

    def _fetch_active_load(self, model: str) -> str | None:
        if self.read_only and not self._has_shared_tables():
            return None
        rows = self._rows(f"MATCH (m:{MODEL} {{id: $id}}) RETURN m.active_load AS load", {"id": model})
        return rows[0]["load"] if rows else None

    def _fetch_catalogue(self, load: str) -> tuple[list[Row], list[Row], list[Row]]:
        classes = self._rows(f"MATCH (c:{table(CLASS, load)}) RETURN {_projection('c', CLASS)}")
        neurons = self._rows(f"MATCH (n:{table(NEURON, load)}) RETURN {_projection('n', NEURON, ('featurevis',))}")
        layers = self._rows(f"MATCH (l:{table(LAYER, load)}) RETURN {_projection('l', LAYER)}")
        return classes, neurons, layers

    def _fetch_class_graph(
        self, load: str, class_index: int, *, with_edges: bool = True
    ) -> tuple[list[Row], list[Row]]:
        c, g = table(CLASS, load), table(GRAPH_NODE, load)
        h, e = table(HAS_NODE, load), table(GRAPH_EDGE, load)
        params = {"ci": class_index}
        nodes = self._rows(
            f"MATCH (c:{c} {{`index`: $ci}})-[:{h}]->(n:{g}) "
            "RETURN n.neuron AS id, n.count AS count, n.pagerank AS pagerank", params)
        edges = []
        if with_edges:
            edges = self._rows(
                f"MATCH (c:{c} {{`index`: $ci}})-[:{h}]->(a:{g})-[e:{e}]->(b:{g}) "
                "RETURN a.neuron AS src, b.neuron AS dst, e.weight AS weight", params)
        return nodes, edges

    def _fetch_top_classes(self, load: str, neuron_id: str, limit: int) -> list[Row]:
        return self._rows(
            f"MATCH (c:{table(CLASS, load)})-[a:{table(ACTIVATES, load)}]->(n:{table(NEURON, load)} {{id: $id}}) "
            "RETURN c.`index` AS class_index, a.count AS count, a.mean AS mean "
            "ORDER BY count DESC, class_index LIMIT $limit",
            {"id": neuron_id, "limit": limit},
        )

    def _fetch_featurevis(self, load: str, neuron_ids: list[str]) -> list[Row]:
        if not neuron_ids:
            return []
        return self._rows(f"MATCH (n:{table(NEURON, load)}) WHERE n.id IN $ids "
                          "RETURN n.id AS neuron_id, n.featurevis AS featurevis", {"ids": neuron_ids})

    def _fetch_examples(self, load: str, neuron_ids: list[str]) -> list[Row]:
        if not neuron_ids:
            return []
        return self._rows(
            f"MATCH (n:{table(NEURON, load)})-[:{table(HAS_EXAMPLE, load)}]->(e:{table(EXAMPLE, load)}) "
            f"WHERE n.id IN $ids RETURN {_projection('e', EXAMPLE)}",
            {"ids": neuron_ids},
        )

    def _influence_pattern(self, load: str, neuron_id: str, side: str) -> tuple[str, dict[str, Any]]:
        n, u = f"(:{table(NEURON, load)} {{id: $id}})", table(INFLUENCE_NODE, load)
        of, r = table(INFLUENCE_OF_NEURON, load), table(INFLUENCES, load)
        patterns = {
            "out": f"{n}<-[:{of}]-(a:{u})-[r:{r}]->(b:{u})",
            "in": f"(a:{u})-[r:{r}]->(b:{u})-[:{of}]->{n}",
        }
        return patterns[side], {"id": neuron_id}

    def _fetch_class_influence(self, load: str, class_index: int) -> tuple[bytes | None, bytes | None]:
        rows = self._rows(
            f"MATCH (x:{table(CLASS_INFLUENCE, load)} {{class: $ci}}) RETURN x.edges AS edges, x.counts AS counts",
            {"ci": class_index},
        )
        return (rows[0]["edges"], rows[0]["counts"]) if rows else (None, None)

    def _fetch_similar(self, load: str, class_index: int, layer: str, limit: int) -> list[Row]:
        c = table(CLASS, load)
        return self._rows(
            f"MATCH (c:{c} {{`index`: $ci}})-[s:{table(SIMILAR, load)}]->(o:{c}) WHERE s.layer = $layer "
            "RETURN o.`index` AS other_index, s.cosine AS cosine ORDER BY cosine DESC, other_index LIMIT $limit",
            {"ci": class_index, "layer": layer, "limit": limit},
        )

    def _fetch_embedding(self, load: str, layer: str) -> list[Row]:
        return self._rows(
            f"MATCH (p:{table(POINT, load)}) WHERE p.layer = $layer "
            "RETURN p.class_index AS class_index, p.layer AS layer, p.x AS x, p.y AS y",
            {"layer": layer},
        )

    def _has_table(self, name: str) -> bool:
        return any(r["name"] == name for r in self._rows("CALL show_tables() RETURN name"))

    def _fetch_suggested_groups(self, load: str) -> list[Row]:
        g = table(SUGGESTED_GROUP, load)
        if not self._has_table(g):  # a load written before suggested groups existed
            return []
        return self._rows(
            f"MATCH (n:{table(NEURON, load)})-[:{table(IN_GROUP, load)}]->(g:{g}) "
            "RETURN g.`group` AS `group`, g.layer AS layer, g.cohesion AS cohesion, n.id AS neuron_id")

    def _fetch_containing_nodes(self, load: str, neuron_ids: list[str]) -> list[Row]:
        return self._rows(
            f"MATCH (c:{table(CLASS, load)})-[:{table(HAS_NODE, load)}]->(g:{table(GRAPH_NODE, load)}) "
            "WHERE g.neuron IN $ids WITH c, count(*) AS found, sum(g.pagerank) AS mass "
            "RETURN c.`index` AS class_index, found, mass", {"ids": neuron_ids})

    def _fetch_containing_edges(self, load: str, srcs: list[str], dsts: list[str]) -> list[Row]:
        g = table(GRAPH_NODE, load)
        return self._rows(
            f"MATCH (a:{g})-[:{table(GRAPH_EDGE, load)}]->(b:{g}) WHERE a.neuron IN $srcs AND b.neuron IN $dsts "
            "RETURN a.neuron AS src, b.neuron AS dst, a.class AS class_index", {"srcs": srcs, "dsts": dsts})

    # --- notes: the shared Note table ------------------------------------------------
    def _notes_read(self, query: str, params: dict[str, Any]) -> list[Row]:
        if self.read_only and not self._has_table(NOTE):  # a store no server with notes ever held
            return []
        return self._rows(query, params)

    def _notes_write(self, query: str, params: dict[str, Any]) -> None:
        if self._write_conn is None:
            raise Forbidden(f"notes cannot be saved: embedded store {self.path} is open read-only here "
                            "(the process that serves it writes them)")
        self._write(query, params)

    # --- write side ---------------------------------------------------------------
    def _copy(self, name: str, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        if self._write_conn is None:
            raise BadInput(f"embedded store {self.path} is open read-only; cannot load or drop")
        scan = frame  # COPY ... FROM scans the local variable named in the query
        with self._write_lock:
            self._write_conn.execute(f"COPY {name} FROM scan")
        del scan

    def _check_writable(self) -> None:
        if self.read_only:
            raise BadInput(f"embedded store {self.path} is open read-only; cannot load or drop")

    def _write_load_data(self, load: str, data: LoadData, batch_rows: int, say: Callable[[str], None]) -> None:
        """The load's own tables, each filled with one ``COPY`` (LadybugDB's bulk path: ``batch_rows``,
        part of the loader protocol, changes nothing here)."""
        del batch_rows
        for ddl in embedded_load_ddl(load):
            self._write(ddl)
        for label, frame in data.node_frames().items():
            self._copy(table(label, load), frame.select([p for p, _ in NODE_PROPERTIES[label]]))
            say(f"{label}: {frame.height} nodes")
        for rel, frame in data.rel_frames(load).items():
            self._copy(table(rel, load), frame)
            say(f"{rel}: {frame.height} relationships")

    def _delete_load_data(self, load: str) -> None:
        for ddl in embedded_drop_ddl(load):
            self._write(ddl)

    def _delete_unreferenced(self, keep: set[str]) -> list[str]:
        """Tables of loads that have no Load node (e.g. a load killed between statements)."""
        labels = {*NODE_PROPERTIES, *RELATIONSHIPS}
        stray = set()
        for row in self._rows("CALL show_tables() RETURN name"):
            found = _LOAD_TABLE.match(row["name"])
            if found and found["label"] in labels and found["load"] not in keep:
                stray.add(found["load"])
        for load in sorted(stray):
            self._retired += 1
            self._delete_load_data(load)
        return sorted(stray)
