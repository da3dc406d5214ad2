"""`summit load ARTIFACT`: load an artifact as one model into Neo4j or the embedded store."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from urllib.parse import urlsplit

from summit.errors import BadInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("artifact", metavar="ARTIFACT", help="artifact directory written by `summit ingest`")
    parser.add_argument("--neo4j", metavar="URI", help="load into Neo4j at this Bolt URI (default: embedded store)")
    parser.add_argument("--user", metavar="USER", help="Neo4j user (default: neo4j)")
    parser.add_argument("--password-env", metavar="VAR",
                        help="environment variable holding the Neo4j password (default: NEO4J_PASSWORD)")
    parser.add_argument("--password-file", metavar="FILE", help="file holding the Neo4j password")
    parser.add_argument("--database", metavar="NAME", help="Neo4j database (default: neo4j)")
    parser.add_argument("--embedded", metavar="PATH", help="embedded store path (default: the user data directory)")
    parser.add_argument("--bulk", metavar="DIR",
                        help="write neo4j-admin import files into DIR and print the command (no database needed)")
    parser.add_argument("--batch", type=int, metavar="ROWS", help="rows per Neo4j transaction (default: 20000)")
    parser.add_argument("--password", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from summit.settings import resolve

    if args.password is not None:
        raise BadInput("never pass a password on the command line; use --password-env VAR or --password-file FILE")
    if args.neo4j and args.embedded:
        raise BadInput("give either --neo4j URI or --embedded PATH, not both")
    if args.neo4j and "@" in urlsplit(args.neo4j).netloc:
        raise BadInput("put no user or password in the Neo4j URI; use --user and --password-env/--password-file")
    if args.bulk:
        from summit.store.bulk import write_bulk_files

        argv = write_bulk_files(args.artifact, args.bulk, database=args.database or "neo4j")
        print(f"wrote neo4j-admin import files to {args.bulk}; with Neo4j stopped, run:")
        print(" ".join(shlex.quote(a) for a in argv))
        return 0
    settings = resolve({
        "store": "neo4j" if args.neo4j else "embedded", "neo4j_uri": args.neo4j, "neo4j_user": args.user,
        "neo4j_password_env": args.password_env, "neo4j_password_file": args.password_file,
        "neo4j_database": args.database, "embedded_path": args.embedded, "load_batch": args.batch,
    })
    from summit.store import open_store
    from summit.store.prepare import read_load_data

    start = time.perf_counter()
    data = read_load_data(args.artifact)
    store = open_store(settings, read_only=False)
    try:
        def progress(msg: str) -> None:
            print(f"  {msg}", file=sys.stderr)

        store.write_load(data, batch_rows=settings.load_batch, progress=progress)
        where = f"Neo4j {settings.neo4j_uri}" if settings.store == "neo4j" else f"embedded store {store.path}"
    finally:
        store.close()
    seconds = time.perf_counter() - start
    rows = data.rows()
    print(f"loaded model {data.model['id']!r} into {where}: {rows} rows in {seconds:.1f} s "
          f"({rows / max(seconds, 1e-9):,.0f} rows/s)")
    return 0
