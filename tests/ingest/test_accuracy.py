"""Real model: EfficientNet-Lite0 top-1 on all 1,300 labelled validation images (>= 82%).

Also checks that the preprocessing gives the same tensor as an independent
implementation (PIL + numpy, written out here) on a real image.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from summit.ingest.data import make_loader, open_dataset
from summit.ingest.models import load_model

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
VAL = SHARED / "imagenet-val-1300"

pytestmark = [pytest.mark.realmodel]


@pytest.fixture(scope="module")
def lite0():
    return load_model("efficientnet_lite0")


def reference_lite0_preprocess(path: Path) -> np.ndarray:
    """TF-Lite EfficientNet preprocessing written independently: short side 256 bicubic,
    centre crop 224, (pixel - 127) / 128, CHW float32."""
    image = Image.open(path).convert("RGB")
    w, h = image.size
    scale = 256 / min(w, h)
    new_w, new_h = (256, int(h * scale)) if w <= h else (int(w * scale), 256)
    image = image.resize((new_w, new_h), Image.Resampling.BICUBIC)
    left, top = round((new_w - 224) / 2), round((new_h - 224) / 2)
    pixels = np.asarray(image, dtype=np.float32)[top:top + 224, left:left + 224]
    return ((pixels - 127.0) / 128.0).transpose(2, 0, 1)


def test_preprocessing_matches_independent_reference(lite0, tmp_path):
    real = VAL / "data" / "ILSVRC2012_val_00000347.JPEG"
    ours = lite0.transform(Image.open(real)).numpy()
    assert ours.shape == (3, 224, 224)
    np.testing.assert_allclose(ours, reference_lite0_preprocess(real), atol=1e-6)
    # a non-square image exercises the short-side rule and the crop offsets
    wide = tmp_path / "wide.png"
    Image.open(real).convert("RGB").resize((400, 227)).save(wide)
    np.testing.assert_allclose(lite0.transform(Image.open(wide)).numpy(),
                               reference_lite0_preprocess(wide), atol=1e-6)
    # normalize() on a [0, 1] tensor agrees with the transform's value normalisation
    raw = torch.from_numpy(np.asarray(Image.open(real).convert("RGB").resize((224, 224)), dtype=np.float32))
    x01 = raw.permute(2, 0, 1) / 255.0
    np.testing.assert_allclose(lite0.normalize(x01).numpy(), ((raw.permute(2, 0, 1) - 127) / 128).numpy(),
                               atol=1e-5)


@pytest.mark.slow
@pytest.mark.timeout(1800)  # ~1-2 min on an idle 2-core machine; far longer when the CPU is shared
def test_efficientnet_lite0_top1_on_1300_val_images(lite0):
    dataset = open_dataset(VAL, output_wnids=lite0.output_wnids, transform=lite0.transform)
    assert len(dataset) == 1300
    loader = make_loader(dataset, batch_size=64, workers=2)
    module = lite0.module.to(memory_format=torch.channels_last)  # ~1.5x faster depthwise convs on CPU
    correct = seen = 0
    skipped: list[int] = []
    start = time.perf_counter()
    with torch.inference_mode():
        for batch in loader:
            skipped += batch.skipped
            logits = module(batch.images.contiguous(memory_format=torch.channels_last))
            correct += int((logits.argmax(1) == batch.labels).sum())
            seen += len(batch)
    elapsed = time.perf_counter() - start
    accuracy = correct / seen
    print(f"\nEfficientNet-Lite0 top-1 on {seen} images: {accuracy:.4f} ({correct} correct); "
          f"{seen / elapsed:.1f} images/s (batch 64, 2 workers, channels_last, {torch.get_num_threads()} threads)")
    assert skipped == []
    assert seen == 1300
    assert accuracy >= 0.82
