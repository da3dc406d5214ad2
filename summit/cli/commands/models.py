"""`summit models`: the models in a store, with their sizes and load times."""

from __future__ import annotations

import argparse

from summit.cli.store_options import add_store_options, store_overrides


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_store_options(parser)


def _number(value: object, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def run(args: argparse.Namespace) -> int:
    from summit.settings import resolve
    from summit.store import describe_store, open_store

    settings = resolve(store_overrides(args))
    store = open_store(settings, read_only=True)
    try:
        models, stats = store.models(), store.model_stats()
        where = describe_store(settings)
    finally:
        store.close()
    if not models:
        print(f"no models in {where}")
        return 0
    header = ("model", "name", "classes", "nodes", "relationships", "load s", "loaded", "artifact")
    rows = [header]
    for m in models:
        s = stats.get(m.id, {})
        rows.append((m.id, m.name, str(m.classes), _number(s.get("nodes"), ","), _number(s.get("relationships"), ","),
                     _number(s.get("load_seconds"), ".1f"), s.get("loaded") or "-", m.artifact_path or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    print(f"{len(models)} model{'s' if len(models) != 1 else ''} in {where}:")
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    return 0
