"""One import namespace: everything installs under ``summit``, nothing else reaches site-packages."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _lint_packages():
    spec = importlib.util.spec_from_file_location("lint_packages", ROOT / "scripts" / "lint_packages.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pyproject_lists_every_package_folder_under_summit():
    folders = _lint_packages().package_folders()
    assert all(name == "summit" or name.startswith("summit.") for name in folders)
    on_disk = {p.parent for top in ("summit", "ingest", "server") for p in (ROOT / top).rglob("__init__.py")}
    assert set(folders.values()) == on_disk
    assert folders["summit.ingest"] == ROOT / "ingest"
    assert folders["summit.server.types"] == ROOT / "server" / "types"


def test_only_summit_is_importable_outside_the_source_tree(tmp_path):
    probe = (
        "import importlib.util as u, summit.ingest, summit.server.schema, summit.cli;"
        "print(summit.ingest.__file__);"
        "print([n for n in ('ingest', 'server', 'commands') if u.find_spec(n) is not None])"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    path, leaked = out.stdout.splitlines()
    assert Path(path) == ROOT / "ingest" / "__init__.py"
    assert leaked == "[]"
