"""GraphQL type Faithfulness."""

from __future__ import annotations

import dataclasses

import strawberry

from summit.store import base


@strawberry.type(description="Ablation test of a class graph against random neuron sets of the same size.")
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

    @classmethod
    def from_record(cls, record: base.Faithfulness) -> Faithfulness:
        return cls(**dataclasses.asdict(record))
