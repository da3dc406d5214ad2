"""Resolving a URL path inside a folder without ever leaving it."""

from __future__ import annotations

import re
from pathlib import Path

_DRIVE = re.compile(r"^[A-Za-z]:")


def safe_join(root: Path, relative: str) -> Path | None:
    """The existing file ``root/relative``, or None if ``relative`` is unsafe or missing.

    ``relative`` is the already percent-decoded URL path. Refused: empty, absolute,
    backslashes, NUL bytes, drive letters, empty / ``.`` / ``..`` segments, and
    anything that resolves (through symlinks) outside ``root``.
    """
    if not relative or relative.startswith("/") or "\\" in relative or "\x00" in relative:
        return None
    parts = relative.split("/")
    if any(part in ("", ".", "..") or _DRIVE.match(part) for part in parts):
        return None
    try:
        base = root.resolve(strict=True)
        target = (base / relative).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target
