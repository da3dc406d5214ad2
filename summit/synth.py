"""Synthetic artifacts: a valid artifact at any scale, without a model or images.

``write_synthetic_artifact`` writes the same directory ``summit ingest``
writes (manifest, ``classes``, ``neurons``, ``activations``, ``influences``,
``examples`` with tiny real JPEG patches, and - through
``summit.graphs.build_graphs`` - ``class_nodes``, ``class_edges``,
``embedding`` and ``similarity``). Small scale is the deterministic fixture of
the store, server and web tests (10 classes in well under a second); full
scale (``INCEPTION_V1_LAYERS``, 1,000 classes, >= 20 M influence rows) feeds
the benchmarks.

How the numbers are made (all vectorised numpy, one seeded generator):

- every class has a few "hot" channels per layer; activation counts
  ``A[c, j]`` are binomial over the class's images with a high rate on hot
  channels and a heavy-tailed (Pareto) low rate elsewhere; rows with count 0
  are not written (as ingest does for never-selected neurons);
- influence edges ``src (layer l-1) -> dst (layer l)`` per class are drawn
  mostly among that class's hot channels, so attribution graphs are coherent,
  with Zipf-distributed (heavy-tailed) counts capped at the class's image
  count; each (class, src, dst) appears once; rows are class-major;
- examples: ``examples_per_neuron`` patches per neuron, 16x16 JPEGs of
  stripes/blobs whose orientation and colour depend on the channel, stored
  under ``media/examples/<layer>/<channel>_<rank>.jpg``; the ``media`` column
  holds the path relative to the artifact's ``media/`` folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from summit import __version__
from summit.artifact import FORMAT_VERSION, MEDIA_DIR, write_manifest, write_table
from summit.errors import BadInput
from summit.ids import neuron_id
from summit.imagenet import imagenet_classes
from summit.inception import LUCID_LAYERS
from summit.settings import Settings, resolve

# Summit's InceptionV1 (lucid's GoogLeNet): mixed4a has 508 channels there, 5,484 neurons in all.
INCEPTION_V1_LAYERS: tuple[tuple[str, int], ...] = LUCID_LAYERS
DEFAULT_CHANNELS = (8, 12, 16)
SYNTH_VERSION = 3  # bump when the generated numbers change (benchmarks re-create cached artifacts)

_ADJECTIVES = (
    "golden", "spotted", "great", "little", "red", "grey", "common", "giant", "striped", "electric",
    "wild", "mountain", "sea", "desert", "snow", "paper", "iron", "wooden", "black", "white",
    "crested", "horned", "pygmy", "royal", "northern",
)
_NOUNS = (
    "retriever", "owl", "shark", "terrier", "beetle", "kite", "lantern", "teapot", "violin", "tractor",
    "anemone", "lizard", "heron", "spaniel", "canoe", "mushroom", "volcano", "pretzel", "umbrella",
    "jellyfish", "goldfinch", "bison", "cello", "lighthouse", "hamster", "pelican", "toucan",
    "accordion", "snail", "tiger", "espresso", "kimono", "scorpion", "trombone", "zebra", "acorn",
    "bagel", "barometer", "cardigan", "dugong",
)


def layer_spec(
    layers: int, channels: int | Sequence[int] | None, layer_names: Sequence[str] | None = None
) -> list[tuple[str, int]]:
    """Resolve (name, channels) per layer; names look like torch module paths."""
    if layers < 1:
        raise BadInput(f"synthetic artifact needs at least 1 layer, got {layers}")
    if channels is None:
        chans = [DEFAULT_CHANNELS[i] if i < len(DEFAULT_CHANNELS) else 8 + 4 * i for i in range(layers)]
    elif isinstance(channels, int):
        chans = [channels] * layers
    else:
        chans = [int(c) for c in channels]
        if len(chans) != layers:
            raise BadInput(f"{len(chans)} channel counts given for {layers} layers")
    if any(c < 1 for c in chans):
        raise BadInput(f"every layer needs at least 1 channel, got {chans}")
    if layer_names is None:
        if layers <= len(INCEPTION_V1_LAYERS):
            names = [name for name, _ in INCEPTION_V1_LAYERS[:layers]]
        else:
            names = [f"blocks.{i}.0" for i in range(layers)]
    else:
        names = list(layer_names)
        if len(names) != layers or len(set(names)) != layers:
            raise BadInput(f"need {layers} distinct layer names, got {names}")
    return list(zip(names, chans, strict=True))


def class_names(classes: int) -> list[str]:
    """Deterministic, realistic-looking class names ("spotted owl", "golden retriever 2", ...)."""
    out = []
    n_adj, n_noun = len(_ADJECTIVES), len(_NOUNS)
    for c in range(classes):
        noun = _NOUNS[c % n_noun]
        adj = _ADJECTIVES[(c // n_noun + 7 * c) % n_adj]
        cycle = c // (n_adj * n_noun)
        out.append(f"{adj} {noun}" + (f" {cycle + 1}" if cycle else ""))
    return out


def _class_labels(classes: int, imagenet: bool) -> tuple[list[str], list[str]]:
    """(wnids, names): ImageNet's first ``classes`` classes, or made-up ones."""
    if imagenet:
        if classes > 1000:
            raise BadInput(f"ImageNet has 1,000 classes; {classes} were asked for with ImageNet's names")
        wnids, names = imagenet_classes()
        return list(wnids[:classes]), list(names[:classes])
    return [f"n{c + 1:08d}" for c in range(classes)], class_names(classes)


def _counts_table(rng: np.random.Generator, classes: int, images: int, imagenet: bool = False) -> pl.DataFrame:
    acc = rng.beta(6, 3, size=classes)
    top1 = rng.binomial(images, acc)
    # histogram of the true-class probability: correct images lean to high bins.
    bins = np.arange(20)
    hist_rows = []
    for c in range(classes):
        weights = np.exp((bins - 19) * (0.15 + 0.25 * acc[c]))
        weights /= weights.sum()
        hist_rows.append(rng.multinomial(images, weights).tolist())
    wnids, names = _class_labels(classes, imagenet)
    return pl.DataFrame({
        "class_index": np.arange(classes, dtype=np.int32),
        "wnid": wnids,
        "name": names,
        "images": np.full(classes, images, dtype=np.int64),
        "top1_correct": top1.astype(np.int64),
        "prob_hist": hist_rows,
        "top1_prob_hist": _top1_hist_rows(hist_rows),
    }, schema_overrides={"prob_hist": pl.List(pl.Int64), "top1_prob_hist": pl.List(pl.Int64)})


def _top1_hist_rows(prob_hist: list[list[int]]) -> list[list[int]]:
    """Top-1 confidence histogram: at least the true-class probability, so each image moves up a few
    bins (own generator, so the other synthetic tables do not change with it)."""
    rng = np.random.default_rng(len(prob_hist))
    out = []
    for row in prob_hist:
        top = np.zeros(len(row), dtype=np.int64)
        for b, n in enumerate(row):
            if n:
                np.add.at(top, np.minimum(b + rng.integers(0, 4, size=n), len(row) - 1), 1)
        out.append(top.tolist())
    return out


def _hot_channels(rng: np.random.Generator, classes: int, channels: int) -> np.ndarray:
    hot = max(1, min(channels, round(channels * 0.06) + 2))
    # random distinct hot channels per class: argsort of random keys, vectorised.
    keys = rng.random((classes, channels))
    return np.argsort(keys, axis=1)[:, :hot]


def _activations(
    rng: np.random.Generator, classes: int, images: int, spec: list[tuple[str, int]], hots: list[np.ndarray]
) -> pl.DataFrame:
    frames = []
    for (layer, chans), hot in zip(spec, hots, strict=True):
        rate = np.minimum(rng.pareto(2.5, size=(classes, chans)) * 0.01, 0.3)
        rows = np.arange(classes)[:, None]
        rate[rows, hot] = rng.uniform(0.3, 0.9, size=hot.shape)
        counts = rng.binomial(images, rate)
        mean_act = rng.gamma(2.0, 1.0, size=(classes, chans)) * (1.0 + 4.0 * rate)
        cls, ch = np.nonzero(counts)
        ids = np.array([neuron_id(layer, j) for j in range(chans)], dtype=object)
        # A at the graph mass selects a superset per image: count plus some of the other images
        extra = np.random.default_rng(chans + classes).binomial(images - counts[cls, ch], 0.3)
        frames.append(pl.DataFrame({
            "class_index": cls.astype(np.int32),
            "neuron_id": ids[ch].tolist(),
            "count": counts[cls, ch].astype(np.int64),
            "graph_count": (counts[cls, ch] + extra).astype(np.int64),
            "act_sum": (mean_act[cls, ch] * images).astype(np.float64),
        }))
    return pl.concat(frames)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` for int64 keys via sort (numpy's hash-based unique is much slower here)."""
    values = np.sort(values)
    keep = np.ones(values.size, dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def _pair_edges(
    rng: np.random.Generator, classes: int, n_src: int, n_dst: int,
    hot_src: np.ndarray, hot_dst: np.ndarray, per_class: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (class, src, dst) edges, about ``per_class`` per class, biased to hot channels."""
    per_class = min(per_class, n_src * n_dst)
    found = np.empty(0, dtype=np.int64)
    want = classes * per_class
    draw = int(want * 1.25) + 16
    for _ in range(12):
        cls = rng.integers(0, classes, size=draw)
        s_hot = rng.random(draw) < 0.35
        d_hot = rng.random(draw) < 0.35
        src = np.where(s_hot, hot_src[cls, rng.integers(0, hot_src.shape[1], size=draw)],
                       rng.integers(0, n_src, size=draw))
        dst = np.where(d_hot, hot_dst[cls, rng.integers(0, hot_dst.shape[1], size=draw)],
                       rng.integers(0, n_dst, size=draw))
        key = (cls.astype(np.int64) * n_dst + dst) * n_src + src
        found = _sorted_unique(np.concatenate([found, key]))
        if found.size >= want * 0.999 or found.size >= classes * n_src * n_dst:
            break
        draw = int((want - found.size) * 1.5) + 16
    if found.size > want:
        found = np.sort(rng.choice(found, size=want, replace=False))
    src = found % n_src
    rest = found // n_src
    return rest // n_dst, src, rest % n_dst


def _influences(
    rng: np.random.Generator, classes: int, images: int, spec: list[tuple[str, int]],
    hots: list[np.ndarray], rows_target: int | None,
) -> pl.DataFrame:
    pairs = list(range(1, len(spec)))
    if not pairs:
        return pl.DataFrame(schema={"class_index": pl.Int32, "src": pl.Utf8, "dst": pl.Utf8, "count": pl.Int64})
    if rows_target is None:
        per_pair = [max(4, 3 * spec[p][1]) for p in pairs]
    else:
        dst_total = sum(spec[p][1] for p in pairs)
        per_pair = [max(1, int(np.ceil(rows_target / classes * spec[p][1] / dst_total))) for p in pairs]
    offsets = np.concatenate([[0], np.cumsum([chans for _, chans in spec])])
    all_ids = pl.Series([neuron_id(name, j) for name, chans in spec for j in range(chans)], dtype=pl.Utf8)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for p, per_class in zip(pairs, per_pair, strict=True):
        n_src, n_dst = spec[p - 1][1], spec[p][1]
        cls, src, dst = _pair_edges(rng, classes, n_src, n_dst, hots[p - 1], hots[p], per_class)
        hot_s = np.zeros((classes, n_src), dtype=bool)
        hot_d = np.zeros((classes, n_dst), dtype=bool)
        hot_s[np.arange(classes)[:, None], hots[p - 1]] = True
        hot_d[np.arange(classes)[:, None], hots[p]] = True
        boost = 1 + 2 * hot_s[cls, src] + 3 * hot_d[cls, dst]
        counts = np.minimum(rng.zipf(2.0, size=cls.size) * boost, images)
        parts.append((cls, src + offsets[p - 1], dst + offsets[p], counts))
    cls, src, dst, counts = (np.concatenate(col) for col in zip(*parts, strict=True))
    order = np.argsort(cls, kind="stable")  # class-major rows, layer pairs in order within a class
    return pl.DataFrame({
        "class_index": cls[order].astype(np.int32),
        "src": all_ids.gather(src[order].astype(np.int64)),
        "dst": all_ids.gather(dst[order].astype(np.int64)),
        "count": counts[order].astype(np.int64),
    })


def _patches(layer_index: int, channels: int, ranks: int, size: int = 16) -> np.ndarray:
    """(channels, ranks, size, size, 3) uint8 stripe patterns; orientation/colour depend on the channel."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    ch = np.arange(channels, dtype=np.float32)[:, None, None, None]
    rk = np.arange(ranks, dtype=np.float32)[None, :, None, None]
    angle = (ch * 0.61 + layer_index * 0.37) % np.pi
    freq = 0.25 + 0.1 * (ch % 5) + 0.05 * layer_index
    wave = np.sin(freq * (xx * np.cos(angle) + yy * np.sin(angle)) + rk * 0.7)
    base = np.stack([(ch * 53) % 256, (ch * 97 + 80) % 256, np.full_like(ch, (layer_index * 71 + 40) % 256)],
                    axis=-1) - 127.5  # (channels, 1, 1, 1, 3)
    img = 127.5 + 0.5 * wave[..., None] * base + 0.5 * base
    return np.clip(img, 0, 255).astype(np.uint8)


def _examples(
    rng: np.random.Generator, out: Path, classes: int, images: int, spec: list[tuple[str, int]], per_neuron: int,
    wnids: list[str],
) -> pl.DataFrame:
    from PIL import Image

    ids, ranks, imgs, scores, media = [], [], [], [], []
    for li, (layer, chans) in enumerate(spec):
        folder = out / MEDIA_DIR / "examples" / layer
        folder.mkdir(parents=True, exist_ok=True)
        patches = _patches(li, chans, per_neuron)
        top = -np.sort(-rng.gamma(3.0, 2.0, size=(chans, per_neuron)), axis=1)
        cls = rng.integers(0, classes, size=(chans, per_neuron))
        img_no = rng.integers(0, images, size=(chans, per_neuron))
        for ch in range(chans):
            nid = neuron_id(layer, ch)
            for rank in range(per_neuron):
                rel = f"examples/{layer}/{ch}_{rank}.jpg"
                buf = io.BytesIO()
                Image.fromarray(patches[ch, rank]).save(buf, format="JPEG", quality=85)
                with open(out / MEDIA_DIR / rel, "wb") as handle:
                    handle.write(buf.getvalue())
                wnid = wnids[cls[ch, rank]]
                ids.append(nid)
                ranks.append(rank)
                imgs.append(f"{wnid}/{wnid}_{img_no[ch, rank]:05d}.JPEG")
                scores.append(float(top[ch, rank]))
                media.append(rel)
    return pl.DataFrame({"neuron_id": ids, "rank": ranks, "image": imgs, "score": scores, "media": media},
                        schema_overrides={"rank": pl.Int32})


def write_synthetic_artifact(
    path: Path | str,
    *,
    classes: int = 10,
    layers: int = 3,
    channels: int | Sequence[int] | None = None,
    images_per_class: int = 50,
    influence_rows_target: int | None = None,
    seed: int = 0,
    with_graphs: bool = True,
    with_media: bool = True,
    layer_names: Sequence[str] | None = None,
    settings: Settings | None = None,
    with_embedding: bool = True,
    imagenet_names: bool = False,
) -> dict[str, Any]:
    """Write a complete, valid synthetic artifact to ``path``; return its manifest.

    ``channels``: one count for every layer, one per layer, or None for
    ``(8, 12, 16, 20, ...)``. ``influence_rows_target``: total influence rows
    wanted (about; default ~3 edges per destination channel per class).
    Deterministic for a given seed and arguments. ``with_embedding=False``
    skips the class embedding (UMAP's first call compiles for ~30 s when a
    fixture has >= ``umap_neighbors + 2`` classes; fewer use the fast PCA layout).
    ``settings`` (e.g. ``resolve({"graph_mass": 0.3})``) changes the graph
    step and the examples per neuron. ``imagenet_names``: class k gets ImageNet's
    k-th wnid and name (sorted-wnid order) instead of a made-up one.
    """
    if classes < 1:
        raise BadInput(f"synthetic artifact needs at least 1 class, got {classes}")
    if images_per_class < 1:
        raise BadInput(f"images_per_class must be >= 1, got {images_per_class}")
    settings = settings or resolve(environ={})
    spec = layer_spec(layers, channels, layer_names)
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    started = time.perf_counter()

    classes_df = _counts_table(rng, classes, images_per_class, imagenet_names)
    neurons_df = pl.DataFrame({
        "neuron_id": [neuron_id(name, j) for name, chans in spec for j in range(chans)],
        "layer": [name for name, chans in spec for _ in range(chans)],
        "layer_index": [i for i, (_, chans) in enumerate(spec) for _ in range(chans)],
        "channel": [j for _, chans in spec for j in range(chans)],
    }, schema_overrides={"layer_index": pl.Int32, "channel": pl.Int32})
    hots = [_hot_channels(rng, classes, chans) for _, chans in spec]
    activations_df = _activations(rng, classes, images_per_class, spec, hots)
    influences_df = _influences(rng, classes, images_per_class, spec, hots, influence_rows_target)

    write_table(out, "classes", classes_df)
    write_table(out, "neurons", neurons_df)
    write_table(out, "activations", activations_df)
    write_table(out, "influences", influences_df)
    if with_media and settings.examples_per_neuron > 0:
        write_table(out, "examples", _examples(
            rng, out, classes, images_per_class, spec, settings.examples_per_neuron, classes_df["wnid"].to_list()))

    fingerprint = hashlib.sha256(json.dumps([seed, classes, images_per_class, spec]).encode()).hexdigest()
    manifest: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "run_id": f"synthetic-{classes}c-{len(spec)}l-s{seed}",
        "tool_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "device": "cpu",
        "model": {
            "name": "synthetic", "weights_sha256": None, "num_classes": classes,
            "preprocessing": {"resize": 256, "crop": 224, "mean": [0.485, 0.456, 0.406],
                              "std": [0.229, 0.224, 0.225]},
        },
        "dataset": {"root": "synthetic", "images": classes * images_per_class, "classes": classes,
                    "fingerprint": fingerprint},
        "layers": [{"name": name, "channels": chans} for name, chans in spec],
        "layer_pairs": [{"src": spec[i - 1][0], "dst": spec[i][0], "rule": "synthetic", "hops": []}
                        for i in range(1, len(spec))],
        "method": settings.group("method"),
        "synthetic": {"version": SYNTH_VERSION, "seed": seed, "images_per_class": images_per_class,
                      "influence_rows": influences_df.height},
        "timings": {"synth_s": round(time.perf_counter() - started, 4)},
    }
    write_manifest(out, manifest)
    if with_graphs:
        from summit.graphs import build_graphs

        build_graphs(out, settings, embedding=with_embedding)
        from summit.artifact import read_manifest

        manifest = read_manifest(out)
    return manifest
