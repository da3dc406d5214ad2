"""summit.atomic: a write replaces the file whole or leaves the old one; no temporary file is left."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import polars as pl
import pytest

from summit.artifact import read_table, write_table
from summit.atomic import atomic_path, atomic_write_bytes


def test_write_replaces_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.bin"
    atomic_write_bytes(target, b"old")
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(target.parent) == ["file.bin"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "file.bin"
    atomic_write_bytes(target, b"old")

    def half_write() -> None:
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        half_write()
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["file.bin"]


def test_tables_go_through_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pl.DataFrame({"neuron_id": ["a:0"], "layer": ["a"], "layer_index": [0], "channel": [0]})
    write_table(tmp_path, "neurons", frame)

    def broken(self: pl.DataFrame, file: Path, **kwargs: object) -> None:
        Path(file).write_bytes(b"PAR1 half a table")
        raise OSError("killed mid-write")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", broken)
    with pytest.raises(OSError, match="killed mid-write"):
        write_table(tmp_path, "neurons", frame.with_columns(pl.lit("b:0").alias("neuron_id")))
    monkeypatch.undo()
    assert read_table(tmp_path, "neurons")["neuron_id"].to_list() == ["a:0"]
    assert sorted(os.listdir(tmp_path)) == ["neurons.parquet"]
