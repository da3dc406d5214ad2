"""Streaming statistics vs one-shot computations on tiny data; merge is order-free."""

from __future__ import annotations

import math

import torch
from summit.ingest.stats import ActivationStats, ClassStats, TopExamples


def test_class_stats_vs_loop():
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(50, 4, generator=gen, dtype=torch.float64) * 3
    labels = torch.randint(0, 4, (50,), generator=gen)
    stats = ClassStats(4)
    for chunk in range(0, 50, 7):
        stats.update(labels[chunk : chunk + 7], logits[chunk : chunk + 7])
    images, top1, hist = [0] * 4, [0] * 4, [[0] * 20 for _ in range(4)]
    for n in range(50):
        c = int(labels[n])
        row = [math.exp(float(v)) for v in logits[n]]
        p = row[c] / sum(row)
        images[c] += 1
        top1[c] += int(max(range(4), key=lambda k: float(logits[n, k])) == c)
        hist[c][min(int(p * 20), 19)] += 1
    assert stats.images.tolist() == images
    assert stats.top1.tolist() == top1
    assert stats.hist.tolist() == hist


def test_activation_stats_merge_equals_one_pass():
    gen = torch.Generator().manual_seed(1)
    labels = torch.randint(0, 3, (30,), generator=gen)
    sel = torch.rand(30, 5, generator=gen) < 0.4
    maxima = torch.rand(30, 5, generator=gen, dtype=torch.float64)
    whole = ActivationStats(3, 5)
    whole.update(labels, sel, maxima)
    a, b = ActivationStats(3, 5), ActivationStats(3, 5)
    a.update(labels[:11], sel[:11], maxima[:11])
    b.update(labels[11:], sel[11:], maxima[11:])
    merged = b.merge(a)
    assert torch.equal(merged.counts, whole.counts)
    assert torch.allclose(merged.act_sum, whole.act_sum)
    for c in range(3):
        assert merged.counts[c].tolist() == sel[labels == c].sum(0).tolist()


def test_top_examples_streaming_equals_sort_with_ties():
    gen = torch.Generator().manual_seed(2)
    scores = torch.randint(0, 4, (40, 3), generator=gen).double()  # many ties
    pos = torch.randint(0, 9, (40, 3), generator=gen)
    index = torch.arange(40)
    parts = [TopExamples(3, 5) for _ in range(3)]
    for n, start in enumerate(range(0, 40, 6)):
        parts[n % 3].update(scores[start : start + 6], pos[start : start + 6], index[start : start + 6])
    merged = parts[2].merge(parts[0]).merge(parts[1])
    for ch in range(3):
        expected = sorted(range(40), key=lambda i: (-float(scores[i, ch]), i))[:5]
        assert merged.index[ch].tolist() == expected
        assert merged.scores[ch].tolist() == [float(scores[i, ch]) for i in expected]
        assert merged.pos[ch].tolist() == [int(pos[i, ch]) for i in expected]
    restored = TopExamples(3, 5)
    restored.load_state_dict(merged.state_dict())
    assert torch.equal(restored.index, merged.index)


def test_top_examples_fewer_images_than_k():
    top = TopExamples(2, 4)
    top.update(torch.tensor([[1.0, 2.0]]), torch.tensor([[0, 1]]), torch.tensor([7]))
    assert top.index.tolist() == [[7, -1, -1, -1], [7, -1, -1, -1]]
