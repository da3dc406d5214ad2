"""A small real EfficientNet-Lite0 artifact (5 ImageNet images, 4 classes) and the image-graph provider.

Class 0 (tench) has two images; classes 1-3 have one each, so for them the class
graph IS the graph of one image: the image graph must equal it exactly. Ingest
runs at batch size 1 on the CPU so every image is computed as a request computes it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

RUN_ID = "image-graph-test-lite0"  # distinct from other suites sharing the Neo4j database
IMAGES = {  # class folder -> (source under shared/data, file name)
    "n01440764": [("imagenet-samples-1000/n01440764_tench.JPEG", "tench.JPEG"),
                  ("imagenet-val-1300/data/ILSVRC2012_val_00023559.JPEG", "val_00023559.JPEG")],
    "n01443537": [("imagenet-samples-1000/n01443537_goldfish.JPEG", "goldfish.JPEG")],
    "n01484850": [("imagenet-samples-1000/n01484850_great_white_shark.JPEG", "great_white_shark.JPEG")],
    "n01491361": [("imagenet-samples-1000/n01491361_tiger_shark.JPEG", "tiger_shark.JPEG")],
}
UPLOAD_SOURCE = "imagenet-samples-1000/n01514668_cock.JPEG"  # a class the artifact does not hold


@pytest.fixture(scope="session")
def image_folder(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("image-graph-data") / "images"
    for wnid, files in IMAGES.items():
        (root / wnid).mkdir(parents=True)
        for source, name in files:
            shutil.copyfile(shared_data / source, root / wnid / name)
    return root


@pytest.fixture(scope="session")
def lite0_artifact(image_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from summit.ingest.ingest_run import IngestRequest, ingest_folder

    from summit.graphs import build_graphs
    from summit.settings import resolve

    out = tmp_path_factory.mktemp("image-graph-art") / "lite0"
    settings = resolve({"device": "cpu", "workers": 0, "batch_size": 1}, environ={})
    ingest_folder(IngestRequest("efficientnet_lite0", image_folder, out, run_id=RUN_ID, progress=False), settings)
    build_graphs(out, settings)
    return out


@pytest.fixture(scope="session")
def provider():  # type: ignore[no-untyped-def]
    from summit.ingest.image_graph import ArtifactImageGraphs

    from summit.settings import resolve

    return ArtifactImageGraphs(resolve({"device": "cpu"}, environ={}))


def model_info(artifact: Path):  # type: ignore[no-untyped-def]
    """The store's record of the artifact, as the server hands it to the provider."""
    from summit.artifact import read_manifest
    from summit.store.base import ModelInfo

    manifest = read_manifest(artifact)
    return ModelInfo(id=manifest["run_id"], name=manifest["model"]["name"], classes=4, images=5,
                     top1_correct=0, layers=(), artifact_path=str(artifact))
