"""Run the faithfulness measurement for an artifact: data in, ``faithfulness`` table and manifest out.

Held out by default: the images ablated must not be the images the graphs were
built from. The ablation set is compared with the artifact's own image set (the
manifest's dataset root and fingerprint, and the sha256 of every image file of
the measured classes when that folder is readable): images present in both are
left out of the measurement, and a set with no image left is an error.
``in_sample=True`` measures on whatever is given (the manifest then says so).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import torch
from summit.ingest.data import Batch, ImageDataset, collate, open_dataset
from summit.ingest.faithfulness import build_plan, faithfulness_table, measure
from summit.ingest.faithfulness_summary import per_neuron, summarize
from summit.ingest.model_spec import LoadedModel
from torch.utils.data import DataLoader, Subset

from summit.artifact import has_table, read_manifest, read_table, update_manifest, write_table
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


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _hashes(dataset: ImageDataset, positions: Sequence[int]) -> list[str | None]:
    out: list[str | None] = []
    for p in positions:
        try:
            out.append(_file_hash(dataset.root / dataset.samples[p].relpath))
        except OSError:
            out.append(None)
    return out


def held_out_positions(
    manifest: dict[str, Any], dataset: ImageDataset, positions: list[int], loaded: LoadedModel,
) -> tuple[list[int], dict[str, Any]]:
    """The positions whose images the graphs were not built from, and what the check found."""
    graph_data = manifest.get("dataset") if isinstance(manifest.get("dataset"), dict) else {}
    root = str((graph_data or {}).get("root", ""))
    report: dict[str, Any] = {
        "graph_data": {"root": root, "fingerprint": (graph_data or {}).get("fingerprint")},
        "ablation_data": {"root": str(dataset.root), "fingerprint": dataset.fingerprint},
    }
    if report["graph_data"]["fingerprint"] and report["graph_data"]["fingerprint"] == dataset.fingerprint:
        report.update(shared_images=len(positions), checked="fingerprint")
        return [], report
    logits = {dataset.samples[p].label for p in positions}
    try:
        graph_set = open_dataset(root, output_wnids=loaded.output_wnids, transform=None) if root else None
    except Exception:
        graph_set = None
    if graph_set is None:
        report.update(shared_images=0, checked="fingerprint (the graphs' images are not readable here)")
        return positions, report
    theirs = {h for h in _hashes(graph_set, [q for q, s in enumerate(graph_set.samples) if s.label in logits])
              if h is not None}
    mine = _hashes(dataset, positions)
    keep = [p for p, h in zip(positions, mine, strict=True) if h is None or h not in theirs]
    report.update(shared_images=len(positions) - len(keep), checked="sha256 of every image file")
    return keep, report


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
    in_sample: bool = False,
    resamples: int = 2000,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Measure the chosen classes; write their rows of the ``faithfulness`` table; return the summary."""
    started = time.perf_counter()
    if batch_size < 1:
        raise BadInput(f"batch size must be >= 1, got {batch_size}")
    if not has_table(artifact, "class_nodes"):
        raise ArtifactError(f"artifact {artifact} has no class graphs (class_nodes); run `summit graphs` first")
    manifest = read_manifest(artifact)
    graphs = manifest.get("graphs") if isinstance(manifest.get("graphs"), dict) else {}
    count_column = "graph_count" if (graphs or {}).get("graph_counts") == "graph" else "count"
    chosen = class_logits(artifact, loaded.output_wnids, classes)
    dataset = open_dataset(data, output_wnids=loaded.output_wnids, transform=loaded.transform, limit=limit)
    logits = {logit for _, logit in chosen}
    positions = [p for p, s in enumerate(dataset.samples) if s.label in logits]
    if not positions:
        raise BadInput(f"dataset {data} has no image of the chosen class(es)")
    if in_sample:
        split: dict[str, Any] = {"graph_data": {"root": str((manifest.get("dataset") or {}).get("root", ""))},
                                 "ablation_data": {"root": str(dataset.root), "fingerprint": dataset.fingerprint},
                                 "shared_images": None, "checked": "not checked (in-sample asked for)"}
    else:
        positions, split = held_out_positions(manifest, dataset, positions, loaded)
        if not positions:
            raise BadInput(
                f"dataset {data}: every image of the chosen class(es) is one the graphs were built from "
                f"({split['shared_images']} shared, checked by {split['checked']}); measure on a disjoint "
                "image set (--data), or pass --in-sample to measure on these anyway")
    measured = {dataset.samples[p].label for p in positions}
    chosen = [(c, logit) for c, logit in chosen if logit in measured]
    plan = build_plan(read_table(artifact, "class_nodes"), layer_channels(artifact), chosen,
                      controls=controls, seed=seed, activations=read_table(artifact, "activations"),
                      count_column=count_column)
    if on_total is not None:
        on_total(len(positions))
    loader = DataLoader(Subset(dataset, positions), batch_size=batch_size, shuffle=False, num_workers=workers,
                        collate_fn=collate)
    skipped: list[int] = []
    module = loaded.module
    if torch.device(device).type == "cpu":
        module = module.to(memory_format=torch.channels_last)  # ~1.5x on CPU (tests/ingest/test_accuracy.py)
    stats = measure(module, _batches(loader, skipped), plan, num_outputs=len(loaded.output_wnids),
                    device=device, progress=progress)
    rows = faithfulness_table(plan, stats)
    if has_table(artifact, "faithfulness"):
        old = read_table(artifact, "faithfulness")
        rows = pl.concat([old.filter(~pl.col("class_index").is_in(rows["class_index"].to_list())),
                          rows.select(old.columns)], how="vertical_relaxed")
    rows = rows.sort("class_index")
    write_table(artifact, "faithfulness", rows)
    table = read_table(artifact, "faithfulness")
    figures = summarize(table, resamples=resamples, seed=seed)
    summary = {
        "graph_method": (graphs or {}).get("graph_method"), "graph_rules": {
            k: v for k, v in (graphs or {}).items() if k.startswith("graph_") and k != "graph_method"},
        "held_out": not in_sample, **split, "active_counts": count_column,
        "prob_drop": figures["prob_drop"], "top1_drop": figures["top1_drop"], "bootstrap": {
            "resamples": resamples, "level": figures["level"], "over": "classes"},
        "prob_drop_per_neuron": per_neuron(table),
        "data": str(data), "controls": controls, "seed": seed, "classes": table.height,
        "images": int(table["images"].sum()), "skipped_images": len(skipped),
        "mean_graph_prob_drop": float(table["graph_prob_drop"].mean() or 0.0),
        "mean_random_prob_drop": float(table["random_prob_drop_mean"].mean() or 0.0),
        "mean_graph_top1_drop": float(table["graph_top1_drop"].mean() or 0.0),
        "mean_random_top1_drop": float(table["random_top1_drop_mean"].mean() or 0.0),
        "mean_active_prob_drop": float(table["active_prob_drop"].mean() or 0.0),
        "mean_active_top1_drop": float(table["active_top1_drop"].mean() or 0.0),
        "mean_base_prob": float(table["base_prob"].mean() or 0.0),
        "mean_base_top1": float(table["base_top1"].mean() or 0.0),
        "mean_graph_neurons": float(table["graph_neurons"].mean() or 0.0),
        "device": str(device), "seconds": round(time.perf_counter() - started, 3),
    }
    update_manifest(artifact, faithfulness=summary)
    log.info("faithfulness: %s", summary)
    return summary
