"""Check ingest's ``--out`` folder before the first image: writable, and empty unless told otherwise.

Found out only at the first checkpoint (after up to ``checkpoint_every`` images), an
unwritable folder cost the whole streaming so far; an unrelated folder had its files
mixed with the artifact's. ``prepare_out`` runs first and accepts:

- a missing or empty folder (created);
- with ``resume``: a folder holding an interrupted run's checkpoint (whether it is a
  run of the same model, layers, settings and data is checked when it is read);
- with ``force``: anything; the artifact files in it (manifest, tables, media, a
  checkpoint) are deleted first so no table of an earlier run survives into this one,
  and other files are left alone.

Anything else is a ``BadInput`` that names the folder, what is in it and the flag to use.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from summit.artifact import MANIFEST, MEDIA_DIR, TABLES, table_path
from summit.errors import BadInput

log = logging.getLogger(__name__)

CHECKPOINT_DIR = ".ingest-checkpoint"
PROBE_PREFIX = ".summit-write-probe-"
SHOWN_ENTRIES = 5


def artifact_entries(out: Path) -> list[Path]:
    """The files and folders of an artifact (and an ingest checkpoint) that exist in ``out``."""
    names = [MANIFEST, MEDIA_DIR, CHECKPOINT_DIR, *(table_path(out, t).name for t in TABLES)]
    return [out / name for name in names if (out / name).exists() or (out / name).is_symlink()]


def _check_writable(out: Path) -> None:
    for parent in (out, *out.parents):
        if parent.exists() and not parent.is_dir():
            raise BadInput(f"--out {out}: {parent} is a file, not a folder")
        if parent.exists():
            break
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f"{PROBE_PREFIX}{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BadInput(f"--out {out} is not writable: {exc.strerror or exc}") from None


def prepare_out(out: Path, *, resume: bool = False, force: bool = False) -> None:
    """Make sure ``out`` can take this run's artifact (see the module docstring); raise BadInput if not."""
    _check_writable(out)
    entries = sorted(p for p in out.iterdir() if not p.name.startswith(PROBE_PREFIX))
    if not entries:
        return
    if force:
        owned = artifact_entries(out)
        for path in owned:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        if owned:
            log.info("--force: removed the earlier artifact in %s (%s)", out, ", ".join(p.name for p in owned))
        return
    if resume and (out / CHECKPOINT_DIR).is_dir():
        return
    shown = ", ".join(p.name for p in entries[:SHOWN_ENTRIES]) + (" ..." if len(entries) > SHOWN_ENTRIES else "")
    if resume and (out / MANIFEST).exists():
        raise BadInput(f"--resume: {out} holds a finished artifact and no interrupted run to resume; "
                       "add --force (instead of --resume) to ingest again and replace it")
    if resume:
        raise BadInput(f"--resume: {out} holds no interrupted run (no {CHECKPOINT_DIR}/) but other files "
                       f"({shown}); choose another --out, or add --force to write the artifact among them")
    raise BadInput(f"--out {out} is not empty ({shown}); choose an empty or new folder, add --resume to "
                   "continue an interrupted run there, or --force to replace the artifact in it")
