"""Class similarity (cosine of A rows) and the per-layer class embedding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from summit.artifact import read_manifest, read_table
from summit.graphs.embedding import embed_layers, pca_layout
from summit.graphs.similarity import cosine_matrix, top_similar
from summit.synth import write_synthetic_artifact


def test_cosine_and_top_similar() -> None:
    rows = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 0], [2, 0, 0]])
    cos = cosine_matrix(rows)
    assert cos[0, 3] == pytest.approx(1.0)
    assert cos[0, 1] == pytest.approx(1 / np.sqrt(2))
    assert cos[2].tolist() == [0, 0, 0, 0]  # an all-zero row is similar to nothing
    cls, other, value = top_similar(cos, 2)
    assert cls.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert other.tolist() == [3, 1, 0, 3, 0, 1, 0, 1]  # ties: lower index first
    assert value[:2].tolist() == pytest.approx([1.0, 1 / np.sqrt(2)])
    assert top_similar(cos[:1, :1], 5)[0].size == 0


def test_similarity_table_matches_numpy(tmp_path: Path) -> None:
    write_synthetic_artifact(tmp_path / "a", classes=8, with_media=False)
    sim = read_table(tmp_path / "a", "similarity")
    acts = read_table(tmp_path / "a", "activations")
    neurons = read_table(tmp_path / "a", "neurons")
    assert sorted(sim["layer"].unique().to_list()) == ["all", "mixed3a", "mixed3b", "mixed4a"]
    assert sim.group_by("class_index", "layer").len()["len"].to_list() == [7] * 32  # k capped at C-1
    for layer in ("mixed3b", "all"):
        ids = neurons["neuron_id"] if layer == "all" else neurons.filter(pl.col("layer") == layer)["neuron_id"]
        col = {n: i for i, n in enumerate(ids.to_list())}
        dense = np.zeros((8, len(col)))
        for c, n, k in acts.select("class_index", "neuron_id", "count").iter_rows():
            if n in col:
                dense[c, col[n]] = k
        unit = dense / np.linalg.norm(dense, axis=1, keepdims=True)
        for c, o, v in sim.filter(pl.col("layer") == layer).select("class_index", "other_index", "cosine").iter_rows():
            assert v == pytest.approx(unit[c] @ unit[o])
        got = sim.filter(pl.col("layer") == layer, pl.col("class_index") == 0)["cosine"].to_list()
        assert got == sorted(got, reverse=True)


def test_pca_fallback_is_deterministic_and_normalised() -> None:
    rng = np.random.default_rng(0)
    layers = [rng.poisson(3, size=(6, 10)) for _ in range(3)]
    a = embed_layers(layers, neighbors=15)
    b = embed_layers(layers, neighbors=15)
    assert len(a) == 3
    for xa, xb in zip(a, b, strict=True):
        assert xa.shape == (6, 2)
        np.testing.assert_array_equal(xa, xb)
        assert np.abs(xa).max() == pytest.approx(1.0)
        np.testing.assert_allclose(xa.mean(axis=0), 0, atol=1e-12)
    # the same rows in the next layer: Procrustes alignment keeps the points in place
    same = embed_layers([layers[0], layers[0]], neighbors=15)
    np.testing.assert_allclose(same[1], same[0], atol=1e-9)
    # degenerate inputs
    assert pca_layout(np.zeros((1, 4))).tolist() == [[0.0, 0.0]]
    assert np.isfinite(pca_layout(np.zeros((3, 4)))).all()


@pytest.mark.slow
def test_umap_embedding_for_enough_classes(tmp_path: Path) -> None:
    write_synthetic_artifact(tmp_path / "a", classes=40, channels=(8, 10), layers=2, with_media=False)
    manifest = read_manifest(tmp_path / "a")
    assert manifest["graphs"]["embedding_method"] == "umap"
    emb = read_table(tmp_path / "a", "embedding")
    assert emb.height == 80
    assert emb.select(pl.col("x").is_finite().all(), pl.col("y").is_finite().all()).row(0) == (True, True)
    write_synthetic_artifact(tmp_path / "b", classes=40, channels=(8, 10), layers=2, with_media=False)
    assert read_table(tmp_path / "b", "embedding").equals(emb)  # fixed seed: reproducible
