"""Brute-force reference (plain loops) vs the pipeline on random tiny models: identical counts."""

from __future__ import annotations

import pytest
from summit.ingest.pipeline import build_ingestor

from summit.settings import resolve
from tests.ingest.models_zoo import ZOO, build, random_images
from tests.ingest.reference import run_reference
from tests.ingest.tiny import loaded, run_tiny

CLASSES = 3


@pytest.mark.parametrize("name", sorted(ZOO))
def test_pipeline_equals_brute_force(tmp_path, name):
    model = build(name, seed=1)
    _, layers, pairs, rules = ZOO[name]
    images = random_images(10, seed=2)
    labels = [0, 1, 2, 0, 1, 0, 2, 2, 1, 0]
    ref = run_reference(model, layers, pairs(), images, labels, k=2, mass=0.3, graph_mass=0.5)
    got = run_tiny(tmp_path, model, layers, images, labels, classes=CLASSES, batch_size=4,
                   influence_topk=2, activation_mass=0.3, graph_activation_mass=0.5)
    assert [p["rule"] for p in got["manifest"]["influence"]] == rules
    assert got["acts"] == {key: v for key, v in ref["acts"].items() if v}
    assert got["graph_acts"] == {key: v for key, v in ref["graph_acts"].items() if v}
    assert sum(got["graph_acts"].values()) > sum(got["acts"].values())  # the larger mass selects more
    assert got["influences"] == ref["influences"]
    assert len(got["influences"]) > 0
    for key, value in got["sums"].items():
        assert value == pytest.approx(ref["sums"][key], rel=1e-9)


def test_plans_name_the_hops():
    model = build("inception")
    ing = build_ingestor(loaded(model, ["a", "inc"], CLASSES, 8), resolve({"device": "cpu"}, environ={}),
                         device=__import__("torch").device("cpu"))
    plan = ing.plans[0]
    assert plan.block == "Inception"
    assert [[plan.hops[h].conv for h in chain] for chain in plan.chains] == [
        ["inc.branch1.conv"], ["inc.branch2.0.conv", "inc.branch2.1.conv"],
        ["inc.branch3.0.conv", "inc.branch3.1.conv"], ["inc.branch4.1.conv"],
    ]
    assert plan.hops[-1].x_from == "inc"  # pool branch: pool-proj weights on l-1 directly
    assert [plan.hops[c[-1]].out_offset for c in plan.chains] == [0, 2, 5, 8]
