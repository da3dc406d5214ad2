"""The numbers of METHOD.md sections 2 and 3 for one batch, and the per-class merges.

* ``select_channels``: which channels of a layer an image counts for A_l.
* ``fold_bn`` / ``onehop``: the one-hop contribution ``max over positions of
  (X_i conv K[j, i])`` for every pair (j, i), batched: 1x1 kernels from per-channel
  max/min, k x k kernels from the real per-pair maps (im2col + batched matmul,
  chunked).
* ``top_inputs``: the ``k`` strongest inputs per output, ties to the higher index.
* ``onehop_top``: both, by the torch path above or by the fused Triton kernels of
  ``ingest.pair_kernels`` (setting ``influence_kernel``), which never write the
  per-pair maps.
* ``widest_path`` / ``prune_per_target`` / ``max_union``: the per-class merges of
  composed hops on sparse (class, out, in) counts.

Tie rule used everywhere (``descending_order``): among equal values the higher
channel index comes first. That is Summit's rule: its activation lists are
``sorted(zip(p, channel), reverse=True)`` and its influence top-k takes the last
k of an ascending ``argsort``. It matters wherever values saturate (ReLU6 at
6.0, dead ReLUs at 0). One fixed rule also keeps counts independent of batch
size, shard split and device.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

# Largest number of elements of one chunk of per-pair maps (k x k kernels), and of one im2col chunk.
PAIR_MAP_CHUNK = 1 << 24
IM2COL_CHUNK = 1 << 26


def descending_order(values: torch.Tensor) -> torch.Tensor:
    """Indices sorting the last dim descending, equal values with the higher index first (Summit's rule)."""
    n = values.shape[-1]
    flipped = torch.argsort(values.flip(-1), dim=-1, descending=True, stable=True)
    return (n - 1) - flipped


def select_channels(
    maxima: torch.Tensor,
    *,
    mode: str,
    mass: float | tuple[float, ...],
    topk: int,
    exclude: torch.Tensor | None = None,
) -> torch.Tensor | tuple[torch.Tensor, ...]:
    """Boolean (B, N) selection of METHOD.md section 2 from channel maxima (B, N).

    ``mass`` may be a tuple of thresholds: then one selection per threshold comes back, all
    from one sort (ingest records A at ``activation_mass`` and ``graph_activation_mass`` in one
    pass). In ``topk`` mode every threshold gives the same top-k selection.
    """
    masses = mass if isinstance(mass, tuple) else (mass,)
    v = maxima.clamp_min(0).to(torch.float64)
    if exclude is not None:
        v = v.masked_fill(exclude[None, :], 0.0)
    b, n = v.shape
    order = descending_order(v)  # equal values: higher channel first (Summit)
    if exclude is not None:
        # excluded channels go last so they are never the forced first pick
        excl_sorted = exclude[order]
        order = order.gather(1, torch.argsort(excl_sorted.to(torch.int8), dim=1, stable=True))
    keep_n = n - (int(exclude.sum()) if exclude is not None else 0)
    ranks = torch.arange(n, device=v.device)[None, :]
    if mode == "topk":
        takes = [torch.full((b,), min(topk, max(keep_n, 1)), dtype=torch.int64, device=v.device)] * len(masses)
    else:
        total = v.sum(dim=1, keepdim=True)
        p = torch.where(total > 0, v / torch.where(total > 0, total, 1.0), 0.0)
        cum = p.gather(1, order).cumsum(dim=1)
        before = torch.cat([torch.zeros_like(cum[:, :1]), cum[:, :-1]], dim=1)
        takes = []
        for m in masses:
            take = (before < m).sum(dim=1).clamp(min=1, max=max(keep_n, 1))
            takes.append(torch.where(total[:, 0] > 0, take, 1))  # no activation at all: the first channel
    out = []
    for take in takes:
        selected = torch.zeros((b, n), dtype=torch.bool, device=v.device)
        selected.scatter_(1, order, ranks < take[:, None])
        out.append(selected)
    return tuple(out) if isinstance(mass, tuple) else out[0]


def fold_bn(conv: nn.Conv2d, bn: nn.BatchNorm2d | None) -> torch.Tensor:
    """The conv's kernel with the BatchNorm's scale gamma / sqrt(var + eps) folded in (no bias)."""
    weight = conv.weight.detach()
    if bn is None or bn.running_var is None:
        return weight
    scale = (bn.running_var.detach() + bn.eps).rsqrt()
    if bn.weight is not None:
        scale = scale * bn.weight.detach()
    return weight * scale.to(weight.dtype)[:, None, None, None]


@dataclass(frozen=True)
class Geometry:
    """Stride, padding, dilation of a conv; ``same`` padding is timm's dynamic 'same' (Conv2dSame)."""

    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    same: bool = False


def conv_geometry(conv: nn.Conv2d) -> Geometry:
    if isinstance(conv.padding, str):
        raise ValueError(f"conv padding {conv.padding!r} is not supported by the one-hop rule")
    pad = (int(conv.padding[0]), int(conv.padding[1]))
    return Geometry((int(conv.stride[0]), int(conv.stride[1])), pad,
                    (int(conv.dilation[0]), int(conv.dilation[1])), type(conv).__name__ == "Conv2dSame")


def same_pads(size: tuple[int, int], kernel: tuple[int, int], g: Geometry) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) zero padding of timm's dynamic 'same' for an input of ``size`` (H, W)."""
    pads: list[int] = []
    for length, k, s, d in ((size[0], kernel[0], g.stride[0], g.dilation[0]),
                            (size[1], kernel[1], g.stride[1], g.dilation[1])):
        total = max((-(length // -s) - 1) * s + (k - 1) * d + 1 - length, 0)
        pads += [total // 2, total - total // 2]
    return pads[0], pads[1], pads[2], pads[3]


def _pad_same(x: torch.Tensor, kernel: tuple[int, int], g: Geometry) -> torch.Tensor:
    top, bottom, left, right = same_pads((x.shape[-2], x.shape[-1]), kernel, g)
    return F.pad(x, [left, right, top, bottom]) if any((top, bottom, left, right)) else x


def split_1x1(kernel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor] | None:
    """(max(K, 0), min(K, 0)) of a 1x1 kernel as (N_out, N_in) matrices, else None."""
    if kernel.shape[-1] != 1 or kernel.shape[-2] != 1:
        return None
    k = kernel[:, :, 0, 0]
    return k.clamp(min=0), k.clamp(max=0)


def extrema_1x1(x: torch.Tensor, g: Geometry) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel (max, min) (B, N_in) of the positions a 1x1 conv with geometry ``g`` reads (zero padding included)."""
    if g.same:
        x = _pad_same(x, (1, 1), g)
    elif any(g.padding):
        x = F.pad(x, (g.padding[1], g.padding[1], g.padding[0], g.padding[0]))
    sh, sw = g.stride
    if sh != 1 or sw != 1:
        x = x[..., ::sh, ::sw]
    mn, mx = torch.aminmax(x.flatten(2), dim=-1)
    return mx, mn


def onehop(
    x: torch.Tensor, kernel: torch.Tensor, g: Geometry, split: tuple[torch.Tensor, torch.Tensor] | None = None
) -> torch.Tensor:
    """Contributions (B, N_out, N_in): max over output positions of X_i conv K[j, i] (no bias).

    ``split`` is ``split_1x1(kernel)`` precomputed (for 1x1 kernels, saves two passes per batch).
    """
    kh, kw = int(kernel.shape[-2]), int(kernel.shape[-1])
    if kh == 1 and kw == 1:
        mx, mn = extrema_1x1(x, g)
        kp, kn = split if split is not None else split_1x1(kernel.to(x.dtype))  # type: ignore[misc]
        out = kp[None] * mx[:, None, :]
        return out.addcmul_(kn[None], mn[:, None, :])
    padding = g.padding
    if g.same:
        x = _pad_same(x, (kh, kw), g)
        padding = (0, 0)
    return _pair_map_maxima(x, kernel.to(x.dtype), g.stride, padding, g.dilation)


def onehop_top(
    x: torch.Tensor,
    kernel: torch.Tensor,
    g: Geometry,
    k: int,
    split: tuple[torch.Tensor, torch.Tensor] | None = None,
    engine: str = "torch",
) -> tuple[torch.Tensor, torch.Tensor]:
    """``top_inputs(onehop(x, kernel, g, split), k)``: the kept inputs (B, N_out, k) and the k-th contribution.

    ``engine`` ``torch`` computes the contributions with torch (k x k: the per-pair maps,
    chunked); ``triton`` with the fused kernels of ``ingest.pair_kernels`` (same counts;
    tensors the kernels cannot take fall back to torch).
    """
    if engine == "triton":
        from summit.ingest import pair_kernels

        if pair_kernels.supported(x) and x.shape[1] <= pair_kernels.MAX_TOPK_INPUTS:
            kh, kw = int(kernel.shape[-2]), int(kernel.shape[-1])
            if kh == 1 and kw == 1:
                mx, mn = extrema_1x1(x, g)
                kp, kn = split if split is not None else split_1x1(kernel.to(x.dtype))  # type: ignore[misc]
                return pair_kernels.top_inputs_1x1(mx, mn, kp, kn, k)
            if g.same:
                pads = same_pads((x.shape[-2], x.shape[-1]), (kh, kw), g)
            else:
                pads = (g.padding[0], g.padding[0], g.padding[1], g.padding[1])
            maxima = pair_kernels.pair_maxima(x, kernel, g.stride, pads, g.dilation)
            return pair_kernels.top_inputs(maxima, k)
    elif engine != "torch":
        raise ValueError(f"unknown influence kernel {engine!r} (torch or triton)")
    return top_inputs(onehop(x, kernel, g, split), k)


def _pair_map_maxima(
    x: torch.Tensor, kernel: torch.Tensor, stride: tuple[int, int], padding: tuple[int, int], dilation: tuple[int, int]
) -> torch.Tensor:
    """out[b, j, i] = max over positions of (x[b, i] conv kernel[j, i]), for k x k kernels.

    im2col once per chunk of images (``F.unfold``: (I, k*k, B*L)), then one batched
    matmul per chunk of inputs i ((I', J, k*k) @ (I', k*k, B*L)) and the max over the L
    positions. Measured against one grouped conv per chunk of outputs (groups = I):
    2.7x faster on an H200 and 1.7x on 2 CPU cores for GoogLeNet's 3x3 convs
    (bench/bench_pair_maps.py), with the same fp32 results.
    """
    b, n_in = x.shape[:2]
    n_out, _, kh, kw = kernel.shape
    k2 = kh * kw
    out = torch.empty(b, n_out, n_in, dtype=x.dtype, device=x.device)
    weights = kernel.reshape(n_out, n_in, k2).permute(1, 0, 2)  # (I, J, k2)
    probe = F.conv2d(x[:1, :1], kernel[:1, :1], stride=stride, padding=padding, dilation=dilation)
    length = probe.shape[-1] * probe.shape[-2]  # output positions L per image
    images = max(1, min(b, IM2COL_CHUNK // max(1, n_in * k2 * length)))  # im2col chunk
    for b0 in range(0, b, images):
        xb = x[b0 : b0 + images]
        nb = xb.shape[0]
        cols = F.unfold(xb, (kh, kw), dilation=dilation, padding=padding, stride=stride)  # (B', I*k2, L)
        cols = cols.view(nb, n_in, k2, length).permute(1, 2, 0, 3).reshape(n_in, k2, nb * length)
        inputs = max(1, min(n_in, PAIR_MAP_CHUNK // max(1, n_out * nb * length)))
        for i0 in range(0, n_in, inputs):
            maps = torch.bmm(weights[i0 : i0 + inputs], cols[i0 : i0 + inputs])  # (I', J, B'*L)
            maxima = maps.view(-1, n_out, nb, length).amax(-1)  # (I', J, B')
            out[b0 : b0 + nb, :, i0 : i0 + inputs] = maxima.permute(2, 1, 0)
    return out


def top_inputs(values: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices (..., k) of the ``k`` largest values along the last dim (ties: higher index) and the k-th value."""
    n = values.shape[-1]
    k = min(k, n)
    if k == n:
        idx = torch.arange(n, device=values.device).expand(*values.shape[:-1], n).clone()
        return idx, values.amin(dim=-1)
    vals, idx = values.topk(k + 1, dim=-1)
    kth = vals[..., k - 1]
    # a tie at the k-th place may extend past the k picked: redo those rows with the one tie rule
    ambiguous = vals[..., k] == kth
    idx = idx[..., :k]
    if bool(ambiguous.any()):
        idx[ambiguous] = descending_order(values[ambiguous])[:, :k]
    return idx, kth


def pair_keys(labels: torch.Tensor, idx: torch.Tensor, n_out: int, n_in: int, out_offset: int = 0) -> torch.Tensor:
    """Keys ``(c * n_out + j) * n_in + i`` of the kept pairs ``idx`` (B, J, k) of images of class ``labels``."""
    _b, j, _ = idx.shape
    rows = labels.to(idx.device, torch.int64)[:, None] * n_out + out_offset + torch.arange(j, device=idx.device)[None, :]
    return (rows[:, :, None] * n_in + idx).reshape(-1)


# --- per-class merges on sparse counts -------------------------------------------------


def split_keys(keys: torch.Tensor, n_out: int, n_in: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    i = keys % n_in
    rest = keys // n_in
    return rest // n_out, rest % n_out, i


def widest_path(
    first: tuple[torch.Tensor, torch.Tensor],
    second: tuple[torch.Tensor, torch.Tensor],
    n_in: int,
    n_mid: int,
    n_out: int,
    max_pairs: int = 1 << 24,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``w[c, j, i] = max over b of min(second[c, j, b], first[c, b, i])`` on sparse counts.

    ``first`` has keys over (c, b, i) with sizes (n_mid, n_in); ``second`` over (c, j, b)
    with sizes (n_out, n_mid). Returns sorted keys over (c, j, i) and weights.
    """
    k1, v1 = first
    k2, v2 = second
    dev = k1.device
    if k1.numel() == 0 or k2.numel() == 0:
        return torch.empty(0, dtype=torch.int64, device=dev), torch.empty(0, dtype=torch.int64, device=dev)
    # group first by (c, b): its keys are already sorted by (c, b, i)
    g1 = k1 // n_in
    c2, j2, b2 = split_keys(k2, n_out, n_mid)
    g2 = c2 * n_mid + b2
    order = torch.argsort(g2, stable=True)
    g2, j2, c2, v2 = g2[order], j2[order], c2[order], v2[order]
    # for each entry of second: the range of first entries with the same (c, b)
    lo = torch.searchsorted(g1, g2, side="left")
    hi = torch.searchsorted(g1, g2, side="right")
    n = hi - lo
    out_keys: list[torch.Tensor] = []
    out_vals: list[torch.Tensor] = []
    cum = n.cumsum(0)
    start = 0
    total = int(cum[-1]) if cum.numel() else 0
    while start < n.numel() and total:
        base = int(cum[start - 1]) if start else 0
        stop = int(torch.searchsorted(cum, torch.tensor(base + max_pairs, device=dev), side="right"))
        stop = max(stop, start + 1)
        sel = slice(start, stop)
        reps = n[sel]
        rows = torch.repeat_interleave(torch.arange(start, stop, device=dev), reps)
        if rows.numel():
            within = torch.arange(rows.numel(), device=dev) - torch.repeat_interleave(cum[sel] - reps - base, reps)
            src = lo[rows] + within
            i = k1[src] % n_in
            keys = (c2[rows] * n_out + j2[rows]) * n_in + i
            vals = torch.minimum(v1[src], v2[rows])
            if total > max_pairs:
                keys, vals = _max_by_key(keys, vals)
            out_keys.append(keys)
            out_vals.append(vals)
        start = stop
    if not out_keys:
        return torch.empty(0, dtype=torch.int64, device=dev), torch.empty(0, dtype=torch.int64, device=dev)
    return _max_by_key(torch.cat(out_keys), torch.cat(out_vals))


def _max_by_key(keys: torch.Tensor, vals: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Distinct sorted keys with the max value of each: one sort of (key, -value) packed in int64."""
    if keys.numel() == 0:
        return keys, vals
    span = int(vals.max()) - min(int(vals.min()), 0) + 1
    if int(keys.max()) >= (1 << 62) // span:  # cannot pack: the slower general path
        uniq, inverse = torch.unique(keys, sorted=True, return_inverse=True)
        out = torch.zeros(uniq.numel(), dtype=vals.dtype, device=vals.device)
        out.scatter_reduce_(0, inverse, vals, reduce="amax", include_self=False)
        return uniq, out
    top = int(vals.max())
    packed = torch.sort(keys * span + (top - vals)).values
    k = torch.div(packed, span, rounding_mode="floor")
    v = top - (packed - k * span)
    first = torch.ones_like(k, dtype=torch.bool)
    first[1:] = k[1:] != k[:-1]
    return k[first], v[first]


def max_union(*parts: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Union of sparse weights on the same key space, keeping the max per key."""
    keys = [p[0] for p in parts if p[0].numel()]
    if not keys:
        return parts[0]
    vals = [p[1] for p in parts if p[0].numel()]
    return _max_by_key(torch.cat(keys), torch.cat(vals))


def remap_out(keys: torch.Tensor, n_out_from: int, n_out_to: int, n_in: int, offset: int) -> torch.Tensor:
    """Re-key (c, j, i) from an output space of ``n_out_from`` to ``n_out_to`` with j -> j + offset."""
    c, j, i = split_keys(keys, n_out_from, n_in)
    return (c * n_out_to + j + offset) * n_in + i


def prune_per_target(
    keys: torch.Tensor,
    vals: torch.Tensor,
    n_out: int,
    n_in: int,
    keep: torch.Tensor,
    prune_targets: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Keep for each (c, j) with ``prune_targets[j]`` only its ``keep[c]`` strongest edges.

    ``keys`` sorted over (c, j, i); ties go to the higher input index (the one tie rule).
    Targets j with ``prune_targets[j]`` False keep every edge.
    """
    if keys.numel() == 0:
        return keys, vals
    dev = keys.device
    rows = torch.div(keys, n_in, rounding_mode="floor")
    inputs = keys - rows * n_in
    top = int(vals.max())
    span = top - min(int(vals.min()), 0) + 1
    # one sort by (row asc, weight desc, input desc), packed in int64
    if int(rows.max()) + 1 >= (1 << 62) // (span * n_in):
        raise ValueError("influence counts too large to prune in one pass")
    order = torch.argsort((rows * span + (top - vals)) * n_in + (n_in - 1 - inputs))
    rows_o = rows[order]
    n = rows_o.numel()
    position = torch.arange(n, device=dev)
    new_row = torch.ones(n, dtype=torch.bool, device=dev)
    new_row[1:] = rows_o[1:] != rows_o[:-1]
    start = torch.where(new_row, position, torch.zeros_like(position)).cummax(0).values
    rank = position - start
    cls = torch.div(rows_o, n_out, rounding_mode="floor")
    target = rows_o - cls * n_out
    kept = (rank < keep.to(dev)[cls]) | ~prune_targets.to(dev)[target]
    chosen = torch.sort(order[kept]).values
    return keys[chosen], vals[chosen]
