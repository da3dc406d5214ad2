"""One forward pass per batch with hooks; every statistic of the batch folded into the accumulators.

``Ingestor`` owns the accumulators of one run (or one shard of it): class stats,
A_l per layer, example top-k per layer, and per layer pair the influence counts
(direct one-hop counts, per-hop counts of composed chains, identity-skip counts,
gradient-fallback counts). Hooks compute the per-image selections inside the
forward pass, so no feature map outlives its module call; they are registered
in ``try`` and removed in ``finally`` (``Ingestor.hooks``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

import torch
from summit.ingest.devices import gpu_free_bytes, gpu_memory_short
from summit.ingest.influence import (
    Geometry,
    conv_geometry,
    fold_bn,
    onehop_top,
    pair_keys,
    select_channels,
    split_1x1,
    top_inputs,
)
from summit.ingest.stats import ActivationStats, ClassStats, SparseCounts, TopExamples
from summit.ingest.structure import PairPlan
from torch import nn

from summit.errors import BadInput
from summit.ids import parse_neuron_id
from summit.settings import Settings

log = logging.getLogger(__name__)


class Ingestor:
    """Accumulators of a run plus the per-batch computation that updates them."""

    def __init__(
        self,
        model: nn.Module,
        layers: list[str],
        channels: Mapping[str, int],
        plans: list[PairPlan],
        num_classes: int,
        settings: Settings,
        device: torch.device,
        counts_device: torch.device | None = None,
        spill: bool = False,
        influence_kernel: str = "torch",
        kernel_fallback: bool = False,
    ):
        """``counts_device``: where the sparse influence counts live (default: ``device``);
        ``spill``: move them to host memory when the GPU runs short (``counts_device auto``);
        ``influence_kernel``: ``torch`` or ``triton`` for the one-hop rule (``influence.onehop_top``);
        ``kernel_fallback``: if the triton kernels fail (e.g. do not compile for this GPU), warn
        and use torch from then on (``influence_kernel auto``); the counts are the same."""
        self.model = model
        self.layers = list(layers)
        self.channels = dict(channels)
        self.plans = plans
        self.num_classes = num_classes
        self.settings = settings  # the method settings (activation_*, influence_*, examples_per_neuron, ...)
        self.device = device
        self.counts_device = device if counts_device is None else counts_device
        self.spill = spill and self.counts_device.type == "cuda"
        self.k = settings.influence_topk
        self.kernel = influence_kernel
        self.kernel_fallback = kernel_fallback
        self.modules = dict(model.named_modules())
        self.classes = ClassStats(num_classes, device)
        self.acts = {name: ActivationStats(num_classes, self.channels[name], device) for name in layers}
        self.examples = {
            name: TopExamples(self.channels[name], settings.examples_per_neuron, device) for name in layers
        }
        self.exclude = self._exclude_masks(settings.exclude_channels)
        self.direct: dict[int, SparseCounts] = {}
        self.hop_counts: dict[tuple[int, int], SparseCounts] = {}
        self.skip: dict[int, torch.Tensor] = {}
        self.kernels: dict[tuple[int, int], tuple[torch.Tensor, Geometry]] = {}
        self.splits: dict[tuple[int, int], tuple[torch.Tensor, torch.Tensor] | None] = {}
        self.x_consumers: dict[str, list[tuple[int, int]]] = {}
        self.skip_consumers: dict[str, list[int]] = {}
        self.grad_pairs = [p for p, plan in enumerate(plans) if plan.rule == "grad"]
        for p, plan in enumerate(plans):
            if plan.rule in ("onehop", "composed"):
                for chain in plan.chains:
                    for h in chain:
                        hop = plan.hops[h]
                        conv = self.modules[hop.conv]
                        bn = self.modules[hop.bn] if hop.bn else None
                        assert isinstance(conv, nn.Conv2d)
                        assert bn is None or isinstance(bn, nn.BatchNorm2d)
                        kernel = fold_bn(conv, bn).to(device)
                        self.kernels[(p, h)] = (kernel, conv_geometry(conv))
                        self.splits[(p, h)] = split_1x1(kernel)
                        self.x_consumers.setdefault(hop.x_from, []).append((p, h))
                        if len(chain) > 1:
                            self.hop_counts[(p, h)] = SparseCounts(self.counts_device)
                if plan.direct_chains:
                    self.direct[p] = SparseCounts(self.counts_device)
                if plan.skip is not None:
                    self.skip[p] = torch.zeros(num_classes, plan.n_dst, dtype=torch.int64, device=device)
                    self.skip_consumers.setdefault(plan.skip.x_from, []).append(p)
            elif plan.rule == "grad":
                self.direct[p] = SparseCounts(self.counts_device)
        self._grad_src = {plans[p].src for p in self.grad_pairs}
        self._grad_dst = {plans[p].dst for p in self.grad_pairs}
        self._reset_batch()

    # --- setup helpers --------------------------------------------------------------------

    def _exclude_masks(self, excluded: tuple[str, ...]) -> dict[str, torch.Tensor]:
        masks = {name: torch.zeros(self.channels[name], dtype=torch.bool, device=self.device) for name in self.layers}
        for nid in excluded or ():
            layer, channel = parse_neuron_id(str(nid))
            if layer not in masks or channel >= self.channels[layer]:
                raise BadInput(f"exclude_channels: {nid!r} is not a neuron of the chosen layers")
            masks[layer][channel] = True
        return masks

    def _reset_batch(self) -> None:
        self._layer_out: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
        self._hop_idx: dict[tuple[int, int], torch.Tensor] = {}
        self._hop_kth: dict[tuple[int, int], torch.Tensor] = {}
        self._skip_x: dict[int, torch.Tensor] = {}
        self._grad_x: dict[str, torch.Tensor] = {}
        self._grad_y: dict[str, torch.Tensor] = {}

    # --- hooks ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def hooks(self) -> Iterator[None]:
        """Register the capture hooks for the duration of the block; always removed."""
        handles: list[Any] = []
        try:
            for name in self.layers:
                handles.append(self.modules[name].register_forward_hook(self._layer_hook(name)))
            for path in set(self.x_consumers) | set(self.skip_consumers):
                handles.append(self.modules[path].register_forward_pre_hook(self._x_hook(path)))
            yield
        finally:
            for handle in handles:
                handle.remove()

    def _layer_hook(self, name: str) -> Any:
        def hook(_m: nn.Module, _inp: Any, out: torch.Tensor) -> Any:
            flat = out.detach().flatten(2)
            maxima, pos = flat.max(dim=-1)
            self._layer_out[name] = (maxima, pos)
            if name in self._grad_dst:
                self._grad_y[name] = out
            if name in self._grad_src:
                leaf = out.detach().requires_grad_(True)
                self._grad_x[name] = leaf
                return leaf
            return None
        return hook

    def _x_hook(self, path: str) -> Any:
        consumers = self.x_consumers.get(path, [])
        skips = self.skip_consumers.get(path, [])

        def hook(_m: nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
            x = inputs[0].detach()
            for key in consumers:
                idx, kth = self._onehop_top(key, x)
                self._hop_idx[key] = idx
                self._hop_kth[key] = kth
            if skips:
                xmax = x.flatten(2).amax(-1)
                for p in skips:
                    self._skip_x[p] = xmax
        return hook

    def _onehop_top(self, key: tuple[int, int], x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        kernel, geometry = self.kernels[key]
        split = self.splits[key]
        if self.kernel == "triton" and self.kernel_fallback:
            try:
                return onehop_top(x, kernel, geometry, self.k, split, "triton")
            except Exception as exc:  # any compiler or launch error: the torch path gives the same counts
                log.warning("the triton influence kernels failed (%s: %s); using the torch path from now on "
                            "(setting influence_kernel)", type(exc).__name__, exc)
                self.kernel = "torch"
        return onehop_top(x, kernel, geometry, self.k, split, self.kernel)

    # --- per batch ----------------------------------------------------------------------------

    def process(self, images: torch.Tensor, labels: torch.Tensor, sample_index: torch.Tensor) -> None:
        """Run one batch (must be called inside ``hooks()``) and update every accumulator."""
        self._reset_batch()
        images = images.to(self.device, non_blocking=True)
        labels = labels.to(self.device, torch.int64)
        sample_index = sample_index.to(self.device, torch.int64)
        grad = bool(self.grad_pairs)
        with torch.enable_grad() if grad else torch.no_grad():
            logits = self.model(images)
        if not isinstance(logits, torch.Tensor):  # e.g. torchvision's GoogLeNetOutputs in train mode
            logits = logits[0]
        if logits.ndim != 2 or logits.shape[1] != self.num_classes:
            raise BadInput(f"the model gives outputs of shape {tuple(logits.shape)}, expected (batch, "
                           f"{self.num_classes}) -- one logit per output wnid")
        self.classes.update(labels, logits.detach())
        m = self.settings
        masses = (m.activation_mass, m.graph_activation_mass)
        for name in self.layers:
            maxima, pos = self._layer_out[name]
            selected, graph_selected = select_channels(
                maxima, mode=m.activation_mode, mass=masses,
                topk=m.activation_topk, exclude=self.exclude[name] if self.exclude[name].any() else None,
            )
            self.acts[name].update(labels, selected, maxima, graph_selected)
            self.examples[name].update(maxima, pos, sample_index)
        for p, plan in enumerate(self.plans):
            if plan.rule in ("onehop", "composed"):
                self._count_conv_pair(p, plan, labels)
        if grad:
            self._count_grad_pairs(labels)
        self._reset_batch()
        if self.spill and gpu_memory_short(self.counts_device):
            self.move_counts(torch.device("cpu"))

    def move_counts(self, device: torch.device) -> None:
        """Move every sparse influence counter to ``device`` (e.g. host memory when the GPU runs short)."""
        counters = [*self.direct.values(), *self.hop_counts.values()]
        for counts in counters:
            counts.to(device)  # pending keys are merged on ``device``, not on the GPU that runs short
        moved = sum(c.keys.numel() for c in counters)
        log.warning("GPU memory is short: sparse influence counts (%d now) moved from %s to %s "
                    "(slower from here; setting counts_device)", moved, self.counts_device, device)
        self.counts_device = device
        self.spill = False
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def _count_conv_pair(self, p: int, plan: PairPlan, labels: torch.Tensor) -> None:
        for chain in plan.chains:
            if len(chain) == 1:
                hop = plan.hops[chain[0]]
                idx = self._hop_idx[(p, chain[0])]
                self.direct[p].add(pair_keys(labels, idx, plan.n_dst, plan.n_src, hop.out_offset))
            else:
                for h in chain:
                    hop = plan.hops[h]
                    self.hop_counts[(p, h)].add(pair_keys(labels, self._hop_idx[(p, h)], hop.n_out, hop.n_in))
        if plan.skip is not None:
            hit = self._skip_x[p] >= self._hop_kth[(p, plan.skip.last_hop)]
            self.skip[p].index_add_(0, labels, hit.to(torch.int64))

    def _count_grad_pairs(self, labels: torch.Tensor) -> None:
        targets_n = self.settings.influence_targets
        for n, p in enumerate(self.grad_pairs):
            plan = self.plans[p]
            x = self._grad_x[plan.src]
            y = self._grad_y[plan.dst]
            maxima, pos = self._layer_out[plan.dst]
            t = min(targets_n, plan.n_dst)
            targets, _ = top_inputs(maxima, t)  # (B, T)
            y_at = y.flatten(2).gather(2, pos[:, :, None]).squeeze(2).gather(1, targets)  # (B, T)
            last = n == len(self.grad_pairs) - 1
            grads = _batched_vjp(y_at, x, retain=not last)  # (T, B, C, H, W)
            contrib = (grads * x.detach()).sum(dim=(-1, -2)).permute(1, 0, 2)  # (B, T, N_src)
            idx, _ = top_inputs(contrib, self.k)
            # a zero contribution is no influence (dead ReLU, saturated ReLU6, fewer than k non-zero
            # inputs): such picks are ties, not edges, and add nothing
            nonzero = contrib.gather(2, idx) != 0
            rows = labels[:, None] * plan.n_dst + targets
            keys = rows[:, :, None] * plan.n_src + idx
            self.direct[p].add(keys[nonzero])

    # --- state ---------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        return {
            "classes": self.classes.state_dict(),
            "acts": {k: v.state_dict() for k, v in self.acts.items()},
            "examples": {k: v.state_dict() for k, v in self.examples.items()},
            "direct": {k: v.state_dict() for k, v in self.direct.items()},
            "hop_counts": {f"{p}:{h}": v.state_dict() for (p, h), v in self.hop_counts.items()},
            "skip": {k: v.cpu() for k, v in self.skip.items()},
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        if self.spill:
            # a resumed run whose counts had moved to the host must not bring them all back at once
            sparse = [*state["direct"].values(), *state["hop_counts"].values()]
            need = sum(2 * s["keys"].numel() * s["keys"].element_size() for s in sparse)
            if need > gpu_free_bytes(self.counts_device) // 2:
                self.move_counts(torch.device("cpu"))
        self.classes.load_state_dict(state["classes"])
        for k, acts in self.acts.items():
            acts.load_state_dict(state["acts"][k])
        for k, top in self.examples.items():
            top.load_state_dict(state["examples"][k])
        for p, counts in self.direct.items():
            counts.load_state_dict(state["direct"][p])
        for (p, h), hop in self.hop_counts.items():
            hop.load_state_dict(state["hop_counts"][f"{p}:{h}"])
        for p in self.skip:
            self.skip[p] = state["skip"][p].to(self.device)

    def merge(self, other: Ingestor) -> Ingestor:
        """Add another shard's accumulators (same model, layers, plans) into this one."""
        self.classes.merge(other.classes)
        for k, v in self.acts.items():
            v.merge(other.acts[k])
        for k, e in self.examples.items():
            e.merge(other.examples[k])
        for p, d in self.direct.items():
            d.merge(other.direct[p])
        for key, c in self.hop_counts.items():
            c.merge(other.hop_counts[key])
        for p in self.skip:
            self.skip[p] += other.skip[p].to(self.device)
        return self


def _batched_vjp(outputs: torch.Tensor, inputs: torch.Tensor, *, retain: bool) -> torch.Tensor:
    """d outputs[:, t] / d inputs for every t, as (T, *inputs.shape); batched with is_grads_batched."""
    t = outputs.shape[1]
    eye = torch.eye(t, dtype=outputs.dtype, device=outputs.device)
    grad_outputs = eye[:, None, :].expand(t, outputs.shape[0], t)
    try:
        (grads,) = torch.autograd.grad(
            outputs, inputs, grad_outputs, is_grads_batched=True, retain_graph=retain, allow_unused=True
        )
    except RuntimeError:  # ops without a batching rule: one product per target
        parts = []
        for i in range(t):
            (g,) = torch.autograd.grad(outputs, inputs, grad_outputs[i], retain_graph=True, allow_unused=True)
            parts.append(torch.zeros_like(inputs) if g is None else g)
        return torch.stack(parts)
    if grads is None:
        return torch.zeros(t, *inputs.shape, dtype=inputs.dtype, device=inputs.device)
    return grads
