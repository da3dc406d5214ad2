"""What a loaded model hands to the pipeline (contract between ingest.models and the rest)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn


@dataclass
class LoadedModel:
    """A classifier ready for ingest.

    ``module`` is in eval mode. ``layers`` are torch module paths (``named_modules``
    names) of the neuron layers, lower to higher; their outputs are 4-D feature
    maps after the nonlinearity. ``output_wnids[k]`` is the WordNet id of logit k:
    dataset labels are mapped to logits by wnid, never by position.
    ``transform`` turns a PIL RGB image into the model's input tensor (C, H, W)
    with the model's own preprocessing; ``normalize`` applies only the final
    value normalisation to a [0, 1] image tensor (used by feature visualisation).
    """

    name: str
    module: nn.Module
    layers: list[str]
    output_wnids: list[str]
    output_names: list[str]
    transform: Callable[[Any], torch.Tensor]
    normalize: Callable[[torch.Tensor], torch.Tensor]
    input_size: int
    weights_sha256: str = ""
    preprocessing: dict[str, Any] = field(default_factory=dict)
