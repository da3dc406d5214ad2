#!/usr/bin/env python3
"""Pack the repository's compact copy of Summit's published data (data/summit-data/).

    .venv/bin/python scripts/pack_summit_data.py SRC data/summit-data/summit-data-compact.tar.xz

SRC is a copy of github.com/fredhohman/summit-data (a full clone or the shared subset). The
archive keeps the repository's layout, so `summit import-summit` reads it like a clone:

- LICENSE.md and all 1,000 data/ag/ag-<k>.json files, byte for byte;
- for every neuron that appears in some class graph: its feature visualisation
  (data/feature-vis/channel/) and its top dataset example (data/feature-vis/dataset-p/, rank 0),
  shrunk to THUMB px JPEG thumbnails.

Neurons in no graph get no thumbnail (they are drawn without a picture) and the diversity
images and dataset ranks 1-9 are left out: that keeps the archive under 15 MB.
"""

from __future__ import annotations

import argparse
import io
import json
import lzma
import sys
import tarfile
import time
from pathlib import Path

from PIL import Image

THUMB = 64
QUALITY = 70


def _thumbnail(path: Path, size: int) -> bytes:
    with Image.open(path) as img:
        small = img.convert("RGB").resize((size, size), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, format="JPEG", quality=QUALITY, optimize=True)
    return buf.getvalue()


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0  # reproducible archives
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def pack(src: Path, out: Path, size: int = THUMB) -> dict[str, int]:
    data = src / "data" if (src / "data" / "ag").is_dir() else src
    graphs = sorted((data / "ag").glob("ag-*.json"), key=lambda p: int(p.stem.split("-")[1]))
    if len(graphs) != 1000:
        raise SystemExit(f"{data / 'ag'} holds {len(graphs)} class graphs, not 1,000")
    neurons = set()
    for path in graphs:
        for layer, nodes in json.loads(path.read_text()).items():
            neurons.update((layer, n["channel"]) for n in nodes)
    counts = {"graphs": len(graphs), "neurons": len(neurons), "thumbnails": 0}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with lzma.open(tmp, "wb", preset=9 | lzma.PRESET_EXTREME) as xz, tarfile.open(fileobj=xz, mode="w") as tar:
        licence = data.parent / "LICENSE.md"
        if licence.is_file():
            _add(tar, "summit-data/LICENSE.md", licence.read_bytes())
        for path in graphs:
            _add(tar, f"summit-data/data/ag/{path.name}", path.read_bytes())
        for layer, channel in sorted(neurons):
            for rel in (f"channel/{layer}-{channel}-channel.jpg", f"dataset-p/{layer}-{channel}-dataset-p-0.jpg"):
                path = data / "feature-vis" / rel
                if path.is_file():
                    _add(tar, f"summit-data/data/feature-vis/{rel}", _thumbnail(path, size))
                    counts["thumbnails"] += 1
    tmp.replace(out)
    counts["bytes"] = out.stat().st_size
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path, help="a copy of summit-data (clone or subset)")
    parser.add_argument("out", type=Path, help="the .tar.xz to write")
    parser.add_argument("--size", type=int, default=THUMB, help=f"thumbnail size in pixels (default {THUMB})")
    args = parser.parse_args()
    started = time.perf_counter()
    counts = pack(args.src, args.out, args.size)
    print(f"wrote {args.out}: {counts['graphs']} graphs, {counts['thumbnails']} thumbnails of {counts['neurons']} "
          f"graph neurons, {counts['bytes'] / 1e6:.2f} MB in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
