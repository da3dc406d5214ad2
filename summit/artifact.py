"""The artifact directory: the one output of ingest and the input of every loader.

Layout (format_version 1)::

    ARTIFACT/
      manifest.json
      classes.parquet  neurons.parquet  activations.parquet  influences.parquet
      class_nodes.parquet  class_edges.parquet  embedding.parquet  similarity.parquet
      examples.parquet  featurevis.parquet  faithfulness.parquet  attr_channels.parquet
      group_suggestions.parquet
      media/examples/<layer>/<channel>_<rank>.jpg   media/featurevis/<layer>/<channel>.png

Table schemas are defined here once (``TABLES``); ``write_table`` and
``read_table`` enforce them, so a damaged or foreign artifact is reported with
the table and the problem instead of a wrong number later.

Unknown is null, never zero. An artifact imported from published results
(``summit import-summit``) lacks some measurements; those cells are null:
``classes.images``, ``classes.top1_correct``, ``classes.prob_hist``,
``activations.act_sum``, ``examples.image``, ``examples.score`` and
``featurevis.objective``. Every reader (stores, GraphQL, web app, exports)
passes null on as "not published". ``manifest["published"]`` says which
measurements an imported artifact has.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from summit.atomic import atomic_path, atomic_write_bytes
from summit.errors import ArtifactError, NotFound

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"

TABLES: dict[str, dict[str, pl.DataType | type[pl.DataType]]] = {
    # prob_hist: 20 bins of the true class's predicted probability; top1_prob_hist: 20 bins of the
    # top-1 confidence (the largest predicted probability), the histogram Summit showed.
    "classes": {
        "class_index": pl.Int32, "wnid": pl.Utf8, "name": pl.Utf8, "images": pl.Int64,
        "top1_correct": pl.Int64, "prob_hist": pl.List(pl.Int64), "top1_prob_hist": pl.List(pl.Int64),
    },
    "neurons": {"neuron_id": pl.Utf8, "layer": pl.Utf8, "layer_index": pl.Int32, "channel": pl.Int32},
    # count: A at activation_mass; graph_count: A at graph_activation_mass (same pass). Rows where
    # either is > 0.
    "activations": {"class_index": pl.Int32, "neuron_id": pl.Utf8, "count": pl.Int64,
                    "graph_count": pl.Int64, "act_sum": pl.Float64},
    "influences": {"class_index": pl.Int32, "src": pl.Utf8, "dst": pl.Utf8, "count": pl.Int64},
    "class_nodes": {"class_index": pl.Int32, "neuron_id": pl.Utf8, "pagerank": pl.Float64, "count": pl.Int64},
    "class_edges": {"class_index": pl.Int32, "src": pl.Utf8, "dst": pl.Utf8, "weight": pl.Int64},
    "embedding": {"class_index": pl.Int32, "layer": pl.Utf8, "x": pl.Float64, "y": pl.Float64},
    # Top ``similar_per_class`` most similar classes per class and layer (cosine of A rows);
    # layer "all" = cosine of the concatenated rows of every layer.
    "similarity": {"class_index": pl.Int32, "other_index": pl.Int32, "layer": pl.Utf8, "cosine": pl.Float64},
    # Suggested groups (supernodes): per layer, neurons whose class-graph edges are alike
    # (summit.graphs.groups); one row per member, ``cohesion`` = the group's mean pairwise cosine.
    "group_suggestions": {"group": pl.Int32, "layer": pl.Utf8, "neuron_id": pl.Utf8, "cohesion": pl.Float64},
    "examples": {"neuron_id": pl.Utf8, "rank": pl.Int32, "image": pl.Utf8, "score": pl.Float64, "media": pl.Utf8},
    "featurevis": {"neuron_id": pl.Utf8, "variant": pl.Int32, "media": pl.Utf8, "objective": pl.Float64},
    # A graph node's strongest one-hop inputs for the class as Summit published them
    # (ag-<k>.json "attr_channels", rank 0 = strongest). ``src_layer`` names the layer the channel
    # index belongs to: the neuron layer below for the 1x1 and pool branches (then src is a neuron),
    # the branch's bottleneck conv (e.g. "mixed4a_3x3_bottleneck") for the 3x3 and 5x5 branches,
    # which is not a neuron layer and so not an edge of ``influences``. Only imported artifacts have
    # it; ``summit export --format summit`` writes it back verbatim.
    "attr_channels": {
        "class_index": pl.Int32, "neuron_id": pl.Utf8, "rank": pl.Int32, "src_layer": pl.Utf8,
        "src_channel": pl.Int32, "inf": pl.Int64,
    },
    "faithfulness": {
        "class_index": pl.Int32, "images": pl.Int64, "graph_neurons": pl.Int64,
        "base_prob": pl.Float64, "graph_prob_drop": pl.Float64,
        "random_prob_drop_mean": pl.Float64, "random_prob_drop_std": pl.Float64,
        "base_top1": pl.Float64, "graph_top1_drop": pl.Float64,
        "random_top1_drop_mean": pl.Float64, "random_top1_drop_std": pl.Float64,
        "active_prob_drop": pl.Float64, "active_top1_drop": pl.Float64,
    },
}

# Columns added after format_version 1 was first written: an artifact (or a writer) without them
# reads as the default, so older artifacts keep loading. A null ``graph_count`` means "not recorded"
# (the graph stage then refuses the profiles that need it, naming the reason).
ADDED_COLUMNS: dict[str, dict[str, Any]] = {
    "classes": {"top1_prob_hist": None},
    "activations": {"graph_count": None},
    "faithfulness": {"active_prob_drop": None, "active_top1_drop": None},
}

# Tables every complete artifact has; the others appear when their step has run.
REQUIRED_TABLES = ("classes", "neurons", "activations", "influences")
OPTIONAL_TABLES = tuple(t for t in TABLES if t not in REQUIRED_TABLES)
# What `summit graphs` always writes. A load replaces a model's whole data, so an artifact without
# these is refused rather than loaded as a model with empty graphs (summit.store.prepare).
GRAPH_TABLES = ("class_nodes", "class_edges", "similarity")


def table_path(artifact: Path | str, table: str) -> Path:
    if table not in TABLES:
        raise ArtifactError(f"unknown artifact table {table!r}; known: {', '.join(TABLES)}")
    return Path(artifact) / f"{table}.parquet"


def empty_table(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=TABLES[table])


def _with_added(table: str, frame: Any, present: Any) -> Any:
    """``frame`` (eager or lazy) with the table's ``ADDED_COLUMNS`` that ``present`` lacks, at their defaults."""
    fills = [pl.lit(default, dtype=TABLES[table][column]).alias(column)
             for column, default in ADDED_COLUMNS.get(table, {}).items() if column not in present]
    return frame.with_columns(fills) if fills else frame


def conform(table: str, df: pl.DataFrame) -> pl.DataFrame:
    """Cast ``df`` to the table's schema (column order and dtypes); missing columns are an error
    (except ``ADDED_COLUMNS``, which get their defaults)."""
    schema = TABLES[table]
    df = _with_added(table, df, df.columns)
    missing = [c for c in schema if c not in df.columns]
    if missing:
        raise ArtifactError(f"table {table!r}: missing column(s) {', '.join(missing)}")
    try:
        return df.select([pl.col(c).cast(t, strict=True) for c, t in schema.items()])
    except pl.exceptions.PolarsError as exc:
        raise ArtifactError(f"table {table!r}: column types do not fit the schema ({exc})") from None


def write_table(artifact: Path | str, table: str, df: pl.DataFrame) -> Path:
    """Validate ``df`` against the schema and write it atomically as Parquet."""
    path = table_path(artifact, table)
    df = conform(table, df)
    with atomic_path(path) as tmp:
        df.write_parquet(tmp, compression="zstd", statistics=True)
    return path


def has_table(artifact: Path | str, table: str) -> bool:
    return table_path(artifact, table).exists()


def read_table(artifact: Path | str, table: str, *, lazy: bool = False) -> Any:
    """Read a table, checking its columns and dtypes; a missing or foreign table is an ArtifactError."""
    path = table_path(artifact, table)
    if not path.exists():
        raise ArtifactError(f"artifact {artifact}: table {table!r} is missing ({path.name})")
    try:
        frame = pl.scan_parquet(path)
        schema = frame.collect_schema()
    except Exception as exc:  # polars raises several kinds for damaged files
        raise ArtifactError(f"artifact {artifact}: table {table!r} cannot be read ({exc})") from None
    expected = TABLES[table]
    frame = _with_added(table, frame, schema)
    for column, dtype in expected.items():
        if column not in schema and column in ADDED_COLUMNS.get(table, {}):
            continue
        if column not in schema:
            raise ArtifactError(f"artifact {artifact}: table {table!r} has no column {column!r}")
        if schema[column] != dtype:
            raise ArtifactError(
                f"artifact {artifact}: table {table!r} column {column!r} is {schema[column]}, expected {dtype}"
            )
    frame = frame.select(list(expected))
    if lazy:
        return frame
    try:
        return frame.collect()
    except Exception as exc:
        raise ArtifactError(f"artifact {artifact}: table {table!r} cannot be read ({exc})") from None


def write_manifest(artifact: Path | str, manifest: Mapping[str, Any]) -> None:
    data = dict(manifest)
    data["format_version"] = FORMAT_VERSION
    atomic_write_bytes(Path(artifact) / MANIFEST, json.dumps(data, indent=2, sort_keys=True).encode())


def read_manifest(artifact: Path | str) -> dict[str, Any]:
    path = Path(artifact) / MANIFEST
    if not Path(artifact).is_dir():
        raise NotFound(f"artifact directory {artifact} does not exist")
    if not path.exists():
        raise ArtifactError(f"{artifact} is not a Summit artifact: {MANIFEST} is missing")
    try:
        manifest = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"artifact {artifact}: {MANIFEST} is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise ArtifactError(f"artifact {artifact}: {MANIFEST} must hold a JSON object")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ArtifactError(
            f"artifact {artifact}: format_version {version!r} is not supported (this Summit reads {FORMAT_VERSION})"
        )
    return manifest


def update_manifest(artifact: Path | str, **fields: Any) -> dict[str, Any]:
    manifest = read_manifest(artifact)
    manifest.update(fields)
    write_manifest(artifact, manifest)
    return manifest


def model_id(manifest: Mapping[str, Any]) -> str:
    """The key under which an artifact's model lives in a store (``manifest['run_id']``)."""
    run_id = manifest.get("run_id")
    if not isinstance(run_id, str) or not run_id:
        raise ArtifactError("manifest has no 'run_id'")
    return run_id


def dataset_name(root: str) -> str:
    """The name to show for a dataset: the last part of its folder (never the folder's full path,
    which would tell every client where the data lies on the ingest machine)."""
    parts = [part for part in str(root).replace("\\", "/").split("/") if part]
    return parts[-1] if parts else ""


def validate_references(artifact: Path | str) -> None:
    """Check that every id in every present table refers to an existing neuron or class."""
    neurons = read_table(artifact, "neurons")
    classes = read_table(artifact, "classes")
    if neurons["neuron_id"].n_unique() != neurons.height:
        raise ArtifactError(f"artifact {artifact}: table 'neurons' has duplicate neuron ids")
    if classes["class_index"].n_unique() != classes.height:
        raise ArtifactError(f"artifact {artifact}: table 'classes' has duplicate class indices")
    neuron_set = neurons.select("neuron_id").lazy()
    class_set = classes.select("class_index").lazy()
    refs = {
        "activations": (["class_index"], ["neuron_id"]),
        "influences": (["class_index"], ["src", "dst"]),
        "class_nodes": (["class_index"], ["neuron_id"]),
        "class_edges": (["class_index"], ["src", "dst"]),
        "embedding": (["class_index"], []),
        "similarity": (["class_index", "other_index"], []),
        "examples": ([], ["neuron_id"]),
        "featurevis": ([], ["neuron_id"]),
        "faithfulness": (["class_index"], []),
        "attr_channels": (["class_index"], ["neuron_id"]),
        "group_suggestions": ([], ["neuron_id"]),
    }
    for table, (class_cols, neuron_cols) in refs.items():
        if not has_table(artifact, table):
            continue
        frame = read_table(artifact, table, lazy=True)
        for col in class_cols:
            bad = frame.select(pl.col(col).alias("class_index")).join(class_set, on="class_index", how="anti")
            first = bad.head(1).collect()
            if first.height:
                raise ArtifactError(
                    f"artifact {artifact}: table {table!r} column {col!r} refers to unknown class "
                    f"{first.item()}"
                )
        for col in neuron_cols:
            bad = frame.select(pl.col(col).alias("neuron_id")).join(neuron_set, on="neuron_id", how="anti")
            first = bad.head(1).collect()
            if first.height:
                raise ArtifactError(
                    f"artifact {artifact}: table {table!r} column {col!r} refers to unknown neuron "
                    f"{first.item()!r}"
                )
    if has_table(artifact, "attr_channels"):
        _check_attr_sources(artifact, neurons)


def _check_attr_sources(artifact: Path | str, neurons: pl.DataFrame) -> None:
    """Inputs from a neuron layer must be neurons; other source layers are bottleneck convs."""
    layers = neurons.select("layer").unique()
    frame = read_table(artifact, "attr_channels", lazy=True).join(layers.lazy(), left_on="src_layer",
                                                                  right_on="layer", how="semi")
    bad = (frame.select(pl.concat_str([pl.col("src_layer"), pl.col("src_channel").cast(pl.Utf8)], separator=":")
                        .alias("neuron_id"))
           .join(neurons.select("neuron_id").lazy(), on="neuron_id", how="anti").head(1).collect())
    if bad.height:
        raise ArtifactError(
            f"artifact {artifact}: table 'attr_channels' refers to unknown neuron {bad.item()!r}")


def open_artifact(artifact: Path | str, *, check_references: bool = True) -> dict[str, Any]:
    """Read and validate an artifact's manifest and required tables; return the manifest."""
    manifest = read_manifest(artifact)
    for table in REQUIRED_TABLES:
        read_table(artifact, table, lazy=True)
    if check_references:
        validate_references(artifact)
    return manifest
