"""The ``summit`` command: a thin layer over the library.

Each subcommand lives in ``summit/cli/commands/<name>.py`` with two functions,
``add_arguments(parser)`` and ``run(args) -> int``; heavy imports (torch, the
stores, the server) happen inside ``run`` so ``summit --help`` stays fast.
Errors are mapped to exit codes here, in one place.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from summit import __version__
from summit.errors import EXIT_INTERRUPTED, SummitError

# name -> one-line help. The module summit.cli.commands.<name> implements it.
COMMANDS: dict[str, str] = {
    "ingest": "Stream a labelled image folder through a CNN and write an artifact.",
    "graphs": "Compute attribution graphs, similarity and embeddings of an artifact.",
    "import-summit": "Import Summit's published InceptionV1 graphs (summit-data) as an artifact.",
    "export": "Export an artifact as Summit JSON, GraphML or CSV.",
    "synth": "Write a synthetic artifact at a chosen scale (for benchmarks).",
    "featurevis": "Render feature visualisations for an artifact's neurons.",
    "faithfulness": "Measure how much each class graph carries its class (ablation).",
    "load": "Load an artifact into Neo4j or the embedded store.",
    "models": "List the models in a store, with their sizes and load times.",
    "drop": "Remove a model from a store (other models stay).",
    "serve": "Serve the GraphQL API and the web app.",
    "share": "Print a one-time link into a server that needs an access token.",
    "demo": "Ingest the bundled images, build graphs, load, and serve: end to end.",
    "settings": "List every setting with its default and environment variable.",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="summit", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"summit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"summit.cli.commands.{name.replace('-', '_')}")
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(cmd)
        cmd.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args._module.run(args) or 0)
    except SummitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
