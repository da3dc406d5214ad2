"""Brute-force reference of METHOD.md sections 2-3: plain loops over images, channels and pairs.

Independent of the pipeline: the structure of each layer pair is written by hand
in the test (``Pair``), kernels are folded here, every per-pair contribution map
is its own 1-channel convolution, selections are Python sorts with Summit's tie
rule (``sorted(zip(value, index), reverse=True)``: equal values, higher index
first), merges are dict loops.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

Conv = tuple[str, str | None, str]  # (conv path, bn path or None, module whose input is X)


@dataclass
class Pair:
    src: str
    dst: str
    direct: list[tuple[Conv, int]] = field(default_factory=list)  # (hop, output offset)
    chains: list[tuple[list[Conv], int]] = field(default_factory=list)  # (hops, output offset)
    skip: str | None = None  # module whose input is X for the identity skip


def folded(modules: dict[str, nn.Module], conv: str, bn: str | None) -> torch.Tensor:
    w = modules[conv].weight.detach().clone()
    if bn is None:
        return w
    b = modules[bn]
    for j in range(w.shape[0]):
        w[j] = w[j] * b.weight[j].item() / math.sqrt(b.running_var[j].item() + b.eps)
    return w


def contributions(x: torch.Tensor, conv: nn.Conv2d, kernel: torch.Tensor) -> list[list[float]]:
    """values[j][i] = max over positions of X_i conv K[j, i] -- one small convolution per pair."""
    out = []
    for j in range(kernel.shape[0]):
        row = []
        for i in range(kernel.shape[1]):
            m = F.conv2d(x[:, i : i + 1], kernel[j : j + 1, i : i + 1], stride=conv.stride,
                         padding=conv.padding, dilation=conv.dilation)
            row.append(float(m.max()))
        out.append(row)
    return out


def top(values: list[float], k: int) -> list[int]:
    return [i for _, i in sorted(zip(values, range(len(values)), strict=True), reverse=True)][:k]


def select(maxima: list[float], mass: float) -> list[int]:
    """Summit's loop: add channels in descending order while the share taken is below ``mass``."""
    v = [max(m, 0.0) for m in maxima]
    total = sum(v)
    p = [x / total if total > 0 else 0.0 for x in v]
    order = [j for _, j in sorted(zip(p, range(len(p)), strict=True), reverse=True)]
    chosen, cum = [], 0.0
    for j in order:
        if chosen and (cum >= mass or total == 0):
            break
        chosen.append(j)
        cum += p[j]
    return chosen


def run_reference(
    model: nn.Module, layers: list[str], pairs: list[Pair], images: torch.Tensor, labels: list[int],
    *, k: int = 5, mass: float = 0.01, graph_mass: float = 0.03,
) -> dict[str, Any]:
    """A counts (at ``mass`` and ``graph_mass``), act sums and merged influence counts
    {(c, src id, dst id): count}."""
    modules = dict(model.named_modules())
    acts: dict[tuple[int, str, int], int] = defaultdict(int)
    graph_acts: dict[tuple[int, str, int], int] = defaultdict(int)
    sums: dict[tuple[int, str, int], float] = defaultdict(float)
    direct: dict[tuple[int, int, int, int], int] = defaultdict(int)  # (pair, c, j, i)
    hops: dict[tuple[int, int, int, int, int, int], int] = defaultdict(int)  # (pair, chain, hop, c, out, in)
    skip: dict[tuple[int, int, int], int] = defaultdict(int)  # (pair, c, j)
    for n in range(images.shape[0]):
        c = labels[n]
        captured: dict[str, torch.Tensor] = {}
        inputs: dict[str, torch.Tensor] = {}
        handles = []
        try:
            for name in layers:
                handles.append(modules[name].register_forward_hook(
                    lambda _m, _i, o, name=name, store=captured: store.__setitem__(name, o.detach().clone())))
            for name in modules:
                if name:
                    handles.append(modules[name].register_forward_pre_hook(
                        lambda _m, i, name=name, store=inputs: store.__setitem__(name, i[0].detach().clone())))
            with torch.no_grad():
                model(images[n : n + 1])
        finally:
            for h in handles:
                h.remove()
        for name in layers:
            out = captured[name]
            maxima = [float(out[0, j].max()) for j in range(out.shape[1])]
            for j in select(maxima, mass):
                acts[(c, name, j)] += 1
            for j in select(maxima, graph_mass):
                graph_acts[(c, name, j)] += 1
            for j, m in enumerate(maxima):
                sums[(c, name, j)] += m
        for p, pair in enumerate(pairs):
            for (conv, bn, xm), offset in pair.direct:
                vals = contributions(inputs[xm], modules[conv], folded(modules, conv, bn))
                for j, row in enumerate(vals):
                    for i in top(row, k):
                        direct[(p, c, j + offset, i)] += 1
            for q, (chain, _offset) in enumerate(pair.chains):
                last_vals = None
                for h, (conv, bn, xm) in enumerate(chain):
                    vals = contributions(inputs[xm], modules[conv], folded(modules, conv, bn))
                    for j, row in enumerate(vals):
                        for i in top(row, k):
                            hops[(p, q, h, c, j, i)] += 1
                    last_vals = vals
                if pair.skip is not None and q == 0:
                    x = inputs[pair.skip]
                    assert last_vals is not None
                    for j, row in enumerate(last_vals):
                        kth = sorted(row, reverse=True)[min(k, len(row)) - 1]
                        if float(x[0, j].max()) >= kth:
                            skip[(p, c, j)] += 1
    influences: dict[tuple[int, str, str], int] = {}
    for p, pair in enumerate(pairs):
        influences.update(_merge_pair(p, pair, modules, direct, hops, skip, k))
    a = {(c, f"{layer}:{j}"): v for (c, layer, j), v in acts.items()}
    g = {(c, f"{layer}:{j}"): v for (c, layer, j), v in graph_acts.items()}
    s = {(c, f"{layer}:{j}"): v for (c, layer, j), v in sums.items()}
    return {"acts": a, "graph_acts": g, "sums": s, "influences": influences}


def _merge_pair(p: int, pair: Pair, modules: dict[str, nn.Module], direct: dict, hops: dict, skip: dict,
                k: int) -> dict[tuple[int, str, str], int]:
    edges: dict[tuple[int, int, int], int] = {}
    for (pp, c, j, i), v in direct.items():
        if pp == p:
            edges[(c, j, i)] = v
    classes = {key[3] for key in hops if key[0] == p} | {key[1] for key in skip if key[0] == p} | \
        {key[1] for key in direct if key[0] == p}
    composed_targets: set[int] = set()
    for q, (chain, offset) in enumerate(pair.chains):
        n_out = modules[chain[-1][0]].out_channels
        composed_targets |= {offset + j for j in range(n_out)}
        for c in classes:
            # w[(out, in)] after each hop, chained by widest path
            w = {(o, i): v for (pp, qq, h, cc, o, i), v in hops.items() if (pp, qq, h, cc) == (p, q, 0, c)}
            for h in range(1, len(chain)):
                nxt = {(o, b): v for (pp, qq, hh, cc, o, b), v in hops.items() if (pp, qq, hh, cc) == (p, q, h, c)}
                merged: dict[tuple[int, int], int] = {}
                for (o, b), v2 in nxt.items():
                    for (bb, i), v1 in w.items():
                        if bb == b:
                            merged[(o, i)] = max(merged.get((o, i), 0), min(v1, v2))
                w = merged
            for (o, i), v in w.items():
                key = (c, o + offset, i)
                edges[key] = max(edges.get(key, 0), v)
    for (pp, c, j), v in skip.items():
        if pp == p and v > 0:
            edges[(c, j, j)] = max(edges.get((c, j, j), 0), v)
    if pair.chains:
        composed_targets |= {j for (pp, c, j) in skip if pp == p}
        n_direct_targets = sum(modules[conv].out_channels for (conv, _b, _x), _o in pair.direct)
        for c in classes:
            if pair.direct:
                distinct = sum(1 for (pp, cc, _j, _i) in direct if pp == p and cc == c)
                e = int(distinct / n_direct_targets)  # Summit: int(np.average(...))
            else:
                e = 4 * k
            for j in composed_targets:
                row = [(i, v) for (cc, jj, i), v in edges.items() if cc == c and jj == j]
                keep = {i for i, _ in sorted(row, key=lambda t: (t[1], t[0]), reverse=True)[:e]}
                for i, _ in row:
                    if i not in keep:
                        del edges[(c, j, i)]
    return {(c, f"{pair.src}:{i}", f"{pair.dst}:{j}"): v for (c, j, i), v in edges.items()}
