"""Damaged or foreign artifacts get an error naming the table and the problem (exit code 4)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from summit.artifact import read_table
from summit.cli import main
from summit.errors import ArtifactError
from summit.graphs import build_graphs
from summit.settings import resolve
from summit.synth import write_synthetic_artifact


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("valid") / "art"
    write_synthetic_artifact(path, classes=4, channels=(3, 4, 5), with_graphs=False, with_media=False)
    return path


@pytest.fixture
def art(pristine: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(pristine, tmp_path / "art"))


def _graphs_error(art: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["graphs", str(art), "--no-embedding"]) == 4
    return capsys.readouterr().err


def test_valid_artifact_builds(art: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graphs", str(art)]) == 0
    assert "4 classes" in capsys.readouterr().out
    manifest = json.loads((art / "manifest.json").read_text())
    assert manifest["graphs"]["graph_mass"] == resolve(environ={}).graph_mass
    assert manifest["graphs"]["graph_method"] == resolve(environ={}).graph_method
    assert manifest["timings"]["graphs_pagerank_s"] >= 0
    assert read_table(art, "class_nodes").height > 0


def test_graph_method_and_no_embedding_output(art: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graphs", str(art)]) == 0
    assert "embedding" in capsys.readouterr().out
    # a rebuild without the embedding prints no (stale) embedding time, and names the rules used
    assert main(["graphs", str(art), "--no-embedding", "--graph-method", "summit-unified"]) == 0
    out = capsys.readouterr().out
    assert "embedding" not in out
    assert "graphs by summit-unified" in out
    manifest = json.loads((art / "manifest.json").read_text())
    assert manifest["graphs"]["graph_method"] == "summit-unified"
    assert manifest["graphs"]["embedding_rebuilt"] is False
    assert manifest["graphs"]["embedding_method"] == "pca"  # the embedding table from before stays valid
    assert main(["graphs", str(art), "--no-embedding", "--graph-method", "explorer", "--graph-mass", "0.2"]) == 0
    assert "graphs by explorer with graph_mass=0.2" in capsys.readouterr().out
    assert main(["graphs", str(art), "--graph-method", "nope"]) == 2
    assert "'nope' is not one of summit, summit-unified, explorer" in capsys.readouterr().err


def test_damaged_parquet(art: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = (art / "influences.parquet").read_bytes()
    (art / "influences.parquet").write_bytes(data[: len(data) // 2])
    err = _graphs_error(art, capsys)
    assert "table 'influences' cannot be read" in err


def test_wrong_column_type(art: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = pl.read_parquet(art / "activations.parquet").with_columns(pl.col("count").cast(pl.Float64))
    frame.write_parquet(art / "activations.parquet")
    err = _graphs_error(art, capsys)
    assert "table 'activations' column 'count' is Float64, expected Int64" in err


def test_missing_column(art: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pl.read_parquet(art / "influences.parquet").drop("dst").write_parquet(art / "influences.parquet")
    assert "table 'influences' has no column 'dst'" in _graphs_error(art, capsys)


def test_dangling_neuron_id(art: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = pl.read_parquet(art / "influences.parquet")
    frame = frame.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("mixed3b:99"))
                               .otherwise(pl.col("src")).alias("src"))
    frame.write_parquet(art / "influences.parquet")
    assert "table 'influences' column 'src' refers to unknown neuron 'mixed3b:99'" in _graphs_error(art, capsys)
    with pytest.raises(ArtifactError, match="unknown neuron 'mixed3b:99'"):
        build_graphs(art)


def test_unknown_class(art: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = pl.read_parquet(art / "activations.parquet")
    frame = frame.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(17, pl.Int32))
                               .otherwise(pl.col("class_index")).alias("class_index"))
    frame.write_parquet(art / "activations.parquet")
    assert "table 'activations' column 'class_index' refers to unknown class 17" in _graphs_error(art, capsys)


def test_edge_skipping_a_layer(art: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = pl.read_parquet(art / "influences.parquet")
    bad = frame.head(1).with_columns(pl.lit("mixed3a:0").alias("src"), pl.lit("mixed4a:0").alias("dst"))
    pl.concat([frame, bad]).write_parquet(art / "influences.parquet")
    assert "'mixed3a:0' -> 'mixed4a:0' does not go from one layer to the next" in _graphs_error(art, capsys)


def test_wrong_format_version_and_foreign_dirs(art: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = json.loads((art / "manifest.json").read_text())
    manifest["format_version"] = 99
    (art / "manifest.json").write_text(json.dumps(manifest))
    assert "format_version 99 is not supported" in _graphs_error(art, capsys)
    (tmp_path / "empty").mkdir()
    assert main(["graphs", str(tmp_path / "empty")]) == 4
    assert "is not a Summit artifact" in capsys.readouterr().err
    assert main(["graphs", str(tmp_path / "nowhere")]) == 3
    assert "does not exist" in capsys.readouterr().err


def test_missing_table(art: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (art / "neurons.parquet").unlink()
    assert "table 'neurons' is missing" in _graphs_error(art, capsys)


def test_bad_settings(art: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graphs", str(art), "--damping", "1.5"]) == 2
    assert "damping" in capsys.readouterr().err


def test_graph_table_consistency(pristine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from summit.graphs.validate import validate_graph_tables

    art = Path(shutil.copytree(pristine, tmp_path / "g"))
    build_graphs(art)
    validate_graph_tables(art)
    edges = pl.read_parquet(art / "class_edges.parquet")
    nodes = pl.read_parquet(art / "class_nodes.parquet")
    # an edge whose endpoint is not kept for that class
    first = edges.row(0, named=True)
    nodes.filter(~((pl.col("class_index") == first["class_index"]) & (pl.col("neuron_id") == first["src"]))
                 ).write_parquet(art / "class_nodes.parquet")
    with pytest.raises(ArtifactError, match=r"table 'class_edges' edge .* has a src that is not in that class"):
        validate_graph_tables(art)
    assert main(["export", str(art), str(tmp_path / "out")]) == 4
    assert "table 'class_edges'" in capsys.readouterr().err
    pl.concat([nodes, nodes.head(1)]).write_parquet(art / "class_nodes.parquet")
    with pytest.raises(ArtifactError, match="lists a neuron twice"):
        validate_graph_tables(art)
    nodes.write_parquet(art / "class_nodes.parquet")
    emb = pl.read_parquet(art / "embedding.parquet")
    emb.with_columns(pl.lit("conv9").alias("layer")).write_parquet(art / "embedding.parquet")
    with pytest.raises(ArtifactError, match="table 'embedding' refers to unknown layer 'conv9'"):
        validate_graph_tables(art)
