"""Feature visualisation through the real EfficientNet-Lite0 (its loader, weights and normalisation)."""

import pytest
import torch
from summit.ingest.featurevis import FeatureVisConfig, Target, channel_objectives, render
from summit.ingest.models import load_model

pytestmark = [pytest.mark.realmodel, pytest.mark.slow]


def test_lite0_objective_rises_above_start_and_random_image():
    lite0 = load_model("efficientnet_lite0")
    targets = [Target("blocks.2.0:3"), Target("blocks.2.0:17")]
    start = render(lite0.module, lite0.normalize, targets, FeatureVisConfig(steps=0, size=64, seed=1))
    end = render(lite0.module, lite0.normalize, targets, FeatureVisConfig(steps=24, size=64, seed=1))
    with torch.no_grad():
        noise, _ = channel_objectives(lite0.module, lite0.normalize,
                                      torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(0)), targets)
    assert end.images.shape == (2, 3, 64, 64)
    for b in range(2):
        assert end.objectives[b] > start.objectives[b]
        assert end.objectives[b] > float(noise[b])
