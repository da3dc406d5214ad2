"""One image's attribution graph from its artifact's own network: the ``ImageGraphs`` the server is handed.

``ArtifactImageGraphs`` loads an artifact's model once (``load_artifact_model``),
traces it once (``pipeline.plan_model``) and per image runs a fresh one-class
``Ingestor``: the hooks, channel selection, per-hop top-k counts and per-class
merges (``finalize.merge_all``) of an ingest run, so A and I are the image's own
counts under the artifact's recorded method settings. The graph rules are the
core's (``summit.graphs.single.one_graph``: the class graphs' PageRank and cut).
A forward hook on the model keeps its logits (the predictions) and hands the
``Ingestor`` one column, so its one class accumulates the image's counts.

Images: a dataset image is looked up by the path the ``examples`` table records,
only among the images of the artifact's dataset listing (no other file can be
read); an upload is decoded from memory. Nothing is written to disk.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import torch
from PIL import Image
from summit.ingest.artifact_model import load_artifact_model
from summit.ingest.capture import Ingestor
from summit.ingest.data import ImageDataset, Sample, open_dataset
from summit.ingest.devices import resolve_device, resolve_influence_kernel
from summit.ingest.examples import denormalizer, to_pil
from summit.ingest.finalize import merge_all
from summit.ingest.model_spec import LoadedModel
from summit.ingest.models import BUILTIN_MODELS
from summit.ingest.pipeline import ModelPlan, plan_model

from summit.artifact import MANIFEST, read_manifest, read_table
from summit.errors import ArtifactError, BadInput, NotFound, SummitError, Unavailable
from summit.graphs.data import NeuronLayout, read_neuron_layout
from summit.graphs.single import one_graph
from summit.image_graph import (
    TOP_PREDICTIONS,
    Availability,
    ImageGraph,
    ImageGraphEdge,
    ImageGraphNode,
    ImageInput,
    Personalization,
    Prediction,
    is_upload,
)
from summit.settings import GRAPH_RULES, SETTINGS_BY_NAME, Settings
from summit.store.base import ModelInfo

log = logging.getLogger(__name__)
PREVIEW_QUALITY = 85
LOADABLE_PREFIXES = ("torchvision:", "timm:")
GRAPH_METHOD_SETTINGS = ("activation_mode", "activation_mass", "graph_activation_mass", "activation_topk",
                         "influence_topk", "damping", "pagerank_iterations", "graph_method", *GRAPH_RULES)


@dataclass
class _Prepared:
    """One artifact's network, ready to run images through."""

    artifact: Path
    loaded: LoadedModel
    plan: ModelPlan
    method: Settings  # the artifact's method settings (as recorded in its manifest)
    layout: NeuronLayout
    classes: np.ndarray  # class indices the artifact holds
    device: torch.device
    kernel: str  # the one-hop influence kernel (torch or triton: the same counts)
    undo: Callable[[torch.Tensor], torch.Tensor]
    dataset_root: Path
    samples: dict[str, Sample] | None = None  # the dataset listing, by path (read on first use)
    samples_error: str = ""
    wnid_index: dict[str, int] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)  # node position of each neuron id


@dataclass(frozen=True)
class ImageCounts:
    """One image as the model saw it, and its counts in the artifact's node order."""

    tensor: torch.Tensor  # the model input (3, H, W)
    label: int | None  # its dataset label when the artifact holds that class
    logits: torch.Tensor  # (outputs,)
    counts: np.ndarray  # (N,) A: 1 where the image selects the channel
    src: np.ndarray  # (E,) node positions, layer l-1
    dst: np.ndarray  # (E,) node positions, layer l
    weight: np.ndarray  # (E,) I
    graph_counts: np.ndarray | None = None  # (N,) A at graph_activation_mass


def method_settings(base: Settings, manifest: dict[str, Any]) -> Settings:
    """``base`` with the artifact's recorded method settings (names this version does not know are ignored)."""
    recorded = manifest.get("method") or {}
    known = {k: v for k, v in recorded.items()
             if k in SETTINGS_BY_NAME and SETTINGS_BY_NAME[k].group in ("method", "graphs") and v is not None}
    return base.replace(**known)


def decode_upload(data: bytes) -> Image.Image:
    """An uploaded file as an RGB image; ``BadInput`` naming the problem when it is not a readable image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.convert("RGB")
    except Image.DecompressionBombError:
        raise BadInput("the uploaded image has too many pixels") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise BadInput(f"the uploaded file is not a readable JPEG or PNG image ({exc})") from None


class ArtifactImageGraphs:
    """``summit.image_graph.ImageGraphs`` for models whose artifact names a network this install can load."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()  # one image at a time: the hooks sit on the shared model
        self._prepared: dict[str, _Prepared] = {}
        self._failed: dict[str, str] = {}

    # --- availability -----------------------------------------------------------------------------

    def availability(self, model: ModelInfo) -> Availability:
        reason = "" if model.artifact_path in self._prepared else (
            self._failed.get(model.artifact_path) or self._static_reason(model))
        if reason:
            return Availability(False, reason)
        return Availability(True, dataset_images=self._dataset_root(model).is_dir())

    def _dataset_root(self, model: ModelInfo) -> Path:
        """Where the model's dataset images are: ``image_root`` (or its subfolder named after the model), else
        the root the artifact's manifest records."""
        if self.settings.image_root:
            root = Path(self.settings.image_root)
            return root / model.id if (root / model.id).is_dir() else root
        dataset = read_manifest(model.artifact_path).get("dataset")
        return Path(str(dataset.get("root") or "")) if isinstance(dataset, dict) else Path("")

    def _static_reason(self, model: ModelInfo) -> str:
        """Why the model certainly cannot run, from its manifest alone ("" when it may)."""
        if not model.artifact_path:
            return (f"the store does not record where model {model.id!r}'s artifact is; load it again with "
                    "`summit load ARTIFACT`")
        path = Path(model.artifact_path)
        if not (path / MANIFEST).is_file():
            return f"the artifact of model {model.id!r} is no longer at {path}"
        try:
            manifest = read_manifest(path)
        except SummitError as exc:
            return str(exc)
        spec = manifest.get("model")
        name = str(spec.get("name") or "") if isinstance(spec, dict) else ""
        if manifest.get("synthetic") is not None or name == "synthetic":
            return f"model {model.id!r} is synthetic (`summit synth`): it has no network to run an image through"
        if name not in BUILTIN_MODELS and not name.startswith(LOADABLE_PREFIXES):
            return (f"model {model.id!r} was made with {name or 'an unnamed network'!r}, which this server "
                    "cannot load (imported graphs carry no network)")
        return ""

    # --- loading --------------------------------------------------------------------------------

    def prepare(self, model: ModelInfo) -> None:
        self._get(model)

    def _get(self, model: ModelInfo) -> _Prepared:
        key = model.artifact_path
        with self._lock:
            if key in self._prepared:
                return self._prepared[key]
            reason = self._failed.get(key) or self._static_reason(model)
            if reason:
                raise Unavailable(f"image graphs are not available for this model: {reason}")
            try:
                prepared = self._load(model)
            except SummitError as exc:
                self._failed[key] = str(exc)
                raise Unavailable(f"image graphs are not available for this model: {exc}") from None
            self._prepared[key] = prepared
            return prepared

    def _load(self, model: ModelInfo) -> _Prepared:
        started = time.perf_counter()
        artifact = Path(model.artifact_path)
        manifest = read_manifest(artifact)
        device = resolve_device(self.settings.device)
        loaded = load_artifact_model(str(artifact), manifest, None, device)
        method = method_settings(self.settings, manifest)
        plan = plan_model(loaded, method, device)
        layout = read_neuron_layout(artifact)
        for name in plan.layers:
            if name not in layout.layers:
                raise ArtifactError(f"artifact {artifact}: layer {name!r} of the model is not in table 'neurons'")
            at = layout.layers.index(name)
            if int(layout.layer_offsets[at + 1] - layout.layer_offsets[at]) != plan.channels[name]:
                raise ArtifactError(f"artifact {artifact}: layer {name!r} has {plan.channels[name]} channels in the "
                                    "model but not in table 'neurons'")
        classes = np.sort(read_table(artifact, "classes")["class_index"].to_numpy().astype(np.int64))
        log.info("image graphs: %s (%s) ready on %s in %.1f s", model.id, loaded.name, device,
                 time.perf_counter() - started)
        kernel = resolve_influence_kernel(self.settings.influence_kernel, device)
        return _Prepared(artifact, loaded, plan, method, layout, classes, device, kernel, denormalizer(loaded.normalize),
                         self._dataset_root(model), wnid_index={w: i for i, w in enumerate(loaded.output_wnids)},
                         position={nid: i for i, nid in enumerate(layout.ids.to_list())})

    def _samples(self, prepared: _Prepared, model_id: str) -> dict[str, Sample]:
        """The dataset's images by path (listed once); ``Unavailable`` when the images are not here."""
        if prepared.samples is None and not prepared.samples_error:
            root = prepared.dataset_root
            try:
                dataset: ImageDataset = open_dataset(root, output_wnids=prepared.loaded.output_wnids, transform=None)
                prepared.samples = {s.relpath: s for s in dataset.samples}
            except SummitError as exc:
                prepared.samples_error = (f"the dataset images of model {model_id!r} are not available here "
                                          f"({exc}); start the server with --image-root DIR, or upload an image")
        if prepared.samples is None:
            raise Unavailable(prepared.samples_error)
        return prepared.samples

    # --- one image ------------------------------------------------------------------------------

    def graph(
        self, model: ModelInfo, image: ImageInput, *, class_index: int | None, personalization: Personalization
    ) -> ImageGraph:
        prepared = self._get(model)
        started = time.perf_counter()
        if class_index is not None and not np.isin(class_index, prepared.classes):
            raise NotFound(f"class {class_index} is not a class of model {model.id!r}")
        one = self.counts(model, image)
        probs = torch.softmax(one.logits.double(), dim=0)
        cls = class_index if class_index is not None else self._default_class(prepared, one.label, probs)
        pers = self.class_counts(model, cls) if personalization == "class" else None
        excluded = np.array(sorted(prepared.position[n] for n in prepared.method.exclude_channels
                                   if n in prepared.position), dtype=np.int64)
        nodes, edges = one_graph(prepared.layout, one.counts, one.src, one.dst, one.weight, prepared.method,
                                 class_index=cls, personalization=pers, graph_counts=one.graph_counts,
                                 excluded=excluded)
        top = torch.topk(probs, min(TOP_PREDICTIONS, probs.numel()))
        loaded = prepared.loaded
        predictions = tuple(Prediction(int(i), loaded.output_wnids[int(i)], loaded.output_names[int(i)], float(p))
                            for p, i in zip(top.values, top.indices, strict=True))
        buffer = io.BytesIO()
        to_pil(one.tensor, prepared.undo).save(buffer, format="JPEG", quality=PREVIEW_QUALITY)
        return ImageGraph(
            image=image.image, class_index=cls, label_index=one.label, personalization=personalization,
            predictions=predictions, nodes=_nodes(prepared, nodes), edges=_edges(edges),
            preview_jpeg=buffer.getvalue(), seconds=time.perf_counter() - started,
            method={k: getattr(prepared.method, k) for k in GRAPH_METHOD_SETTINGS},
        )

    def counts(self, model: ModelInfo, image: ImageInput) -> ImageCounts:
        """A and I of one image, as an ingest of that image alone would count them."""
        prepared = self._get(model)
        picture, label = self._open(prepared, model.id, image)
        tensor = prepared.loaded.transform(picture)
        with self._lock:
            logits, counts, src, dst, weight, graph_counts = self._run(prepared, tensor)
        return ImageCounts(tensor, label, logits, counts, src, dst, weight, graph_counts)

    def _open(self, prepared: _Prepared, model_id: str, image: ImageInput) -> tuple[Image.Image, int | None]:
        """The image as RGB and its dataset label (a class of the artifact, else None)."""
        if is_upload(image.image):
            if image.data is None:
                raise NotFound(f"upload {image.image!r} is no longer held by the server; upload the image again")
            return decode_upload(image.data), None
        samples = self._samples(prepared, model_id)
        sample = samples.get(image.image)
        if sample is None:
            raise NotFound(f"{image.image!r} is not an image of model {model_id!r}'s dataset")
        path = prepared.dataset_root / sample.relpath
        try:
            with Image.open(path) as opened:
                opened.load()
                picture = opened.convert("RGB")
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            raise Unavailable(f"the source image {path} cannot be read ({type(exc).__name__}: {exc})") from None
        label = prepared.wnid_index.get(sample.wnid)
        return picture, label if label is not None and np.isin(label, prepared.classes) else None

    @staticmethod
    def _default_class(prepared: _Prepared, label: int | None, probs: torch.Tensor) -> int:
        """The image's label when the artifact has it, else the artifact's most probable class."""
        if label is not None:
            return label
        present = torch.from_numpy(prepared.classes)
        return int(present[int(torch.argmax(probs[present]))])

    @staticmethod
    def _run(
        prepared: _Prepared, tensor: torch.Tensor
    ) -> tuple[torch.Tensor, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The logits, A (N,), the I edges (src, dst, weight as node positions) and A at the graph-stage
        mass (N,) of one image."""
        plan, layout = prepared.plan, prepared.layout
        ing = Ingestor(plan.model, plan.layers, plan.channels, plan.plans, 1, prepared.method, prepared.device,
                       influence_kernel=prepared.kernel, kernel_fallback=True)
        kept: list[torch.Tensor] = []

        def one_column(_m: Any, _i: Any, out: torch.Tensor) -> torch.Tensor:
            kept.append(out.detach()[0].cpu())
            return out[:, :1]

        handle = plan.model.register_forward_hook(one_column)
        try:
            with ing.hooks():
                ing.process(tensor[None], torch.zeros(1, dtype=torch.int64), torch.zeros(1, dtype=torch.int64))
        finally:
            handle.remove()
        offset = {name: int(layout.layer_offsets[layout.layers.index(name)]) for name in plan.layers}
        counts = np.zeros(int(layout.ids.len()), dtype=np.int64)
        graph_counts = np.zeros_like(counts)
        for name in plan.layers:
            row = ing.acts[name].counts[0].cpu().numpy()
            counts[offset[name]: offset[name] + row.size] = row
            graph_counts[offset[name]: offset[name] + row.size] = ing.acts[name].graph_counts[0].cpu().numpy()
        src, dst, weight = [], [], []
        for result in merge_all(ing):  # in plan order, keys sorted: the influences table's row order
            if result.keys.numel() == 0:
                continue
            _c, j, i = (t.cpu().numpy() for t in result.triples())
            src.append(offset[result.plan.src] + i)
            dst.append(offset[result.plan.dst] + j)
            weight.append(result.counts.cpu().numpy())
        return kept[0], counts, _joined(src), _joined(dst), _joined(weight), graph_counts

    def class_counts(self, model: ModelInfo, class_index: int) -> np.ndarray:
        """The class's A (N,) from the artifact's ``activations`` table, at the mass its graph profile uses."""
        prepared = self._get(model)
        column = "graph_count" if prepared.method.graph_counts == "graph" else "count"
        rows = (read_table(prepared.artifact, "activations", lazy=True)
                .filter(pl.col("class_index") == class_index)
                .select("neuron_id", pl.col(column).fill_null(pl.col("count")).alias("count")).collect())
        position = pl.DataFrame({"neuron_id": prepared.layout.ids, "at": np.arange(prepared.layout.ids.len())})
        joined = rows.join(position, on="neuron_id", how="inner")
        out = np.zeros(int(prepared.layout.ids.len()), dtype=np.int64)
        out[joined["at"].to_numpy()] = joined["count"].to_numpy()
        return out


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _nodes(prepared: _Prepared, frame: pl.DataFrame) -> tuple[ImageGraphNode, ...]:
    layer = prepared.layout.node_layer
    rows = [(int(layer[prepared.position[r["neuron_id"]]]), -float(r["pagerank"]), r["neuron_id"], int(r["count"]))
            for r in frame.iter_rows(named=True)]
    rows.sort()
    return tuple(ImageGraphNode(nid, count, -neg) for _, neg, nid, count in rows)


def _edges(frame: pl.DataFrame) -> tuple[ImageGraphEdge, ...]:
    rows = sorted((r["src"], r["dst"], int(r["weight"])) for r in frame.iter_rows(named=True))
    return tuple(ImageGraphEdge(s, d, w) for s, d, w in rows)
