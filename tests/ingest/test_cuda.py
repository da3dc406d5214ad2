"""On a GPU, counts do not depend on the batch size either (runs where CUDA is present; needs no polars)."""

from __future__ import annotations

import pytest
import torch
from summit.ingest.capture import Ingestor
from summit.ingest.finalize import merge_pair
from summit.ingest.pipeline import RunState, build_ingestor, stream

from summit.settings import resolve
from tests.ingest.models_zoo import ZOO, build, random_images
from tests.ingest.tiny import TensorImages, flat, loaded

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA (runs where a GPU is present)")

N_IMAGES = 36
CLASSES = 3
LABELS = [(n * 7) % CLASSES for n in range(N_IMAGES)]


def run(name: str, device: str, batch: int, counts_device: str = "device") -> Ingestor:
    model = build(name, seed=3)
    lm = loaded(model, ZOO[name][1], CLASSES, 8)
    ds = TensorImages(random_images(N_IMAGES, seed=4), LABELS, set())
    s = resolve({"workers": 0, "device": device, "influence_topk": 2, "activation_mass": 0.2,
                 "examples_per_neuron": 3, "batch_size": batch, "counts_device": counts_device}, environ={})
    ing = build_ingestor(lm, s, torch.device(device))
    stream(ing, ds, list(range(N_IMAGES)), RunState(torch.zeros(N_IMAGES, dtype=torch.bool)), s, progress=False)
    return ing


def accumulate(name: str, device: str, batch: int) -> dict[str, torch.Tensor]:
    return flat(run(name, device, batch).state_dict())


@pytest.mark.parametrize("model", ["inception", "inverted_residual"])
def test_cuda_counts_do_not_depend_on_batch_size(model):
    base = accumulate(model, "cuda", 32)
    assert any(k.startswith(("hop_counts/", "direct/")) for k in base)  # influence was counted
    for batch in (1, 7):
        other = accumulate(model, "cuda", batch)
        assert other.keys() == base.keys()
        for key, value in base.items():
            if value.dtype.is_floating_point:
                torch.testing.assert_close(other[key], value, rtol=1e-5, atol=1e-6, msg=key)
            else:
                assert torch.equal(other[key], value), f"{key} differs at batch {batch}"


def test_cuda_sees_the_same_images_as_cpu():
    cpu, gpu = accumulate("inverted_residual", "cpu", 8), accumulate("inverted_residual", "cuda", 8)
    assert torch.equal(cpu["classes/images"], gpu["classes/images"])
    assert int(gpu["classes/images"].sum()) == N_IMAGES


@pytest.mark.parametrize("model", ["inception", "inverted_residual"])
def test_counts_kept_on_the_host_equal_counts_on_the_gpu(model):
    on_gpu, on_host = run(model, "cuda", 8), run(model, "cuda", 8, counts_device="cpu")
    assert on_host.counts_device == torch.device("cpu")
    assert all(c.device == torch.device("cpu") for c in [*on_host.direct.values(), *on_host.hop_counts.values()])
    gpu_state, host_state = flat(on_gpu.state_dict()), flat(on_host.state_dict())
    assert gpu_state.keys() == host_state.keys()
    for key, value in gpu_state.items():
        assert torch.equal(host_state[key], value), key
    for p in range(len(on_gpu.plans)):  # the per-class merges of composed hops agree too
        a, b = merge_pair(on_gpu, p), merge_pair(on_host, p)
        assert torch.equal(a.keys.cpu(), b.keys)
        assert torch.equal(a.counts.cpu(), b.counts)


def test_counts_moved_to_the_host_mid_run_equal_counts_on_the_gpu(monkeypatch):
    from summit.ingest import capture

    calls = []

    def short_after_two_batches(device: torch.device) -> bool:  # the GPU "runs short" at the third batch
        calls.append(device)
        return len(calls) >= 3

    monkeypatch.setattr(capture, "gpu_memory_short", short_after_two_batches)
    on_gpu = run("inverted_residual", "cuda", 8)  # counts_device device: never asks
    assert calls == []
    spilled = run("inverted_residual", "cuda", 8, counts_device="auto")
    assert len(calls) == 3  # asked after each batch until it moved, then never again
    assert spilled.counts_device == torch.device("cpu")
    assert all(c.device == torch.device("cpu") for c in [*spilled.direct.values(), *spilled.hop_counts.values()])
    gpu_state, host_state = flat(on_gpu.state_dict()), flat(spilled.state_dict())
    for key, value in gpu_state.items():
        assert torch.equal(host_state[key], value), key
    for p in range(len(on_gpu.plans)):
        a, b = merge_pair(on_gpu, p), merge_pair(spilled, p)
        assert torch.equal(a.keys.cpu(), b.keys)
        assert torch.equal(a.counts.cpu(), b.counts)


def test_gpu_memory_short_reads_the_card():
    from summit.ingest.devices import gpu_memory_short

    device = torch.device("cuda", torch.cuda.current_device())
    assert not gpu_memory_short(device, threshold=0.0)  # nothing is short of "no memory at all"
    assert gpu_memory_short(device, threshold=1.01)  # and everything is short of more than the card
