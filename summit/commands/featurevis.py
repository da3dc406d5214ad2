"""`summit featurevis ARTIFACT`: render feature visualisations into the artifact's media.

Loads the artifact's model (``manifest['model']['name']``, weights from
``--weights`` or the manifest), renders one image per neuron (all neurons, or
``--neurons`` / ``--layers``), skipping neurons already rendered, and writes
``media/featurevis/<layer>/<channel>.png`` and the ``featurevis`` table.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from summit.errors import ArtifactError, BadInput, NotFound


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("artifact", help="artifact directory written by `summit ingest`")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--neurons", nargs="+", metavar="ID", help="neuron ids (layer:channel) to render")
    which.add_argument("--layers", nargs="+", metavar="LAYER", help="render every neuron of these layers")
    parser.add_argument("--steps", type=int, help="optimisation steps (setting featurevis_steps)")
    parser.add_argument("--size", type=int, help="image size in pixels (setting featurevis_size)")
    parser.add_argument("--batch", type=int, help="images optimised together (setting featurevis_batch)")
    parser.add_argument("--lr", type=float, help="Adam learning rate (setting featurevis_lr)")
    parser.add_argument("--seed", type=int, help="random seed (setting seed)")
    parser.add_argument("--variants", type=int, help="extra diverse images per neuron (setting featurevis_variants)")
    parser.add_argument("--diversity", type=float, help="weight of the diversity term (setting featurevis_diversity)")
    parser.add_argument("--device", help="torch device: auto, cpu, cuda, cuda:N (setting device)")
    parser.add_argument("--weights", help="model weights file (default: what the manifest records)")


def select_neurons(artifact: str, neurons: list[str] | None, layers: list[str] | None) -> list[str]:
    """The neuron ids to render, in the artifact's neuron order; unknown ids or layers are errors."""
    from summit.artifact import read_table
    from summit.ids import parse_neuron_id

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


def load_artifact_model(artifact: str, manifest: dict[str, Any], weights: str | None, device: Any) -> Any:
    """Load the model an artifact was made with, with its neuron layers, on ``device``."""
    from ingest.models import load_model

    model = manifest.get("model")
    if not isinstance(model, dict) or not model.get("name"):
        raise ArtifactError(f"artifact {artifact}: manifest has no model name")
    layers = [entry["name"] for entry in manifest.get("layers", []) if isinstance(entry, dict)]
    loaded = load_model(str(model["name"]), weights=weights or model.get("weights") or None,
                        layers=layers or None, device=device)
    expected = model.get("weights_sha256")
    if expected and loaded.weights_sha256 and expected != loaded.weights_sha256:
        raise BadInput(f"artifact {artifact} was made with weights sha256 {expected[:12]}..., but the loaded "
                       f"weights are {loaded.weights_sha256[:12]}...; pass the right file with --weights")
    return loaded


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ingest.devices import resolve_device
    from ingest.featurevis import FeatureVisConfig
    from ingest.featurevis_run import plan_targets, render_into_artifact
    from summit.artifact import read_manifest
    from summit.settings import resolve

    settings = resolve({
        "featurevis_steps": args.steps, "featurevis_size": args.size, "featurevis_batch": args.batch,
        "featurevis_lr": args.lr, "seed": args.seed, "featurevis_variants": args.variants,
        "featurevis_diversity": args.diversity, "device": args.device,
    })
    manifest = read_manifest(args.artifact)
    neuron_ids = select_neurons(args.artifact, args.neurons, args.layers)
    device = resolve_device(settings.device)
    config = FeatureVisConfig(steps=settings.featurevis_steps, size=settings.featurevis_size,
                              lr=settings.featurevis_lr, seed=settings.seed,
                              diversity=settings.featurevis_diversity)
    loaded = load_artifact_model(args.artifact, manifest, args.weights, device)
    total = len(plan_targets(neuron_ids, settings.featurevis_variants))
    with tqdm(total=total, unit="img", desc="featurevis", file=sys.stderr, disable=None) as bar:
        summary = render_into_artifact(
            args.artifact, loaded.module, loaded.normalize, neuron_ids, config,
            variants=settings.featurevis_variants, batch=settings.featurevis_batch, device=device,
            progress=bar.update, on_skip=bar.update,
        )
    print(f"featurevis: {summary.rendered} image(s) rendered, {summary.skipped} already done, "
          f"{summary.seconds:.1f} s -> {args.artifact}/media/featurevis")
    return 0
