"""The write side both Cypher stores share: one load's life from creation to replacement.

Loading an artifact makes a new ``Load`` node, writes the load's data under it
(per store: embedded tables with ``COPY``, Neo4j nodes in batches), then flips
``Model.active_load`` to it in one statement and deletes the model's older loads.
A failure at any step deletes the new load, so readers see the old load or the
new one, never a mix. A store supplies only the writing and deleting of a load's
data and its write statement.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Callable
from typing import Any

from summit.errors import BadInput
from summit.graph_schema import LOAD, MODEL
from summit.store.prepare import LoadData, new_load_id, read_load_data
from summit.store.queries import CypherStore, Row

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


class CypherLoader(CypherStore):
    """CypherStore plus the GraphLoader side (load_artifact, write_load, drop_model)."""

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
        self._write(f"CREATE (:{LOAD} {{id: $id, model: $model, created: $created}})",
                    {"id": load, "model": model, "created": data.model["created"]})
        try:
            self._write_load_data(load, data, batch_rows, say)
            m = data.model
            self._write(
                f"MERGE (m:{MODEL} {{id: $id}}) SET m.active_load = $load, m.name = $name, m.classes = $classes, "
                "m.images = $images, m.top1_correct = $top1, m.dataset = $dataset, m.created = $created, "
                "m.artifact_path = $artifact_path",
                {"id": model, "load": load, "name": m["name"], "classes": m["classes"], "images": m["images"],
                 "top1": m["top1_correct"], "dataset": m["dataset"], "created": m["created"],
                 "artifact_path": m["artifact_path"]},
            )
        except BaseException:
            self._delete_load(load)
            raise
        self._delete_stale_loads(model, keep=load)
        say(f"model {model!r} now served from load {load}")
        return load

    def _delete_load(self, load: str) -> None:
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
        self._write(f"MATCH (m:{MODEL} {{id: $id}}) DELETE m", {"id": model})
        self._delete_stale_loads(model, keep=None)

    def loads(self) -> list[Row]:
        """Every load in the store (active or left over by an interrupted load), for checks."""
        return self._rows(f"MATCH (l:{LOAD}) RETURN l.id AS id, l.model AS model")
