"""CSV of every artifact table present (``<table>.csv``), optionally for one class.

List columns (``classes.prob_hist``) are written as space-separated numbers.
With a class, tables with a ``class_index`` column keep only that class's rows
(``similarity`` keeps rows where it is ``class_index``); the others are written whole.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from summit.artifact import TABLES, has_table, read_table
from summit.errors import NotFound


def export_csv(artifact: Path | str, out: Path | str, class_index: int | None = None) -> list[Path]:
    if class_index is not None and class_index not in read_table(artifact, "classes")["class_index"].to_list():
        raise NotFound(f"class {class_index} is not in artifact {artifact}")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table, schema in TABLES.items():
        if not has_table(artifact, table):
            continue
        frame = read_table(artifact, table, lazy=True)
        if class_index is not None and "class_index" in schema:
            frame = frame.filter(pl.col("class_index") == class_index)
        lists = [c for c, t in schema.items() if isinstance(t, pl.List)]
        if lists:
            frame = frame.with_columns(
                [pl.col(c).cast(pl.List(pl.Utf8)).list.join(" ").alias(c) for c in lists])
        path = folder / f"{table}.csv"
        frame.sink_csv(path)
        written.append(path)
    return written
