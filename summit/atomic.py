"""Atomic file writing, written once: readers see the old file or the new one, never half of one.

``atomic_path`` yields a temporary path beside the target; whatever the caller writes
there is flushed to disk (fsync), given the usual umask-based mode and renamed over
the target, and the folder's entry is synced too. On any error the temporary file is
removed and the target is untouched. Artifact tables and the manifest, feature
visualisation PNGs and the ingest checkpoints all go through it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _public_mode(path: Path) -> None:
    """mkstemp files are 0600; give the final file the usual umask-based mode."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _fsync(path: Path, *, folder: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if folder else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """A temporary file to write; on success it replaces ``path`` atomically and durably."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _fsync(tmp)
        _public_mode(tmp)
        os.replace(tmp, target)
        _fsync(target.parent, folder=True)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see ``atomic_path``)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
