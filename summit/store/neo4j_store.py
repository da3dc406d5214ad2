"""The Neo4j graph store: Cypher over Bolt with the ``neo4j`` driver.

Every node carries ``load`` and a unique ``key`` = ``<load>|<natural id>``
(``summit.graph_schema``); ``(:Model {id, active_load})`` selects the load that
queries see. Loading runs the constraint/index statements first, then batched
``UNWIND $rows ... CREATE`` (one transaction per batch), flips the model
pointer in one transaction and deletes the previous load in batches.
All Cypher is parameterised; labels and types come from ``graph_schema`` only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import polars as pl

from summit.errors import BadInput, Forbidden, StoreUnavailable, TimedOut
from summit.graph_schema import (
    ACTIVATES,
    CLASS,
    CLASS_INFLUENCE,
    DEPTH_LABELLED,
    EXAMPLE,
    GRAPH_EDGE,
    GRAPH_NODE,
    HAS_EXAMPLE,
    HAS_NODE,
    IN_GROUP,
    INFLUENCE_NODE,
    INFLUENCES,
    LAYER,
    MODEL,
    NEO4J_RETIRED_INDEXES,
    NEO4J_SCHEMA,
    NEURON,
    NODE_PROPERTIES,
    NOTE,
    OF_NEURON,
    POINT,
    REL_PROPERTIES,
    RELATIONSHIPS,
    SHARED_ID,
    SHARED_LABELS,
    SIMILAR,
    SUGGESTED_GROUP,
    neo4j_type,
)
from summit.store import deadline
from summit.store.lifecycle import CypherLoader
from summit.store.prepare import LoadData, depth_label_column
from summit.store.queries import Row, models_query

log = logging.getLogger(__name__)

BLOB_BATCH_BYTES = 16 * 1024 * 1024  # ClassInfluence byte arrays per transaction
DELETE_BATCH = 20000
# nodes per deleting transaction of the per-class labels (each has tens of relationships)
PER_CLASS_DELETE_BATCH = {INFLUENCE_NODE: 500, GRAPH_NODE: 2000}


def _projection(var: str, label: str, skip: tuple[str, ...] = ()) -> str:
    return ", ".join(f"{var}.`{p}` AS `{p}`" for p, _ in NODE_PROPERTIES[label] if p not in skip)


def read_password(env_var: str = "NEO4J_PASSWORD", file: str = "") -> str:
    """The Neo4j password from a file or an environment variable (never from the command line)."""
    import os
    from pathlib import Path

    if file:
        try:
            return Path(file).read_text().strip()
        except OSError as exc:
            raise BadInput(f"cannot read the Neo4j password file {file}: {exc.strerror}") from None
    value = os.environ.get(env_var)
    if not value:
        raise BadInput(f"the Neo4j password is not set: put it in the environment variable {env_var} "
                       "(or name a password file)")
    return value


class Neo4jStore(CypherLoader):
    """GraphStore and GraphLoader over a Neo4j database."""

    concurrent_writers = True  # any process may load: Load nodes carry their writer and a heartbeat

    def __init__(self, uri: str, user: str, password: str, *, database: str = "neo4j"):
        super().__init__()
        import neo4j
        from neo4j.exceptions import AuthError, ServiceUnavailable

        self.uri = uri
        self.database = database
        self._notes_schema = False  # the notes' key constraint was checked by this process
        try:
            self._driver = neo4j.GraphDatabase.driver(
                uri, auth=(user, password), connection_timeout=10, notifications_min_severity="OFF"
            )
            self._driver.verify_connectivity()
        except AuthError:
            raise StoreUnavailable(f"Neo4j at {uri} rejected user {user!r} (check the password)") from None
        except (ServiceUnavailable, OSError, ValueError) as exc:
            raise StoreUnavailable(f"cannot reach Neo4j at {uri}: {exc}") from None

    # --- plumbing -------------------------------------------------------------
    def _rows(self, query: str, params: dict[str, Any] | None = None, *, write: bool = False) -> list[Row]:
        """Run one statement: writes in a managed (retried) transaction, reads as one auto-commit round trip."""
        import neo4j
        from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

        try:
            if write:
                records, _, _ = self._driver.execute_query(
                    query, params or {}, database_=self.database, routing_=neo4j.RoutingControl.WRITE
                )
                return [dict(r) for r in records]
            left = deadline.remaining()  # the server's request deadline: Neo4j ends the query when it passes
            if left is not None and left <= 0:
                raise TimedOut(deadline.MESSAGE)
            statement = query if left is None else neo4j.Query(query, timeout=max(left, 0.001))
            with self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                result = session.run(statement, params or {})
                keys = result.keys()
                return [dict(zip(keys, values, strict=True)) for values in result.values()]
        except (ServiceUnavailable, SessionExpired) as exc:
            raise StoreUnavailable(f"Neo4j at {self.uri} went away: {exc}") from None
        except Neo4jError as exc:
            if "TimedOut" in (exc.code or ""):  # the transaction timeout above: Neo4j ended the query
                raise TimedOut(deadline.MESSAGE) from None
            raise

    def ping(self) -> bool:
        try:
            self._rows("RETURN 1 AS one")
        except StoreUnavailable:
            return False
        return True

    def close(self) -> None:
        self._driver.close()

    # --- read primitives --------------------------------------------------------
    def _fetch_models(self) -> list[Row]:
        return self._rows(models_query())

    def _fetch_active_load(self, model: str) -> str | None:
        rows = self._rows(f"MATCH (m:{MODEL} {{id: $id}}) RETURN m.active_load AS load", {"id": model})
        return rows[0]["load"] if rows else None

    def _fetch_catalogue(self, load: str) -> tuple[list[Row], list[Row], list[Row]]:
        p = {"load": load}
        classes = self._rows(f"MATCH (c:{CLASS} {{load: $load}}) RETURN {_projection('c', CLASS)}", p)
        neurons = self._rows(
            f"MATCH (n:{NEURON} {{load: $load}}) RETURN {_projection('n', NEURON, ('featurevis',))}", p)
        layers = self._rows(f"MATCH (l:{LAYER} {{load: $load}}) RETURN {_projection('l', LAYER)}", p)
        return classes, neurons, layers

    def _fetch_class_graph(
        self, load: str, class_index: int, *, with_edges: bool = True
    ) -> tuple[list[Row], list[Row]]:
        params = {"key": f"{load}|{class_index}"}
        nodes_part = (
            f"MATCH (c:{CLASS} {{key: $key}}) OPTIONAL MATCH (c)-[:{HAS_NODE}]->(g:{GRAPH_NODE}) "
            "WITH c, collect(CASE WHEN g IS NULL THEN NULL "
            "ELSE {id: g.neuron, count: g.count, pagerank: g.pagerank} END) AS nodes "
        )
        if not with_edges:
            rows = self._rows(nodes_part + "RETURN nodes", params)
            return (rows[0]["nodes"] if rows else []), []
        rows = self._rows(
            nodes_part
            + f"OPTIONAL MATCH (c)-[:{HAS_NODE}]->(a:{GRAPH_NODE})-[e:{GRAPH_EDGE}]->(b:{GRAPH_NODE}) "
            "RETURN nodes, collect(CASE WHEN e IS NULL THEN NULL "
            "ELSE {src: a.neuron, dst: b.neuron, weight: e.weight} END) AS edges",
            params,
        )
        if not rows:
            return [], []
        return rows[0]["nodes"], rows[0]["edges"]

    def _fetch_top_classes(self, load: str, neuron_id: str, limit: int) -> list[Row]:
        return self._rows(
            f"MATCH (n:{NEURON} {{key: $key}})<-[a:{ACTIVATES}]-(c:{CLASS}) "
            "RETURN c.index AS class_index, a.count AS count, a.mean AS mean "
            "ORDER BY count DESC, class_index LIMIT $limit",
            {"key": f"{load}|{neuron_id}", "limit": limit},
        )

    def _fetch_featurevis(self, load: str, neuron_ids: list[str]) -> list[Row]:
        if not neuron_ids:
            return []
        return self._rows(f"UNWIND $keys AS k MATCH (n:{NEURON} {{key: k}}) "
                          "RETURN n.id AS neuron_id, n.featurevis AS featurevis",
                          {"keys": [f"{load}|{i}" for i in neuron_ids]})

    def _fetch_examples(self, load: str, neuron_ids: list[str]) -> list[Row]:
        if not neuron_ids:
            return []
        return self._rows(
            f"UNWIND $keys AS k MATCH (n:{NEURON} {{key: k}})-[:{HAS_EXAMPLE}]->(e:{EXAMPLE}) "
            f"RETURN {_projection('e', EXAMPLE)}",
            {"keys": [f"{load}|{i}" for i in neuron_ids]},
        )

    def _influence_pattern(self, load: str, neuron_id: str, side: str) -> tuple[str, dict[str, Any]]:
        n, of = f"(:{NEURON} {{key: $key}})", neo4j_type(OF_NEURON)
        patterns = {
            "out": f"{n}<-[:{of}]-(a:{INFLUENCE_NODE})-[r:{INFLUENCES}]->(b:{INFLUENCE_NODE})",
            "in": f"(a:{INFLUENCE_NODE})-[r:{INFLUENCES}]->(b:{INFLUENCE_NODE})-[:{of}]->{n}",
        }
        return patterns[side], {"key": f"{load}|{neuron_id}"}

    def _fetch_class_influence(self, load: str, class_index: int) -> tuple[bytes | None, bytes | None]:
        rows = self._rows(f"MATCH (x:{CLASS_INFLUENCE} {{key: $key}}) RETURN x.edges AS edges, x.counts AS counts",
                          {"key": f"{load}|{class_index}"})
        if not rows:
            return None, None
        return tuple(None if rows[0][f] is None else bytes(rows[0][f]) for f in ("edges", "counts"))  # type: ignore[return-value]

    def _fetch_similar(self, load: str, class_index: int, layer: str, limit: int) -> list[Row]:
        return self._rows(
            f"MATCH (c:{CLASS} {{key: $key}})-[s:{SIMILAR}]->(o:{CLASS}) WHERE s.layer = $layer "
            "RETURN o.index AS other_index, s.cosine AS cosine ORDER BY cosine DESC, other_index LIMIT $limit",
            {"key": f"{load}|{class_index}", "layer": layer, "limit": limit},
        )

    def _fetch_embedding(self, load: str, layer: str) -> list[Row]:
        return self._rows(
            f"MATCH (p:{POINT}) WHERE p.load = $load AND p.layer = $layer "
            "RETURN p.class_index AS class_index, p.layer AS layer, p.x AS x, p.y AS y",
            {"load": load, "layer": layer},
        )

    def _fetch_suggested_groups(self, load: str) -> list[Row]:
        return self._rows(
            f"MATCH (g:{SUGGESTED_GROUP} {{load: $load}})<-[:{IN_GROUP}]-(n:{NEURON}) "
            "RETURN g.group AS group, g.layer AS layer, g.cohesion AS cohesion, n.id AS neuron_id", {"load": load})

    def _fetch_containing_nodes(self, load: str, neuron_ids: list[str]) -> list[Row]:
        return self._rows(
            f"UNWIND $keys AS k MATCH (:{NEURON} {{key: k}})<-[:{OF_NEURON}]-(g:{GRAPH_NODE})<-[:{HAS_NODE}]-(c:{CLASS}) "
            "WITH c, count(*) AS found, sum(g.pagerank) AS mass RETURN c.index AS class_index, found, mass",
            {"keys": [f"{load}|{i}" for i in neuron_ids]})

    def _fetch_containing_edges(self, load: str, srcs: list[str], dsts: list[str]) -> list[Row]:
        return self._rows(
            f"UNWIND $srcs AS k MATCH (:{NEURON} {{key: k}})<-[:{OF_NEURON}]-(a:{GRAPH_NODE})"
            f"-[:{GRAPH_EDGE}]->(b:{GRAPH_NODE}) "
            "WHERE b.neuron IN $dsts RETURN a.neuron AS src, b.neuron AS dst, a.class AS class_index",
            {"srcs": [f"{load}|{i}" for i in srcs], "dsts": dsts})

    def drop_model(self, model: str) -> None:
        from neo4j.exceptions import ClientError

        try:
            super().drop_model(model)
        except ClientError as exc:
            if "ReadOnly" in (exc.code or ""):
                raise Forbidden(f"model {model!r} cannot be dropped: the Neo4j database is read-only while "
                                "serving; drop it in a loading window (docker-compose.yml's header has the line; "
                                "without Docker, start Neo4j without NEO4J_READ_ONLY)") from None
            raise

    # --- notes (nodes of the database itself, without a load: they outlive reloads) -------
    def _notes_read(self, query: str, params: dict[str, Any]) -> list[Row]:
        return self._rows(query, params)

    def _notes_write(self, query: str, params: dict[str, Any]) -> None:
        from neo4j.exceptions import ClientError

        try:
            if not self._notes_schema:
                self._rows(f"CREATE CONSTRAINT note_key IF NOT EXISTS FOR (n:{NOTE}) REQUIRE n.key IS UNIQUE",
                           write=True)
                self._notes_schema = True
            self._rows(query, params, write=True)
        except ClientError as exc:
            if "ReadOnly" in (exc.code or ""):
                raise Forbidden("notes cannot be saved: the Neo4j database is read-only while serving "
                                "(notes can be written during a loading window)") from None
            raise

    # --- write side ---------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Constraints and indexes (idempotent; retired indexes dropped), then wait until they are online."""
        for name in NEO4J_RETIRED_INDEXES:
            self._rows(f"DROP INDEX {name} IF EXISTS", write=True)
        for statement in NEO4J_SCHEMA:
            self._rows(statement, write=True)
        self._rows("CALL db.awaitIndexes(300)", write=True)

    def _write(self, query: str, params: dict[str, Any] | None = None) -> Any:
        return self._rows(query, params, write=True)

    def _prepare_writes(self) -> None:
        self.ensure_schema()

    def _write_load_data(self, load: str, data: LoadData, batch_rows: int, say: Callable[[str], None]) -> None:
        self._write_nodes(load, data, batch_rows, say)
        self._write_rels(load, data, batch_rows, say)

    def _batches(self, frame: pl.DataFrame, batch_rows: int) -> Iterator[list[Any]]:
        for start in range(0, frame.height, batch_rows):
            yield frame.slice(start, batch_rows).rows()

    def _write_nodes(self, load: str, data: LoadData, batch_rows: int, say: Callable[[str], None]) -> None:
        for label, frame in data.node_frames().items():
            props = [p for p, _ in NODE_PROPERTIES[label]]
            sets = ", ".join(_set_property(p, kind, i) for i, (p, kind) in enumerate(NODE_PROPERTIES[label])
                             if p != "key")
            columns = [pl.col(p) for p in props]
            if label in DEPTH_LABELLED:  # a label per layer, so Browser colours by layer
                columns.append(depth_label_column(label).alias("_depth"))
                sets += f", n:$(r[{len(props)}])"
            query = (f"UNWIND $rows AS r CREATE (n:{label}) SET n.load = $load, "
                     f"n.key = $load + '|' + toString(r[0]), {sets}")
            frame = frame.select(columns)
            size = batch_rows
            if label == CLASS_INFLUENCE and frame.height:
                sizes = frame["edges"].bin.size() + frame["counts"].bin.size()
                per_row = max(1, int(sizes.max() or 1))  # type: ignore[arg-type]
                size = max(1, min(batch_rows, BLOB_BATCH_BYTES // per_row))
            for rows in self._batches(frame, size):
                self._rows(query, {"rows": rows, "load": load}, write=True)
            say(f"{label}: {frame.height} nodes")

    def _write_rels(self, load: str, data: LoadData, batch_rows: int, say: Callable[[str], None]) -> None:
        for rel, frame in data.rel_frames(load).items():
            src, dst = RELATIONSHIPS[rel]
            props = ", ".join(f"`{p}`: r[{i + 2}]" for i, (p, _) in enumerate(REL_PROPERTIES[rel]))
            query = (
                f"UNWIND $rows AS r MATCH {_endpoint('a', src, 0)} MATCH {_endpoint('b', dst, 1)} "
                f"CREATE (a)-[:{neo4j_type(rel)} {{{props}}}]->(b)"
            )
            for rows in self._batches(frame, batch_rows):
                self._rows(query, {"rows": rows, "load": load}, write=True)
            say(f"{rel}: {frame.height} relationships")

    def _delete_load_data(self, load: str) -> None:
        """Delete one load's relationships, then its nodes, in bounded transactions.

        Per-class nodes first, a few hundred per transaction with their relationships (hundreds of
        thousands of nodes: deleting their relationships separately would rescan them every batch),
        then the other labels' relationships in batches and their nodes.
        """
        for label, per_tx in PER_CLASS_DELETE_BATCH.items():
            self._until_none_left(
                f"MATCH (n:{label} {{load: $load}}) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS n",
                {"load": load, "batch": per_tx})
        for label in NODE_PROPERTIES:
            self._until_none_left(
                f"MATCH (n:{label} {{load: $load}})-[r]->() WITH r LIMIT $batch DELETE r RETURN count(*) AS n",
                {"load": load, "batch": DELETE_BATCH})
            self._until_none_left(
                f"MATCH (n:{label} {{load: $load}}) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS n",
                {"load": load, "batch": DELETE_BATCH})

    def _until_none_left(self, query: str, params: dict[str, Any]) -> None:
        """Run a bounded delete statement (returning ``n``, the rows it deleted) until it deletes nothing."""
        while True:
            done = self._rows(query, params, write=True)
            if not done or done[0]["n"] == 0:
                return


def _set_property(name: str, kind: str, column: int) -> str:
    """``SET`` item for one node property; empty lists are left unset (Browser shows no ``[]``)."""
    if kind.endswith("[]"):
        return f"n.`{name}` = CASE WHEN size(r[{column}]) = 0 THEN null ELSE r[{column}] END"
    return f"n.`{name}` = r[{column}]"


def _endpoint(var: str, label: str, column: int) -> str:
    """MATCH pattern of a relationship end: shared labels by id, per-load labels by their load-prefixed key."""
    if label in SHARED_LABELS:
        return f"({var}:{label} {{{SHARED_ID}: r[{column}]}})"
    return f"({var}:{label} {{key: $load + '|' + toString(r[{column}])}})"
