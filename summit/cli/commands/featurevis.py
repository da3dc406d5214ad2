"""`summit featurevis ARTIFACT`: render feature visualisations into the artifact's media.

Loads the artifact's model (``manifest['model']['name']``, weights from
``--weights`` or the manifest), renders one image per neuron (all neurons, or
``--neurons`` / ``--layers``), skipping neurons already rendered, and writes
``media/featurevis/<layer>/<channel>.png`` and the ``featurevis`` table.
"""

from __future__ import annotations

import argparse
import sys


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


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from summit.artifact import read_manifest
    from summit.ingest.artifact_model import load_artifact_model
    from summit.ingest.devices import resolve_device
    from summit.ingest.featurevis import FeatureVisConfig
    from summit.ingest.featurevis_run import plan_targets, render_into_artifact, select_neurons
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
