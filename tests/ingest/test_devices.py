"""Device names from settings, and where the sparse influence counts live (setting counts_device)."""

from __future__ import annotations

import pytest
import torch

from ingest.devices import AUTO_COUNTS_MIN_GPU_BYTES, resolve_counts_device, resolve_device
from ingest.pipeline import build_ingestor
from summit.errors import BadInput
from summit.settings import resolve
from tests.ingest.models_zoo import ZOO, build
from tests.ingest.tiny import loaded

GPU = torch.device("cuda", 0)  # only named, never used: no GPU is needed


def test_bad_device_names_are_clear_errors():
    with pytest.raises(BadInput, match="not a torch device"):
        resolve_device("tpu-please")
    if not torch.cuda.is_available():
        with pytest.raises(BadInput, match="CUDA is not available"):
            resolve_device("cuda")
    assert resolve_device("cpu") == torch.device("cpu")


@pytest.mark.parametrize(("choice", "device", "gpu_bytes", "expected"), [
    ("device", GPU, None, GPU),
    ("cpu", GPU, None, torch.device("cpu")),
    ("auto", torch.device("cpu"), None, torch.device("cpu")),
    ("auto", GPU, 24 * 2**30, torch.device("cpu")),  # a 24 GiB card: counts in host memory
    ("auto", GPU, AUTO_COUNTS_MIN_GPU_BYTES - 1, torch.device("cpu")),
    ("auto", GPU, AUTO_COUNTS_MIN_GPU_BYTES, GPU),
    ("auto", GPU, 80 * 2**30, GPU),  # an H100: counts stay on the GPU
])
def test_counts_device(choice, device, gpu_bytes, expected):
    assert resolve_counts_device(choice, device, gpu_bytes) == expected


def test_counts_device_is_validated_at_start():
    with pytest.raises(BadInput, match="counts_device"):
        resolve({"counts_device": "gpu"}, environ={})
    with pytest.raises(BadInput, match="counts_device"):
        resolve_counts_device("gpu", torch.device("cpu"))


def test_ingestor_puts_every_sparse_counter_on_the_counts_device():
    model = build("inverted_residual", seed=3)
    lm = loaded(model, ZOO["inverted_residual"][1], 3, 8)
    ing = build_ingestor(lm, resolve({"device": "cpu", "counts_device": "cpu"}, environ={}), torch.device("cpu"))
    counters = [*ing.direct.values(), *ing.hop_counts.values()]
    assert counters  # the zoo model has influence plans
    assert all(c.device == ing.counts_device == torch.device("cpu") for c in counters)
