"""Ingest an image folder with a named model: the library call behind ``summit ingest`` and ``summit demo``.

``ingest_folder`` loads the model and the data set, streams it through
``summit.ingest.pipeline.run_ingest`` (checkpointed, resumable) and records an
explicit weights file in the manifest; ``summary_line`` is the one-line report
both commands print.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summit.ingest.pipeline import CHECKPOINT_DIR, World

from summit.artifact import MANIFEST, REQUIRED_TABLES, has_table, read_manifest, update_manifest
from summit.errors import BadInput
from summit.settings import Settings


@dataclass(frozen=True)
class IngestRequest:
    """What to ingest, with what, and where to write it (the method settings come separately)."""

    model: str  # googlenet, efficientnet_lite0, torchvision:NAME or timm:NAME
    data: Path  # image folder
    out: Path  # artifact directory
    weights: str | None = None
    layers: list[str] | None = None
    limit: int | None = None
    run_id: str | None = None
    resume: bool = False
    force: bool = False  # write into a non-empty out (its earlier artifact is deleted first)
    progress: bool = True


def ingest_finished(out: Path) -> bool:
    """True when an ingest into ``out`` completed (its manifest is written last, after every table)."""
    return (out / MANIFEST).is_file() and all(has_table(out, t) for t in REQUIRED_TABLES)


def has_checkpoint(out: Path) -> bool:
    """True when an interrupted ingest left a checkpoint in ``out`` to resume from."""
    folder = out / CHECKPOINT_DIR
    return folder.is_dir() and any(folder.glob("*.pt"))


def ingest_folder(request: IngestRequest, settings: Settings, *, world: World | None = None,
                  say: Callable[[str], None] | None = None) -> dict[str, Any] | None:
    """Run the ingest; returns its summary on the main process (None on the others)."""
    if request.limit is not None and request.limit < 1:
        raise BadInput(f"--limit must be at least 1, got {request.limit}")
    from summit.ingest.data import open_dataset
    from summit.ingest.models import load_model
    from summit.ingest.out_dir import prepare_out
    from summit.ingest.pipeline import IngestOptions, run_ingest, world_from_env

    world = world or world_from_env()
    if world.main:  # before the model and the images: a bad out fails in a second, not at the first checkpoint
        prepare_out(request.out, resume=request.resume, force=request.force)
    loaded = load_model(request.model, weights=request.weights, layers=request.layers)
    dataset = open_dataset(str(request.data), output_wnids=loaded.output_wnids, transform=loaded.transform,
                           limit=request.limit, output_names=loaded.output_names)
    options = IngestOptions(out=request.out, run_id=request.run_id, resume=request.resume, force=request.force,
                            progress=request.progress)
    if world.main and say is not None:
        say(f"ingest: {loaded.name}, {len(loaded.layers)} layers, {len(dataset)} images "
            f"({world.size} process{'es' if world.size > 1 else ''})")
    summary = run_ingest(loaded, dataset, settings, options, world=world)
    if summary is not None and request.weights:
        _record_weights_file(request.out, Path(request.weights))
    return summary


def _record_weights_file(artifact: Path, weights: Path) -> None:
    """Remember an explicit weights file so featurevis and faithfulness can reload the same model."""
    model = dict(read_manifest(artifact).get("model") or {})
    model["weights"] = str(weights.resolve())
    update_manifest(artifact, model=model)

