import json

import polars as pl
import pytest

from summit import artifact
from summit.errors import ArtifactError, NotFound


def _minimal(tmp_path):
    artifact.write_manifest(tmp_path, {"run_id": "m1"})
    artifact.write_table(tmp_path, "classes", pl.DataFrame({
        "class_index": [0, 1], "wnid": ["n1", "n2"], "name": ["a", "b"], "images": [2, 3],
        "top1_correct": [1, 3], "prob_hist": [[0] * 20, [1] * 20],
    }))
    artifact.write_table(tmp_path, "neurons", pl.DataFrame({
        "neuron_id": ["l1:0", "l1:1", "l2:0"], "layer": ["l1", "l1", "l2"],
        "layer_index": [0, 0, 1], "channel": [0, 1, 0],
    }))
    artifact.write_table(tmp_path, "activations", pl.DataFrame({
        "class_index": [0], "neuron_id": ["l1:1"], "count": [2], "act_sum": [1.5],
    }))
    artifact.write_table(tmp_path, "influences", pl.DataFrame({
        "class_index": [1], "src": ["l1:0"], "dst": ["l2:0"], "count": [3],
    }))
    return tmp_path


def test_round_trip_keeps_schema_and_values(tmp_path):
    root = _minimal(tmp_path)
    manifest = artifact.open_artifact(root)
    assert manifest["format_version"] == artifact.FORMAT_VERSION
    assert artifact.model_id(manifest) == "m1"
    classes = artifact.read_table(root, "classes")
    assert classes.schema == pl.Schema(artifact.TABLES["classes"])
    assert classes["prob_hist"].to_list()[1] == [1] * 20


def test_missing_column_is_named(tmp_path):
    with pytest.raises(ArtifactError, match="missing column"):
        artifact.write_table(tmp_path, "neurons", pl.DataFrame({"neuron_id": ["a:0"]}))


def test_wrong_dtype_on_disk_is_named(tmp_path):
    root = _minimal(tmp_path)
    pl.DataFrame(
        {"class_index": [0], "neuron_id": ["l1:1"], "count": ["two"], "act_sum": [1.0]},
        schema_overrides={"class_index": pl.Int32},
    ).write_parquet(
        root / "activations.parquet"
    )
    with pytest.raises(ArtifactError, match="'activations' column 'count'"):
        artifact.open_artifact(root)


def test_damaged_table_is_named(tmp_path):
    root = _minimal(tmp_path)
    (root / "influences.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(ArtifactError, match="'influences'"):
        artifact.open_artifact(root)


def test_dangling_references_are_named(tmp_path):
    root = _minimal(tmp_path)
    artifact.write_table(root, "influences", pl.DataFrame({
        "class_index": [1], "src": ["l1:0"], "dst": ["l9:0"], "count": [3],
    }))
    with pytest.raises(ArtifactError, match="'influences' column 'dst' refers to unknown neuron 'l9:0'"):
        artifact.open_artifact(root)
    artifact.write_table(root, "influences", pl.DataFrame({
        "class_index": [7], "src": ["l1:0"], "dst": ["l2:0"], "count": [3],
    }))
    with pytest.raises(ArtifactError, match="unknown class 7"):
        artifact.open_artifact(root)


def test_foreign_or_missing_manifest(tmp_path):
    with pytest.raises(NotFound):
        artifact.read_manifest(tmp_path / "nope")
    with pytest.raises(ArtifactError, match="not a Summit artifact"):
        artifact.read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format_version": 99}))
    with pytest.raises(ArtifactError, match="format_version 99"):
        artifact.read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("{oops")
    with pytest.raises(ArtifactError, match="not valid JSON"):
        artifact.read_manifest(tmp_path)


def test_missing_required_table(tmp_path):
    root = _minimal(tmp_path)
    (root / "neurons.parquet").unlink()
    with pytest.raises(ArtifactError, match="table 'neurons' is missing"):
        artifact.open_artifact(root)


def test_written_files_are_readable_by_other_users(tmp_path):
    root = _minimal(tmp_path)
    for name in ("manifest.json", "classes.parquet"):
        assert (root / name).stat().st_mode & 0o044 == 0o044, name


def test_columns_added_later_read_as_their_defaults(tmp_path):
    """An artifact written before graph_count / top1_prob_hist / the most-active columns existed."""
    root = _minimal(tmp_path)
    pl.DataFrame({"class_index": [0], "neuron_id": ["l1:1"], "count": [2], "act_sum": [1.5]},
                 schema_overrides={"class_index": pl.Int32}).write_parquet(root / "activations.parquet")
    pl.DataFrame({"class_index": [0, 1], "wnid": ["n1", "n2"], "name": ["a", "b"], "images": [2, 3],
                  "top1_correct": [1, 3], "prob_hist": [[0] * 20, [1] * 20]},
                 schema_overrides={"class_index": pl.Int32}).write_parquet(root / "classes.parquet")
    acts = artifact.read_table(root, "activations")
    assert acts.schema == pl.Schema(artifact.TABLES["activations"])
    assert acts["graph_count"].to_list() == [None]
    assert artifact.read_table(root, "classes")["top1_prob_hist"].to_list() == [None, None]  # not recorded
    from summit.errors import ArtifactError as Error
    from summit.graphs import build_graphs
    from summit.settings import resolve

    build_graphs(root, resolve({"graph_method": "summit"}, environ={}), embedding=False)  # 1 % counts: fine
    with pytest.raises(Error, match="no activation counts at graph_activation_mass"):
        build_graphs(root, resolve({"graph_method": "summit-unified"}, environ={}), embedding=False)
