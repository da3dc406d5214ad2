"""Turn the accumulators of a run into the artifact's counts: per-class merges of composed hops.

For each layer pair: direct one-hop (or gradient) counts as they are; each
composed chain merged per class by the widest path, chained hop by hop
(METHOD.md section 3); identity-skip counts as edges j -> j; all unioned with
the max per edge; then every target j fed by a composed chain keeps only its
strongest E edges, E per class = the mean number of distinct inputs per output
channel of the pair's one-hop branches, truncated to an integer as Summit's
``int(np.average(...))`` (``influence_topk`` x 4 without one branch); equal
weights keep the higher input channel (the one tie rule). E caps these merged
rows only; the graph stage has no edge budget of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from summit.ingest.capture import Ingestor
from summit.ingest.influence import max_union, prune_per_target, remap_out, split_keys, widest_path
from summit.ingest.structure import PairPlan


@dataclass
class PairResult:
    """Final sparse per-class influence counts of one pair: keys over (c, j, i), counts."""

    plan: PairPlan
    keys: torch.Tensor
    counts: torch.Tensor
    edges_per_target: float | None = None

    def triples(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return split_keys(self.keys, self.plan.n_dst, self.plan.n_src)


def merge_pair(ing: Ingestor, p: int) -> PairResult:
    plan = ing.plans[p]
    dev = ing.counts_device  # where the sparse counts live; everything merged with them goes there
    empty = torch.empty(0, dtype=torch.int64, device=dev)
    if plan.rule in ("none",):
        return PairResult(plan, empty, empty)
    direct = ing.direct[p].get() if p in ing.direct else (empty, empty)
    if plan.rule == "grad" or (not plan.composed_chains and plan.skip is None):
        return PairResult(plan, *direct)
    parts = [direct]
    prune = torch.zeros(plan.n_dst, dtype=torch.bool, device=dev)
    for chain in plan.composed_chains:
        first = plan.hops[chain[0]]
        weights = ing.hop_counts[(p, chain[0])].get()
        n_mid = first.n_out
        for h in chain[1:]:
            hop = plan.hops[h]
            weights = widest_path(weights, ing.hop_counts[(p, h)].get(), plan.n_src, n_mid, hop.n_out)
            n_mid = hop.n_out
        last = plan.hops[chain[-1]]
        parts.append((remap_out(weights[0], last.n_out, plan.n_dst, plan.n_src, last.out_offset), weights[1]))
        prune[last.out_offset : last.out_offset + last.n_out] = True
    if plan.skip is not None:
        skip = ing.skip[p].to(dev)
        c, j = torch.nonzero(skip, as_tuple=True)
        keys = (c * plan.n_dst + j) * plan.n_src + j
        parts.append((keys, skip[c, j]))
        if plan.composed_chains:
            prune |= True
    keys, counts = max_union(*parts)
    if not prune.any():
        return PairResult(plan, keys, counts)
    keep, mean_e = _edges_per_target(ing, plan, direct)
    keys, counts = prune_per_target(keys, counts, plan.n_dst, plan.n_src, keep, prune)
    return PairResult(plan, keys, counts, mean_e)


def _edges_per_target(ing: Ingestor, plan: PairPlan, direct: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, float]:
    """E per class: mean distinct inputs per output channel of the one-hop branches, or topk x 4."""
    c_count = ing.num_classes
    if not plan.direct_chains:
        e = ing.k * 4
        return torch.full((c_count,), e, dtype=torch.int64, device=ing.counts_device), float(e)
    targets = sum(plan.hops[c[0]].n_out for c in plan.direct_chains)
    cls = direct[0] // (plan.n_dst * plan.n_src)
    distinct = torch.bincount(cls, minlength=c_count).to(torch.float64)
    # Summit: int(np.average(...)), truncated (not rounded); channels without inputs count as 0
    keep = torch.floor(distinct / targets).to(torch.int64)
    has = distinct > 0
    mean_e = float(keep[has].double().mean()) if bool(has.any()) else 0.0
    return keep, mean_e


def merge_all(ing: Ingestor) -> list[PairResult]:
    return [merge_pair(ing, p) for p in range(len(ing.plans))]
