"""Offline bulk files for ``neo4j-admin database import full`` (very large artifacts).

Writes one CSV per label and relationship type (header on the first line,
arrays separated by ``;``), the same nodes, keys and properties the online
loader creates, plus the ``Model`` pointer, and returns the import command.
The import builds a whole database, so it is for a fresh (or overwritten)
database; online loads then add or replace models side by side.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import numpy as np
import polars as pl

from summit.errors import BadInput
from summit.graph_schema import (
    ACTIVE_LOAD,
    DEPTH_LABELLED,
    LOAD,
    MODEL,
    MODEL_ADDED_COLUMNS,
    NODE_PROPERTIES,
    REL_PROPERTIES,
    RELATIONSHIPS,
    SHARED_LABELS,
    neo4j_type,
)
from summit.store.prepare import LoadData, depth_label_column, new_load_id, read_load_data

ARRAY_DELIMITER = ";"
_TYPES = {
    "INT64": "long", "DOUBLE": "double", "STRING": "string", "BOOLEAN": "boolean",
    "INT64[]": "long[]", "STRING[]": "string[]", "BLOB": "byte[]",
}


def _bytes_text(blob: bytes) -> str:
    """A byte array as neo4j-admin's ``byte[]`` text: signed bytes joined by the array delimiter."""
    return ARRAY_DELIMITER.join(np.frombuffer(blob, dtype=np.int8).astype(str).tolist())


def _to_text(frame: pl.DataFrame, kinds: dict[str, str]) -> pl.DataFrame:
    cols = []
    for name, kind in kinds.items():
        col = pl.col(name)
        if kind == "BLOB":
            col = col.map_elements(_bytes_text, return_dtype=pl.Utf8)
        elif kind.endswith("[]"):
            col = col.cast(pl.List(pl.Utf8)).list.join(ARRAY_DELIMITER)
        cols.append(col.alias(name))
    return frame.select(cols)


def _write(path: Path, header: list[str], frame: pl.DataFrame) -> None:
    renamed = frame.rename(dict(zip(frame.columns, header, strict=True)))
    renamed.write_csv(path, include_header=True, quote_style="necessary")


def write_bulk_files(artifact: str | Path, out_dir: str | Path, *, database: str = "neo4j") -> list[str]:
    """Write the import CSVs for ``artifact`` into ``out_dir``; return the ``neo4j-admin`` command (argv)."""
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise BadInput(f"bulk output folder {out} is not empty; pick a new folder")
    out.mkdir(parents=True, exist_ok=True)
    data = read_load_data(artifact)
    return _write_all(data, out, database)


def _write_all(data: LoadData, out: Path, database: str) -> list[str]:
    load = new_load_id()
    args = ["neo4j-admin", "database", "import", "full", database, "--overwrite-destination",
            f"--array-delimiter={ARRAY_DELIMITER}", "--skip-duplicate-nodes=false"]
    m = data.model
    nodes, relationships = data.counts()
    model = pl.DataFrame({
        "id": [m["id"]], "active_load": [load], "name": [m["name"]], "classes": [m["classes"]],
        "images": [m["images"]], "top1_correct": [m["top1_correct"]], "dataset": [m["dataset"]],
        "created": [m["created"]], **{c: [m[c]] for c in MODEL_ADDED_COLUMNS}, "nodes": [nodes],
        "relationships": [relationships], "label": [MODEL],
    })
    _write(out / f"{MODEL}.csv", [f"id:ID({MODEL})", "active_load", "name", "classes:long", "images:long",
                                  "top1_correct:long", "dataset", "created", *MODEL_ADDED_COLUMNS, "nodes:long",
                                  "relationships:long", ":LABEL"], model)
    loads = pl.DataFrame({"id": [load], "model": [m["id"]], "created": [m["created"]], "label": [LOAD]})
    _write(out / f"{LOAD}.csv", [f"id:ID({LOAD})", "model", "created", ":LABEL"], loads)
    active = pl.DataFrame({"start": [m["id"]], "end": [load], "type": [ACTIVE_LOAD]})
    _write(out / f"{ACTIVE_LOAD}.csv", [f":START_ID({MODEL})", f":END_ID({LOAD})", ":TYPE"], active)
    args += [f"--nodes={MODEL}={out / f'{MODEL}.csv'}", f"--nodes={LOAD}={out / f'{LOAD}.csv'}",
             f"--relationships={ACTIVE_LOAD}={out / f'{ACTIVE_LOAD}.csv'}"]

    for label, frame in data.node_frames().items():
        kinds = dict(NODE_PROPERTIES[label])
        natural = next(iter(kinds))
        text = _to_text(frame, kinds)
        labels = pl.lit(label)
        if label in DEPTH_LABELLED:  # the Neo4j-only label per layer (graph_schema.depth_label)
            depth = frame.select(depth_label_column(label)).to_series()
            labels = pl.concat_str([labels, pl.lit(depth)], separator=ARRAY_DELIMITER)
        keyed = text.select(
            pl.concat_str([pl.lit(load + "|"), pl.col(natural).cast(pl.Utf8)]).alias("key"),
            pl.lit(load).alias("load"),
            *(pl.col(p) for p in kinds if p != "key"),
            labels.alias("label"),
        )
        header = [f"key:ID({label})", "load", *(f"{p}:{_TYPES[k]}" for p, k in kinds.items() if p != "key"),
                  ":LABEL"]
        _write(out / f"{label}.csv", header, keyed)
        args.append(f"--nodes={label}={out / f'{label}.csv'}")

    def end_id(column: str, label: str) -> pl.Expr:
        value = pl.col(column).cast(pl.Utf8)
        return value if label in SHARED_LABELS else pl.concat_str([pl.lit(load + "|"), value])

    for rel, frame in data.rel_frames(load).items():
        src, dst = RELATIONSHIPS[rel]
        a, b, *props = frame.columns
        keyed = frame.select(
            end_id(a, src).alias("start"),
            end_id(b, dst).alias("end"),
            *(pl.col(p) for p in props),
            pl.lit(neo4j_type(rel)).alias("type"),
        )
        header = [f":START_ID({src})", f":END_ID({dst})",
                  *(f"{p}:{_TYPES[k]}" for p, k in REL_PROPERTIES[rel]), ":TYPE"]
        _write(out / f"{rel}.csv", header, keyed)
        args.append(f"--relationships={rel}={out / f'{rel}.csv'}")
    (out / "import-command.sh").write_text(
        "#!/bin/sh\n# Run with the target database stopped; then start Neo4j and run `summit load` for\n"
        "# constraints (or the statements in summit.graph_schema.NEO4J_SCHEMA).\n"
        + " ".join(shlex.quote(x) for x in args) + "\n"
    )
    return args
