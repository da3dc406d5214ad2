"""Type-check and layer-check the installed ``summit`` package as Python sees it.

pyproject.toml maps ``summit.ingest`` to ``ingest/`` and ``summit.server`` to
``server/`` (one import namespace, top-level folders). Python follows that
mapping through the editable install, but mypy and import-linter (grimp) only
walk folders. So this script builds a *view* of the package as it installs,
``.cache/lint-view/summit/...`` (real folders, one symlink per source file, from
pyproject's ``package-dir`` and ``packages``), runs both tools on it, and
prints their findings with the real source paths.

    python scripts/lint_packages.py [--mypy] [--imports]   (both by default)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIEW = ROOT / ".cache" / "lint-view"


def package_folders() -> dict[str, Path]:
    """Each package of pyproject's ``packages`` list and the folder it installs from."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapping: dict[str, str] = config.get("package-dir", {})
    out = {}
    for package in config["packages"]:
        parts = package.split(".")
        for cut in range(len(parts), 0, -1):  # the longest mapped prefix decides
            prefix = ".".join(parts[:cut])
            if prefix in mapping:
                out[package] = ROOT / mapping[prefix] / Path(*parts[cut:])
                break
        else:
            out[package] = ROOT / Path(*parts)
    return out


def build_view() -> dict[Path, Path]:
    """Write the view; return view path -> source path for every linked file."""
    shutil.rmtree(VIEW, ignore_errors=True)
    links: dict[Path, Path] = {}
    for package, folder in package_folders().items():
        target = VIEW / Path(*package.split("."))
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted(folder.glob("*.py")):
            (target / source.name).symlink_to(source)
            links[target / source.name] = source
    return links


def run(argv: list[str], links: dict[Path, Path]) -> int:
    env = {**os.environ, "PYTHONPATH": str(VIEW)}
    proc = subprocess.run(argv, cwd=VIEW, env=env, capture_output=True, text=True)
    text = proc.stdout + proc.stderr
    for view_path, source in sorted(links.items(), key=lambda kv: -len(str(kv[0]))):
        for shown in (str(view_path), str(view_path.relative_to(VIEW))):
            text = text.replace(shown, str(source.relative_to(ROOT)))
    sys.stdout.write(text)
    return proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mypy", action="store_true", help="run mypy only")
    parser.add_argument("--imports", action="store_true", help="run import-linter only")
    args = parser.parse_args()
    both = not (args.mypy or args.imports)
    links = build_view()
    status = 0
    if both or args.mypy:
        status |= run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                          "--cache-dir", str(ROOT / ".mypy_cache"), "-p", "summit"], links)
    if both or args.imports:
        lint_imports = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"
        status |= run([sys.executable, "-c", lint_imports, str(ROOT / "pyproject.toml")], links)
    return status


if __name__ == "__main__":
    sys.exit(main())
