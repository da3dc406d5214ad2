"""Render feature visualisations into an artifact: media PNGs and the ``featurevis`` table.

Resumable by neuron: a (neuron, variant) whose row is in the table and whose PNG
exists is skipped. After every batch the PNGs are written atomically first and
then the table (also atomic), so an interrupted run leaves a consistent
artifact and the next run renders only what is missing. Results do not depend
on the batch size or on which neurons were done before (per-image seeds).
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import torch
from PIL import Image
from summit.ingest.featurevis import FeatureVisConfig, Target, render, to_uint8
from torch import nn

from summit.artifact import (
    MEDIA_DIR,
    empty_table,
    has_table,
    read_table,
    update_manifest,
    write_table,
)
from summit.atomic import atomic_write_bytes
from summit.errors import BadInput, NotFound
from summit.ids import parse_neuron_id

log = logging.getLogger(__name__)
FEATUREVIS_DIR = "featurevis"


@dataclass
class FeatureVisSummary:
    rendered: int
    skipped: int
    seconds: float


def media_path(target: Target) -> str:
    """Path of a target's PNG relative to the artifact's media folder."""
    layer, channel = parse_neuron_id(target.neuron_id)
    suffix = f"_{target.variant}" if target.variant > 0 else ""
    return f"{FEATUREVIS_DIR}/{layer}/{channel}{suffix}.png"


def plan_targets(neuron_ids: Sequence[str], variants: int) -> list[Target]:
    """Variant 0 of every neuron, plus variants 1..K (a diversity group) when ``variants`` = K > 0."""
    if variants < 0:
        raise BadInput(f"--variants must be >= 0, got {variants}")
    return [Target(n, v) for n in neuron_ids for v in range(variants + 1)]


def done_targets(artifact: Path) -> set[tuple[str, int]]:
    """(neuron id, variant) pairs already in the table with their PNG present."""
    if not has_table(artifact, "featurevis"):
        return set()
    table = read_table(artifact, "featurevis")
    media = Path(artifact) / MEDIA_DIR
    return {
        (row["neuron_id"], row["variant"])
        for row in table.iter_rows(named=True)
        if (media / row["media"]).is_file()
    }


def _units(targets: Sequence[Target]) -> list[list[Target]]:
    """Targets that must be rendered together: each plain image alone, each diversity group whole."""
    units: list[list[Target]] = []
    groups: dict[str, list[Target]] = {}
    for t in targets:
        if t.variant == 0:
            units.append([t])
        else:
            if t.neuron_id not in groups:
                groups[t.neuron_id] = []
                units.append(groups[t.neuron_id])
            groups[t.neuron_id].append(t)
    return units


def pack_batches(targets: Sequence[Target], batch: int) -> Iterator[list[Target]]:
    """Batches of at most ``batch`` images (a diversity group larger than ``batch`` goes alone)."""
    if batch < 1:
        raise BadInput(f"featurevis batch must be >= 1, got {batch}")
    current: list[Target] = []
    for unit in _units(targets):
        if current and len(current) + len(unit) > batch:
            yield current
            current = []
        current.extend(unit)
    if current:
        yield current


def encode_png(image: torch.Tensor) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(to_uint8(image).numpy(), mode="RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def render_into_artifact(
    artifact: Path | str,
    module: nn.Module,
    normalize: Callable[[torch.Tensor], torch.Tensor],
    neuron_ids: Sequence[str],
    config: FeatureVisConfig,
    *,
    variants: int = 0,
    batch: int = 16,
    device: torch.device | str = "cpu",
    progress: Callable[[int], None] | None = None,
    on_skip: Callable[[int], None] | None = None,
) -> FeatureVisSummary:
    """Render every missing (neuron, variant) of ``neuron_ids``; write PNGs, table and manifest."""
    artifact = Path(artifact)
    start = time.perf_counter()
    done = done_targets(artifact)
    todo_all = plan_targets(neuron_ids, variants)
    # A diversity group is rendered whole when any member is missing (its images depend on each other).
    missing_groups = {t.neuron_id for t in todo_all if t.variant > 0 and (t.neuron_id, t.variant) not in done}
    todo = [
        t for t in todo_all
        if (t.variant == 0 and (t.neuron_id, 0) not in done) or (t.variant > 0 and t.neuron_id in missing_groups)
    ]
    skipped = len(todo_all) - len(todo)
    if on_skip is not None and skipped:
        on_skip(skipped)
    table = read_table(artifact, "featurevis") if has_table(artifact, "featurevis") else empty_table("featurevis")
    rendered = 0
    for chunk in pack_batches(todo, batch):
        result = render(module, normalize, chunk, config, device)
        rows = []
        for target, image, objective in zip(chunk, result.images, result.objectives, strict=True):
            rel = media_path(target)
            atomic_write_bytes(artifact / MEDIA_DIR / rel, encode_png(image))
            rows.append({"neuron_id": target.neuron_id, "variant": target.variant, "media": rel,
                         "objective": objective})
        new = pl.DataFrame(rows, schema=dict(table.schema))
        table = pl.concat([table.join(new.select("neuron_id", "variant"), on=["neuron_id", "variant"],
                                      how="anti"), new])
        write_table(artifact, "featurevis", table)
        rendered += len(chunk)
        if progress is not None:
            progress(len(chunk))
    seconds = time.perf_counter() - start
    if rendered:
        update_manifest(artifact, featurevis={
            "steps": config.steps, "size": config.size, "lr": config.lr, "seed": config.seed,
            "variants": variants, "diversity": config.diversity, "images": table.height,
            "last_run_seconds": round(seconds, 3), "last_run_rendered": rendered,
        })
    log.info("featurevis: rendered %d image(s), skipped %d already done, %.1f s", rendered, skipped, seconds)
    return FeatureVisSummary(rendered=rendered, skipped=skipped, seconds=seconds)


def select_neurons(artifact: str, neurons: list[str] | None, layers: list[str] | None) -> list[str]:
    """The neuron ids to render, in the artifact's neuron order; unknown ids or layers are errors."""
    table = read_table(artifact, "neurons").sort(["layer_index", "channel"])
    known = table["neuron_id"].to_list()
    if neurons:
        for nid in neurons:
            parse_neuron_id(nid)
        known_set = set(known)
        unknown = [n for n in neurons if n not in known_set]
        if unknown:
            raise NotFound(f"artifact {artifact} has no neuron(s) {', '.join(unknown[:10])}")
        wanted = set(neurons)
        return [n for n in known if n in wanted]
    if layers:
        present = list(dict.fromkeys(table["layer"].to_list()))
        unknown = [layer for layer in layers if layer not in present]
        if unknown:
            raise NotFound(f"artifact {artifact} has no layer(s) {', '.join(unknown)}; layers: {', '.join(present)}")
        return table.filter(table["layer"].is_in(layers))["neuron_id"].to_list()
    return known
