"""Consistency checks for the tables ``build_graphs`` writes (beyond schema and id references).

``summit.artifact.validate_references`` checks that ids exist; this adds what
only makes sense for graph tables: graph edges join kept nodes of the same
class, one row per (class, neuron) / (class, src, dst), PageRank in [0, 1],
and embedding / similarity layers that exist. Errors name the table.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from summit.artifact import has_table, read_table, validate_references
from summit.errors import ArtifactError
from summit.graphs.similarity import ALL_LAYERS


def validate_graph_tables(artifact: Path | str, *, references: bool = True) -> None:
    if references:
        validate_references(artifact)
    layers = set(read_table(artifact, "neurons")["layer"].unique().to_list())
    if has_table(artifact, "class_nodes"):
        nodes = read_table(artifact, "class_nodes")
        if nodes.select(pl.struct("class_index", "neuron_id").is_duplicated().any()).item():
            raise ArtifactError(f"artifact {artifact}: table 'class_nodes' lists a neuron twice for one class")
        if nodes.height and not nodes.select(pl.col("pagerank").is_between(0.0, 1.0).all()).item():
            raise ArtifactError(f"artifact {artifact}: table 'class_nodes' has PageRank outside [0, 1]")
        if has_table(artifact, "class_edges"):
            edges = read_table(artifact, "class_edges")
            kept = nodes.select("class_index", "neuron_id")
            for end in ("src", "dst"):
                loose = edges.join(kept.rename({"neuron_id": end}), on=["class_index", end], how="anti")
                if loose.height:
                    row = loose.row(0, named=True)
                    raise ArtifactError(
                        f"artifact {artifact}: table 'class_edges' edge {row['src']!r} -> {row['dst']!r} of "
                        f"class {row['class_index']} has a {end} that is not in that class's graph")
    for table, allowed in (("embedding", layers), ("similarity", layers | {ALL_LAYERS})):
        if has_table(artifact, table):
            unknown = set(read_table(artifact, table)["layer"].unique().to_list()) - allowed
            if unknown:
                raise ArtifactError(f"artifact {artifact}: table {table!r} refers to unknown layer "
                                    f"{sorted(unknown)[0]!r}")
