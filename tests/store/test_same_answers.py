"""Both stores give identical answers on a synthetic artifact (seeded random calls of every query)."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.store.conftest import unique_model

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


def calls(store: Any, model: str, n: int) -> list[Callable[[Any], Any]]:
    rng = random.Random(1)
    info = store.model(model)
    classes = [c.index for c in store.classes(model)]
    neurons = list(store.neurons(model, [f"{layer.name}:{c}" for layer in info.layers
                                                  for c in range(layer.channels)]))
    out: list[Callable[[Any], Any]] = []
    for _ in range(n):
        ci, other = rng.choice(classes), rng.choice(classes)
        nid = rng.choice(neurons).id
        low = rng.choice([x for x in neurons if x.layer_index == 0]).id
        high = rng.choice([x for x in neurons if x.layer_index == info.layers[-1].index]).id
        text = rng.choice([c.name for c in store.classes(model)])[: rng.randint(1, 5)]
        out += [
            lambda s, ci=ci: s.class_graph(model, ci),
            lambda s, ci=ci: s.class_graph(model, ci, top_n=2, min_weight=1),
            lambda s, nid=nid: s.neuron_detail(model, nid),
            lambda s, ci=ci, nid=nid: s.influence_edges(model, nid, class_index=ci, direction="both", limit=7),
            lambda s, nid=nid: s.influence_edges(model, nid, class_index=None, direction="in", limit=7),
            lambda s, ci=ci, nid=nid: s.neighbourhood(model, ci, nid, hops=2),
            lambda s, ci=ci, low=low: s.paths(model, ci, low, None, k=5, mode="sum"),
            lambda s, ci=ci, low=low, high=high: s.paths(model, ci, low, high, k=3, mode="bottleneck"),
            lambda s, ci=ci, other=other: s.compare(model, ci, other),
            lambda s, ci=ci: s.similar_classes(model, ci, layer=None, limit=5),
            lambda s, text=text: s.search(model, text, limit=10),
            lambda s, layer=info.layers[1].name: s.embedding(model, layer),
        ]
    return out


def test_embedded_and_neo4j_agree(make_store: Callable[[str], Any], tmp_path: Path) -> None:
    from summit.synth import write_synthetic_artifact

    model = unique_model("synth")
    path = tmp_path / "synth"
    write_synthetic_artifact(path, classes=8, layers=3, images_per_class=20, seed=3, with_media=False)
    import json

    manifest = json.loads((path / "manifest.json").read_text())
    manifest["run_id"] = model
    (path / "manifest.json").write_text(json.dumps(manifest))
    embedded, neo = make_store("embedded"), make_store("neo4j")
    embedded.load_artifact(str(path))
    neo.load_artifact(str(path), batch_rows=50)
    todo = calls(embedded, model, 15)
    answers = [(call(embedded), call(neo)) for call in todo]
    assert all(a == b for a, b in answers), [i for i, (a, b) in enumerate(answers) if a != b][:5]
    assert sum(1 for a, _ in answers if a) > len(answers) * 0.8  # mostly non-empty answers
