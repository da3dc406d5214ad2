"""`summit drop MODEL`: remove one model (every load of it) from a store; other models stay."""

from __future__ import annotations

import argparse
import sys
import time

from summit.cli.store_options import add_store_options, store_overrides


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help="model id, as `summit models` lists it")
    add_store_options(parser)


def run(args: argparse.Namespace) -> int:
    from summit.settings import resolve
    from summit.store import describe_store, open_store

    settings = resolve(store_overrides(args))
    store = open_store(settings, read_only=False)
    start = time.perf_counter()
    try:
        stats = store.model_stats().get(args.model, {})
        store.drop_model(args.model)  # NotFound (naming the models there) for an unknown id
        where = describe_store(settings)
    finally:
        store.close()
    size = "" if stats.get("nodes") is None else f" ({stats['nodes']:,} nodes, {stats['relationships']:,} relationships)"
    print(f"dropped model {args.model!r}{size} from {where} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0
