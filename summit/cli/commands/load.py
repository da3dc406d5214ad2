"""`summit load ARTIFACT`: load an artifact as one model into Neo4j or the embedded store.

An embedded store that a running `summit serve` holds (LadybugDB has one writer) is loaded
through that server; any other holder is named in the error (``summit.store.load_artifact``).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time

from summit.cli.store_options import add_store_options, store_overrides


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("artifact", metavar="ARTIFACT", help="artifact directory written by `summit ingest`")
    add_store_options(parser)
    parser.add_argument("--bulk", metavar="DIR",
                        help="write neo4j-admin import files into DIR and print the command (no database needed)")
    parser.add_argument("--batch", type=int, metavar="ROWS", help="rows per Neo4j transaction (default: 20000)")


def run(args: argparse.Namespace) -> int:
    from summit.settings import resolve
    from summit.store import check_store_settings

    settings = resolve({**store_overrides(args), "load_batch": args.batch})
    check_store_settings(settings)
    if args.bulk:
        from summit.store.bulk import write_bulk_files

        argv = write_bulk_files(args.artifact, args.bulk, database=settings.neo4j_database)
        print(f"wrote neo4j-admin import files to {args.bulk}; with Neo4j stopped, run:")
        print(" ".join(shlex.quote(a) for a in argv))
        return 0
    from summit.cli.report import load_line
    from summit.store import load_artifact

    start = time.perf_counter()
    loaded = load_artifact(args.artifact, settings, progress=lambda msg: print(f"  {msg}", file=sys.stderr))
    seconds = time.perf_counter() - start
    print(load_line(loaded.model, loaded.rows, seconds, settings, via=loaded.via))
    return 0
