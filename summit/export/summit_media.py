"""The images the original Summit front end asks for, as real JPEGs under the names it requests.

For every neuron drawn in an exported graph (``<layer>`` = the exported, Lucid
name; ``<ch>`` = channel)::

    data/feature-vis/channel/<layer>-<ch>-channel.jpg          the tile picture
    data/feature-vis/diversity-<n>/<layer>-<ch>-diversity-<n>.jpg   n = 0..3, shown while hovering a tile
    data/feature-vis/dataset-p/<layer>-<ch>-dataset-p-<r>.jpg   r = 0..9, the top dataset examples

The tile picture is the neuron's feature visualisation (variant 0), else its top
dataset example; ``diversity-<n>`` is variant n + 1, else the tile picture (the
best available image); ``dataset-p-<r>`` is example rank r. A neuron with no
image at all, and example ranks an artifact does not have (Summit's published
subset keeps rank 0 only), get ``data/feature-vis/not-published.jpg``, a plain
grey square, so the page never asks for a missing file. PNGs (our feature
visualisations) are converted to JPEG once; every repeat of an image is a hard
link (a copy where links are not possible).
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import polars as pl

from summit.artifact import MEDIA_DIR, has_table, read_table
from summit.ids import parse_neuron_id

DIVERSITY = 4
EXAMPLE_RANKS = 10
PLACEHOLDER = "not-published.jpg"
_JPEG = b"\xff\xd8\xff"


class _Writer:
    """Places files, converting to JPEG once per source and linking repeats."""

    def __init__(self, root: Path):
        self.root = root
        self.done: dict[Path, Path] = {}  # source -> first written copy
        self.files = 0
        self.placeholder = root / PLACEHOLDER
        self.placeholders = 0

    def _link(self, first: Path, dest: Path) -> None:
        dest.unlink(missing_ok=True)
        try:
            os.link(first, dest)
        except OSError:
            shutil.copyfile(first, dest)

    def put(self, source: Path | None, dest: Path) -> Path:
        self.files += 1
        if source is None:
            self.placeholders += 1
            self._link(self._placeholder(), dest)
            return self.placeholder
        first = self.done.get(source)
        if first is not None:
            self._link(first, dest)
            return first
        with open(source, "rb") as handle:
            is_jpeg = handle.read(3) == _JPEG
        if is_jpeg:
            self._link(source, dest)
        else:
            from PIL import Image

            with Image.open(source) as img:
                buf = io.BytesIO()
                img.convert("RGB").save(buf, format="JPEG", quality=90)
            dest.unlink(missing_ok=True)
            dest.write_bytes(buf.getvalue())
        self.done[source] = dest
        return dest

    def _placeholder(self) -> Path:
        if not self.placeholder.exists():
            from PIL import Image

            buf = io.BytesIO()
            Image.new("RGB", (32, 32), (236, 236, 236)).save(buf, format="JPEG", quality=90)
            self.placeholder.write_bytes(buf.getvalue())
        return self.placeholder


def _by_neuron(artifact: Path, table: str, key: str, shown: set[str]) -> dict[str, dict[int, Path]]:
    if not has_table(artifact, table):
        return {}
    rows = read_table(artifact, table).filter(pl.col("neuron_id").is_in(list(shown)))
    out: dict[str, dict[int, Path]] = {}
    media = artifact / MEDIA_DIR
    for row in rows.iter_rows(named=True):
        path = media / row["media"]
        if path.is_file():
            out.setdefault(row["neuron_id"], {})[int(row[key])] = path
    return out


def export_media(artifact: Path, out: Path, names: dict[str, str], shown: set[str]) -> dict[str, int]:
    """Write every image of the neurons ``shown`` (ids in exported layer names); return counts."""
    back = {exported: ours for ours, exported in names.items()}
    ours = {f"{back[layer]}:{channel}": (layer, channel)
            for layer, channel in (parse_neuron_id(n) for n in shown) if layer in back}
    featurevis = _by_neuron(artifact, "featurevis", "variant", set(ours))
    examples = _by_neuron(artifact, "examples", "rank", set(ours))
    root = out / "data" / "feature-vis"
    folders = {"channel": root / "channel", "dataset-p": root / "dataset-p"}
    folders.update({f"diversity-{n}": root / f"diversity-{n}" for n in range(DIVERSITY)})
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    writer = _Writer(root)
    for nid, (layer, channel) in sorted(ours.items()):
        fv, ex = featurevis.get(nid, {}), examples.get(nid, {})
        best = fv.get(0) or (ex[min(ex)] if ex else None)
        tile = writer.put(best, folders["channel"] / f"{layer}-{channel}-channel.jpg")
        for n in range(DIVERSITY):
            variant = fv.get(n + 1)
            writer.put(variant if variant is not None else (tile if best is not None else None),
                       folders[f"diversity-{n}"] / f"{layer}-{channel}-diversity-{n}.jpg")
        for rank in range(EXAMPLE_RANKS):
            writer.put(ex.get(rank), folders["dataset-p"] / f"{layer}-{channel}-dataset-p-{rank}.jpg")
    return {"files": writer.files, "placeholders": writer.placeholders, "neurons": len(ours)}
