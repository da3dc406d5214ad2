"""Summit's outlier channels of InceptionV1: excluded by default, in either naming, also for ingest runs."""

from __future__ import annotations

import torch
from torch import nn

from summit.artifact import read_manifest, read_table
from summit.outliers import default_excluded_channels, excluded_channels
from summit.settings import resolve
from tests.ingest.tiny import TensorImages, loaded

LUCID = ["mixed3a", "mixed3b", "mixed4a", "mixed4b", "mixed4c", "mixed4d", "mixed4e", "mixed5a", "mixed5b"]
TORCHVISION = ["inception3a", "inception3b", "inception4a", "inception4b", "inception4c", "inception4d",
               "inception4e", "inception5a", "inception5b"]


def test_inception_v1_outliers_in_both_namings() -> None:
    lucid = ("mixed3a:67", "mixed3a:190", "mixed3b:390", "mixed3b:399", "mixed3b:412")
    assert default_excluded_channels("InceptionV1", LUCID) == lucid
    assert default_excluded_channels("lucid:InceptionV1", LUCID) == lucid
    assert default_excluded_channels("googlenet", TORCHVISION) == (
        "inception3a:67", "inception3a:190", "inception3b:390", "inception3b:399", "inception3b:412")
    # only the layers a run has; other models have none
    assert default_excluded_channels("googlenet", ["inception3b", "inception4a"]) == (
        "inception3b:390", "inception3b:399", "inception3b:412")
    assert default_excluded_channels("efficientnet_lite0", ["blocks.3.1"]) == ()
    assert default_excluded_channels("resnet50", LUCID) == ()


def test_extra_channels_and_switching_the_defaults_off() -> None:
    assert excluded_channels("googlenet", ["inception3a"], ["inception3a:5", "inception3a:67"]) == (
        "inception3a:67", "inception3a:190", "inception3a:5")
    assert excluded_channels("googlenet", ["inception3a"], ["inception3a:5"], outliers=False) == ("inception3a:5",)


class TinyInception(nn.Module):
    """conv -> ReLU named ``inception3a`` (200 channels; 67 and 190 fire hardest) -> linear."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 200, 1)
        self.inception3a = nn.ReLU()
        self.head = nn.Linear(200, 3)
        with torch.no_grad():
            self.conv.weight.fill_(0.01)
            self.conv.bias.zero_()
            self.conv.weight[[67, 190]] = 5.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.inception3a(self.conv(x)).amax(dim=(2, 3)))


def test_ingest_of_googlenet_records_and_applies_the_default(tmp_path) -> None:
    from summit.ingest.pipeline import IngestOptions, run_ingest

    images = torch.rand(4, 3, 6, 6, generator=torch.Generator().manual_seed(0))
    for name, out in (("googlenet", "g"), ("tiny", "t")):
        settings = resolve({"device": "cpu", "workers": 0, "influence": "none", "activation_mass": 0.6},
                           environ={})
        run_ingest(loaded(TinyInception(), ["inception3a"], 3, 6, name=name), TensorImages(images, [0, 1, 2, 0]),
                   settings, IngestOptions(tmp_path / out, progress=False, write_examples=False))
    assert read_manifest(tmp_path / "g")["method"]["exclude_channels"] == ["inception3a:67", "inception3a:190"]
    assert read_manifest(tmp_path / "t")["method"]["exclude_channels"] == []
    fired = {name: set(read_table(tmp_path / out, "activations")["neuron_id"].to_list())
             for name, out in (("googlenet", "g"), ("tiny", "t"))}
    assert {"inception3a:67", "inception3a:190"} <= fired["tiny"]  # the outliers dominate...
    assert not {"inception3a:67", "inception3a:190"} & fired["googlenet"]  # ...and are never selected
