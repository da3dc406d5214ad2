"""Labelled image sets for ingest: three layouts, labels mapped to model outputs by wnid.

``open_dataset(root, output_wnids=..., transform=...)`` accepts:

(a) ImageNet-style class folders: ``root/<wnid>/*.JPEG`` (also ``root/train/<wnid>/...``
    when ``root`` holds a single folder of wnid folders);
(b) a list file: ``root`` is (or contains) ``dataset.txt`` with lines
    ``<path>, <label>``; ``label`` indexes the lines ``<wnid> <names>`` of
    ``synset_words.txt`` beside it; paths are relative to the list file's folder
    (``./data/x.JPEG`` works);
(c) a flat folder of ``<wnid>_<name>.JPEG`` files.

Samples are sorted by relative path; ``sample_index`` is the position in that
order and never changes under ``limit`` or ``shard``. Labels go to the model's
logit index through the wnid. Images whose wnid the model does not output are
left out and counted in ``unmapped`` (reported by the pipeline); if no image
maps, ``open_dataset`` raises ``BadInput``. Unreadable or corrupt images are
never fatal: ``__getitem__`` returns an ``Item`` with ``image=None`` and
``collate`` drops it and reports its ``sample_index`` in ``Batch.skipped``
(``make_loader`` builds an in-order DataLoader with it). ``open_image`` re-opens
a sample's original image (for dataset-example patches); the model's
``transform.geometric(image)`` gives the resized, cropped view the model saw.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from summit.errors import BadInput, NotFound

IMAGE_SUFFIXES = frozenset({".jpeg", ".jpg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm"})
LIST_FILE = "dataset.txt"
SYNSET_FILE = "synset_words.txt"
_WNID = re.compile(r"^n\d{8}$")
_FLAT = re.compile(r"^(n\d{8})(?:_(.*))?$")


@dataclass(frozen=True)
class Sample:
    """One labelled image: stable index, path relative to the dataset root, label."""

    sample_index: int
    relpath: str
    wnid: str
    label: int  # logit index of the model output with this wnid


class Item(NamedTuple):
    """What ``ImageDataset[i]`` returns; ``image`` is None when the file cannot be decoded (``error`` says why)."""

    image: torch.Tensor | None
    label: int
    sample_index: int
    error: str = ""


@dataclass
class Batch:
    """A collated batch: decodable images only, plus the indices of the skipped ones and why."""

    images: torch.Tensor
    labels: torch.Tensor
    sample_indices: torch.Tensor
    skipped: list[int] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)  # skipped sample index -> why

    def __len__(self) -> int:
        return int(self.labels.shape[0])


def collate(items: Sequence[Item]) -> Batch:
    """DataLoader ``collate_fn``: stack decodable items, report undecodable ones."""
    good = [item for item in items if item.image is not None]
    skipped = [item.sample_index for item in items if item.image is None]
    images = torch.stack([item.image for item in good if item.image is not None]) if good else torch.empty(0)
    return Batch(
        images=images,
        labels=torch.tensor([item.label for item in good], dtype=torch.long),
        sample_indices=torch.tensor([item.sample_index for item in good], dtype=torch.long),
        skipped=skipped,
        reasons={item.sample_index: item.error or "unreadable image" for item in items if item.image is None},
    )


def make_loader(dataset: ImageDataset, *, batch_size: int, workers: int, pin_memory: bool = False,
                prefetch_factor: int = 4) -> DataLoader[Item]:
    """A DataLoader in dataset order (never shuffled) that yields ``Batch``es."""
    return DataLoader(
        dataset, batch_size=batch_size, shuffle=False, num_workers=workers, collate_fn=collate,
        pin_memory=pin_memory, prefetch_factor=prefetch_factor if workers > 0 else None,
    )


def skip_reason(exc: BaseException, root: Path) -> str:
    """Why an image was skipped, short, without the dataset's absolute path (the manifest names the file)."""
    text = str(exc).replace(f"{root}{os.sep}", "").replace(str(root), ".")
    return f"{type(exc).__name__}: {text}"[:200]


def load_rgb(path: str | os.PathLike[str]) -> Image.Image:
    """Decode an image fully as RGB (raises ``OSError``-like errors on corrupt or truncated files)."""
    with Image.open(path) as image:
        image.load()
        return image.convert("RGB")


class ImageDataset(Dataset[Item]):
    """A sorted, labelled image list; a torch ``Dataset`` of ``Item``s."""

    def __init__(
        self,
        root: Path,
        samples: list[Sample],
        *,
        transform: Callable[[Image.Image], torch.Tensor] | None,
        class_names: dict[str, str],
        layout: str,
        unmapped: dict[str, int] | None = None,
    ):
        self.root = root
        self.samples = samples
        self.transform = transform
        self.class_names = class_names
        self.layout = layout
        self.unmapped = dict(unmapped or {})
        self._fingerprint: str | None = None

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, position: int) -> Item:
        sample = self.samples[position]
        try:
            image = load_rgb(self.root / sample.relpath)
            if self.transform is not None:
                tensor = self.transform(image)
            else:  # no transform: the raw image as a uint8 (3, H, W) tensor
                tensor = torch.from_numpy(np.asarray(image, dtype=np.uint8).copy()).permute(2, 0, 1)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            # corrupt, truncated or unreadable: skipped, and reported with the reason by the caller
            return Item(None, sample.label, sample.sample_index, skip_reason(exc, self.root))
        return Item(tensor, sample.label, sample.sample_index)

    @property
    def classes(self) -> list[tuple[int, str, str]]:
        """(output_index, wnid, name) of every class present, by output index."""
        present = {(s.label, s.wnid) for s in self.samples}
        return [(label, wnid, self.class_names.get(wnid, wnid)) for label, wnid in sorted(present)]

    def class_counts(self) -> dict[int, int]:
        """Images per output index (before any decoding failures)."""
        return dict(sorted(Counter(s.label for s in self.samples).items()))

    @property
    def fingerprint(self) -> str:
        """sha256 over the sorted (relative path, wnid, file size) list."""
        if self._fingerprint is None:
            digest = hashlib.sha256()
            for sample in self.samples:
                try:
                    size = (self.root / sample.relpath).stat().st_size
                except OSError:
                    size = -1
                digest.update(f"{sample.relpath}\t{sample.wnid}\t{size}\n".encode())
            self._fingerprint = digest.hexdigest()
        return self._fingerprint

    def _subset(self, samples: list[Sample]) -> ImageDataset:
        return ImageDataset(self.root, samples, transform=self.transform, class_names=self.class_names,
                            layout=self.layout, unmapped=self.unmapped)

    def shard(self, rank: int, world: int) -> ImageDataset:
        """Every ``world``-th sample starting at ``rank``: shards partition the dataset."""
        if world < 1 or not 0 <= rank < world:
            raise BadInput(f"shard rank {rank} of world size {world} is not valid (need 0 <= rank < world)")
        return self._subset(self.samples[rank::world])

    def limit(self, count: int) -> ImageDataset:
        """The first ``count`` samples in order."""
        return self._subset(self.samples[:count])

    def sample(self, sample_index: int) -> Sample:
        """The sample with this stable index (not a position in a shard)."""
        position = sample_index - self.samples[0].sample_index if self.samples else -1
        if 0 <= position < len(self.samples) and self.samples[position].sample_index == sample_index:
            return self.samples[position]
        for sample in self.samples:
            if sample.sample_index == sample_index:
                return sample
        raise NotFound(f"dataset {self.root}: no sample with index {sample_index}")

    def path(self, sample_index: int) -> Path:
        return self.root / self.sample(sample_index).relpath

    def open_image(self, sample_index: int) -> Image.Image:
        """The original image of a sample as RGB (for dataset-example patches)."""
        return load_rgb(self.path(sample_index))

    def describe(self) -> dict[str, Any]:
        """What goes into the artifact manifest's ``dataset`` entry."""
        return {
            "root": str(self.root), "layout": self.layout, "images": len(self.samples),
            "classes": len(self.classes), "fingerprint": self.fingerprint,
            "unmapped_images": sum(self.unmapped.values()), "unmapped_wnids": sorted(self.unmapped),
        }


# --- opening --------------------------------------------------------------------------------------

def open_dataset(
    root: str | os.PathLike[str],
    *,
    output_wnids: Sequence[str],
    transform: Callable[[Image.Image], torch.Tensor] | None,
    limit: int | None = None,
    output_names: Sequence[str] | None = None,
) -> ImageDataset:
    """Open ``root`` in whichever of the three layouts it uses (see the module docstring)."""
    path = Path(root)
    if not path.exists():
        raise NotFound(f"dataset {path} does not exist")
    if limit is not None and limit < 1:
        raise BadInput(f"limit must be at least 1, got {limit}")
    if path.is_file():
        layout, base, labelled, names = "list", path.parent, *_read_list_file(path)
    elif (path / LIST_FILE).is_file():
        layout, base, labelled, names = "list", path, *_read_list_file(path / LIST_FILE)
    else:
        layout, base, labelled, names = _scan_folder(path)
    if not labelled:
        raise BadInput(f"dataset {path} holds no images (looked for {', '.join(sorted(IMAGE_SUFFIXES))})")
    index_of = {wnid: k for k, wnid in enumerate(output_wnids)}
    if output_names is not None:  # the model's names (unique) win over the dataset's
        names = {**names, **dict(zip(output_wnids, output_names, strict=True))}
    labelled.sort()
    for (relpath_a, wnid_a), (relpath_b, wnid_b) in itertools.pairwise(labelled):
        if relpath_a == relpath_b:
            raise BadInput(f"dataset {path}: image {relpath_a} is listed twice"
                           + (f" with labels {wnid_a} and {wnid_b}" if wnid_a != wnid_b else ""))
    samples: list[Sample] = []
    unmapped: Counter[str] = Counter()
    for relpath, wnid in labelled:
        if wnid not in index_of:
            unmapped[wnid] += 1
            continue
        samples.append(Sample(len(samples), relpath, wnid, index_of[wnid]))
    if not samples:
        raise BadInput(f"dataset {path}: none of its {len(labelled)} images has a class the model outputs "
                       f"(dataset wnids e.g. {', '.join(sorted(unmapped)[:5])}; model e.g. "
                       f"{', '.join(list(output_wnids)[:5])})")
    if limit is not None:
        samples = samples[:limit]
    return ImageDataset(base, samples, transform=transform, class_names=names, layout=layout,
                        unmapped=dict(unmapped))


def _is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".")


def read_synsets(path: Path) -> list[tuple[str, str]]:
    """(wnid, first name) per line of a ``synset_words.txt``; errors name file and line."""
    rows: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            text = line.strip()
            if not text:
                continue
            wnid, _, names = text.partition(" ")
            if not _WNID.match(wnid):
                raise BadInput(f"{path}:{number}: expected '<wnid> <names>' (wnid like n01440764), got {text[:80]!r}")
            rows.append((wnid, names.split(",")[0].strip() or wnid))
    if not rows:
        raise BadInput(f"{path} lists no classes")
    return rows


def _read_list_file(path: Path) -> tuple[list[tuple[str, str]], dict[str, str]]:
    synsets_path = path.parent / SYNSET_FILE
    if not synsets_path.is_file():
        raise NotFound(f"list file {path} needs {SYNSET_FILE} beside it (lines '<wnid> <names>' in label order)")
    synsets = read_synsets(synsets_path)
    labelled: list[tuple[str, str]] = []
    base = path.parent
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            image, sep, label_text = text.rpartition(",")
            if not sep:
                image, _, label_text = text.rpartition(" ")
            image, label_text = image.strip(), label_text.strip()
            if not image or not label_text.lstrip("-").isdigit():
                raise BadInput(f"{path}:{number}: expected '<path>, <label>', got {text[:80]!r}")
            label = int(label_text)
            if not 0 <= label < len(synsets):
                raise BadInput(f"{path}:{number}: label {label} is outside 0..{len(synsets) - 1} "
                               f"({synsets_path} has {len(synsets)} classes)")
            relpath = os.path.normpath(image).replace(os.sep, "/")
            if relpath.startswith("../") or os.path.isabs(relpath):
                raise BadInput(f"{path}:{number}: image path {image!r} must stay inside {base}")
            labelled.append((relpath, synsets[label][0]))
    return labelled, dict(synsets)


def _scan_folder(path: Path) -> tuple[str, Path, list[tuple[str, str]], dict[str, str]]:
    if not path.is_dir():
        raise BadInput(f"dataset {path} is neither a folder nor a list file")
    children = sorted(p for p in path.iterdir() if not p.name.startswith("."))
    class_dirs = [p for p in children if p.is_dir() and _WNID.match(p.name)]
    if not class_dirs:
        subdirs = [p for p in children if p.is_dir()]
        if len(subdirs) == 1 and not any(_is_image(p) for p in children if p.is_file()):
            return _scan_folder(subdirs[0])
    labelled: list[tuple[str, str]] = []
    if class_dirs:
        for class_dir in class_dirs:
            for file in sorted(class_dir.rglob("*")):
                if file.is_file() and _is_image(file):
                    labelled.append((file.relative_to(path).as_posix(), class_dir.name))
        return "class_folders", path, labelled, {}
    names: dict[str, str] = {}
    for file in children:
        if not (file.is_file() and _is_image(file)):
            continue
        match = _FLAT.match(file.stem)
        if match is None:
            raise BadInput(f"dataset {path}: cannot tell the class of {file.name}; use wnid folders "
                           f"(<wnid>/x.JPEG), a {LIST_FILE} list file, or <wnid>_<name> file names")
        labelled.append((file.name, match.group(1)))
        if match.group(2):
            names.setdefault(match.group(1), match.group(2).replace("_", " "))
    return "flat", path, labelled, names
