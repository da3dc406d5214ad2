"""Stream a labelled dataset through a model once and write the artifact.

``run_ingest`` = probe the structure (``ingest.structure``), stream batches through
``Ingestor`` (one forward each, DataLoader workers), checkpoint the accumulators
atomically every ``checkpoint_every`` images together with the set of finished
sample indices, resume from that exactly (``resume=True``), shard across
``torchrun`` processes (gloo on CPU, nccl on GPU; counts all-reduced, sparse counts
and example top-k gathered; identical to one process), and finally write the
artifact tables, example patches and manifest (``ingest.tables``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
import torch.distributed as dist
from summit.ingest.capture import Ingestor
from summit.ingest.devices import resolve_counts_device, resolve_device, resolve_influence_kernel
from summit.ingest.model_spec import LoadedModel
from summit.ingest.out_dir import CHECKPOINT_DIR, prepare_out
from summit.ingest.structure import PairPlan, derive_plans, trace_model
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset

from summit.atomic import atomic_path
from summit.errors import BadInput
from summit.outliers import excluded_channels
from summit.settings import Settings

if TYPE_CHECKING:
    from summit.ingest.device_decode import DeviceDecoder

log = logging.getLogger(__name__)
CHECKPOINT_VERSION = 2  # 2: graph-mass counts and the top-1 confidence histogram
__all__ = ["CHECKPOINT_DIR", "IngestOptions", "RunState", "World", "run_ingest"]


@dataclass
class IngestOptions:
    """Run options that are not method settings."""

    out: Path
    run_id: str | None = None
    resume: bool = False
    force: bool = False  # write into a non-empty --out (its earlier artifact is deleted first)
    progress: bool = True
    write_examples: bool = True
    keep_checkpoint: bool = False


@dataclass
class RunState:
    """What a run (or one shard) has done so far."""

    done: torch.Tensor  # bool over sample indices
    skipped: list[int] = field(default_factory=list)
    images: int = 0
    seconds: float = 0.0  # streaming time of the whole run, over every session (resumes add to it)
    skip_reasons: dict[int, str] = field(default_factory=dict)  # sample index -> why it was skipped
    sessions: int = 1  # how many processes ran this run: 1, plus one per resume


# --- distributed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0


def world_from_env() -> World:
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size <= 1:
        return World()
    return World(int(os.environ.get("RANK", "0")), size, int(os.environ.get("LOCAL_RANK", "0")))


@contextlib.contextmanager
def distributed(world: World, device: torch.device) -> Iterator[None]:
    """Initialise torch.distributed from the environment for the duration of a run (if needed)."""
    if world.size <= 1 or dist.is_initialized():
        yield
        return
    backend = "nccl" if device.type == "cuda" else "gloo"
    dist.init_process_group(backend=backend)
    try:
        yield
    finally:
        dist.destroy_process_group()


def run_device(settings: Settings, world: World) -> torch.device:
    device = resolve_device(settings.device)
    if device.type == "cuda" and world.size > 1 and device.index is None:
        device = torch.device("cuda", world.local_rank)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    return device


# --- checkpoints ----------------------------------------------------------------------------


def config_key(loaded: LoadedModel, dataset: Dataset[Any], settings: Settings, world: World) -> str:
    """Identity of a run: a checkpoint is resumed only into a run with the same key."""
    fingerprint = getattr(dataset, "fingerprint", None)
    data = {
        "model": loaded.name, "weights": loaded.weights_sha256, "layers": loaded.layers,
        "method": {k: list(v) if isinstance(v, tuple) else v for k, v in settings.group("method").items()},
        "dataset": fingerprint, "images": len(dataset),  # type: ignore[arg-type]
        "world": world.size,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def checkpoint_path(out: Path, world: World) -> Path:
    return out / CHECKPOINT_DIR / f"rank{world.rank}-of-{world.size}.pt"


def save_checkpoint(path: Path, key: str, ing: Ingestor, state: RunState) -> None:
    """torch.save written atomically (``summit.atomic``): a checkpoint is whole or absent."""
    payload = {
        "version": CHECKPOINT_VERSION, "key": key, "ingestor": ing.state_dict(),
        "done": state.done.cpu(), "skipped": state.skipped, "images": state.images, "seconds": state.seconds,
        "skip_reasons": state.skip_reasons, "sessions": state.sessions,
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def load_checkpoint(path: Path, key: str, ing: Ingestor) -> RunState | None:
    if not path.exists():
        return None
    try:
        payload = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:  # a damaged checkpoint cannot be trusted: say so, do not guess
        raise BadInput(f"checkpoint {path} cannot be read ({exc}); delete it to start over") from None
    if payload.get("version") != CHECKPOINT_VERSION or payload.get("key") != key:
        raise BadInput(
            f"checkpoint {path} belongs to a different run (model, layers, settings, dataset or number of "
            "processes differ); run with --force instead of --resume to start over"
        )
    ing.load_state_dict(payload["ingestor"])
    return RunState(payload["done"], list(payload["skipped"]), int(payload["images"]), float(payload["seconds"]),
                    skip_reasons=dict(payload.get("skip_reasons") or {}),
                    sessions=int(payload.get("sessions", 1)) + 1)


# --- the run ------------------------------------------------------------------------------------


def run_settings(loaded: LoadedModel, settings: Settings) -> Settings:
    """The settings of a run with ``exclude_channels`` made explicit: the model's known outliers
    (``exclude_outliers``) plus the setting's own ids. The manifest records this list."""
    return settings.replace(exclude_channels=excluded_channels(
        loaded.name, loaded.layers, settings.exclude_channels, outliers=settings.exclude_outliers))


@dataclass(frozen=True)
class ModelPlan:
    """A model ready for ``Ingestor``: on its device in eval mode, its layers' channels and pair plans."""

    model: nn.Module
    layers: list[str]
    channels: dict[str, int]
    plans: list[PairPlan]


def plan_model(loaded: LoadedModel, settings: Settings, device: torch.device) -> ModelPlan:
    """Move the model to ``device``, trace it once and derive the influence plans."""
    model = loaded.module.to(device).eval()
    for param in model.parameters():
        param.requires_grad_(False)
    dtype = next(model.parameters()).dtype
    probe = torch.rand(1, 3, loaded.input_size, loaded.input_size, generator=torch.Generator().manual_seed(0),
                       dtype=dtype).to(device)
    trace = trace_model(model, probe)
    plans = derive_plans(model, list(loaded.layers), trace, settings.influence)
    channels = {name: trace.shapes[name][1] for name in loaded.layers}
    return ModelPlan(model, list(loaded.layers), channels, plans)


def build_ingestor(loaded: LoadedModel, settings: Settings, device: torch.device) -> Ingestor:
    """Trace the model, derive the influence plans and set up the accumulators (``Ingestor.settings``
    are ``run_settings``: the exclusions made explicit)."""
    settings = run_settings(loaded, settings)
    plan = plan_model(loaded, settings, device)
    counts_device, spill = resolve_counts_device(settings.counts_device, device)
    if counts_device != device:
        log.info("sparse influence counts kept on %s (run device %s; setting counts_device)", counts_device, device)
    kernel = resolve_influence_kernel(settings.influence_kernel, device)
    return Ingestor(plan.model, plan.layers, plan.channels, plan.plans, len(loaded.output_wnids), settings, device,
                    counts_device, spill, kernel, kernel_fallback=settings.influence_kernel == "auto")


def stream(
    ing: Ingestor,
    dataset: Dataset[Any],
    positions: Sequence[int],
    state: RunState,
    settings: Settings,
    *,
    on_checkpoint: Any = None,
    progress: bool = True,
    decoder: DeviceDecoder | str | None = "setting",
) -> RunState:
    """Feed ``positions`` of ``dataset`` through ``ing`` in batches; update ``state``.

    ``decoder``: where images are decoded (``ingest.device_decode``): by default as the
    setting ``decode`` says; None decodes in the loader workers; a ``DeviceDecoder`` on its device.
    """
    from summit.ingest.data import collate
    from summit.ingest.device_decode import EncodedImages, collate_encoded, resolve_decoder

    if isinstance(decoder, str):
        decoder = resolve_decoder(settings.decode, dataset, ing.device)
    if decoder is None:
        loader: DataLoader[Any] = DataLoader(
            Subset(dataset, list(positions)), batch_size=settings.batch_size, shuffle=False,
            num_workers=settings.workers, collate_fn=collate, pin_memory=ing.device.type == "cuda",
        )
    else:  # the workers only read files; decoding, resizing and cropping happen on the device
        loader = DataLoader(
            Subset(EncodedImages(dataset), list(positions)),  # type: ignore[arg-type]
            batch_size=settings.batch_size, shuffle=False, num_workers=settings.workers,
            collate_fn=collate_encoded,
        )
    every = settings.checkpoint_every
    since = 0
    bar = _progress(len(positions), progress)
    started = time.perf_counter()
    base_seconds = state.seconds
    try:
        with ing.hooks():
            for raw in loader:
                batch = raw if decoder is None else decoder(raw)
                if batch.skipped:
                    state.skipped.extend(int(i) for i in batch.skipped)
                    state.skip_reasons.update(batch.reasons)
                    state.done[torch.tensor(batch.skipped, dtype=torch.int64)] = True
                if len(batch):
                    ing.process(batch.images, batch.labels, batch.sample_indices)
                    state.done[batch.sample_indices] = True
                    state.images += len(batch)
                n = len(batch) + len(batch.skipped)
                since += n
                state.seconds = base_seconds + time.perf_counter() - started
                if bar is not None:
                    bar.update(n)
                if on_checkpoint is not None and since >= every:
                    on_checkpoint(state)
                    since = 0
    finally:
        if bar is not None:
            bar.close()
    state.seconds = base_seconds + time.perf_counter() - started
    return state


def _progress(total: int, enabled: bool) -> Any:
    """A tqdm bar (images/s, ETA) on a terminal; a log line every 30 s otherwise."""
    if not enabled:
        return None
    import sys

    if sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(total=total, unit="img", dynamic_ncols=True, desc="ingest", smoothing=0.1)
    return LineProgress(total)


class LineProgress:
    """Progress for logs: images done, images/s and ETA, at most every ``every`` seconds."""

    def __init__(self, total: int, every: float = 30.0):
        self.total, self.every, self.done = total, every, 0
        self.started = self.last = time.perf_counter()

    def update(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self.last >= self.every or self.done >= self.total:
            self.last = now
            rate = self.done / max(now - self.started, 1e-9)
            eta = (self.total - self.done) / rate if rate > 0 else float("inf")
            log.info("ingest: %d/%d images, %.2f img/s, ETA %.0f s", self.done, self.total, rate, eta)

    def close(self) -> None:
        pass


def run_ingest(
    loaded: LoadedModel,
    dataset: Dataset[Any],
    settings: Settings,
    options: IngestOptions,
    *,
    world: World | None = None,
) -> dict[str, Any] | None:
    """The whole ingest; returns the summary on the main process (None on the others)."""
    world = world or world_from_env()
    device = run_device(settings, world)
    n = len(dataset)  # type: ignore[arg-type]
    if n == 0:
        raise BadInput("the dataset holds no images")
    if world.main:  # before the first image: the folder is writable and holds nothing it should not
        prepare_out(options.out, resume=options.resume, force=options.force)
    with distributed(world, device):
        started = time.perf_counter()
        ing = build_ingestor(loaded, settings, device)
        key = config_key(loaded, dataset, settings, world)
        ckpt = checkpoint_path(options.out, world)
        state = load_checkpoint(ckpt, key, ing) if options.resume else None
        if options.resume and state is None and world.main:
            log.info("no checkpoint under %s: starting from the beginning", ckpt.parent)
        if state is None:
            state = RunState(torch.zeros(n, dtype=torch.bool))
        resumed_images = state.images
        positions = [i for i in range(world.rank, n, world.size) if not bool(state.done[i])]
        state = stream(
            ing, dataset, positions, state, settings,
            on_checkpoint=lambda s: save_checkpoint(ckpt, key, ing, s),
            progress=options.progress and world.main,
        )
        save_checkpoint(ckpt, key, ing, state)
        session = time.perf_counter() - started
        skipped, reasons = state.skipped, state.skip_reasons
        if world.size > 1:
            skipped, reasons = reduce_across(ing, state)
        if not world.main:
            return None
        from summit.ingest.tables import write_artifact

        # stream_seconds covers the whole run (every session, from the checkpoints), so images /
        # stream_seconds is the run's rate even after --resume; this_session_seconds is this process's part.
        timings = {"stream_seconds": round(state.seconds, 3), "this_session_seconds": round(session, 3),
                   "sessions": state.sessions, "resumed_after_images": resumed_images}
        summary = write_artifact(
            ing, loaded, dataset, options, settings,
            skipped=sorted(skipped), skip_reasons=reasons, timings=timings, device=device, world=world,
        )
        if not options.keep_checkpoint:
            shutil.rmtree(options.out / CHECKPOINT_DIR, ignore_errors=True)
        return summary


def reduce_across(ing: Ingestor, state: RunState) -> tuple[list[int], dict[int, str]]:
    """Sum every shard's accumulators into rank 0's (dense: all_reduce; sparse, top-k: gathered);
    returns every shard's skipped sample indices and their reasons."""
    for tensor in (ing.classes.images, ing.classes.top1, ing.classes.hist, ing.classes.top1_hist,
                   *ing.skip.values()):
        dist.all_reduce(tensor)
    for acts in ing.acts.values():
        dist.all_reduce(acts.counts)
        dist.all_reduce(acts.graph_counts)
        dist.all_reduce(acts.act_sum)
    sparse = {
        "direct": {p: c.state_dict() for p, c in ing.direct.items()},
        "hops": {k: c.state_dict() for k, c in ing.hop_counts.items()},
        "examples": {k: e.state_dict() for k, e in ing.examples.items()},
        "skipped": state.skipped,
        "skip_reasons": state.skip_reasons,
    }
    gathered: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, sparse)
    skipped: list[int] = []
    reasons: dict[int, str] = {}
    for rank, part in enumerate(gathered):
        skipped.extend(part["skipped"])
        reasons.update(part["skip_reasons"])
        if rank == dist.get_rank():
            continue
        for p, counts in ing.direct.items():
            counts.add(part["direct"][p]["keys"], part["direct"][p]["counts"])
        for key, hop in ing.hop_counts.items():
            hop.add(part["hops"][key]["keys"], part["hops"][key]["counts"])
        for name, top in ing.examples.items():
            other = type(top)(top.scores.shape[0], top.k, top.scores.device)
            other.load_state_dict(part["examples"][name])
            top.merge(other)
    return skipped, reasons
