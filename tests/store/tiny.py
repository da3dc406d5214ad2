"""A tiny hand-made artifact whose query answers are known by hand (see test_contract.py)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from summit import artifact as art

LAYERS = (("conv1", 3), ("conv2", 2), ("fc", 2))
CLASSES = (
    (0, "n01440764", "tench, Tinca tinca", 10, 7),
    (1, "n01443537", "goldfish, Carassius auratus", 8, 2),
    (2, "n01484850", "great white shark", 5, 5),
)
ACTIVATIONS = (  # class, neuron, count, graph_count, act_sum
    (0, "conv1:0", 6, 8, 12.0), (1, "conv1:0", 6, 6, 4.0), (2, "conv1:0", 1, 2, 1.0),
    (0, "conv1:1", 3, 5, 3.0), (1, "conv1:1", 4, 4, 2.0),
    (0, "conv2:0", 5, 6, 5.0), (0, "conv2:1", 4, 4, 2.0), (1, "conv2:1", 3, 3, 1.5),
    (0, "fc:0", 7, 7, 7.0), (1, "fc:1", 2, 3, 2.0), (0, "conv1:2", 2, 2, 1.0),
    (2, "conv2:1", 0, 1, 0.5),  # selected only at the graph-stage mass: not an ACTIVATES relationship
)
GRAPHS = {"graph_method": "summit", "graph_rules_changed": {}}
FAITHFULNESS = {  # the manifest's summary of a held-out measurement
    "graph_method": "summit", "held_out": True, "graph_data": {"root": "/data/tiny"},
    "ablation_data": {"root": "/data/other"}, "shared_images": 0, "classes": 1, "images": 10,
    "mean_graph_neurons": 5.0,
    "prob_drop": {k: {"mean": m, "low": m - 0.1, "high": m + 0.1} for k, m in (
        ("graph", 0.5), ("active", 0.3), ("random", 0.1), ("graph_minus_active", 0.2), ("graph_minus_random", 0.4))},
    "top1_drop": {k: {"mean": 0.6, "low": 0.5, "high": 0.7} for k in (
        "graph", "active", "random", "graph_minus_active", "graph_minus_random")},
}
INFLUENCES = (  # class, src, dst, count
    (0, "conv1:0", "conv2:0", 5), (0, "conv1:1", "conv2:0", 3), (0, "conv1:0", "conv2:1", 2),
    (0, "conv2:0", "fc:0", 4), (0, "conv2:1", "fc:0", 6), (0, "conv2:0", "fc:1", 1),
    (0, "conv1:2", "conv2:1", 7),
    (1, "conv1:1", "conv2:1", 4), (1, "conv2:1", "fc:1", 2), (1, "conv1:0", "conv2:0", 1),
)
CLASS_NODES = (  # class, neuron, pagerank, count
    (0, "conv1:0", 0.5, 6), (0, "conv1:1", 0.2, 3), (0, "conv2:0", 0.6, 5), (0, "conv2:1", 0.3, 4),
    (0, "fc:0", 0.9, 7),
    (1, "conv1:1", 0.4, 4), (1, "conv2:1", 0.7, 3), (1, "fc:1", 0.8, 2),
)
CLASS_EDGES = (  # class, src, dst, weight
    (0, "conv1:0", "conv2:0", 5), (0, "conv1:1", "conv2:0", 3), (0, "conv1:0", "conv2:1", 2),
    (0, "conv2:0", "fc:0", 4), (0, "conv2:1", "fc:0", 6),
    (1, "conv1:1", "conv2:1", 4), (1, "conv2:1", "fc:1", 2),
)
SIMILARITY = (  # class, other, layer, cosine
    (0, 1, "all", 0.9), (0, 2, "all", 0.5), (1, 0, "all", 0.9), (1, 2, "all", 0.3),
    (2, 0, "all", 0.5), (2, 1, "all", 0.3), (0, 1, "conv1", 0.1), (0, 2, "conv1", 0.8),
)
EXAMPLES = (  # neuron, rank, image, score, media
    ("conv1:0", 1, "img_b.jpg", 0.7, "examples/conv1/0_1.jpg"),
    ("conv1:0", 0, "img_a.jpg", 0.9, "examples/conv1/0_0.jpg"),
    ("conv2:0", 0, "img_c.jpg", 0.5, "examples/conv2/0_0.jpg"),
)
FEATUREVIS = (("conv1:0", 1, "featurevis/conv1/0_1.png", 2.0), ("conv1:0", 0, "featurevis/conv1/0.png", 3.0))
GROUP_SUGGESTIONS = (  # group, layer, neuron, cohesion (members out of channel order on purpose)
    (0, "conv1", "conv1:1", 0.8), (0, "conv1", "conv1:0", 0.8), (1, "conv2", "conv2:1", 0.6),
    (1, "conv2", "conv2:0", 0.6), (2, "fc", "fc:0", 0.5), (2, "fc", "fc:1", 0.5),
)
EMBEDDING = tuple((c, layer, float(c), float(c) * 2 + i) for i, layer in enumerate(("conv1", "fc")) for c in (2, 0, 1))


def write_tiny_artifact(path: Path, run_id: str = "tiny", *, name_suffix: str = "") -> Path:
    """Write the tiny artifact under ``path``; ``name_suffix`` changes class names (to tell loads apart)."""
    path.mkdir(parents=True, exist_ok=True)
    neurons = [(f"{layer}:{ch}", layer, i, ch) for i, (layer, n) in enumerate(LAYERS) for ch in range(n)]
    art.write_table(path, "neurons", pl.DataFrame(neurons, schema=list(art.TABLES["neurons"]), orient="row"))
    hist = [[1] * 20, [0] * 20, [2] * 20]
    top1_hist = [[0] * 19 + [20], [0] * 20, [0] * 10 + [10] * 10]
    classes = [(i, w, n + name_suffix, im, t, hist[i], top1_hist[i]) for i, w, n, im, t in CLASSES]
    art.write_table(path, "classes", pl.DataFrame(classes, schema=list(art.TABLES["classes"]), orient="row"))
    tables = {
        "activations": ACTIVATIONS, "influences": INFLUENCES, "class_nodes": CLASS_NODES,
        "class_edges": CLASS_EDGES, "similarity": SIMILARITY, "examples": EXAMPLES,
        "featurevis": FEATUREVIS, "embedding": EMBEDDING, "group_suggestions": GROUP_SUGGESTIONS,
    }
    for table, rows in tables.items():
        art.write_table(path, table, pl.DataFrame(list(rows), schema=list(art.TABLES[table]), orient="row"))
    faith = [(0, 10, 5, 0.8, 0.5, 0.1, 0.05, 0.7, 0.6, 0.1, 0.02, 0.3, 0.4)]
    art.write_table(path, "faithfulness",
                    pl.DataFrame(faith, schema=list(art.TABLES["faithfulness"]), orient="row"))
    art.write_manifest(path, {
        "run_id": run_id,
        "model": {"name": "tinynet"},
        "dataset": {"root": "/data/tiny"},
        "layers": [{"name": n, "channels": c} for n, c in LAYERS],
        "created": "2026-11-25T00:00:00+00:00",
        "graphs": GRAPHS,
        "faithfulness": FAITHFULNESS,
    })
    return path
