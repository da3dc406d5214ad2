"""The write side both Cypher stores share: one load's life from creation to replacement.

Loading an artifact makes a new ``Load`` node, writes the load's data under it
(per store: embedded tables with ``COPY``, Neo4j nodes in batches), then flips
``Model.active_load`` to it in one statement and deletes the model's older loads.
A failure at any step deletes the new load, so readers see the old load or the
new one, never a mix (and a read that met a deletion is redone:
``summit.store.consistency``). A store supplies only the writing and deleting of a
load's data and its write statement.

A load killed outright (``kill -9``, a power cut) leaves its ``Load`` node and data
behind, never active. ``remove_orphans`` deletes such loads; ``summit load`` and
``summit serve`` call it when they open a store. On Neo4j, where other processes may be
loading at the same moment, a load counts as orphaned only when the process that wrote
it is gone (same host) or its heartbeat (``HEARTBEAT_S``) stopped ``STALE_S`` ago.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import socket
import threading
import time
from abc import abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from summit.errors import BadInput
from summit.graph_schema import ACTIVE_LOAD, LOAD, MODEL, MODEL_ADDED_COLUMNS
from summit.store.owner import pid_alive
from summit.store.prepare import LoadData, new_load_id, read_load_data
from summit.store.queries import CypherStore, Row

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
HEARTBEAT_S = 30.0  # how often a load being written says it is alive (stores with concurrent writers)
STALE_S = 600.0  # a load whose heartbeat stopped this long ago is an orphan, whoever wrote it


class CypherLoader(CypherStore):
    """CypherStore plus the GraphLoader side (load_artifact, write_load, drop_model, remove_orphans)."""

    # Loads in other processes are possible (Neo4j): Load nodes carry their writer and a heartbeat.
    concurrent_writers = False

    def __init__(self) -> None:
        super().__init__()
        self._retired = 0  # loads whose deletion this process started (see _delete_load)

    # --- what a store implements ------------------------------------------------
    @abstractmethod
    def _write(self, query: str, params: dict[str, Any] | None = None) -> Any: ...  # one write statement

    @abstractmethod
    def _write_load_data(self, load: str, data: LoadData, batch_rows: int, say: Progress) -> None: ...

    @abstractmethod
    def _delete_load_data(self, load: str) -> None: ...  # the load's nodes/tables, not its Load node

    def _check_writable(self) -> None:
        """Raise BadInput when the store cannot be written (e.g. opened read-only)."""

    def _prepare_writes(self) -> None:
        """Anything a load needs first (e.g. Neo4j's constraints)."""

    # --- the shared cycle -------------------------------------------------------------
    def load_artifact(self, artifact: str, *, batch_rows: int = 20000, progress: Progress | None = None) -> str:
        """Load ``artifact`` as a new load of its model, flip the model to it, drop the previous load."""
        self._check_writable()
        if batch_rows < 1:
            raise BadInput(f"batch_rows must be >= 1, got {batch_rows}")
        data = read_load_data(artifact)
        self.write_load(data, batch_rows=batch_rows, progress=progress)
        return str(data.model["id"])

    def write_load(self, data: LoadData, *, batch_rows: int = 20000, progress: Progress | None = None) -> str:
        """Write prepared ``data`` as a new load (see the module docstring); returns the load id."""
        self._check_writable()
        say = progress or (lambda msg: log.info("%s", msg))
        model = str(data.model["id"])
        self._prepare_writes()
        load = new_load_id()
        started = time.perf_counter()
        owner = self._owner() if self.concurrent_writers else {}
        fields = ", ".join(f"{k}: ${k}" for k in ("id", "model", "created", *owner))
        self._write(f"CREATE (:{LOAD} {{{fields}}})", {"id": load, "model": model, "created": data.model["created"],
                                                      **owner})
        try:
            with self._heartbeat(load):
                self._write_load_data(load, data, batch_rows, say)
            m = data.model
            nodes, relationships = data.counts()
            # One statement: the pointer (property for the stores, relationship for Cypher users) moves at once.
            self._write(
                f"MERGE (m:{MODEL} {{id: $id}}) SET m.active_load = $load, m.name = $name, m.classes = $classes, "
                "m.images = $images, m.top1_correct = $top1, m.dataset = $dataset, m.created = $created, "
                + ", ".join(f"m.{c} = ${c}" for c in MODEL_ADDED_COLUMNS)
                + ", m.nodes = $nodes, m.relationships = $relationships, m.load_seconds = $seconds, m.loaded = $loaded "
                f"WITH m OPTIONAL MATCH (m)-[old:{ACTIVE_LOAD}]->(:{LOAD}) DELETE old "
                f"WITH DISTINCT m MATCH (l:{LOAD} {{id: $load}}) CREATE (m)-[:{ACTIVE_LOAD}]->(l)",
                {"id": model, "load": load, "name": m["name"], "classes": m["classes"], "images": m["images"],
                 "top1": m["top1_correct"], "dataset": m["dataset"], "created": m["created"],
                 **{c: m[c] for c in MODEL_ADDED_COLUMNS}, "nodes": nodes, "relationships": relationships,
                 "seconds": round(time.perf_counter() - started, 3),
                 "loaded": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")},
            )
        except BaseException:
            self._delete_load(load)
            raise
        self._delete_stale_loads(model, keep=load)
        say(f"model {model!r} now served from load {load}")
        return load

    @staticmethod
    def _owner() -> dict[str, Any]:
        return {"host": socket.gethostname(), "pid": os.getpid(), "heartbeat": time.time()}

    @contextmanager
    def _heartbeat(self, load: str) -> Iterator[None]:
        """While a load's data is written, refresh its heartbeat (stores with concurrent writers)."""
        if not self.concurrent_writers:
            yield
            return
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(HEARTBEAT_S):
                try:
                    self._write(f"MATCH (l:{LOAD} {{id: $id}}) SET l.heartbeat = $now", {"id": load, "now": time.time()})
                except Exception as exc:  # the load itself will fail and say why
                    log.debug("heartbeat of load %s failed: %s", load, exc)

        thread = threading.Thread(target=beat, name=f"heartbeat-{load}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def _delete_load(self, load: str) -> None:
        self._retired += 1  # before any data goes: readers of this load will see the count move
        self._delete_load_data(load)
        self._write(f"MATCH (l:{LOAD} {{id: $id}}) DELETE l", {"id": load})
        with self._cache_lock:
            self._caches.pop(load, None)

    def _delete_stale_loads(self, model: str, keep: str | None) -> None:
        rows = self._rows(f"MATCH (l:{LOAD}) WHERE l.model = $model RETURN l.id AS id", {"model": model})
        for row in rows:
            if row["id"] != keep:
                self._delete_load(row["id"])

    def drop_model(self, model: str) -> None:
        self._check_writable()
        self._load(model)  # NotFound for an unknown model
        self._write(f"MATCH (m:{MODEL} {{id: $id}}) DETACH DELETE m", {"id": model})
        self._delete_stale_loads(model, keep=None)

    def loads(self) -> list[Row]:
        """Every load in the store (active or left over by an interrupted load), for checks."""
        return self._rows(f"MATCH (l:{LOAD}) RETURN l.id AS id, l.model AS model")

    # --- interrupted loads ------------------------------------------------------------
    def _owners(self) -> list[Row]:
        """Every load with its writer (id, host, pid, heartbeat; None where a store does not record them)."""
        if not self.concurrent_writers:
            return [{**r, "host": None, "pid": None, "heartbeat": None} for r in self.loads()]
        return self._rows(f"MATCH (l:{LOAD}) RETURN l.id AS id, l.model AS model, l.host AS host, "
                          "l.pid AS pid, l.heartbeat AS heartbeat")

    def _is_orphan(self, row: Row, now: float) -> bool:
        """Is this inactive load dead (its writer gone), rather than being written right now?"""
        if not self.concurrent_writers or row["heartbeat"] is None:
            return True  # one writer (this process), or a load from before heartbeats
        if row["host"] == socket.gethostname() and row["pid"] is not None and not pid_alive(int(row["pid"])):
            return True
        return now - float(row["heartbeat"]) > STALE_S

    def _delete_unreferenced(self, keep: set[str]) -> list[str]:
        """Data of loads that have no Load node at all (a store that can find it); returns their ids."""
        del keep
        return []

    def remove_orphans(self) -> list[str]:
        """Delete what interrupted loads left behind (see the module docstring); returns the load ids removed."""
        self._check_writable()
        active = {r["load"] for r in self._rows(f"MATCH (m:{MODEL}) RETURN m.active_load AS load")}
        now = time.time()
        removed = []
        for row in self._owners():
            if row["id"] not in active and self._is_orphan(row, now):
                self._delete_load(row["id"])
                removed.append(str(row["id"]))
        removed += self._delete_unreferenced(active | {str(r["id"]) for r in self.loads()})
        if removed:
            log.info("removed %d orphaned load(s) left by interrupted loads: %s", len(removed), ", ".join(removed))
        return removed
