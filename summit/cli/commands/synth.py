"""`summit synth OUT`: write a synthetic artifact (test fixture or full-scale benchmark input)."""

from __future__ import annotations

import argparse
import time

from summit.errors import BadInput


def _channels(text: str) -> int | tuple[int, ...] | str:
    if text == "inception":
        return text
    try:
        parts = tuple(int(p) for p in text.split(",") if p.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give one channel count, a comma-separated list, or 'inception'") from None
    if not parts:
        raise argparse.ArgumentTypeError("--channels needs at least one number")
    return parts[0] if len(parts) == 1 else parts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", metavar="OUT", help="artifact directory to write")
    parser.add_argument("--classes", type=int, default=10, help="number of classes (default 10)")
    parser.add_argument("--layers", type=int, default=None,
                        help="number of neuron layers (default 3, or 9 with --channels inception)")
    parser.add_argument("--channels", type=_channels, default=None,
                        help="channels per layer: N, N1,N2,..., or 'inception' (InceptionV1's 9 layers, "
                             "Lucid's names, and ImageNet's class names: class k is ImageNet class k)")
    parser.add_argument("--images-per-class", type=int, default=50, help="images per class (default 50)")
    parser.add_argument("--influence-rows", type=int, default=None,
                        help="total influence rows wanted (default ~3 per destination channel and class)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--no-media", action="store_true", help="skip example patches (no examples table)")
    parser.add_argument("--no-graphs", action="store_true", help="skip attribution graphs and embedding")
    parser.add_argument("--no-embedding", action="store_true", help="skip the UMAP class embedding")


def run(args: argparse.Namespace) -> int:
    from summit.synth import INCEPTION_V1_LAYERS, write_synthetic_artifact

    names = None
    imagenet = False
    channels = args.channels
    layers = args.layers
    if channels == "inception":
        if layers not in (None, len(INCEPTION_V1_LAYERS)):
            raise BadInput(f"--channels inception means {len(INCEPTION_V1_LAYERS)} layers, not {layers}")
        names = [n for n, _ in INCEPTION_V1_LAYERS]
        channels = tuple(c for _, c in INCEPTION_V1_LAYERS)
        layers = len(names)
        imagenet = True
    if layers is None:
        layers = len(channels) if isinstance(channels, tuple) else 3
    started = time.perf_counter()
    manifest = write_synthetic_artifact(
        args.out, classes=args.classes, layers=layers, channels=channels,
        images_per_class=args.images_per_class, influence_rows_target=args.influence_rows, seed=args.seed,
        with_graphs=not args.no_graphs, with_media=not args.no_media, layer_names=names,
        with_embedding=not args.no_embedding, imagenet_names=imagenet,
    )
    neurons = sum(layer["channels"] for layer in manifest["layers"])
    print(f"wrote {args.out}: {args.classes} classes, {layers} layers, {neurons} neurons, "
          f"{manifest['synthetic']['influence_rows']} influence rows in {time.perf_counter() - started:.1f} s")
    return 0
