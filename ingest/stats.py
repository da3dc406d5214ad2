"""Streaming statistics of ingest: small objects with ``update`` / ``merge`` / ``state_dict``.

Everything here is a sum over images (or a top-k over images), so it is additive
across batches, shards and processes: ``a.merge(b)`` after updating ``a`` and ``b``
with two halves of a dataset equals one object updated with all of it. Updates
are vectorised per class (``index_add_`` / ``bincount`` / ``torch.unique``) and the
accumulators live on the device of the tensors they are given.
"""

from __future__ import annotations

from typing import Any

import torch

PROB_BINS = 20


class SparseCounts:
    """Integer counts of int64 keys: a running sorted (keys, counts) pair plus pending keys.

    ``add(keys)`` appends; the pending keys are folded into the sorted pair with one
    ``torch.unique`` when they grow past ``flush_at`` (and on ``get``/``merge``), so
    memory stays bounded by the number of distinct keys plus one flush worth of keys.
    """

    def __init__(self, device: torch.device | str = "cpu", flush_at: int = 1 << 21):
        self.device = torch.device(device)
        self.flush_at = flush_at
        self.keys = torch.empty(0, dtype=torch.int64, device=self.device)
        self.counts = torch.empty(0, dtype=torch.int64, device=self.device)
        self._pending: list[torch.Tensor] = []
        self._pending_counts: list[torch.Tensor | None] = []
        self._pending_n = 0

    def add(self, keys: torch.Tensor, counts: torch.Tensor | None = None) -> None:
        """Add 1 per key (or ``counts`` per key)."""
        keys = keys.reshape(-1).to(self.device, torch.int64)
        if keys.numel() == 0:
            return
        self._pending.append(keys)
        self._pending_counts.append(None if counts is None else counts.reshape(-1).to(self.device, torch.int64))
        self._pending_n += keys.numel()
        if self._pending_n >= max(self.flush_at, self.keys.numel()):
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        parts = [self.keys, *self._pending]
        weights = [self.counts] + [
            torch.ones_like(k) if c is None else c for k, c in zip(self._pending, self._pending_counts, strict=True)
        ]
        self._pending, self._pending_counts, self._pending_n = [], [], 0
        self.keys, self.counts = _sum_by_key(torch.cat(parts), torch.cat(weights))

    def get(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Sorted distinct keys and their counts."""
        self.flush()
        return self.keys, self.counts

    def to(self, device: torch.device | str) -> SparseCounts:
        """Move the counts to ``device`` and fold the pending keys in there; later keys go there too.

        The pending keys move first and are merged on the new device: moving off a GPU that
        runs short must not need GPU memory for a merge.
        """
        self.device = torch.device(device)
        self.keys, self.counts = self.keys.to(self.device), self.counts.to(self.device)
        self._pending = [k.to(self.device) for k in self._pending]
        self._pending_counts = [None if c is None else c.to(self.device) for c in self._pending_counts]
        self.flush()
        return self

    def merge(self, other: SparseCounts) -> SparseCounts:
        keys, counts = other.get()
        self.add(keys, counts)
        self.flush()
        return self

    def state_dict(self) -> dict[str, Any]:
        keys, counts = self.get()
        return {"keys": keys.cpu(), "counts": counts.cpu()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._pending, self._pending_counts, self._pending_n = [], [], 0
        self.keys = state["keys"].to(self.device)
        self.counts = state["counts"].to(self.device)


def _sum_by_key(keys: torch.Tensor, weights: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    uniq, inverse = torch.unique(keys, sorted=True, return_inverse=True)
    sums = torch.zeros(uniq.numel(), dtype=torch.int64, device=keys.device)
    sums.index_add_(0, inverse, weights)
    return uniq, sums


class ClassStats:
    """Per class: image count, top-1 correct count and two 20-bin probability histograms.

    ``hist``: the predicted probability of the true class; ``top1_hist``: the top-1
    confidence (the largest predicted probability, whatever class it is), which is the
    histogram Summit's class sidebar shows.
    """

    def __init__(self, num_classes: int, device: torch.device | str = "cpu", bins: int = PROB_BINS):
        self.num_classes = num_classes
        self.bins = bins
        self.images = torch.zeros(num_classes, dtype=torch.int64, device=device)
        self.top1 = torch.zeros(num_classes, dtype=torch.int64, device=device)
        self.hist = torch.zeros(num_classes, bins, dtype=torch.int64, device=device)
        self.top1_hist = torch.zeros(num_classes, bins, dtype=torch.int64, device=device)

    def _binned(self, labels: torch.Tensor, prob: torch.Tensor) -> torch.Tensor:
        b = (prob * self.bins).floor().long().clamp_(0, self.bins - 1)
        flat = torch.bincount(labels * self.bins + b, minlength=self.num_classes * self.bins)
        return flat.view(self.num_classes, self.bins)

    def update(self, labels: torch.Tensor, logits: torch.Tensor) -> None:
        """``labels`` (B,) class indices = logit indices; ``logits`` (B, C)."""
        labels = labels.to(self.images.device)
        logits = logits.to(self.images.device)
        probs = torch.softmax(logits.double(), dim=1)
        p_true = probs.gather(1, labels[:, None]).squeeze(1)
        correct = (logits.argmax(dim=1) == labels).long()
        self.images += torch.bincount(labels, minlength=self.num_classes)
        self.top1 += torch.bincount(labels, weights=correct.double(), minlength=self.num_classes).long()
        self.hist += self._binned(labels, p_true)
        self.top1_hist += self._binned(labels, probs.amax(dim=1))

    def merge(self, other: ClassStats) -> ClassStats:
        self.images += other.images.to(self.images.device)
        self.top1 += other.top1.to(self.images.device)
        self.hist += other.hist.to(self.images.device)
        self.top1_hist += other.top1_hist.to(self.images.device)
        return self

    def state_dict(self) -> dict[str, Any]:
        return {"images": self.images.cpu(), "top1": self.top1.cpu(), "hist": self.hist.cpu(),
                "top1_hist": self.top1_hist.cpu()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        dev = self.images.device
        self.images, self.top1, self.hist, self.top1_hist = (
            state[k].to(dev) for k in ("images", "top1", "hist", "top1_hist"))


class ActivationStats:
    """A_l (C x N integer counts of selected channels) at two masses, and the per-class sum of m_lj.

    ``counts``: A at ``activation_mass`` (class lists, similarity); ``graph_counts``: A at
    ``graph_activation_mass`` (the graph stage of Summit's final notebook), both from one pass.
    """

    def __init__(self, num_classes: int, channels: int, device: torch.device | str = "cpu"):
        self.counts = torch.zeros(num_classes, channels, dtype=torch.int64, device=device)
        self.graph_counts = torch.zeros(num_classes, channels, dtype=torch.int64, device=device)
        self.act_sum = torch.zeros(num_classes, channels, dtype=torch.float64, device=device)

    def update(self, labels: torch.Tensor, selected: torch.Tensor, maxima: torch.Tensor,
               graph_selected: torch.Tensor | None = None) -> None:
        """``selected`` / ``graph_selected`` (B, N) bool at the two masses (``graph_selected``
        defaults to ``selected``), ``maxima`` (B, N) channel maxima m_lj of images of class ``labels``."""
        labels = labels.to(self.counts.device)
        self.counts.index_add_(0, labels, selected.to(self.counts.device, torch.int64))
        graph = selected if graph_selected is None else graph_selected
        self.graph_counts.index_add_(0, labels, graph.to(self.counts.device, torch.int64))
        self.act_sum.index_add_(0, labels, maxima.to(self.counts.device, torch.float64))

    def merge(self, other: ActivationStats) -> ActivationStats:
        self.counts += other.counts.to(self.counts.device)
        self.graph_counts += other.graph_counts.to(self.counts.device)
        self.act_sum += other.act_sum.to(self.counts.device)
        return self

    def state_dict(self) -> dict[str, Any]:
        return {"counts": self.counts.cpu(), "graph_counts": self.graph_counts.cpu(), "act_sum": self.act_sum.cpu()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        dev = self.counts.device
        self.counts, self.graph_counts, self.act_sum = (
            state["counts"].to(dev), state["graph_counts"].to(dev), state["act_sum"].to(dev))


class TopExamples:
    """Per neuron, the ``k`` images with the largest m_lj: score, sample index, argmax position.

    Ties are broken by the lower sample index, so the result does not depend on the
    order in which batches or shards arrive.
    """

    def __init__(self, channels: int, k: int, device: torch.device | str = "cpu"):
        self.k = k
        self.scores = torch.full((channels, k), float("-inf"), dtype=torch.float32, device=device)
        self.index = torch.full((channels, k), -1, dtype=torch.int64, device=device)
        self.pos = torch.full((channels, k), -1, dtype=torch.int64, device=device)

    def update(self, maxima: torch.Tensor, positions: torch.Tensor, sample_index: torch.Tensor) -> None:
        """``maxima``/``positions`` (B, N) (flat argmax y*W+x), ``sample_index`` (B,)."""
        if self.k == 0:
            return
        dev = self.scores.device
        n = self.scores.shape[0]
        scores = maxima.to(dev, torch.float32).T
        index = sample_index.to(dev, torch.int64)[None, :].expand(n, -1)
        self._keep(scores, index, positions.to(dev, torch.int64).T)

    def _keep(self, scores: torch.Tensor, index: torch.Tensor, pos: torch.Tensor) -> None:
        s = torch.cat([self.scores, scores], dim=1)
        i = torch.cat([self.index, index], dim=1)
        p = torch.cat([self.pos, pos], dim=1)
        # empty slots (index -1) must lose every tie: give them the largest index
        tie_key = torch.where(i < 0, torch.iinfo(torch.int64).max, i)
        order = torch.argsort(tie_key, dim=1, stable=True)
        s, i, p = s.gather(1, order), i.gather(1, order), p.gather(1, order)
        order = torch.argsort(s, dim=1, descending=True, stable=True)[:, : self.k]
        self.scores, self.index, self.pos = s.gather(1, order), i.gather(1, order), p.gather(1, order)

    def merge(self, other: TopExamples) -> TopExamples:
        dev = self.scores.device
        self._keep(other.scores.to(dev), other.index.to(dev), other.pos.to(dev))
        return self

    def state_dict(self) -> dict[str, Any]:
        return {"scores": self.scores.cpu(), "index": self.index.cpu(), "pos": self.pos.cpu()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        dev = self.scores.device
        self.scores, self.index, self.pos = (state[k].to(dev) for k in ("scores", "index", "pos"))
