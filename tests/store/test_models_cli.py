"""`summit models` lists a store's models with sizes and load times; `summit drop MODEL` removes one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from summit.cli import main
from tests.store.conftest import STORES, unique_model
from tests.store.tiny import write_tiny_artifact


def store_args(kind: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    if kind == "embedded":
        return ["--embedded", str(tmp_path / "db")]
    auth = request.getfixturevalue("neo4j_auth")
    monkeypatch.setenv("H21_TEST_PW", auth.password)
    return ["--neo4j", auth.uri, "--user", auth.user, "--password-env", "H21_TEST_PW"]


def listed(capsys: pytest.CaptureFixture[str], args: list[str]) -> dict[str, list[str]]:
    """`summit models` output: model id -> its row's cells."""
    assert main(["models", *args]) == 0
    lines = capsys.readouterr().out.splitlines()
    return {line.split()[0]: line.split() for line in lines[2:]}


@pytest.mark.parametrize("kind", STORES)
def test_models_and_drop(kind: str, tmp_path: Path, request: pytest.FixtureRequest,
                         monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    args = store_args(kind, tmp_path, request, monkeypatch)
    a, b = unique_model("a"), unique_model("b")
    for model in (a, b):
        assert main(["load", str(write_tiny_artifact(tmp_path / model, run_id=model)), *args]) == 0
    capsys.readouterr()
    rows = listed(capsys, args)
    from summit.settings import resolve
    from summit.store import open_store

    settings = resolve({"store": kind, "embedded_path": str(tmp_path / "db"),
                        "neo4j_uri": args[1] if kind == "neo4j" else None, "neo4j_password_env": "H21_TEST_PW"})
    store = open_store(settings, read_only=True)
    try:
        stats = store.model_stats()
    finally:
        store.close()
    for model in (a, b):
        _, name, classes, nodes, relationships, seconds, loaded, *_ = rows[model]
        assert (name, classes) == ("tinynet", "3")
        assert (int(nodes.replace(",", "")), int(relationships.replace(",", ""))) == (
            stats[model]["nodes"], stats[model]["relationships"])
        assert stats[model]["nodes"] > 30
        assert stats[model]["relationships"] > stats[model]["nodes"]
        assert float(seconds) == pytest.approx(stats[model]["load_seconds"], abs=0.05)
        assert loaded.startswith("20")

    assert main(["drop", a, *args]) == 0
    assert "dropped model" in capsys.readouterr().err
    rows = listed(capsys, args)
    assert a not in rows
    assert b in rows
    assert main(["drop", a, *args]) == 3  # gone: NotFound, naming what is there
    assert b in capsys.readouterr().err
    assert main(["drop", b, *args]) == 0
    capsys.readouterr()
    assert a not in listed(capsys, args)
    assert b not in listed(capsys, args)


def test_models_on_an_empty_store_and_bad_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from summit.store.embedded import EmbeddedStore

    EmbeddedStore(tmp_path / "db").close()
    assert main(["models", "--embedded", str(tmp_path / "db")]) == 0
    assert "no models in embedded store" in capsys.readouterr().out
    assert main(["models", "--embedded", str(tmp_path / "none")]) != 0
    assert "load an artifact first" in capsys.readouterr().err
    assert main(["drop", "x", "--neo4j", "bolt://127.0.0.1:1", "--password", "hunter2"]) == 2
    err = capsys.readouterr().err
    assert "never pass the Neo4j password" in err
    assert "hunter2" not in err
    assert main(["drop", "x", "--neo4j", "bolt://h:1", "--embedded", str(tmp_path / "db")]) == 2


def test_loaded_stats_survive_a_reload(tmp_path: Path, make_store: Any) -> None:
    store = make_store("embedded")
    model = unique_model()
    path = write_tiny_artifact(tmp_path / "a", run_id=model)
    store.load_artifact(str(path))
    first = store.model_stats()[model]
    store.load_artifact(str(path))
    again = store.model_stats()[model]
    assert (again["nodes"], again["relationships"]) == (first["nodes"], first["relationships"])
    assert again["loaded"] >= first["loaded"]
