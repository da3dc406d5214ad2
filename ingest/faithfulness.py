"""Faithfulness of class graphs: does ablating a class's graph neurons remove the class?

For every image of a measured class, one forward pass runs R = 3 + S copies of
the batch: the unablated model, the class graph's neurons ablated (channels set
to zero at their layers), the class's most active neurons (per layer as many as
the graph has there, by the activation counts A, then by the activation sums
where A runs out; equal values: the higher channel), and S random controls that
ablate as many neurons per layer as the graph has, drawn from the layer's
channels outside the graph (graph channels are used only when a layer has too
few others). Each copy carries a per-sample channel mask, so images of
different classes share a batch. Per class we accumulate the true-class
probability and top-1 hits per condition (a small streaming object, additive
over batches) and report:

- ``base_prob`` / ``base_top1``: mean true-class probability / top-1 accuracy;
- ``graph_prob_drop`` / ``graph_top1_drop``: base minus with the graph ablated;
- ``active_prob_drop`` / ``active_top1_drop``: the same with the most active
  neurons ablated (the control the graph has to beat);
- ``random_*_drop_mean`` / ``_std``: mean and population std over the S seeds
  of the same drop with the random control ablated.

Random controls are drawn per (seed, class, control index, layer) from their
own generator: results do not depend on batch size or on the class subset.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
import torch
from summit.ingest.ablation import ablate
from torch import nn

from summit.errors import ArtifactError, BadInput
from summit.ids import parse_neuron_id


@dataclass
class AblationPlan:
    """Per measured class (slot k): which channels each condition ablates, per layer."""

    class_indices: list[int]  # artifact class index of slot k
    logits: list[int]  # model output index of slot k
    graph: dict[str, torch.Tensor]  # layer -> (K, C) bool
    active: dict[str, torch.Tensor]  # the most active neurons, as many per layer: layer -> (K, C) bool
    random: list[dict[str, torch.Tensor]]  # one per control seed: layer -> (K, C) bool
    graph_neurons: list[int]  # graph size of slot k

    @property
    def conditions(self) -> int:
        return 3 + len(self.random)


def _control_seed(seed: int, class_index: int, control: int, layer: str) -> int:
    digest = hashlib.sha256(f"faithfulness|{seed}|{class_index}|{control}|{layer}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & ((1 << 63) - 1)


def random_control(graph_mask: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """As many channels as ``graph_mask`` marks, drawn at random from the unmarked ones first."""
    k = int(graph_mask.sum())
    outside = torch.nonzero(~graph_mask).flatten()
    inside = torch.nonzero(graph_mask).flatten()
    order = torch.cat([outside[torch.randperm(len(outside), generator=generator)],
                       inside[torch.randperm(len(inside), generator=generator)]])
    mask = torch.zeros_like(graph_mask)
    mask[order[:k]] = True
    return mask


def most_active(graph_mask: torch.Tensor, counts: torch.Tensor, sums: torch.Tensor) -> torch.Tensor:
    """As many channels as ``graph_mask`` marks: the highest ``counts`` first, then ``sums`` (A ran
    out), equal values the higher channel (Summit's tie rule)."""
    k = int(graph_mask.sum())
    n = graph_mask.numel()
    channel = torch.arange(n, dtype=torch.float64)
    # lexicographic descending (count, sum, channel) via three stable sorts, least significant first
    order = torch.argsort(channel, descending=True, stable=True)
    order = order[torch.argsort(sums[order], descending=True, stable=True)]
    order = order[torch.argsort(counts[order].to(torch.float64), descending=True, stable=True)]
    mask = torch.zeros_like(graph_mask)
    mask[order[:k]] = True
    return mask


def build_plan(
    class_nodes: pl.DataFrame,
    layer_channels: Mapping[str, int],
    classes: Sequence[tuple[int, int]],
    *,
    controls: int,
    seed: int,
    activations: pl.DataFrame | None = None,
    count_column: str = "count",
) -> AblationPlan:
    """Masks for ``classes`` = [(class index, logit)] from the ``class_nodes`` table; the most-active
    control ranks by ``activations[count_column]`` then ``act_sum`` (none given: all zero)."""
    if controls < 1:
        raise BadInput(f"faithfulness needs at least one random control seed, got {controls}")
    slots = {c: k for k, (c, _) in enumerate(classes)}
    graph = {layer: torch.zeros((len(classes), n), dtype=torch.bool) for layer, n in layer_channels.items()}
    sizes = [0] * len(classes)
    nodes = class_nodes.filter(pl.col("class_index").is_in(list(slots)))
    for class_index, nid in nodes.select("class_index", "neuron_id").iter_rows():
        layer, channel = parse_neuron_id(nid)
        if layer not in graph or channel >= layer_channels[layer]:
            raise ArtifactError(f"class_nodes: neuron {nid!r} of class {class_index} is not a neuron of the model")
        k = slots[class_index]
        if not graph[layer][k, channel]:
            graph[layer][k, channel] = True
            sizes[k] += 1
    counts = {layer: torch.zeros((len(classes), n), dtype=torch.int64) for layer, n in layer_channels.items()}
    sums = {layer: torch.zeros((len(classes), n), dtype=torch.float64) for layer, n in layer_channels.items()}
    if activations is not None:
        picked = activations.filter(pl.col("class_index").is_in(list(slots)))
        for class_index, nid, count, total in picked.select("class_index", "neuron_id", count_column,
                                                            "act_sum").iter_rows():
            layer, channel = parse_neuron_id(nid)
            if layer in counts and channel < layer_channels[layer]:
                counts[layer][slots[class_index], channel] = int(count)
                sums[layer][slots[class_index], channel] = float(total)
    active = {layer: torch.stack([most_active(g[k], counts[layer][k], sums[layer][k]) for k in range(len(classes))])
              if classes else g.clone() for layer, g in graph.items()}
    random = []
    for control in range(controls):
        masks = {}
        for layer, g in graph.items():
            rows = []
            for k, (class_index, _) in enumerate(classes):
                gen = torch.Generator().manual_seed(_control_seed(seed, class_index, control, layer))
                rows.append(random_control(g[k], gen))
            masks[layer] = torch.stack(rows) if rows else g.clone()
        random.append(masks)
    return AblationPlan([c for c, _ in classes], [lg for _, lg in classes], graph, active, random, sizes)


class FaithfulnessStats:
    """Streaming per-class sums: images, true-class probability and top-1 hits per condition."""

    def __init__(self, classes: int, conditions: int):
        self.images = torch.zeros(classes, dtype=torch.int64)
        self.prob_sum = torch.zeros((conditions, classes), dtype=torch.float64)
        self.correct = torch.zeros((conditions, classes), dtype=torch.int64)

    def update(self, slots: torch.Tensor, true_prob: torch.Tensor, correct: torch.Tensor) -> None:
        """``slots`` (B,) class slot per image; ``true_prob`` and ``correct`` (R, B) per condition."""
        slots = slots.cpu()
        self.images.index_add_(0, slots, torch.ones_like(slots))
        self.prob_sum.index_add_(1, slots, true_prob.detach().cpu().to(torch.float64))
        self.correct.index_add_(1, slots, correct.cpu().to(torch.int64))

    def merge(self, other: FaithfulnessStats) -> FaithfulnessStats:
        self.images += other.images
        self.prob_sum += other.prob_sum
        self.correct += other.correct
        return self

    def get(self) -> dict[str, torch.Tensor]:
        """Per-class figures (classes without images give NaN)."""
        n = self.images.to(torch.float64)
        prob = self.prob_sum / n
        top1 = self.correct.to(torch.float64) / n
        rand_prob = prob[0] - prob[3:]
        rand_top1 = top1[0] - top1[3:]
        return {
            "images": self.images.clone(),
            "base_prob": prob[0], "graph_prob_drop": prob[0] - prob[1],
            "random_prob_drop_mean": rand_prob.mean(0), "random_prob_drop_std": rand_prob.std(0, correction=0),
            "base_top1": top1[0], "graph_top1_drop": top1[0] - top1[1],
            "random_top1_drop_mean": rand_top1.mean(0), "random_top1_drop_std": rand_top1.std(0, correction=0),
            "active_prob_drop": prob[0] - prob[2], "active_top1_drop": top1[0] - top1[2],
        }


def batch_masks(plan: AblationPlan, slots: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per layer, the (R * B, C) mask of one replicated batch: none, graph, most active, then each
    random control."""
    masks = {}
    for layer, g in plan.graph.items():
        parts = [torch.zeros((len(slots), g.shape[1]), dtype=torch.bool), g[slots], plan.active[layer][slots]]
        parts.extend(r[layer][slots] for r in plan.random)
        masks[layer] = torch.cat(parts)
    return masks


def measure_batch(
    module: nn.Module, images: torch.Tensor, logits: torch.Tensor, slots: torch.Tensor, plan: AblationPlan,
    device: torch.device,
) -> tuple[torch.Tensor, torch.Tensor]:
    """True-class probability and top-1 hit, (R, B) each, for one batch under every condition."""
    r, b = plan.conditions, len(slots)
    masks = {layer: m.to(device) for layer, m in batch_masks(plan, slots).items()}
    x = images.to(device).repeat(r, *([1] * (images.dim() - 1)))
    if x.dim() == 4 and device.type == "cpu":
        x = x.contiguous(memory_format=torch.channels_last)  # with channels_last weights: faster depthwise convs
    with torch.no_grad(), ablate(module, masks):
        out = module(x)
    probs = torch.softmax(out.float(), dim=1)
    target = logits.to(device).repeat(r)
    true_prob = probs[torch.arange(r * b, device=device), target].reshape(r, b)
    correct = (out.argmax(dim=1) == target).reshape(r, b)
    return true_prob, correct


def measure(
    module: nn.Module,
    batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
    plan: AblationPlan,
    *,
    num_outputs: int,
    device: torch.device | str = "cpu",
    progress: Callable[[int], None] | None = None,
) -> FaithfulnessStats:
    """Stream (images, logit labels) batches; images of classes outside the plan are ignored."""
    device = torch.device(device)
    module.eval()
    slot_of = torch.full((num_outputs,), -1, dtype=torch.long)
    slot_of[torch.tensor(plan.logits, dtype=torch.long)] = torch.arange(len(plan.logits))
    stats = FaithfulnessStats(len(plan.logits), plan.conditions)
    for images, labels in batches:
        slots = slot_of[labels.cpu()]
        keep = slots >= 0
        if bool(keep.any()):
            true_prob, correct = measure_batch(module, images[keep], labels[keep], slots[keep], plan, device)
            stats.update(slots[keep], true_prob, correct)
        if progress is not None:
            progress(len(labels))
    return stats


def faithfulness_table(plan: AblationPlan, stats: FaithfulnessStats) -> pl.DataFrame:
    """Rows of the ``faithfulness`` table for the classes that had images."""
    figures = stats.get()
    columns: dict[str, list[Any]] = {"class_index": plan.class_indices,
                                              "graph_neurons": plan.graph_neurons}
    for name, values in figures.items():
        columns[name] = values.tolist()
    frame = pl.DataFrame(columns)
    return frame.filter(pl.col("images") > 0)
