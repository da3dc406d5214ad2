"""Loading: reload idempotence, models side by side, atomic replacement, the CLI and bulk files."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from summit.cli import main
from summit.errors import ArtifactError
from tests.store.conftest import STORES, unique_model
from tests.store.tiny import INFLUENCES, write_tiny_artifact


def snapshot(store: Any, model: str) -> tuple[Any, ...]:
    """Answers of every query kind, to compare loads."""
    return (
        store.model(model), store.classes(model), store.class_graph(model, 0), store.compare(model, 0, 1),
        store.neuron_detail(model, "conv1:0"), store.paths(model, 0, "conv1:0", None, k=5, mode="sum"),
        store.neighbourhood(model, 0, "conv2:1", hops=2), store.similar_classes(model, 0, layer=None, limit=5),
        store.search(model, "n01", limit=10), store.embedding(model, "fc"),
        store.influence_edges(model, "conv2:0", class_index=None, direction="both", limit=10),
    )


@pytest.mark.parametrize("kind", STORES)
def test_reload_is_idempotent(kind: str, make_store: Callable[[str], Any], tmp_path: Path) -> None:
    store = make_store(kind)
    model = unique_model()
    path = write_tiny_artifact(tmp_path / "a", run_id=model)
    store.load_artifact(str(path), batch_rows=2)
    first = snapshot(store, model)
    store.load_artifact(str(path), batch_rows=1000)  # batch size changes nothing
    assert snapshot(store, model) == first
    assert [x["model"] for x in store.loads()].count(model) == 1


@pytest.mark.parametrize("kind", STORES)
def test_models_side_by_side(kind: str, make_store: Callable[[str], Any], tmp_path: Path) -> None:
    store = make_store(kind)
    a, b = unique_model("a"), unique_model("b")
    store.load_artifact(str(write_tiny_artifact(tmp_path / "a", run_id=a)), batch_rows=5)
    store.load_artifact(str(write_tiny_artifact(tmp_path / "b", run_id=b, name_suffix=" B")), batch_rows=5)
    b_before = snapshot(store, b)
    assert store.classes(b)[0].name == "tench, Tinca tinca B"
    assert store.classes(a)[0].name == "tench, Tinca tinca"
    store.load_artifact(str(write_tiny_artifact(tmp_path / "a2", run_id=a, name_suffix=" v2")), batch_rows=5)
    assert store.classes(a)[0].name == "tench, Tinca tinca v2"
    assert snapshot(store, b) == b_before
    store.drop_model(a)
    assert a not in [m.id for m in store.models()]
    assert snapshot(store, b) == b_before


@pytest.mark.parametrize("kind", STORES)
def test_failed_reload_keeps_the_old_model(
    kind: str, make_store: Callable[[str], Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(kind)
    model = unique_model()
    store.load_artifact(str(write_tiny_artifact(tmp_path / "a", run_id=model)), batch_rows=4)
    before = snapshot(store, model)
    loads_before = store.loads()
    target = "_write_load_data"  # each store's writing of a load's data (summit.store.lifecycle)
    real = getattr(store, target)

    def half_then_fail(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)  # everything written ...
        raise KeyboardInterrupt  # ... then interrupted before the flip

    monkeypatch.setattr(store, target, half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        store.load_artifact(str(write_tiny_artifact(tmp_path / "b", run_id=model, name_suffix=" new")), batch_rows=4)
    assert snapshot(store, model) == before
    assert store.loads() == loads_before


@pytest.mark.parametrize("kind", STORES)
def test_artifact_without_graphs_never_replaces_a_model(
    kind: str, make_store: Callable[[str], Any], tmp_path: Path
) -> None:
    """Issue 20: an artifact lacking class_nodes/class_edges once replaced a model's graphs with empty ones."""
    store = make_store(kind)
    model = unique_model()
    store.load_artifact(str(write_tiny_artifact(tmp_path / "a", run_id=model)), batch_rows=4)
    before, loads_before = snapshot(store, model), store.loads()
    partial = write_tiny_artifact(tmp_path / "b", run_id=model, name_suffix=" partial")
    for table in ("class_nodes", "class_edges"):
        (partial / f"{table}.parquet").unlink()
    with pytest.raises(ArtifactError, match=r"no attribution graphs \(class_nodes, class_edges missing\)") as refused:
        store.load_artifact(str(partial))
    assert f"summit graphs {partial}" in str(refused.value)
    assert snapshot(store, model) == before
    assert store.loads() == loads_before
    assert len(store.class_graph(model, 0).edges) == 5


def test_cli_refuses_an_artifact_without_graphs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_tiny_artifact(tmp_path / "a", run_id="cli-partial")
    (path / "similarity.parquet").unlink()
    assert main(["load", str(path), "--embedded", str(tmp_path / "db")]) == 4
    err = capsys.readouterr().err
    assert "similarity missing" in err
    assert f"run `summit graphs {path}` first" in err
    assert "Traceback" not in err


def test_damaged_artifact_is_refused_before_writing(make_store: Callable[[str], Any], tmp_path: Path) -> None:
    store = make_store("embedded")
    path = write_tiny_artifact(tmp_path / "a", run_id=unique_model())
    (path / "influences.parquet").write_bytes(b"not parquet")
    with pytest.raises(ArtifactError, match="influences"):
        store.load_artifact(str(path))
    assert store.loads() == []
    assert store.models() == []


def test_cli_load_embedded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_tiny_artifact(tmp_path / "a", run_id="cli-model")
    assert main(["load", str(path), "--embedded", str(tmp_path / "db")]) == 0
    out = capsys.readouterr().out
    assert "loaded model 'cli-model'" in out
    assert "rows/s" in out
    from summit.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "db", read_only=True)
    try:
        assert [m.id for m in store.models()] == ["cli-model"]
    finally:
        store.close()


def test_cli_refuses_password_and_reports_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(tmp_path), "--neo4j", "bolt://127.0.0.1:1", "--password", "hunter2"]) == 2
    err = capsys.readouterr().err
    assert "never pass the Neo4j password" in err
    assert "hunter2" not in err
    assert main(["load", str(tmp_path / "missing"), "--embedded", str(tmp_path / "db")]) == 3
    assert "does not exist" in capsys.readouterr().err
    path = write_tiny_artifact(tmp_path / "a", run_id="x")
    env = "SUMMIT_TEST_UNSET_PASSWORD_VAR"
    os.environ.pop(env, None)
    assert main(["load", str(path), "--neo4j", "bolt://127.0.0.1:1", "--password-env", env]) == 2
    assert env in capsys.readouterr().err


@pytest.mark.neo4j
def test_cli_load_neo4j(tmp_path: Path, neo4j_auth: Any, capsys: pytest.CaptureFixture[str],
                        monkeypatch: pytest.MonkeyPatch) -> None:
    model = unique_model("cli")
    path = write_tiny_artifact(tmp_path / "a", run_id=model)
    monkeypatch.setenv("H5_TEST_PW", neo4j_auth.password)
    code = main(["load", str(path), "--neo4j", neo4j_auth.uri, "--user", neo4j_auth.user,
                 "--password-env", "H5_TEST_PW", "--batch", "2"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert neo4j_auth.password not in captured.out + captured.err
    from summit.store.neo4j_store import Neo4jStore

    store = Neo4jStore(neo4j_auth.uri, neo4j_auth.user, neo4j_auth.password)
    try:
        assert len(store.class_graph(model, 0).edges) == 5
    finally:
        store.drop_model(model)
        store.close()


def test_bulk_files_are_well_formed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_tiny_artifact(tmp_path / "a", run_id="bulk-model")
    out = tmp_path / "bulk"
    assert main(["load", str(path), "--bulk", str(out)]) == 0
    command = capsys.readouterr().out
    assert "neo4j-admin database import full" in command
    assert "--relationships=INFLUENCES=" in command
    ids: dict[str, set[str]] = {}
    tables: dict[str, list[dict[str, str]]] = {}
    for file in sorted(out.glob("*.csv")):
        with file.open(newline="") as handle:
            rows = list(csv.reader(handle))
        header, body = rows[0], rows[1:]
        assert all(len(r) == len(header) for r in body), file.name
        tables[file.stem] = [dict(zip(header, r, strict=True)) for r in body]
        id_col = next((h for h in header if ":ID(" in h), None)
        if id_col:
            values = [r[header.index(id_col)] for r in body]
            assert len(set(values)) == len(values), f"duplicate ids in {file.name}"
            ids[id_col.split("(")[1].rstrip(")")] = set(values)
    for file_rows in tables.values():
        for row in file_rows:
            for col, value in row.items():
                if col.startswith((":START_ID(", ":END_ID(")):
                    assert value in ids[col.split("(")[1].rstrip(")")], (col, value)
    assert len(tables["INFLUENCES"]) == len(INFLUENCES)
    assert len(tables["Neuron"]) == 7
    assert len(tables["Class"]) == 3
    load = tables["Model"][0]["active_load"]
    assert all(r["load"] == load for r in tables["Neuron"])
    assert tables["Class"][0]["prob_hist:long[]"] == ";".join(["1"] * 20)
    blob = tables["ClassInfluence"][0]["edges:byte[]"].split(";")
    assert len(blob) == 7 * 16  # class 0: seven edges of 16 bytes
    assert main(["load", str(path), "--bulk", str(out)]) == 2  # refuses a non-empty folder


def test_default_embedded_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from summit.settings import resolve
    from summit.store import open_store
    from summit.store.embedded import default_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_path() == tmp_path / "xdg" / "summit" / "store"
    store = open_store(resolve({"store": "embedded"}, environ={}), read_only=False)
    try:
        assert store.path == tmp_path / "xdg" / "summit" / "store"
        assert store.models() == []
    finally:
        store.close()
    from summit.errors import StoreUnavailable

    with pytest.raises(StoreUnavailable, match="load an artifact first"):
        open_store(resolve({"store": "embedded", "embedded_path": str(tmp_path / "none")}, environ={}))


def test_busy_embedded_store_names_its_holder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A store another process writes (not a server we can reach): the load is refused naming that process."""
    import subprocess
    import sys

    db = tmp_path / "db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom summit.store.embedded import EmbeddedStore\n"
         f"s = EmbeddedStore({str(db)!r})\nprint('ready', flush=True)\ntime.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        path = write_tiny_artifact(tmp_path / "a", run_id="busy-model")
        assert main(["load", str(path), "--embedded", str(db)]) == 5
        err = capsys.readouterr().err
        assert f"the embedded store {db} is open for writing by process {holder.pid}" in err
        assert "wait until that load finishes" in err
    finally:
        holder.kill()
        holder.wait()
    assert main(["load", str(path), "--embedded", str(db)]) == 0  # free again
