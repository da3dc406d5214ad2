"""GraphQL type Faithfulness."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import strawberry

from summit.store import base


@strawberry.type(description="Ablation test of a class graph against the class's most active neurons and "
                 "random neuron sets, each as many per layer as the graph has.")
class Faithfulness:
    images: int
    graph_neurons: int
    base_prob: float
    graph_prob_drop: float
    random_prob_drop_mean: float
    random_prob_drop_std: float
    base_top1: float
    graph_top1_drop: float
    random_top1_drop_mean: float
    random_top1_drop_std: float
    active_prob_drop: float | None = strawberry.field(
        description="Drop with the class's most active neurons (by A, then activation sum) ablated.")
    active_top1_drop: float | None

    @classmethod
    def from_record(cls, record: base.Faithfulness) -> Faithfulness:
        return cls(**dataclasses.asdict(record))


@strawberry.type(description="A mean over classes with its 95 % bootstrap interval (classes resampled).")
class Interval:
    mean: float | None
    low: float | None
    high: float | None


@strawberry.type(description="Drops of one figure (true-class probability or top-1 accuracy), mean over classes.")
class DropSummary:
    graph: Interval
    active: Interval = strawberry.field(description="The class's most active neurons, as many per layer.")
    random: Interval
    graph_minus_active: Interval = strawberry.field(description="Paired: graph minus most active, per class.")
    graph_minus_random: Interval


@strawberry.type(description="Faithfulness of a model's class graphs over all measured classes.")
class FaithfulnessSummary:
    graph_method: str | None = strawberry.field(description="The graph rules profile that was measured.")
    held_out: bool = strawberry.field(description="Measured on images the graphs were not built from.")
    graph_data: str = strawberry.field(description="Image set the graphs were built from.")
    ablation_data: str = strawberry.field(description="Image set the ablations ran on.")
    shared_images: int | None = strawberry.field(description="Images of both sets that were left out.")
    classes: int
    images: int
    mean_graph_neurons: float
    prob_drop: DropSummary
    top1_drop: DropSummary

    @classmethod
    def from_json(cls, text: str) -> FaithfulnessSummary | None:
        """The summary stored with the model (the manifest's ``faithfulness`` entry), or None."""
        if not text:
            return None
        data = json.loads(text)
        if "prob_drop" not in data:  # measured before the held-out summary existed
            return None

        def drops(d: dict[str, Any]) -> DropSummary:
            return DropSummary(**{k: Interval(**d.get(k, {"mean": None, "low": None, "high": None}))
                                  for k in ("graph", "active", "random", "graph_minus_active",
                                            "graph_minus_random")})

        return cls(
            graph_method=data.get("graph_method"), held_out=bool(data.get("held_out")),
            graph_data=str((data.get("graph_data") or {}).get("root", "")),
            ablation_data=str((data.get("ablation_data") or {}).get("root", "")),
            shared_images=data.get("shared_images"), classes=int(data.get("classes", 0)),
            images=int(data.get("images", 0)), mean_graph_neurons=float(data.get("mean_graph_neurons", 0.0)),
            prob_drop=drops(data["prob_drop"]), top1_drop=drops(data["top1_drop"]),
        )
