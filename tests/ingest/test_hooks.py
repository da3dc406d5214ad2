"""Hooks never leak: none remain after a forward pass that raised, nor after a normal one."""

from __future__ import annotations

import pytest
import torch
from summit.ingest.pipeline import build_ingestor
from summit.ingest.structure import trace_model
from torch import nn

from summit.errors import BadInput
from summit.settings import resolve
from tests.ingest.models_zoo import build
from tests.ingest.tiny import loaded


def hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


class Boom(RuntimeError):
    pass


def test_ingestor_hooks_removed_after_a_forward_that_raised():
    model = build("inverted_residual")
    ing = build_ingestor(loaded(model, ["a", "ir1", "ir2"], 3, 8), resolve({"device": "cpu"}, environ={}),
                         torch.device("cpu"))
    assert hook_count(model) == 0

    def explode(_m, _i, _o):
        raise Boom("forward failed")

    seen = []

    def run_inside_hooks() -> None:
        with ing.hooks():
            seen.append(hook_count(model))
            ing.process(torch.randn(2, 3, 8, 8, dtype=torch.float64), torch.tensor([0, 1]), torch.tensor([0, 1]))

    handle = model.ir2.register_forward_hook(explode)
    try:
        with pytest.raises(Boom):
            run_inside_hooks()
    finally:
        handle.remove()
    assert seen[0] > 1
    assert hook_count(model) == 0
    with ing.hooks():
        ing.process(torch.randn(2, 3, 8, 8, dtype=torch.float64), torch.tensor([0, 1]), torch.tensor([0, 1]))
    assert hook_count(model) == 0
    assert int(ing.classes.images.sum()) == 2


def test_trace_hooks_removed_after_a_forward_that_raised():
    model = build("resnet")
    with pytest.raises(RuntimeError):
        trace_model(model, torch.randn(1, 5, 8, 8, dtype=torch.float64))  # wrong channel count
    assert hook_count(model) == 0


def test_non_feature_map_layer_is_a_clear_error():
    model = build("chain")
    with pytest.raises(BadInput, match="4-D feature map"):
        build_ingestor(loaded(model, ["body.c1", "head"], 3, 8), resolve({"device": "cpu"}, environ={}),
                       torch.device("cpu"))
    assert hook_count(model) == 0
