"""Read a copy of Summit's published data (the summit-data repository's layout), checking every file.

A source is a folder (a clone of fredhohman/summit-data, its ``data`` folder, or
a subset with the same paths) or a tar archive of one (``.tar``, ``.tar.xz``,
``.tar.gz``; the repository's compact copy in ``data/summit-data``). Paths
inside, relative to ``data/``:

``ag/ag-<k>.json``                                   attribution graph of class k (required, all of them)
``imagenet.json``                                    class list (optional)
``feature-vis/channel/<layer>-<ch>-channel.jpg``     feature visualisation of a neuron
``feature-vis/diversity-<n>/<layer>-<ch>-diversity-<n>.jpg``  its diverse variants (n = 0..3)
``feature-vis/dataset-p/<layer>-<ch>-dataset-p-<rank>.jpg``   its top dataset examples
``../LICENSE.md``                                    the data's licence (kept with the artifact)

A file in one of those folders whose name does not fit, or that names an unknown
layer or channel, or an image that is not a whole JPEG, is a ``BadInput`` naming
the file. Other folders (and hidden files) are ignored.
"""

from __future__ import annotations

import os
import re
import shutil
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from summit.errors import BadInput, NotFound
from summit.inception import LUCID_CHANNELS

_AG = re.compile(r"ag/ag-(\d+)\.json")
_CHANNEL = re.compile(r"feature-vis/channel/([a-z0-9]+)-(\d+)-channel\.jpg")
_DATASET = re.compile(r"feature-vis/dataset-p/([a-z0-9]+)-(\d+)-dataset-p-(\d+)\.jpg")
_DIVERSITY = re.compile(r"feature-vis/diversity-(\d+)/([a-z0-9]+)-(\d+)-diversity-(\d+)\.jpg")
_CHECKED_FOLDERS = re.compile(r"(ag|feature-vis/(channel|dataset-p|diversity-\d+))/[^/]+")
DIVERSITY_VARIANTS = 4  # diversity-0..3
EXAMPLE_RANKS = 10  # dataset-p-0..9


@dataclass(frozen=True)
class SourceFile:
    """One file of the source: where it is (a path, or bytes read from an archive) and its name there."""

    name: str  # path relative to the source's data folder, for messages
    path: Path | None = None
    data: bytes | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise BadInput(f"data/{self.name}: cannot be read ({exc.strerror or exc})") from None

    def _ends(self) -> tuple[bytes, bytes]:
        """The first 3 and (before any zero padding) last 2 bytes, without reading a file whole."""
        if self.data is not None:
            return self.data[:3], self.data.rstrip(b"\x00")[-2:]
        assert self.path is not None
        try:
            with open(self.path, "rb") as handle:
                head = handle.read(3)
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - 64))
                tail = handle.read().rstrip(b"\x00")[-2:]
        except OSError as exc:
            raise BadInput(f"data/{self.name}: cannot be read ({exc.strerror or exc})") from None
        return head, tail

    def check_jpeg(self) -> None:
        """Raise a BadInput naming the file unless it is one whole JPEG (start and end markers)."""
        head, tail = self._ends()
        if head != b"\xff\xd8\xff":
            raise BadInput(f"data/{self.name}: not a JPEG image")
        if tail != b"\xff\xd9":
            raise BadInput(f"data/{self.name}: the JPEG is truncated (no end marker)")

    def place(self, dest: Path) -> None:
        """Put the file at ``dest``: a hard link to the source file where possible, else a copy."""
        if self.data is not None:
            dest.write_bytes(self.data)
            return
        assert self.path is not None
        try:
            os.link(self.path, dest)
        except OSError:
            shutil.copyfile(self.path, dest)


@dataclass
class SummitSource:
    """Every recognised file of a summit-data copy, by what it is."""

    origin: str
    graphs: dict[int, SourceFile] = field(default_factory=dict)
    imagenet: SourceFile | None = None
    licence: SourceFile | None = None
    channel: dict[tuple[str, int], SourceFile] = field(default_factory=dict)  # (layer, channel)
    dataset: dict[tuple[str, int, int], SourceFile] = field(default_factory=dict)  # (layer, channel, rank)
    diversity: dict[tuple[str, int, int], SourceFile] = field(default_factory=dict)  # (layer, channel, n)
    ignored: int = 0

    def add(self, name: str, file: SourceFile) -> None:
        """File ``name`` (relative to ``data/``) into its place, or reject it with the reason."""
        if any(part.startswith(".") for part in name.split("/")):
            return
        if name == "imagenet.json":
            self.imagenet = file
            return
        if not _CHECKED_FOLDERS.fullmatch(name):
            self.ignored += 1
            return
        if m := _AG.fullmatch(name):
            self.graphs[int(m.group(1))] = file
        elif m := _CHANNEL.fullmatch(name):
            self.channel[_neuron(name, m.group(1), m.group(2))] = file
        elif m := _DATASET.fullmatch(name):
            rank = int(m.group(3))
            if rank >= EXAMPLE_RANKS:
                raise BadInput(f"data/{name}: rank {rank} (Summit publishes ranks 0-{EXAMPLE_RANKS - 1})")
            self.dataset[(*_neuron(name, m.group(1), m.group(2)), rank)] = file
        elif (m := _DIVERSITY.fullmatch(name)) and m.group(1) == m.group(4):
            n = int(m.group(1))
            if n >= DIVERSITY_VARIANTS:
                raise BadInput(f"data/{name}: diversity {n} (Summit publishes 0-{DIVERSITY_VARIANTS - 1})")
            self.diversity[(*_neuron(name, m.group(2), m.group(3)), n)] = file
        else:
            raise BadInput(f"data/{name}: not a file of Summit's published data (unexpected name in "
                           f"{name.rsplit('/', 1)[0]}/)")


def _neuron(name: str, layer: str, channel: str) -> tuple[str, int]:
    if layer not in LUCID_CHANNELS:
        raise BadInput(f"data/{name}: unknown layer {layer!r} (InceptionV1 has {', '.join(LUCID_CHANNELS)})")
    ch = int(channel)
    if ch >= LUCID_CHANNELS[layer]:
        raise BadInput(f"data/{name}: {layer} has {LUCID_CHANNELS[layer]} channels, not channel {ch}")
    return layer, ch


def _data_folder(root: Path) -> Path:
    for candidate in (root / "data", root):
        if (candidate / "ag").is_dir():
            return candidate
    raise BadInput(f"{root} is not a copy of Summit's published data: no data/ag/ folder of ag-<k>.json files")


def _read_folder(root: Path) -> SummitSource:
    data = _data_folder(root)
    source = SummitSource(origin=str(root))
    for licence in (data.parent / "LICENSE.md", data / "LICENSE.md"):
        if licence.is_file():
            source.licence = SourceFile("../LICENSE.md", path=licence)
            break
    for dirpath, dirnames, filenames in os.walk(data):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel = Path(dirpath).relative_to(data).as_posix()
        for filename in filenames:
            name = filename if rel == "." else f"{rel}/{filename}"
            source.add(name, SourceFile(name, path=Path(dirpath) / filename))
    return source


def _split_member(name: str) -> tuple[str, str] | None:
    """(prefix folder, path inside data/) of an archive member under some ``[prefix/]data/``."""
    parts = name.removeprefix("./").split("/")
    for i in range(len(parts) - 1):
        if parts[i] == "data" and parts[i + 1] in ("ag", "feature-vis", "imagenet.json"):
            return "/".join(parts[:i]), "/".join(parts[i + 1:])
    return None


def _read_archive(path: Path) -> SummitSource:
    source = SummitSource(origin=str(path))
    prefix: str | None = None
    licences: dict[str, bytes] = {}
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                name = member.name.removeprefix("./")
                if name.rsplit("/", 1)[-1] == "LICENSE.md":
                    licences[name.rsplit("/", 1)[0] if "/" in name else ""] = _extract(archive, member, path)
                    continue
                found = _split_member(name)
                if found is None:
                    continue
                if prefix is None:
                    prefix = found[0]
                if found[0] == prefix:
                    source.add(found[1], SourceFile(found[1], data=_extract(archive, member, path)))
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BadInput(f"{path}: not a readable tar archive of Summit's published data ({exc})") from None
    if not source.graphs:
        raise BadInput(f"{path}: no data/ag/ag-<k>.json files in the archive")
    if prefix in licences:
        source.licence = SourceFile("../LICENSE.md", data=licences[prefix])
    return source


def _extract(archive: tarfile.TarFile, member: tarfile.TarInfo, path: Path) -> bytes:
    handle = archive.extractfile(member)
    if handle is None:
        raise BadInput(f"{path}: {member.name} cannot be read from the archive")
    return handle.read()


def read_source(src: Path | str) -> SummitSource:
    """Index a summit-data folder or archive (see the module docstring)."""
    path = Path(src)
    if not path.exists():
        raise NotFound(f"{path} does not exist")
    return _read_folder(path) if path.is_dir() else _read_archive(path)


def check_graph_files(source: SummitSource, classes: int) -> None:
    """Every class 0..classes-1 has its ag file, and there is none beyond."""
    extra = sorted(k for k in source.graphs if k >= classes)
    if extra:
        raise BadInput(f"data/ag/ag-{extra[0]}.json: class {extra[0]} does not exist (ImageNet has {classes})")
    missing = [k for k in range(classes) if k not in source.graphs]
    if missing:
        raise BadInput(
            f"data/ag/ag-{missing[0]}.json is missing: {source.origin} has {len(source.graphs)} of the "
            f"{classes} class graphs ({len(missing)} missing); a partial copy is not imported")


