"""Run the faithfulness measurement for an artifact: data in, ``faithfulness`` table and manifest out."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import torch
from summit.ingest.data import Batch, collate, open_dataset
from summit.ingest.faithfulness import build_plan, faithfulness_table, measure
from summit.ingest.model_spec import LoadedModel
from torch.utils.data import DataLoader, Subset

from summit.artifact import has_table, read_table, update_manifest, write_table
from summit.errors import ArtifactError, BadInput, NotFound

log = logging.getLogger(__name__)


def layer_channels(artifact: Path | str) -> dict[str, int]:
    """Channels per neuron layer, from the ``neurons`` table, in layer order."""
    neurons = read_table(artifact, "neurons")
    per_layer = (neurons.group_by("layer").agg(pl.col("layer_index").first(), (pl.col("channel").max() + 1)
                                               .alias("channels")).sort("layer_index"))
    return dict(zip(per_layer["layer"].to_list(), per_layer["channels"].to_list(), strict=True))


def class_logits(artifact: Path | str, output_wnids: Sequence[str],
                 wanted: Sequence[int] | None) -> list[tuple[int, int]]:
    """[(class index, model output index)] of the classes to measure, mapped by wnid."""
    classes = read_table(artifact, "classes").sort("class_index")
    index_of = {wnid: k for k, wnid in enumerate(output_wnids)}
    known = dict(zip(classes["class_index"].to_list(), classes["wnid"].to_list(), strict=True))
    if wanted:
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise NotFound(f"artifact {artifact} has no class(es) {', '.join(map(str, unknown))}")
        chosen = sorted(set(wanted))
    else:
        chosen = sorted(known)
    missing = [known[c] for c in chosen if known[c] not in index_of]
    if missing:
        raise ArtifactError(f"artifact {artifact}: class wnid(s) {', '.join(missing[:5])} are not outputs of the model")
    return [(c, index_of[known[c]]) for c in chosen]


def _batches(loader: DataLoader[Any], skipped: list[int]) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    batch: Batch
    for batch in loader:
        skipped.extend(batch.skipped)
        yield batch.images, batch.labels


def run_faithfulness(
    artifact: Path | str,
    loaded: LoadedModel,
    data: str | Path,
    *,
    classes: Sequence[int] | None = None,
    controls: int = 3,
    seed: int = 0,
    batch_size: int = 32,
    workers: int = 0,
    device: torch.device | str = "cpu",
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Measure the chosen classes; write their rows of the ``faithfulness`` table; return the summary."""
    started = time.perf_counter()
    if batch_size < 1:
        raise BadInput(f"batch size must be >= 1, got {batch_size}")
    if not has_table(artifact, "class_nodes"):
        raise ArtifactError(f"artifact {artifact} has no class graphs (class_nodes); run `summit graphs` first")
    chosen = class_logits(artifact, loaded.output_wnids, classes)
    plan = build_plan(read_table(artifact, "class_nodes"), layer_channels(artifact), chosen,
                      controls=controls, seed=seed)
    dataset = open_dataset(data, output_wnids=loaded.output_wnids, transform=loaded.transform, limit=limit)
    logits = set(plan.logits)
    positions = [p for p, s in enumerate(dataset.samples) if s.label in logits]
    if not positions:
        raise BadInput(f"dataset {data} has no image of the chosen class(es)")
    if on_total is not None:
        on_total(len(positions))
    loader = DataLoader(Subset(dataset, positions), batch_size=batch_size, shuffle=False, num_workers=workers,
                        collate_fn=collate)
    skipped: list[int] = []
    stats = measure(loaded.module, _batches(loader, skipped), plan, num_outputs=len(loaded.output_wnids),
                    device=device, progress=progress)
    rows = faithfulness_table(plan, stats)
    if has_table(artifact, "faithfulness"):
        old = read_table(artifact, "faithfulness")
        rows = pl.concat([old.filter(~pl.col("class_index").is_in(rows["class_index"].to_list())),
                          rows.select(old.columns)], how="vertical_relaxed")
    rows = rows.sort("class_index")
    write_table(artifact, "faithfulness", rows)
    table = read_table(artifact, "faithfulness")
    summary = {
        "data": str(data), "controls": controls, "seed": seed, "classes": table.height,
        "images": int(table["images"].sum()), "skipped_images": len(skipped),
        "mean_graph_prob_drop": float(table["graph_prob_drop"].mean() or 0.0),
        "mean_random_prob_drop": float(table["random_prob_drop_mean"].mean() or 0.0),
        "mean_graph_top1_drop": float(table["graph_top1_drop"].mean() or 0.0),
        "mean_random_top1_drop": float(table["random_top1_drop_mean"].mean() or 0.0),
        "mean_base_prob": float(table["base_prob"].mean() or 0.0),
        "mean_base_top1": float(table["base_top1"].mean() or 0.0),
        "mean_graph_neurons": float(table["graph_neurons"].mean() or 0.0),
        "device": str(device), "seconds": round(time.perf_counter() - started, 3),
    }
    update_manifest(artifact, faithfulness=summary)
    log.info("faithfulness: %s", summary)
    return summary
