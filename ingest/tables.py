"""Write an ingest run's accumulators as the artifact (tables, example patches, manifest)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import polars as pl
import torch
from summit.ingest.capture import Ingestor
from summit.ingest.examples import denormalizer, media_path, receptive_fields, write_patches
from summit.ingest.finalize import PairResult, merge_all
from summit.ingest.model_spec import LoadedModel

from summit import __version__
from summit.artifact import write_manifest, write_table
from summit.ids import neuron_ids
from summit.inception import lucid_names
from summit.settings import Settings


def write_artifact(
    ing: Ingestor,
    loaded: LoadedModel,
    dataset: Any,
    options: Any,
    settings: Settings,
    *,
    skipped: list[int],
    timings: dict[str, float],
    skip_reasons: dict[int, str] | None = None,
    device: torch.device,
    world: Any,
) -> dict[str, Any]:
    """Finalize the counts and write every table of the ingest step plus the manifest; return a summary."""
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    ids = {name: pl.Series(neuron_ids(name, ing.channels[name]), dtype=pl.Utf8) for name in ing.layers}
    classes = classes_frame(ing, loaded, dataset)
    present = classes["class_index"].to_list()
    write_table(out, "classes", classes)
    write_table(out, "neurons", neurons_frame(ing, ids))
    write_table(out, "activations", activations_frame(ing, ids, present))
    results = merge_all(ing)
    influences = influences_frame(results, ids)
    write_table(out, "influences", influences)
    timings["finalize_seconds"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    examples = examples_frame(ing, ids, dataset, loaded, out, device) if options.write_examples else None
    if examples is not None:
        write_table(out, "examples", examples)
    timings["examples_seconds"] = round(time.perf_counter() - started, 3)
    images = int(ing.classes.images.sum())
    correct = int(ing.classes.top1.sum())
    describe = dataset.describe() if hasattr(dataset, "describe") else {"images": len(dataset)}
    root = Path(str(describe.get("root", "dataset")))
    manifest = {
        "run_id": options.run_id or f"{loaded.name.replace(':', '-')}-{root.name}",
        "tool_version": __version__,
        "method": _jsonable(ing.settings.group("method")),
        "ingest": _jsonable(settings.group("ingest")),
        "model": {
            "name": loaded.name, "weights_sha256": loaded.weights_sha256,
            "preprocessing": loaded.preprocessing, "input_size": loaded.input_size,
        },
        "dataset": {
            **describe, "images": images + len(skipped), "images_used": images,
            "classes": int((ing.classes.images > 0).sum()), "skipped_images": len(skipped),
            "skipped": skipped_list(dataset, skipped, skip_reasons or {}),
            "top1_accuracy": correct / images if images else None,
        },
        "layers": [{"name": name, "channels": ing.channels[name]} for name in ing.layers],
        "influence": [_describe_pair(r) for r in results],
        "timings": timings,
        "device": str(device),
        "influence_kernel": ing.kernel,  # the one that ran: torch, or triton (setting influence_kernel)
        "processes": world.size,
    }
    lucid = lucid_names(list(ing.layers))
    if lucid is not None:  # InceptionV1: the original Summit front end knows its layers by Lucid's names
        manifest["lucid_layers"] = lucid
    write_manifest(out, manifest)
    return {
        "artifact": str(out), "images": images, "skipped": len(skipped),
        "top1": correct / images if images else 0.0, "classes": manifest["dataset"]["classes"],
        "neurons": sum(ing.channels.values()), "influence_edges": influences.height,
        "examples": 0 if examples is None else examples.height, "timings": timings,
    }


MAX_SKIPPED_LISTED = 10_000  # a folder of mostly broken files must not make a huge manifest


def skipped_list(dataset: Any, skipped: list[int], reasons: dict[int, str]) -> list[dict[str, Any]]:
    """Each skipped image (the first ``MAX_SKIPPED_LISTED``) by sample index, path in the dataset and reason."""
    path_of = getattr(dataset, "sample", None)
    listed = []
    for index in skipped[:MAX_SKIPPED_LISTED]:
        path = path_of(index).relpath if path_of is not None else None
        listed.append({"sample_index": index, "path": path, "reason": reasons.get(index, "unreadable image")})
    return listed


def _describe_pair(result: PairResult) -> dict[str, Any]:
    info = result.plan.describe()
    info["edges"] = int(result.keys.numel())
    if result.edges_per_target is not None:
        info["edges_per_target_mean"] = round(result.edges_per_target, 3)
    return info


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def classes_frame(ing: Ingestor, loaded: LoadedModel, dataset: Any) -> pl.DataFrame:
    """Classes of the dataset (those it labels, or those with images), indexed by model output."""
    images = ing.classes.images.cpu()
    if hasattr(dataset, "classes"):
        present = sorted({int(c[0]) for c in dataset.classes} | set(torch.nonzero(images).flatten().tolist()))
    else:
        present = torch.nonzero(images).flatten().tolist()
    idx = torch.tensor(present, dtype=torch.int64)
    return pl.DataFrame({
        "class_index": present,
        "wnid": [loaded.output_wnids[c] for c in present],
        "name": [loaded.output_names[c] for c in present],
        "images": images[idx].tolist(),
        "top1_correct": ing.classes.top1.cpu()[idx].tolist(),
        "prob_hist": ing.classes.hist.cpu()[idx].tolist(),
        "top1_prob_hist": ing.classes.top1_hist.cpu()[idx].tolist(),
    })


def neurons_frame(ing: Ingestor, ids: dict[str, pl.Series]) -> pl.DataFrame:
    frames = [
        pl.DataFrame({"neuron_id": ids[name], "layer": name, "layer_index": li,
                      "channel": list(range(ing.channels[name]))})
        for li, name in enumerate(ing.layers)
    ]
    return pl.concat(frames)


def activations_frame(ing: Ingestor, ids: dict[str, pl.Series], present: list[int]) -> pl.DataFrame:
    """Rows (class, neuron) selected at either mass (never-selected neurons are not written)."""
    frames = []
    for name in ing.layers:
        counts = ing.acts[name].counts.cpu()
        graph_counts = ing.acts[name].graph_counts.cpu()
        sums = ing.acts[name].act_sum.cpu()
        c, j = torch.nonzero((counts > 0) | (graph_counts > 0), as_tuple=True)
        frames.append(pl.DataFrame({
            "class_index": c.numpy().astype("int32"),
            "neuron_id": ids[name].gather(pl.Series(j.numpy())),
            "count": counts[c, j].numpy(),
            "graph_count": graph_counts[c, j].numpy(),
            "act_sum": sums[c, j].numpy(),
        }))
    del present
    return pl.concat(frames) if frames else pl.DataFrame()


def influences_frame(results: list[PairResult], ids: dict[str, pl.Series]) -> pl.DataFrame:
    frames = []
    for result in results:
        if result.keys.numel() == 0:
            continue
        c, j, i = (t.cpu() for t in result.triples())
        frames.append(pl.DataFrame({
            "class_index": c.numpy().astype("int32"),
            "src": ids[result.plan.src].gather(pl.Series(i.numpy())),
            "dst": ids[result.plan.dst].gather(pl.Series(j.numpy())),
            "count": result.counts.cpu().numpy(),
        }))
    if not frames:
        return pl.DataFrame({"class_index": [], "src": [], "dst": [], "count": []},
                            schema={"class_index": pl.Int32, "src": pl.Utf8, "dst": pl.Utf8, "count": pl.Int64})
    return pl.concat(frames)


def examples_frame(
    ing: Ingestor, ids: dict[str, pl.Series], dataset: Any, loaded: LoadedModel, out: Path, device: torch.device
) -> pl.DataFrame:
    """Rows of the ``examples`` table, and the patch JPEGs (each image loaded once)."""
    picks: dict[int, list[tuple[str, int, int, int]]] = {}
    rows: list[tuple[str, int, int, float, int]] = []
    for name in ing.layers:
        top = ing.examples[name]
        index, scores, pos = top.index.cpu(), top.scores.cpu(), top.pos.cpu()
        ch, rank = torch.nonzero(index >= 0, as_tuple=True)
        for c, r in zip(ch.tolist(), rank.tolist(), strict=True):
            sample = int(index[c, r])
            picks.setdefault(sample, []).append((name, c, r, int(pos[c, r])))
            rows.append((name, c, r, float(scores[c, r]), sample))
    if not rows:
        return pl.DataFrame(schema={"neuron_id": pl.Utf8, "rank": pl.Int32, "image": pl.Utf8,
                                    "score": pl.Float64, "media": pl.Utf8})
    fields = receptive_fields(ing.model, ing.layers, loaded.input_size, device)
    undo = denormalizer(loaded.normalize)

    def load(sample: int) -> torch.Tensor | None:
        return dataset[sample].image

    write_patches(out, picks, load, fields, undo)
    return pl.DataFrame({
        "neuron_id": [ids[name][c] for name, c, _, _, _ in rows],
        "rank": [r for _, _, r, _, _ in rows],
        "image": [_image_name(dataset, s) for *_, s in rows],
        "score": [s for _, _, _, s, _ in rows],
        "media": [media_path(name, c, r) for name, c, r, _, _ in rows],
    }, schema_overrides={"rank": pl.Int32})


def _image_name(dataset: Any, sample: int) -> str:
    if hasattr(dataset, "sample"):
        return str(dataset.sample(sample).relpath)
    return str(sample)
