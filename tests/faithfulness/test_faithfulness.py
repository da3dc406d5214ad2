"""Ablation hooks and the faithfulness measurement on hand-set and seeded tiny models."""

import math
from collections import OrderedDict

import polars as pl
import pytest
import torch
from summit.ingest.ablation import ablate
from summit.ingest.faithfulness import (
    FaithfulnessStats,
    build_plan,
    faithfulness_table,
    measure,
    most_active,
    random_control,
)
from torch import nn

from summit.errors import ArtifactError, BadInput


def hand_model() -> nn.Module:
    """feat = relu(x) channel by channel; mix = identity; logits = 10 * mean(mix) + bias (0, 0, 1)."""
    model = nn.Sequential(OrderedDict(
        conv=nn.Conv2d(3, 3, 1), feat=nn.ReLU(), mixconv=nn.Conv2d(3, 3, 1), mix=nn.ReLU(),
        gap=nn.AdaptiveAvgPool2d(1), flat=nn.Flatten(), fc=nn.Linear(3, 3),
    ))
    with torch.no_grad():
        for conv in (model.conv, model.mixconv):
            conv.weight.copy_(torch.eye(3)[:, :, None, None])
            conv.bias.zero_()
        model.fc.weight.copy_(10 * torch.eye(3))
        model.fc.bias.copy_(torch.tensor([0.0, 0.0, 1.0]))
    return model.eval()


def class_images(label: int, n: int) -> torch.Tensor:
    x = torch.zeros(n, 3, 4, 4)
    x[:, label] = 1.0
    return x


CHANNELS = {"feat": 3, "mix": 3}
# Class 0's graph: feat:0. Class 1's graph: mix:1. Class 2 has an empty graph.
NODES = pl.DataFrame({"class_index": [0, 1], "neuron_id": ["feat:0", "mix:1"],
                      "pagerank": [1.0, 1.0], "count": [1, 1]})


def test_ablating_the_known_channel_kills_the_class_and_random_ones_do_not():
    plan = build_plan(NODES, CHANNELS, [(0, 0), (1, 1), (2, 2)], controls=3, seed=0)
    images = torch.cat([class_images(0, 2), class_images(1, 1), class_images(2, 1)])
    labels = torch.tensor([0, 0, 1, 2])
    stats = measure(hand_model(), [(images, labels)], plan, num_outputs=3)
    table = faithfulness_table(plan, stats).sort("class_index")
    e = math.e
    base0 = math.exp(10) / (math.exp(10) + 1 + e)  # logits (10, 0, 1)
    ablated0 = 1 / (2 + e)  # logits (0, 0, 1): class 2 wins
    base1 = base0  # logits (0, 10, 1)
    base2 = math.exp(11) / (2 + math.exp(11))  # logits (0, 0, 11)
    row0, row1, row2 = table.iter_rows(named=True)
    assert row0["images"] == 2
    assert row0["graph_neurons"] == 1
    assert row0["base_prob"] == pytest.approx(base0, abs=1e-6)
    assert row0["graph_prob_drop"] == pytest.approx(base0 - ablated0, abs=1e-6)
    assert row0["base_top1"] == 1.0
    assert row0["graph_top1_drop"] == 1.0
    # The random control ablates feat:1 or feat:2, both zero for class-0 images: nothing changes.
    assert row0["random_prob_drop_mean"] == pytest.approx(0.0, abs=1e-7)
    assert row0["random_prob_drop_std"] == pytest.approx(0.0, abs=1e-7)
    assert row0["random_top1_drop_mean"] == 0.0
    assert row1["graph_prob_drop"] == pytest.approx(base1 - ablated0, abs=1e-6)
    assert row1["graph_top1_drop"] == 1.0
    assert row1["random_top1_drop_mean"] == 0.0
    assert row2["graph_neurons"] == 0
    assert row2["base_prob"] == pytest.approx(base2, abs=1e-6)
    assert row2["graph_prob_drop"] == 0.0
    assert row2["random_prob_drop_mean"] == 0.0


def test_most_active_control_ranks_by_counts_then_sums_then_higher_channel():
    graph = torch.tensor([True, False, False, True, False, False])  # 2 neurons in this layer
    counts = torch.tensor([0, 5, 2, 2, 0, 0])
    sums = torch.tensor([9.0, 1.0, 1.0, 1.0, 3.0, 3.0])
    # counts: 1 (5), then 2 and 3 tie at 2 with equal sums: the higher channel, 3
    assert most_active(graph, counts, sums).nonzero().flatten().tolist() == [1, 3]
    graph4 = torch.tensor([True, True, True, True, False, False])
    # four: 1, 3, 2 by A, then the largest activation sum among the rest: 0 (9.0)
    assert most_active(graph4, counts, sums).nonzero().flatten().tolist() == [0, 1, 2, 3]
    graph5 = torch.tensor([True] * 5 + [False])
    # five: then 4 and 5 tie on sum 3.0: the higher channel, 5
    assert most_active(graph5, counts, sums).nonzero().flatten().tolist() == [0, 1, 2, 3, 5]


def test_most_active_control_is_ablated_per_class():
    acts = pl.DataFrame({"class_index": [0, 0, 1], "neuron_id": ["feat:1", "mix:0", "mix:1"],
                         "count": [4, 1, 3], "graph_count": [4, 2, 3], "act_sum": [1.0, 1.0, 1.0]})
    plan = build_plan(NODES, CHANNELS, [(0, 0), (1, 1)], controls=1, seed=0, activations=acts)
    # class 0's graph has one feat neuron: its most active feat neuron is feat:1 (A = 4)
    assert plan.active["feat"][0].nonzero().flatten().tolist() == [1]
    assert not plan.active["mix"][0].any()
    assert plan.active["mix"][1].nonzero().flatten().tolist() == [1]  # the graph's own neuron, by A
    images = torch.cat([class_images(0, 1), class_images(1, 1)])
    table = faithfulness_table(plan, measure(hand_model(), [(images, torch.tensor([0, 1]))], plan, num_outputs=3))
    row0, row1 = table.sort("class_index").iter_rows(named=True)
    assert row0["active_prob_drop"] == pytest.approx(0.0, abs=1e-7)  # feat:1 is zero on class-0 images
    assert row1["active_prob_drop"] == pytest.approx(row1["graph_prob_drop"], abs=1e-7)
    assert row1["active_prob_drop"] > 0.5


def test_random_control_matches_graph_size_and_avoids_graph_channels():
    gen = torch.Generator().manual_seed(0)
    graph = torch.tensor([True, False, True, False, False, False])
    for _ in range(20):
        control = random_control(graph, gen)
        assert int(control.sum()) == 2
        assert not bool((control & graph).any())
    big = torch.tensor([True, True, True, False])  # too few others: takes all of them plus graph channels
    control = random_control(big, gen)
    assert int(control.sum()) == 3
    assert bool(control[3])


def test_plan_is_independent_of_the_class_subset_and_seeded():
    nodes = pl.DataFrame({"class_index": [0, 0, 1, 2], "neuron_id": ["feat:0", "mix:2", "mix:1", "feat:1"],
                          "pagerank": [1.0] * 4, "count": [1] * 4})
    full = build_plan(nodes, CHANNELS, [(0, 0), (1, 1), (2, 2)], controls=2, seed=4)
    part = build_plan(nodes, CHANNELS, [(2, 2)], controls=2, seed=4)
    for s in range(2):
        for layer in CHANNELS:
            assert torch.equal(full.random[s][layer][2], part.random[s][layer][0])
    assert full.graph_neurons == [2, 1, 1]
    other = build_plan(nodes, CHANNELS, [(0, 0), (1, 1), (2, 2)], controls=2, seed=5)
    assert any(not torch.equal(full.random[s][layer], other.random[s][layer]) for s in range(2) for layer in CHANNELS)
    with pytest.raises(ArtifactError, match="not a neuron of the model"):
        build_plan(pl.DataFrame({"class_index": [0], "neuron_id": ["feat:7"], "pagerank": [1.0], "count": [1]}),
                   CHANNELS, [(0, 0)], controls=1, seed=0)


def seeded_cnn() -> nn.Module:
    torch.manual_seed(3)
    return nn.Sequential(OrderedDict(
        c1=nn.Conv2d(3, 8, 3, padding=1), a=nn.ReLU(), c2=nn.Conv2d(8, 6, 3, padding=1), b=nn.ReLU(),
        gap=nn.AdaptiveAvgPool2d(1), flat=nn.Flatten(), fc=nn.Linear(6, 4),
    )).eval()


def random_setup():
    gen = torch.Generator().manual_seed(11)
    rows = []
    for c in range(4):
        for layer, n in {"a": 8, "b": 6}.items():
            for ch in torch.randperm(n, generator=gen)[:3].tolist():
                rows.append((c, f"{layer}:{ch}"))
    nodes = pl.DataFrame({"class_index": [r[0] for r in rows], "neuron_id": [r[1] for r in rows],
                          "pagerank": [1.0] * len(rows), "count": [1] * len(rows)})
    plan = build_plan(nodes, {"a": 8, "b": 6}, [(c, 3 - c) for c in range(4)], controls=3, seed=1)
    images = torch.randn(14, 3, 6, 6, generator=gen)
    labels = torch.tensor([0, 1, 2, 3, 3, 2, 1, 0, 0, 0, 1, 2, 3, 3])
    return plan, images, labels


def test_per_sample_masks_equal_separate_runs_per_class():
    plan, images, labels = random_setup()
    model = seeded_cnn()
    mixed = faithfulness_table(plan, measure(model, [(images, labels)], plan, num_outputs=4)).sort("class_index")
    for class_index, logit in zip(plan.class_indices, plan.logits, strict=True):
        k = plan.class_indices.index(class_index)
        pick = labels == logit
        # A separate run: only this class's images, its masks applied to the whole batch (shape (C,)).
        with torch.no_grad():
            outs = []
            for masks in [{}, {layer: g[k] for layer, g in plan.graph.items()},
                          {layer: a[k] for layer, a in plan.active.items()},
                          *({layer: r[layer][k] for layer in r} for r in plan.random)]:
                with ablate(model, masks):
                    outs.append(torch.softmax(model(images[pick]), dim=1)[:, logit])
        base = outs[0].double().mean()
        drops = torch.stack([base - o.double().mean() for o in outs[1:]])
        row = mixed.filter(pl.col("class_index") == class_index).row(0, named=True)
        assert row["images"] == int(pick.sum())
        assert row["base_prob"] == pytest.approx(float(base), abs=1e-6)
        assert row["graph_prob_drop"] == pytest.approx(float(drops[0]), abs=1e-6)
        assert row["active_prob_drop"] == pytest.approx(float(drops[1]), abs=1e-6)
        assert row["random_prob_drop_mean"] == pytest.approx(float(drops[2:].mean()), abs=1e-6)
        assert row["random_prob_drop_std"] == pytest.approx(float(drops[2:].std(correction=0)), abs=1e-6)


def test_batch_size_does_not_change_results_and_stats_merge():
    plan, images, labels = random_setup()
    model = seeded_cnn()
    one = measure(model, [(images, labels)], plan, num_outputs=4)
    split = measure(model, [(images[i:i + 3], labels[i:i + 3]) for i in range(0, 14, 3)], plan, num_outputs=4)
    halves = [measure(model, [(images[:5], labels[:5])], plan, num_outputs=4),
              measure(model, [(images[5:], labels[5:])], plan, num_outputs=4)]
    merged = halves[0].merge(halves[1])
    for other in (split, merged):
        assert torch.equal(one.images, other.images)
        assert torch.equal(one.correct, other.correct)
        torch.testing.assert_close(one.prob_sum, other.prob_sum, atol=1e-6, rtol=0)


def test_stats_literals():
    # conditions: base, graph, most active, one random control
    stats = FaithfulnessStats(classes=2, conditions=4)
    stats.update(torch.tensor([0, 0, 1]),
                 torch.tensor([[0.9, 0.7, 0.5], [0.1, 0.3, 0.5], [0.5, 0.6, 0.4], [0.8, 0.8, 0.2]]),
                 torch.tensor([[1, 1, 0], [0, 0, 0], [1, 0, 0], [1, 0, 0]], dtype=torch.bool))
    got = stats.get()
    assert got["images"].tolist() == [2, 1]
    assert got["base_prob"].tolist() == pytest.approx([0.8, 0.5])
    assert got["graph_prob_drop"].tolist() == pytest.approx([0.6, 0.0], abs=1e-7)
    assert got["active_prob_drop"].tolist() == pytest.approx([0.25, 0.1], abs=1e-7)
    assert got["random_prob_drop_mean"].tolist() == pytest.approx([0.0, 0.3], abs=1e-7)
    assert got["base_top1"].tolist() == [1.0, 0.0]
    assert got["graph_top1_drop"].tolist() == [1.0, 0.0]
    assert got["active_top1_drop"].tolist() == [0.5, 0.0]
    assert got["random_top1_drop_mean"].tolist() == [0.5, 0.0]


def test_hooks_removed_after_errors():
    model = hand_model()
    x = class_images(0, 2)
    def fail_inside() -> None:
        with ablate(model, {"feat": torch.tensor([True, False, False])}):
            assert model.feat._forward_hooks
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_inside()
    # A mask of the wrong width fails inside the forward; the hook is still removed.
    with pytest.raises(BadInput, match="has 2 channels, the layer has 3"), \
            ablate(model, {"mix": torch.tensor([True, False])}):
        model(x)
    with pytest.raises(BadInput, match="no layer"), ablate(model, {"nope": torch.tensor([True])}):
        pass
    with pytest.raises(BadInput, match="bool tensor"), ablate(model, {"feat": torch.tensor([1, 0, 0])}):
        pass
    assert all(not m._forward_hooks for m in model.modules())
    torch.testing.assert_close(model(x), hand_model()(x))


def test_ablation_zeroes_exactly_the_masked_channels_per_sample():
    model = hand_model()
    x = torch.ones(2, 3, 4, 4)
    captured = {}
    handle = model.mixconv.register_forward_hook(lambda _m, inp, _o: captured.setdefault("in", inp[0]))
    try:
        with ablate(model, {"feat": torch.tensor([[True, False, False], [False, True, True]])}):
            model(x)
    finally:
        handle.remove()
    assert captured["in"][:, :, 0, 0].tolist() == [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA (runs where a GPU is present)")
def test_measure_on_gpu_matches_cpu():
    plan, images, labels = random_setup()
    cpu = measure(seeded_cnn(), [(images, labels)], plan, num_outputs=4)
    gpu = measure(seeded_cnn().cuda(), [(images, labels)], plan, num_outputs=4, device="cuda")
    assert torch.equal(cpu.images, gpu.images)
    torch.testing.assert_close(cpu.prob_sum, gpu.prob_sum, atol=1e-4, rtol=0)
