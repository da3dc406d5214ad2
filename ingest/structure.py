"""Derive, per adjacent pair of neuron layers, which influence rule applies (METHOD.md section 3).

One probe forward pass records the order in which modules run. For a pair
l-1 -> l the modules run between them decide the rule:

* a known block (torchvision ``Inception``, ``Bottleneck``, ``BasicBlock``; timm
  ``InvertedResidual``, ``DepthwiseSeparableConv``, resnet blocks) after only
  per-channel operations -> its hops (``composed`` when a chain has two or more
  convs, ``onehop`` otherwise), with identity skips where the block adds its input;
* exactly one channel-mixing conv amid per-channel operations (BatchNorm,
  activations, pooling, dropout, depthwise convs) -> ``onehop``;
* anything else -> ``grad`` (gradient x input), or when asked with ``--influence grad``.

A *hop* is one conv from one channel space (node) to another: ``in`` is l-1,
``out`` is l (at a channel offset for concatenating blocks), other nodes are a
block's intermediate channels. A *chain* is a list of hops from ``in`` to ``out``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from summit.errors import BadInput

ACTIVATIONS = (
    nn.ReLU, nn.ReLU6, nn.SiLU, nn.GELU, nn.Hardswish, nn.Hardsigmoid, nn.Sigmoid, nn.Tanh,
    nn.LeakyReLU, nn.ELU, nn.Mish, nn.PReLU, nn.SELU, nn.CELU, nn.Softplus,
)
CHANNEL_PRESERVING = (
    *ACTIVATIONS, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d,
    nn.Dropout, nn.Dropout2d, nn.Identity, nn.BatchNorm2d, nn.ZeroPad2d, nn.ConstantPad2d,
)
CHANNEL_PRESERVING_NAMES = {"DropPath", "Identity", "DropBlock2d", "BlurPool2d", "Swish", "HardSwish"}
SEQUENTIAL_LIKE_NAMES = {"BasicConv2d", "ConvNormAct", "ConvBnAct", "Conv2dNormActivation", "ConvNormActAa"}


@dataclass
class Hop:
    """One conv from node ``src`` to node ``dst``; X is the input of module ``x_from``."""

    conv: str
    bn: str | None
    src: str
    dst: str
    n_in: int
    n_out: int
    x_from: str
    out_offset: int = 0

    def describe(self) -> dict[str, Any]:
        return {
            "conv": self.conv, "bn": self.bn, "from": self.src, "to": self.dst,
            "x": self.x_from, "channels_in": self.n_in, "channels_out": self.n_out,
            "out_offset": self.out_offset,
        }


@dataclass
class Skip:
    """Identity skip: channel j of l-1 (input of ``x_from``) to channel j of l; compared at hop ``last_hop``."""

    x_from: str
    last_hop: int


@dataclass
class PairPlan:
    """How influence is computed for the neuron-layer pair ``src`` -> ``dst``."""

    src: str
    dst: str
    n_src: int
    n_dst: int
    rule: str  # "onehop" | "composed" | "grad" | "none"
    hops: list[Hop] = field(default_factory=list)
    chains: list[list[int]] = field(default_factory=list)
    skip: Skip | None = None
    block: str | None = None
    reason: str = ""

    @property
    def direct_chains(self) -> list[list[int]]:
        return [c for c in self.chains if len(c) == 1]

    @property
    def composed_chains(self) -> list[list[int]]:
        return [c for c in self.chains if len(c) > 1]

    def describe(self) -> dict[str, Any]:
        return {
            "src": self.src, "dst": self.dst, "rule": self.rule, "block": self.block,
            "hops": [h.describe() for h in self.hops], "chains": self.chains,
            "skip": None if self.skip is None else {"x": self.skip.x_from, "last_hop": self.skip.last_hop},
            "reason": self.reason,
        }


# --- module classification ---------------------------------------------------------


def is_depthwise(m: nn.Module) -> bool:
    return isinstance(m, nn.Conv2d) and m.groups > 1 and m.groups == m.in_channels == m.out_channels


def is_mixing_conv(m: nn.Module) -> bool:
    return isinstance(m, nn.Conv2d) and m.groups == 1


def is_channel_preserving(m: nn.Module) -> bool:
    return isinstance(m, CHANNEL_PRESERVING) or type(m).__name__ in CHANNEL_PRESERVING_NAMES or is_depthwise(m)


def is_unit(m: nn.Module) -> bool:
    return isinstance(m, nn.Conv2d | nn.BatchNorm2d) or not any(True for _ in m.children())


@dataclass
class Trace:
    """Execution order of a probe forward: unit entries and every module's exits; layer shapes."""

    units: list[tuple[int, str]]
    exits: dict[str, int]
    enters: dict[str, int]
    shapes: dict[str, tuple[int, ...]]


def trace_model(model: nn.Module, example: torch.Tensor) -> Trace:
    """Run ``example`` through ``model`` once, recording the module order (hooks removed in finally)."""
    counter = [0]
    units: list[tuple[int, str]] = []
    exits: dict[str, int] = {}
    enters: dict[str, int] = {}
    shapes: dict[str, tuple[int, ...]] = {}
    handles = []

    def pre(name: str, unit: bool) -> Any:
        def hook(_m: nn.Module, _inp: Any) -> None:
            counter[0] += 1
            enters.setdefault(name, counter[0])
            if unit:
                units.append((counter[0], name))
        return hook

    def post(name: str) -> Any:
        def hook(_m: nn.Module, _inp: Any, out: Any) -> None:
            counter[0] += 1
            exits[name] = counter[0]
            if isinstance(out, torch.Tensor):
                shapes[name] = tuple(out.shape)
        return hook

    try:
        for name, module in model.named_modules():
            if not name:
                continue
            handles.append(module.register_forward_pre_hook(pre(name, is_unit(module))))
            handles.append(module.register_forward_hook(post(name)))
        with torch.no_grad():
            model(example)
    finally:
        for h in handles:
            h.remove()
    return Trace(units, exits, enters, shapes)


# --- block rules --------------------------------------------------------------------------


def _conv_bn(modules: dict[str, nn.Module], path: str) -> tuple[str, str | None] | None:
    """(conv path, bn path) of a conv unit: a Conv2d, or a BasicConv2d / ConvNormAct / Sequential(conv, bn, ...)."""
    m = modules.get(path)
    if m is None:
        return None
    if isinstance(m, nn.Conv2d):
        return path, None
    for conv_name, bn_name in (("conv", "bn"), ("conv", "norm"), ("conv", "bn1"), ("0", "1")):
        conv, bn = f"{path}.{conv_name}", f"{path}.{bn_name}"
        if isinstance(modules.get(conv), nn.Conv2d):
            return conv, bn if isinstance(modules.get(bn), nn.BatchNorm2d) else None
    return None


def _out_channels(modules: dict[str, nn.Module], conv: str) -> int:
    m = modules[conv]
    assert isinstance(m, nn.Conv2d)
    return int(m.out_channels)


def _bn(modules: dict[str, nn.Module], path: str) -> str | None:
    return path if isinstance(modules.get(path), nn.BatchNorm2d) else None


def _hop(modules: dict[str, nn.Module], conv: str, bn: str | None, src: str, dst: str, x_from: str | None = None,
         offset: int = 0) -> Hop | None:
    m = modules[conv]
    if not is_mixing_conv(m):
        return None
    assert isinstance(m, nn.Conv2d)
    return Hop(conv, bn, src, dst, m.in_channels, m.out_channels, x_from or conv, offset)


def block_plan(block: str, modules: dict[str, nn.Module]) -> tuple[list[Hop], list[list[int]], Skip | None] | None:
    """Hops, chains and skip of a known block, or None when the block is not one we know."""
    m = modules[block]
    kind = type(m).__name__
    p = f"{block}."
    if kind == "Inception" and all(hasattr(m, f"branch{i}") for i in range(1, 5)):
        b1 = _conv_bn(modules, p + "branch1")
        r2, c2 = _conv_bn(modules, p + "branch2.0"), _conv_bn(modules, p + "branch2.1")
        r3, c3 = _conv_bn(modules, p + "branch3.0"), _conv_bn(modules, p + "branch3.1")
        pp = _conv_bn(modules, p + "branch4.1")
        if not (b1 and r2 and c2 and r3 and c3 and pp):
            return None
        hops: list[Hop | None] = []
        off = 0
        hops.append(_hop(modules, *b1, "in", "out", offset=off))
        off += _out_channels(modules, b1[0])
        hops.append(_hop(modules, *r2, "in", r2[0]))
        hops.append(_hop(modules, *c2, r2[0], "out", offset=off))
        off += _out_channels(modules, c2[0])
        hops.append(_hop(modules, *r3, "in", r3[0]))
        hops.append(_hop(modules, *c3, r3[0], "out", offset=off))
        off += _out_channels(modules, c3[0])
        # pool branch: the pool-projection weights applied to l-1 directly (the block's input)
        hops.append(_hop(modules, *pp, "in", "out", x_from=block, offset=off))
        if any(h is None for h in hops):
            return None
        return [h for h in hops if h is not None], [[0], [1, 2], [3, 4], [5]], None
    if kind == "InvertedResidual" and all(hasattr(m, a) for a in ("conv_pw", "conv_dw", "conv_pwl")):
        if not is_depthwise(modules[p + "conv_dw"]):
            return None
        h0 = _hop(modules, p + "conv_pw", _bn(modules, p + "bn1"), "in", p + "conv_pw")
        h1 = _hop(modules, p + "conv_pwl", _bn(modules, p + "bn3"), p + "conv_pw", "out")
        if h0 is None or h1 is None:
            return None
        skip = Skip(block, 1) if getattr(m, "has_skip", False) else None
        return [h0, h1], [[0, 1]], skip
    if kind == "DepthwiseSeparableConv" and all(hasattr(m, a) for a in ("conv_dw", "conv_pw")):
        if not is_depthwise(modules[p + "conv_dw"]):
            return None
        h = _hop(modules, p + "conv_pw", _bn(modules, p + "bn2"), "in", "out")
        if h is None:
            return None
        return [h], [[0]], (Skip(block, 0) if getattr(m, "has_skip", False) else None)
    if kind in {"Bottleneck", "BasicBlock"} and hasattr(m, "conv1") and hasattr(m, "conv2"):
        convs = ["conv1", "conv2", "conv3"] if kind == "Bottleneck" else ["conv1", "conv2"]
        if not all(isinstance(modules.get(p + c), nn.Conv2d) for c in convs):
            return None
        hops = []
        src = "in"
        for n, c in enumerate(convs):
            dst = "out" if n == len(convs) - 1 else p + c
            hops.append(_hop(modules, p + c, _bn(modules, p + f"bn{n + 1}"), src, dst))
            src = dst
        if any(h is None for h in hops):
            return None
        chains = [list(range(len(convs)))]
        ds = getattr(m, "downsample", None)
        skip = None
        if ds is None:
            skip = Skip(block, len(convs) - 1)
        else:
            ds_convs = [n for n, x in modules.items() if n.startswith(p + "downsample") and isinstance(x, nn.Conv2d)]
            if len(ds_convs) != 1:
                return None
            conv = ds_convs[0]
            bns = [n for n, x in modules.items() if n.startswith(p + "downsample") and isinstance(x, nn.BatchNorm2d)]
            hops.append(_hop(modules, conv, bns[0] if bns else None, "in", "out"))
            if hops[-1] is None:
                return None
            chains.append([len(hops) - 1])
        return [h for h in hops if h is not None], chains, skip
    return None


# --- plans ------------------------------------------------------------------------------------


def check_layers(model: nn.Module, layers: list[str]) -> None:
    """A clear error for unknown layer names, listing valid ones."""
    names = dict(model.named_modules())
    unknown = [name for name in layers if name not in names or not name]
    if unknown:
        valid = [n for n in names if n]
        shown = ", ".join(valid[:60]) + (" ..." if len(valid) > 60 else "")
        raise BadInput(f"unknown layer(s) {', '.join(map(repr, unknown))}; valid module paths: {shown}")
    if len(set(layers)) != len(layers):
        raise BadInput("layers must be distinct")


def derive_plans(model: nn.Module, layers: list[str], trace: Trace, mode: str = "auto") -> list[PairPlan]:
    """One ``PairPlan`` per adjacent pair of ``layers``; ``mode`` is the ``influence`` setting."""
    modules = dict(model.named_modules())
    for name in layers:
        shape = trace.shapes.get(name)
        if shape is None or len(shape) != 4:
            raise BadInput(f"layer {name!r} does not output a 4-D feature map (got shape {shape})")
        if name not in trace.exits:
            raise BadInput(f"layer {name!r} is not run by the model's forward pass")
    for a, b in itertools.pairwise(layers):
        if trace.exits[a] >= trace.exits[b]:
            raise BadInput(f"layers must be given lower to higher: {a!r} runs after {b!r}")
    plans = []
    for prev, cur in itertools.pairwise(layers):
        n_src, n_dst = trace.shapes[prev][1], trace.shapes[cur][1]
        plan = PairPlan(prev, cur, n_src, n_dst, "none")
        if mode == "none":
            plan.reason = "influence disabled"
        elif mode == "grad":
            plan.rule, plan.reason = "grad", "requested (--influence grad)"
        else:
            _conv_rule(plan, modules, trace)
        plans.append(plan)
    return plans


def _conv_rule(plan: PairPlan, modules: dict[str, nn.Module], trace: Trace) -> None:
    start, end = trace.exits[plan.src], trace.exits[plan.dst]
    cur = plan.dst
    enter_cur = trace.enters.get(cur, end)
    segment = [(t, n) for t, n in trace.units if start < t < end]
    before = [n for t, n in segment if t < enter_cur]
    between_ok = all(is_channel_preserving(modules[n]) for n in before)
    block = block_plan(cur, modules) if between_ok else None
    if block is not None:
        hops, chains, skip = block
        plan.block = type(modules[cur]).__name__
        if _consistent(plan, hops, chains, skip):
            plan.hops, plan.chains, plan.skip = hops, chains, skip
            plan.rule = "composed" if any(len(c) > 1 for c in chains) else "onehop"
            plan.reason = f"{plan.block} block"
            return
    mixing = [n for _, n in segment if is_mixing_conv(modules[n])]
    others = [n for _, n in segment if not is_mixing_conv(modules[n]) and not is_channel_preserving(modules[n])]
    cur_mod = modules[cur]
    sequential = isinstance(cur_mod, nn.Sequential) or is_unit(cur_mod) or type(cur_mod).__name__ in SEQUENTIAL_LIKE_NAMES
    if sequential and len(mixing) == 1 and not others:
        conv = mixing[0]
        names = [n for _, n in segment]
        after = names[names.index(conv) + 1] if names.index(conv) + 1 < len(names) else None
        after_mod = modules[after] if after is not None else None
        bn = after if isinstance(after_mod, nn.BatchNorm2d) and \
            after_mod.num_features == _out_channels(modules, conv) else None
        hop = _hop(modules, conv, bn, "in", "out")
        if hop is not None and _consistent(plan, [hop], [[0]], None):
            plan.hops, plan.chains, plan.rule = [hop], [[0]], "onehop"
            plan.reason = "one conv between the layers"
            return
    plan.rule = "grad"
    plan.reason = (
        f"not a conv chain ({len(mixing)} channel-mixing convs, other ops: {', '.join(others[:5]) or 'none'})"
    )


def _consistent(plan: PairPlan, hops: list[Hop], chains: list[list[int]], skip: Skip | None) -> bool:
    """Channel counts of the hops fit the layers (else the structure is not what we assumed)."""
    covered = 0
    for chain in chains:
        first, last = hops[chain[0]], hops[chain[-1]]
        if first.n_in != plan.n_src or last.dst != "out" or first.src != "in":
            return False
        covered += last.n_out
        for a, b in itertools.pairwise(chain):
            if hops[a].n_out != hops[b].n_in:
                return False
    out_hops = {hops[c[-1]].out_offset: hops[c[-1]].n_out for c in chains}
    widths = sorted(out_hops.items())
    ends = 0
    contiguous = True
    for offset, width in widths:
        contiguous &= offset == ends or offset == 0
        ends = max(ends, offset + width)
    if ends != plan.n_dst or not contiguous:
        return False
    return not (skip is not None and plan.n_src != plan.n_dst)
