"""Device names from settings, and where the sparse influence counts live (setting counts_device)."""

from __future__ import annotations

import pytest
import torch
from summit.ingest.devices import (
    SPILL_WHEN_AVAILABLE_BELOW,
    resolve_counts_device,
    resolve_device,
    should_spill,
)
from summit.ingest.pipeline import build_ingestor
from summit.ingest.stats import SparseCounts

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


@pytest.mark.parametrize(("choice", "device", "expected"), [
    ("device", GPU, (GPU, False)),
    ("cpu", GPU, (torch.device("cpu"), False)),
    ("auto", GPU, (GPU, True)),  # on the GPU, moved to the host when it runs short
    ("auto", torch.device("cpu"), (torch.device("cpu"), False)),
])
def test_counts_device(choice, device, expected):
    assert resolve_counts_device(choice, device) == expected


GIB = 2**30


@pytest.mark.parametrize(("free", "reserved", "allocated", "spill"), [
    (40 * GIB, 30 * GIB, 30 * GIB, False),  # half the card free
    (10 * GIB, 60 * GIB, 60 * GIB, True),  # 12.5 % left
    (10 * GIB, 60 * GIB, 45 * GIB, False),  # 10 free + 15 cached but unused = 31 %
    (0, 80 * GIB, 80 * GIB, True),
])
def test_spill_when_little_gpu_memory_is_left(free, reserved, allocated, spill):
    assert should_spill(free, reserved, allocated, 80 * GIB, SPILL_WHEN_AVAILABLE_BELOW) is spill


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
    assert not ing.spill  # nothing to spill from on the cpu


def test_sparse_counts_move_with_pending_keys_folded_in():
    counts = SparseCounts("cpu", flush_at=100)
    counts.add(torch.tensor([5, 3, 5]))
    counts.add(torch.tensor([3, 9]), torch.tensor([2, 1]))
    counts.to("cpu")
    keys, values = counts.keys, counts.counts  # moved means flushed: nothing pending
    assert keys.tolist() == [3, 5, 9]
    assert values.tolist() == [3, 2, 1]
    counts.add(torch.tensor([9]))
    assert [t.tolist() for t in counts.get()] == [[3, 5, 9], [3, 2, 2]]


def test_resume_keeps_large_counts_on_the_host(monkeypatch):
    """A checkpoint whose counts would fill more than half the free GPU memory is loaded to the host."""
    from summit.ingest import capture

    model = build("inverted_residual", seed=3)
    lm = loaded(model, ZOO["inverted_residual"][1], 3, 8)
    settings = resolve({"device": "cpu", "counts_device": "cpu"}, environ={})
    source = build_ingestor(lm, settings, torch.device("cpu"))
    counters = [*source.direct.values(), *source.hop_counts.values()]
    assert counters
    for counts in counters:
        counts.add(torch.arange(1000))
    state = source.state_dict()
    moved: list[torch.device] = []
    for free, expect_move in ((10**9, False), (1000, True)):  # plenty free, then almost nothing
        target = build_ingestor(lm, settings, torch.device("cpu"))
        target.spill = True  # as on a GPU with counts_device auto
        monkeypatch.setattr(capture, "gpu_free_bytes", lambda _device, free=free: free)
        monkeypatch.setattr(target, "move_counts", moved.append)
        moved.clear()
        target.load_state_dict(state)
        assert (moved == [torch.device("cpu")]) is expect_move
        loaded_counters = [*target.direct.values(), *target.hop_counts.values()]
        assert [c.get()[0].numel() for c in loaded_counters] == [1000] * len(counters)
