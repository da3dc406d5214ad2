"""The repository's compact copy of Summit's published graphs (data/summit-data): complete, small,
licensed, and imported to exactly the tables of the full copy."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import polars as pl
import pytest
from PIL import Image
from summit.ingest.summit_import import import_summit

from summit.artifact import read_manifest, read_table

COMPACT = Path(__file__).resolve().parents[2] / "data" / "summit-data"
ARCHIVE = COMPACT / "summit-data-compact.tar.xz"


@pytest.fixture(scope="module")
def members() -> dict[str, bytes]:
    with tarfile.open(ARCHIVE, "r:xz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def test_small_and_licensed(summit_data: Path, members: dict[str, bytes]) -> None:
    total = sum(p.stat().st_size for p in COMPACT.rglob("*") if p.is_file())
    assert total <= 15 * 1024 * 1024, f"data/summit-data is {total / 1e6:.1f} MB"
    licence = (summit_data / "LICENSE.md").read_bytes()
    assert b"MIT License" in licence
    assert (COMPACT / "LICENSE.md").read_bytes() == licence
    assert members["summit-data/LICENSE.md"] == licence
    assert "fredhohman/summit-data" in (COMPACT / "SOURCE.txt").read_text()


def test_every_published_graph_byte_for_byte_and_a_thumbnail_per_graph_neuron(
        summit_data: Path, members: dict[str, bytes], published_artifact: Path) -> None:
    for k in range(1000):
        assert members[f"summit-data/data/ag/ag-{k}.json"] == (summit_data / "data" / "ag" / f"ag-{k}.json").read_bytes()
    drawn = read_table(published_artifact, "class_nodes")["neuron_id"].unique().to_list()
    assert len(drawn) == 3102
    for nid in drawn:
        layer, ch = nid.split(":")
        for name in (f"channel/{layer}-{ch}-channel.jpg", f"dataset-p/{layer}-{ch}-dataset-p-0.jpg"):
            with Image.open(io.BytesIO(members[f"summit-data/data/feature-vis/{name}"])) as img:
                assert img.format == "JPEG"
                assert max(img.size) <= 64
    assert len(members) == 1 + 1000 + 2 * 3102


def test_imports_to_the_same_graphs_as_the_full_copy(published_artifact: Path, tmp_path: Path) -> None:
    out = tmp_path / "compact"
    import_summit(ARCHIVE, out, embedding="pca")
    for table in ("classes", "neurons", "activations", "influences", "class_nodes", "class_edges", "attr_channels",
                  "similarity", "embedding"):
        assert read_table(out, table).equals(read_table(published_artifact, table)), table
    assert read_table(out, "featurevis").height == 3102
    assert read_table(out, "examples").filter(pl.col("rank") == 0).height == 3102
    assert read_manifest(out)["dataset"]["fingerprint"] == read_manifest(published_artifact)["dataset"]["fingerprint"]
    assert (out / "LICENSE-summit-data.md").read_bytes() == (COMPACT / "LICENSE.md").read_bytes()
