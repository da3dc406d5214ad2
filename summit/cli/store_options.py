"""The store flags of ``summit serve``, ``load`` and ``demo``, declared once.

``add_store_options`` adds them to a command's parser; ``store_overrides`` checks
the combinations only flags can get wrong (both stores named, a password on the
command line) and turns them into setting overrides for ``summit.settings.resolve``.
What the resolved settings must satisfy (a Bolt URI, no password in it) is
checked where a store is opened, ``summit.store.open_store``.
"""

from __future__ import annotations

import argparse

from summit.errors import BadInput

PASSWORD_ON_COMMAND_LINE = (
    "never pass the Neo4j password on the command line: set it in an environment variable "
    "(--password-env VAR, default NEO4J_PASSWORD) or a file (--password-file FILE)"
)


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """The ``store`` argument group: which store, where, and how to log in to Neo4j."""
    store = parser.add_argument_group("store")
    store.add_argument("--store", choices=("embedded", "neo4j"), help="graph store (default: embedded)")
    store.add_argument("--embedded", metavar="PATH",
                       help="embedded store path (implies --store embedded; default: the user data directory)")
    store.add_argument("--neo4j", metavar="URI", help="Neo4j Bolt URI (implies --store neo4j)")
    store.add_argument("--user", metavar="USER", help="Neo4j user (default: neo4j)")
    store.add_argument("--password-env", metavar="VAR",
                       help="environment variable holding the Neo4j password (default: NEO4J_PASSWORD)")
    store.add_argument("--password-file", metavar="FILE", help="file holding the Neo4j password")
    store.add_argument("--database", metavar="NAME", help="Neo4j database (default: neo4j)")
    store.add_argument("--password", help=argparse.SUPPRESS)  # refused with a clear message


def store_overrides(args: argparse.Namespace) -> dict[str, object]:
    """The store settings the flags in ``args`` ask for (None where a flag was not given)."""
    if args.password is not None:
        raise BadInput(PASSWORD_ON_COMMAND_LINE)
    if args.embedded and args.neo4j:
        raise BadInput("give either --embedded PATH or --neo4j URI, not both")
    store = args.store or ("embedded" if args.embedded else "neo4j" if args.neo4j else None)
    if store == "embedded" and args.neo4j:
        raise BadInput("--neo4j URI needs --store neo4j (or no --store)")
    if store == "neo4j" and args.embedded:
        raise BadInput("--embedded PATH needs --store embedded (or no --store)")
    return {
        "store": store, "embedded_path": None if args.embedded is None else str(args.embedded),
        "neo4j_uri": args.neo4j, "neo4j_user": args.user, "neo4j_password_env": args.password_env,
        "neo4j_password_file": args.password_file, "neo4j_database": args.database,
    }

