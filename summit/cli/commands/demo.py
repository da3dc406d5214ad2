"""`summit demo`: the whole product on a small real image set, end to end.

ingest (EfficientNet-Lite0, real weights) -> attribution graphs -> load into
the embedded store (or Neo4j with ``--neo4j``) -> serve the API and web app.
Each step is the same ``summit`` subcommand a user would run, composed here
in-process, so the demo exercises exactly the documented path. A second run
reuses a complete artifact (and resumes a half-written one).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from summit.errors import BadInput, SummitError

DEFAULT_MODEL = "efficientnet_lite0"


def bundled_images() -> Path:
    """The 477 validation images that ship with the repository (data/demo)."""
    return Path(__file__).resolve().parents[2] / "data" / "demo"


def user_data_dir() -> Path:
    import os

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "summit"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, help="labelled image folder (default: the bundled demo images)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"model to ingest with (default: {DEFAULT_MODEL})")
    parser.add_argument("--weights", help="weights file for the model (default: the model's own)")
    parser.add_argument("--out", type=Path, help="artifact directory (default: in the user data directory)")
    parser.add_argument("--limit", type=int, help="use only the first N images")
    parser.add_argument("--batch-size", type=int, help="images per forward pass")
    parser.add_argument("--workers", type=int, help="data-loading worker processes")
    parser.add_argument("--device", help="auto, cpu, cuda, cuda:N")
    parser.add_argument("--rebuild", action="store_true", help="ingest again even if the artifact is complete")
    store = parser.add_argument_group("store")
    store.add_argument("--embedded", type=Path, help="embedded store path (default: the store's own default)")
    store.add_argument("--neo4j", metavar="URI", help="load into and serve from Neo4j at this Bolt URI")
    store.add_argument("--user", help="Neo4j user (default: neo4j)")
    store.add_argument("--password-env", metavar="VAR", help="variable holding the Neo4j password")
    http = parser.add_argument_group("server")
    http.add_argument("--host", help="address to listen on (default: 127.0.0.1)")
    http.add_argument("--port", type=int, help="port to listen on (default: 8765)")
    http.add_argument("--no-serve", action="store_true", help="build and load, then exit without serving")


def artifact_is_complete(path: Path) -> bool:
    """True when ingest and graphs both finished for ``path`` (manifest + class graphs)."""
    from summit.artifact import MANIFEST, has_table

    return (path / MANIFEST).exists() and has_table(path, "class_nodes") and has_table(path, "embedding")


def _step(argv: list[str]) -> None:
    from summit.cli import main

    print(f"\n== summit {' '.join(argv)}", file=sys.stderr, flush=True)
    code = main(argv)
    if code != 0:
        raise SummitError(f"demo step `summit {argv[0]}` failed with exit code {code}")


def _opt(flag: str, value: object) -> list[str]:
    return [] if value is None else [flag, str(value)]


def run(args: argparse.Namespace) -> int:
    data = (args.data or bundled_images()).resolve()
    if not data.exists():
        raise BadInput(f"demo images not found at {data}; pass --data DIR (a labelled image folder)")
    if args.neo4j and args.embedded:
        raise BadInput("give either --neo4j URI or --embedded PATH, not both")
    run_id = f"{args.model.replace(':', '-')}-{data.name}"
    out = (args.out or user_data_dir() / "artifacts" / run_id).resolve()

    if args.rebuild or not artifact_is_complete(out):
        resume = (out / "manifest.json").exists() or any(out.glob("checkpoint*"))
        ingest = ["ingest", "--model", args.model, "--data", str(data), "--out", str(out), "--run-id", run_id]
        ingest += _opt("--weights", args.weights) + _opt("--limit", args.limit)
        ingest += _opt("--batch-size", args.batch_size) + _opt("--workers", args.workers)
        ingest += _opt("--device", args.device)
        if resume and not args.rebuild:
            ingest.append("--resume")
        _step(ingest)
        if not artifact_is_complete(out):
            _step(["graphs", str(out)])
    else:
        print(f"reusing the complete artifact {out} (--rebuild to ingest again)", file=sys.stderr)

    store_args: list[str] = []
    if args.neo4j:
        store_args = ["--neo4j", args.neo4j, *_opt("--user", args.user), *_opt("--password-env", args.password_env)]
    elif args.embedded:
        store_args = ["--embedded", str(args.embedded)]
    _step(["load", str(out), *store_args])

    manifest = json.loads((out / "manifest.json").read_text())
    classes = manifest.get("dataset", {}).get("classes", "?")
    print(f"\ndemo artifact: {out} (model {run_id!r}, {classes} classes)", file=sys.stderr)
    if args.no_serve:
        return 0
    serve = ["serve", *store_args]  # the store records the artifact path, so media needs no flag
    serve += _opt("--host", args.host) + _opt("--port", args.port)
    _step(serve)
    return 0
