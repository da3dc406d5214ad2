"""`summit demo`: the whole product on a small real image set, end to end.

ingest (EfficientNet-Lite0, real weights) -> attribution graphs -> load into
the embedded store (or Neo4j with ``--neo4j``) -> serve the API and web app.
Next to it, the same store gets Summit's own published InceptionV1 graphs of
all 1,000 ImageNet classes (``summit import-summit`` of the compact copy in
``data/summit-data``; ``--no-published`` leaves them out), so the demo shows two
models side by side, one at full ImageNet scale.
Each step is the library call behind the ``summit`` subcommand of the same
name, and the demo prints that command before running it. A second run reuses
a complete artifact, builds only the graphs of an ingested one, and resumes an
interrupted ingest from its checkpoint (``.ingest-checkpoint/`` in the artifact).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

from summit.cli.image_graph_options import add_image_graph_options, image_graph_overrides, image_graphs_for
from summit.cli.report import graphs_line, ingest_line, load_line
from summit.cli.store_options import add_store_options, store_overrides
from summit.errors import BadInput
from summit.settings import Settings

DEFAULT_MODEL = "efficientnet_lite0"


def bundled_images() -> Path:
    """The 477 validation images that ship with the repository (data/demo)."""
    return Path(__file__).resolve().parents[3] / "data" / "demo"


def bundled_published() -> Path:
    """The compact copy of Summit's published graphs that ships with the repository (data/summit-data)."""
    return Path(__file__).resolve().parents[3] / "data" / "summit-data" / "summit-data-compact.tar.xz"


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
    parser.add_argument("--no-published", action="store_true",
                        help="do not add Summit's published InceptionV1 graphs (data/summit-data) to the store")
    add_store_options(parser)
    http = parser.add_argument_group("server")
    http.add_argument("--host", help="address to listen on (default: 127.0.0.1)")
    http.add_argument("--port", type=int, help="port to listen on (default: 8765)")
    http.add_argument("--no-serve", action="store_true", help="build and load, then exit without serving")
    add_image_graph_options(parser)


def artifact_is_complete(path: Path) -> bool:
    """True when ingest and graphs both finished for ``path`` (manifest + class graphs)."""
    from summit.artifact import MANIFEST, has_table

    return (path / MANIFEST).exists() and has_table(path, "class_nodes") and has_table(path, "embedding")


def _step(*argv: object) -> None:
    """Print the ``summit`` command this step is the library call of."""
    words = [str(a) for a in argv if a is not None]
    print(f"\n== summit {shlex.join(words)}", file=sys.stderr, flush=True)


def _opt(flag: str, value: object) -> list[object]:
    return [] if value is None else [flag, value]


def run(args: argparse.Namespace) -> int:
    from summit.settings import resolve, user_data_dir

    data = (args.data or bundled_images()).resolve()
    if not data.exists():
        raise BadInput(f"demo images not found at {data}; pass --data DIR (a labelled image folder)")
    settings = resolve({**store_overrides(args), "host": args.host, "port": args.port,
                        "batch_size": args.batch_size, "workers": args.workers, "device": args.device,
                        **image_graph_overrides(args)})
    from summit.store import check_store_settings

    check_store_settings(settings)  # a bad store flag fails now, not after a long ingest
    run_id = f"{args.model.replace(':', '-')}-{data.name}"
    out = (args.out or user_data_dir() / "artifacts" / run_id).resolve()

    if args.rebuild or not artifact_is_complete(out):
        _build(args, settings, data, out, run_id)
    else:
        print(f"reusing the complete artifact {out} (--rebuild to ingest again)", file=sys.stderr)

    from summit.store import load_artifact

    store_args = _store_args(args)
    _step("load", out, *store_args)
    start = time.perf_counter()
    loaded = load_artifact(out, settings, progress=lambda msg: print(f"  {msg}", file=sys.stderr))
    print(load_line(loaded.model, loaded.rows, time.perf_counter() - start, settings, via=loaded.via),
          file=sys.stderr)

    manifest = json.loads((out / "manifest.json").read_text())
    classes = manifest.get("dataset", {}).get("classes", "?")
    print(f"\ndemo artifact: {out} (model {run_id!r}, {classes} classes)", file=sys.stderr)
    if not args.no_published:
        _published(out.parent / "inceptionv1-summit", settings, store_args)
    if args.no_serve:
        return 0
    from summit.server.runner import serve

    # the store records the artifact path, so media needs no flag
    _step("serve", *store_args, *_opt("--host", args.host), *_opt("--port", args.port),
          *(["--image-graphs"] if args.image_graphs else []), *(["--allow-upload"] if args.allow_upload else []),
          *_opt("--image-root", args.image_root))
    serve(settings, image_graphs=image_graphs_for(settings))
    return 0


def _build(args: argparse.Namespace, settings: Settings, data: Path, out: Path, run_id: str) -> None:
    """Ingest (fresh, or resumed from a checkpoint) unless an ingest finished; then the graphs."""
    from summit.graphs import build_graphs
    from summit.ingest.ingest_run import IngestRequest, has_checkpoint, ingest_finished, ingest_folder
    if args.rebuild or not ingest_finished(out):
        resume = not args.rebuild and has_checkpoint(out)
        _step("ingest", "--model", args.model, "--data", data, "--out", out, "--run-id", run_id,
              *_opt("--weights", args.weights), *_opt("--limit", args.limit),
              *_opt("--batch-size", args.batch_size), *_opt("--workers", args.workers),
              *_opt("--device", args.device), *(["--resume"] if resume else []),
              *(["--force"] if args.rebuild else []), "--no-graphs")
        request = IngestRequest(model=args.model, data=data, out=out, weights=args.weights, limit=args.limit,
                                run_id=run_id, resume=resume, force=args.rebuild)
        summary = ingest_folder(request, settings, say=lambda line: print(line, file=sys.stderr))
        if summary is not None:
            print(ingest_line(summary), file=sys.stderr)
    _step("graphs", out)
    print(graphs_line(build_graphs(out, settings)), file=sys.stderr)


def _published(out: Path, settings: Settings, store_args: list[object]) -> None:
    """Import the bundled copy of Summit's published graphs (once) and load it into the same store."""
    from summit.artifact import MANIFEST
    from summit.ingest.summit_import import import_summit
    from summit.store import load_artifact

    source = bundled_published()
    if not source.is_file():
        raise BadInput(f"Summit's published graphs not found at {source}; pass --no-published to leave them out")
    if (out / MANIFEST).exists():
        print(f"reusing {out} (Summit's published graphs)", file=sys.stderr)
    else:
        _step("import-summit", source, "--out", out)
        import_summit(source, out, settings=settings, progress=lambda msg: print(f"  {msg}", file=sys.stderr))
    _step("load", out, *store_args)
    start = time.perf_counter()
    loaded = load_artifact(out, settings, progress=lambda msg: print(f"  {msg}", file=sys.stderr))
    print(load_line(loaded.model, loaded.rows, time.perf_counter() - start, settings), file=sys.stderr)
    print(f"published artifact: {out} (model {loaded.model!r}, Summit's InceptionV1, 1000 classes)",
          file=sys.stderr)


def _store_args(args: argparse.Namespace) -> list[object]:
    return [*_opt("--store", args.store), *_opt("--embedded", args.embedded), *_opt("--neo4j", args.neo4j),
            *_opt("--user", args.user), *_opt("--password-env", args.password_env),
            *_opt("--password-file", args.password_file), *_opt("--database", args.database)]
