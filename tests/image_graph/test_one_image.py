"""One image's graph under the class graphs' rules, with the real EfficientNet-Lite0 (ingest side).

The strongest check: for a class with one image, the class graph that ``summit
graphs`` wrote IS that image's graph, so the provider must give exactly its
nodes, PageRank values and edges. And A of the image is what ingest counts:
the two tench images' A add up to the tench class's activation counts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from summit.artifact import read_manifest, read_table, update_manifest
from summit.errors import BadInput, NotFound, Unavailable
from summit.image_graph import ImageInput, upload_name
from summit.settings import resolve
from summit.synth import write_synthetic_artifact
from tests.image_graph.conftest import UPLOAD_SOURCE, model_info

pytestmark = [pytest.mark.slow, pytest.mark.realmodel]
SINGLE = {1: "n01443537/goldfish.JPEG", 2: "n01484850/great_white_shark.JPEG", 3: "n01491361/tiger_shark.JPEG"}
TENCH = ["n01440764/tench.JPEG", "n01440764/val_00023559.JPEG"]


def _class_graph(artifact: Path, index: int) -> tuple[dict[str, tuple[float, int]], set[tuple[str, str, int]]]:
    nodes = read_table(artifact, "class_nodes").filter(pl.col("class_index") == index)
    edges = read_table(artifact, "class_edges").filter(pl.col("class_index") == index)
    return ({r["neuron_id"]: (r["pagerank"], r["count"]) for r in nodes.iter_rows(named=True)},
            {(r["src"], r["dst"], r["weight"]) for r in edges.iter_rows(named=True)})


@pytest.mark.parametrize("personalization", ["image", "class"])
def test_a_class_of_one_image_is_that_images_graph(lite0_artifact, provider, personalization):
    info = model_info(lite0_artifact)
    for index, path in SINGLE.items():
        graph = provider.graph(info, ImageInput(path), class_index=None, personalization=personalization)
        assert (graph.class_index, graph.label_index) == (index, index)
        nodes, edges = _class_graph(lite0_artifact, index)
        assert len(nodes) > 5
        # the very same values: the same counts, the same PageRank arithmetic, the same cut
        assert {n.neuron_id: (n.pagerank, n.count) for n in graph.nodes} == nodes
        assert {(e.src, e.dst, e.weight) for e in graph.edges} == edges
        assert graph.predictions[0].probability >= graph.predictions[-1].probability
        assert graph.preview_jpeg.startswith(b"\xff\xd8")
        assert graph.method["graph_mass"] == read_manifest(lite0_artifact)["method"]["graph_mass"]


@pytest.mark.parametrize("method", ["summit-unified", "explorer"])
def test_a_class_of_one_image_is_that_images_graph_under_every_profile(lite0_artifact, provider, tmp_path, method):
    """The image graph follows the artifact's graph profile: A at 3 % and one unified cut for
    summit-unified, every neuron a node and the count cut for explorer."""
    from summit.graphs import build_graphs

    copy = Path(shutil.copytree(lite0_artifact, tmp_path / "copy"))
    build_graphs(copy, resolve({"graph_method": method}, environ={}), embedding=False)
    info = model_info(copy)
    for index, path in list(SINGLE.items())[:2]:
        graph = provider.graph(info, ImageInput(path), class_index=None, personalization="image")
        nodes, edges = _class_graph(copy, index)
        assert {n.neuron_id: (n.pagerank, n.count) for n in graph.nodes} == nodes
        assert {(e.src, e.dst, e.weight) for e in graph.edges} == edges
        assert graph.method["graph_method"] == method


def test_a_of_each_image_adds_up_to_the_class_counts(lite0_artifact, provider):
    info = model_info(lite0_artifact)
    both = [provider.counts(info, ImageInput(path)) for path in TENCH]
    assert all(set(np.unique(one.counts)) <= {0, 1} for one in both)
    summed = both[0].counts + both[1].counts
    acts = read_table(lite0_artifact, "activations").filter(pl.col("class_index") == 0)
    assert np.array_equal(summed, provider.class_counts(info, 0))
    assert int(summed.sum()) == int(acts["count"].sum())
    # the head pair is one conv (no per-class merge): its counts add up over images as well
    head_src = {f"blocks.6.0:{c}" for c in range(320)}
    influences = read_table(lite0_artifact, "influences").filter(
        (pl.col("class_index") == 0) & pl.col("src").is_in(list(head_src)))
    ids = read_table(lite0_artifact, "neurons").sort(["layer_index", "channel"])["neuron_id"].to_list()
    added: dict[tuple[str, str], int] = {}
    for one in both:
        for s, d, w in zip(one.src, one.dst, one.weight, strict=True):
            if ids[s] in head_src:
                added[(ids[s], ids[d])] = added.get((ids[s], ids[d]), 0) + int(w)
    assert added == {(r["src"], r["dst"]): r["count"] for r in influences.iter_rows(named=True)}


def test_two_images_of_a_class_have_their_own_graphs(lite0_artifact, provider):
    info = model_info(lite0_artifact)
    graphs = [provider.graph(info, ImageInput(p), class_index=None, personalization="image") for p in TENCH]
    class_nodes, _ = _class_graph(lite0_artifact, 0)
    ids = [{n.neuron_id for n in g.nodes} for g in graphs]
    assert ids[0] != ids[1]
    assert all(g.class_index == 0 and g.label_index == 0 for g in graphs)
    assert all(i & set(class_nodes) for i in ids)  # both share neurons with the class graph
    # asked for another class: compared with it (its personalisation when asked), labelled still as tench
    other = provider.graph(info, ImageInput(TENCH[0]), class_index=2, personalization="class")
    assert (other.class_index, other.label_index) == (2, 0)
    assert {n.neuron_id for n in other.nodes} != ids[0]


def test_an_upload_is_compared_with_the_most_probable_class_it_holds(lite0_artifact, provider, shared_data):
    info = model_info(lite0_artifact)
    data = (shared_data / UPLOAD_SOURCE).read_bytes()
    graph = provider.graph(info, ImageInput(upload_name("0" * 64), data), class_index=None, personalization="image")
    assert graph.label_index is None
    assert graph.predictions[0].wnid == "n01514668"  # a cock: a class the artifact does not hold
    held = [p for p in graph.predictions if p.class_index in {0, 1, 2, 3}]
    if held:
        assert graph.class_index == held[0].class_index
    assert 0 <= graph.class_index <= 3
    with pytest.raises(BadInput, match="not a readable JPEG or PNG"):
        provider.graph(info, ImageInput(upload_name("1" * 64), b"\xff\xd8\xff garbage"), class_index=None,
                       personalization="image")
    with pytest.raises(NotFound, match="no longer held"):
        provider.graph(info, ImageInput(upload_name("2" * 64)), class_index=None, personalization="image")


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "n01440764/nope.JPEG", "manifest.json"])
def test_only_images_of_the_dataset_can_be_read(lite0_artifact, provider, path):
    with pytest.raises(NotFound, match="is not an image of model"):
        provider.graph(model_info(lite0_artifact), ImageInput(path), class_index=None, personalization="image")


def test_a_class_the_model_lacks_is_not_found(lite0_artifact, provider):
    with pytest.raises(NotFound, match="class 7 is not a class"):
        provider.graph(model_info(lite0_artifact), ImageInput(SINGLE[1]), class_index=7, personalization="image")


def test_missing_dataset_images_are_named_and_image_root_finds_them(lite0_artifact, image_folder, tmp_path):
    from summit.ingest.image_graph import ArtifactImageGraphs

    moved = tmp_path / "moved"
    shutil.copytree(lite0_artifact, moved)
    dataset = read_manifest(moved)["dataset"]
    update_manifest(moved, dataset={**dataset, "root": str(tmp_path / "gone")})
    settings = resolve({"device": "cpu"}, environ={})
    lost = ArtifactImageGraphs(settings)
    found = lost.availability(model_info(moved))
    assert found.available
    assert not found.dataset_images
    with pytest.raises(Unavailable, match=r"dataset images of model .* are not available here.*--image-root"):
        lost.graph(model_info(moved), ImageInput(SINGLE[1]), class_index=None, personalization="image")
    rooted = ArtifactImageGraphs(settings.replace(image_root=str(image_folder)))
    assert rooted.availability(model_info(moved)).dataset_images
    graph = rooted.graph(model_info(moved), ImageInput(SINGLE[1]), class_index=None, personalization="image")
    assert graph.label_index == 1


def test_models_without_a_network_say_why(tmp_path, provider):
    from summit.store.base import ModelInfo

    synthetic = tmp_path / "synth"
    write_synthetic_artifact(synthetic, classes=3, layers=3, channels=8, images_per_class=4, seed=5)
    cases = {
        "synthetic": ModelInfo("s", "synthetic", 3, 12, 0, (), artifact_path=str(synthetic)),
        "does not record where": ModelInfo("a", "x", 3, 12, 0, ()),
        "no longer at": ModelInfo("b", "x", 3, 12, 0, (), artifact_path=str(tmp_path / "nowhere")),
    }
    manifest = read_manifest(synthetic)
    imported = tmp_path / "imported"
    shutil.copytree(synthetic, imported)
    update_manifest(imported, model={**manifest["model"], "name": "inceptionv1"}, synthetic=None)
    cases["'inceptionv1', which this server cannot load"] = ModelInfo("i", "inceptionv1", 3, 12, 0, (),
                                                                       artifact_path=str(imported))
    for fragment, info in cases.items():
        found = provider.availability(info)
        assert not found.available, fragment
        assert fragment in found.reason, (fragment, found)
        with pytest.raises(Unavailable, match="image graphs are not available for this model"):
            provider.prepare(info)
