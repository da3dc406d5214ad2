"""The influence rules against direct computations: BN folding, 1x1 shortcut, k x k maps, merges, ties."""

from __future__ import annotations

import itertools

import pytest
import summit.ingest.influence as influence
import torch
import torch.nn.functional as F
from summit.ingest.influence import (
    conv_geometry,
    fold_bn,
    onehop,
    prune_per_target,
    select_channels,
    top_inputs,
    widest_path,
)
from summit.ingest.stats import SparseCounts
from torch import nn


def pair_maps_bruteforce(x: torch.Tensor, kernel: torch.Tensor, conv: nn.Conv2d) -> torch.Tensor:
    """(B, J, I): max of each materialised per-pair map X_i conv K[j, i]."""
    b, n_in = x.shape[:2]
    out = torch.empty(b, kernel.shape[0], n_in, dtype=x.dtype)
    for j, i in itertools.product(range(kernel.shape[0]), range(n_in)):
        maps = F.conv2d(x[:, i : i + 1], kernel[j : j + 1, i : i + 1], stride=conv.stride,
                        padding=conv.padding, dilation=conv.dilation)
        out[:, j, i] = maps.flatten(1).amax(1)
    return out


def test_bn_folding_equals_conv_then_bn():
    torch.manual_seed(0)
    conv = nn.Conv2d(4, 5, 3, padding=1, bias=False).double()
    bn = nn.BatchNorm2d(5).double().eval()
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.2, 3)
    bn.weight.data.uniform_(-2, 2)
    bn.bias.data.uniform_(-1, 1)
    x = torch.randn(3, 4, 6, 6, dtype=torch.float64)
    shift = bn.bias - bn.running_mean * bn.weight / torch.sqrt(bn.running_var + bn.eps)
    expected = bn(conv(x)) - shift[None, :, None, None]
    assert torch.allclose(F.conv2d(x, fold_bn(conv, bn), padding=1), expected, atol=1e-12)


@pytest.mark.parametrize(("stride", "padding"), [(1, 0), (2, 0), (1, 1), (2, 1)])
def test_1x1_shortcut_equals_materialised_maps(stride, padding):
    torch.manual_seed(1)
    conv = nn.Conv2d(6, 7, 1, stride=stride, padding=padding, bias=False).double()
    x = torch.relu(torch.randn(4, 6, 5, 5, dtype=torch.float64)) - 0.3  # negative minima too
    k = conv.weight.detach()
    assert torch.equal(onehop(x, k, conv_geometry(conv)), pair_maps_bruteforce(x, k, conv))


@pytest.mark.parametrize(("kernel", "stride", "padding", "dilation"), [(3, 1, 1, 1), (3, 2, 1, 1), (5, 1, 2, 2)])
def test_kxk_chunked_maps_equal_bruteforce(monkeypatch, kernel, stride, padding, dilation):
    torch.manual_seed(2)
    conv = nn.Conv2d(5, 6, kernel, stride=stride, padding=padding, dilation=dilation, bias=False).double()
    x = torch.randn(3, 5, 9, 9, dtype=torch.float64)
    expected = pair_maps_bruteforce(x, conv.weight.detach(), conv)
    assert torch.allclose(onehop(x, conv.weight.detach(), conv_geometry(conv)), expected, atol=1e-12)
    monkeypatch.setattr(influence, "PAIR_MAP_CHUNK", 1)  # one input channel per matmul chunk
    assert torch.allclose(onehop(x, conv.weight.detach(), conv_geometry(conv)), expected, atol=1e-12)
    monkeypatch.setattr(influence, "IM2COL_CHUNK", 1)  # and one image per im2col chunk
    assert torch.allclose(onehop(x, conv.weight.detach(), conv_geometry(conv)), expected, atol=1e-12)
    monkeypatch.setattr(influence, "PAIR_MAP_CHUNK", 2 * 6 * 81)  # uneven chunks: 2 inputs, then the rest
    monkeypatch.setattr(influence, "IM2COL_CHUNK", 2 * 5 * kernel * kernel * 81)
    assert torch.allclose(onehop(x, conv.weight.detach(), conv_geometry(conv)), expected, atol=1e-12)


def test_same_padding_matches_timm_conv2d_same():
    from timm.layers import create_conv2d

    torch.manual_seed(3)
    conv = create_conv2d(3, 4, 3, stride=2, padding="same").double()
    assert type(conv).__name__ == "Conv2dSame"
    x = torch.randn(2, 3, 8, 8, dtype=torch.float64)
    got = onehop(x, conv.weight.detach(), conv_geometry(conv))
    # per pair: run the real module on one input channel with one kernel slice
    for j, i in itertools.product(range(4), range(3)):
        single = create_conv2d(1, 1, 3, stride=2, padding="same").double()
        single.weight.data.copy_(conv.weight[j : j + 1, i : i + 1])
        expected = single(x[:, i : i + 1]).flatten(1).amax(1)
        assert torch.allclose(got[:, j, i], expected, atol=1e-12)


def test_top_inputs_ties_go_to_higher_index():
    """Summit's tie rule: equal values, the higher channel first (its argsort takes the last k)."""
    values = torch.tensor([[[0.0, 1.0, 1.0, 1.0, 0.5]], [[2.0, 0.0, 0.0, 0.0, 0.0]]])
    idx, kth = top_inputs(values, 2)
    assert sorted(idx[0, 0].tolist()) == [2, 3]
    assert sorted(idx[1, 0].tolist()) == [0, 4]
    assert kth.flatten().tolist() == [1.0, 0.0]


def test_select_channels_mass_topk_exclude_and_zero():
    m = torch.tensor([[1.0, 2.0, 2.0], [3.0, 1.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 5.0, 0.0]])
    sel = select_channels(m, mode="mass", mass=0.5, topk=1)
    # all-zero row: the first channel in Summit's order, i.e. the highest index
    assert sel.tolist() == [[False, True, True], [True, False, True], [False, False, True], [False, True, False]]
    sel = select_channels(m, mode="topk", mass=0.5, topk=2)
    assert sel.sum(1).tolist() == [2, 2, 2, 2]
    assert sel[0].tolist() == [False, True, True]
    exclude = torch.tensor([False, True, False])
    sel = select_channels(m, mode="mass", mass=0.01, topk=1, exclude=exclude)
    assert sel.tolist() == [[False, False, True], [False, False, True], [False, False, True], [False, False, True]]
    # two masses from one sort: each equals its own call, the larger a superset
    low, high = select_channels(m, mode="mass", mass=(0.3, 0.7), topk=1)
    assert torch.equal(low, select_channels(m, mode="mass", mass=0.3, topk=1))
    assert torch.equal(high, select_channels(m, mode="mass", mass=0.7, topk=1))
    assert bool((high | ~low).all())
    assert int(high.sum()) > int(low.sum())


def test_select_channels_saturated_relu6_follows_summit_order():
    """ReLU6-saturated channels (all at 6.0): the cut falls inside the tie, and Summit's
    ``sorted(zip(p, idx), reverse=True)`` takes the highest channels of the tie first."""
    maxima = torch.tensor([[6.0, 1.0, 6.0, 6.0, 0.5, 6.0, 2.0, 6.0]])
    p = (maxima / maxima.sum())[0].tolist()
    for mass in (0.1, 0.2, 0.4, 0.6):
        taken, share = [], 0.0
        for value, channel in sorted(zip(p, range(len(p)), strict=True), reverse=True):
            if share >= mass:
                break
            taken.append(channel)
            share += value
        got = select_channels(maxima, mode="mass", mass=mass, topk=1)
        assert torch.nonzero(got[0]).flatten().tolist() == sorted(taken)
    assert torch.nonzero(select_channels(maxima, mode="mass", mass=0.2, topk=1)[0]).flatten().tolist() == [5, 7]


def _dense(keys: torch.Tensor, vals: torch.Tensor, shape: tuple[int, int, int]) -> torch.Tensor:
    out = torch.zeros(shape[0] * shape[1] * shape[2], dtype=torch.int64)
    out[keys] = vals
    return out.view(shape)


def _random_sparse(gen: torch.Generator, shape: tuple[int, int, int], density: float) -> tuple[torch.Tensor, torch.Tensor]:
    dense = torch.randint(1, 6, shape, generator=gen) * (torch.rand(shape, generator=gen) < density)
    flat = dense.flatten()
    keys = torch.nonzero(flat).flatten()
    return keys, flat[keys]


def test_widest_path_equals_bruteforce():
    gen = torch.Generator().manual_seed(4)
    c, n_in, n_mid, n_out = 3, 5, 4, 6
    first = _random_sparse(gen, (c, n_mid, n_in), 0.5)
    second = _random_sparse(gen, (c, n_out, n_mid), 0.5)
    for max_pairs in (1 << 20, 3):  # one piece, and many small pieces
        keys, vals = widest_path(first, second, n_in, n_mid, n_out, max_pairs=max_pairs)
        got = _dense(keys, vals, (c, n_out, n_in))
        a, b = _dense(*first, (c, n_mid, n_in)), _dense(*second, (c, n_out, n_mid))
        expected = torch.zeros(c, n_out, n_in, dtype=torch.int64)
        for cc, j, i in itertools.product(range(c), range(n_out), range(n_in)):
            expected[cc, j, i] = max(min(int(b[cc, j, m]), int(a[cc, m, i])) for m in range(n_mid))
        assert torch.equal(got, expected)
        assert bool((vals > 0).all())


def test_prune_per_target_keeps_strongest_with_higher_index_on_ties():
    n_out, n_in = 2, 4
    # class 0 row j=0: weights 3, 5, 5, 1 ; row j=1: 2, 2 ; class 1 row j=0: 7
    triples = [(0, 0, 0, 3), (0, 0, 1, 5), (0, 0, 2, 5), (0, 0, 3, 1), (0, 1, 0, 2), (0, 1, 3, 2), (1, 0, 2, 7)]
    keys = torch.tensor([(c * n_out + j) * n_in + i for c, j, i, _ in triples])
    vals = torch.tensor([w for *_, w in triples])
    keep = torch.tensor([2, 1])
    k, v = prune_per_target(keys, vals, n_out, n_in, keep, torch.tensor([True, False]))
    got = {(int(x) // (n_out * n_in), int(x) // n_in % n_out, int(x) % n_in): int(w) for x, w in zip(k, v, strict=True)}
    assert got == {(0, 0, 1): 5, (0, 0, 2): 5, (0, 1, 0): 2, (0, 1, 3): 2, (1, 0, 2): 7}
    # E = 1 inside the tie 5, 5: the higher input channel stays
    k, v = prune_per_target(keys, vals, n_out, n_in, torch.tensor([1, 1]), torch.tensor([True, True]))
    got = {(int(x) // (n_out * n_in), int(x) // n_in % n_out, int(x) % n_in): int(w) for x, w in zip(k, v, strict=True)}
    assert got == {(0, 0, 2): 5, (0, 1, 3): 2, (1, 0, 2): 7}


def test_sparse_counts_flush_and_merge():
    gen = torch.Generator().manual_seed(5)
    a, b = SparseCounts(flush_at=7), SparseCounts(flush_at=1 << 20)
    batches = [torch.randint(0, 20, (n,), generator=gen) for n in (5, 9, 1, 13)]
    for n, keys in enumerate(batches):
        (a if n % 2 else b).add(keys)
    merged = a.merge(b)
    keys, counts = merged.get()
    expected = torch.bincount(torch.cat(batches), minlength=20)
    assert torch.equal(_dense(keys, counts, (1, 1, 20)).flatten(), expected)
    restored = SparseCounts()
    restored.load_state_dict(merged.state_dict())
    assert torch.equal(restored.get()[1], counts)


def test_edges_per_target_is_truncated_like_summit():
    """E = int(mean distinct inputs per one-hop output): 11 / 4 = 2.75 -> 2 and 6 / 4 = 1.5 -> 1 (rounding
    would give 3 and 2); a class without rows gets 0."""
    from types import SimpleNamespace

    from summit.ingest.finalize import _edges_per_target

    n_dst, n_src = 6, 5
    plan = SimpleNamespace(direct_chains=[[0]], hops=[SimpleNamespace(n_out=4)], n_dst=n_dst, n_src=n_src)
    ing = SimpleNamespace(num_classes=3, k=5, counts_device=torch.device("cpu"))
    pairs = [(0, j, i) for j in range(4) for i in range(3)][:11] + [(1, j, 0) for j in range(4)] + [(1, 0, 1), (1, 1, 1)]
    keys = torch.tensor(sorted((c * n_dst + j) * n_src + i for c, j, i in pairs))
    keep, mean_e = _edges_per_target(ing, plan, (keys, torch.ones_like(keys)))
    assert keep.tolist() == [2, 1, 0]
    assert mean_e == 1.5
