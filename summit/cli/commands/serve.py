"""`summit serve`: the GraphQL API, the web app and the media files over HTTP."""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
from pathlib import Path

from summit.errors import BadInput

log = logging.getLogger("summit.server")

KEEP_ALIVE_S = 30  # idle keep-alive connections stay open this long (uvicorn's 5 s races busy clients)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    store = parser.add_argument_group("store")
    store.add_argument("--store", choices=("embedded", "neo4j"), help="graph store (default: embedded)")
    store.add_argument("--embedded", metavar="PATH", help="embedded store path (implies --store embedded)")
    store.add_argument("--neo4j", metavar="URI", help="Neo4j Bolt URI (implies --store neo4j)")
    store.add_argument("--user", metavar="USER", help="Neo4j user (default: neo4j)")
    store.add_argument("--password-env", metavar="VAR", help="environment variable holding the Neo4j password")
    store.add_argument("--password-file", metavar="FILE", help="file holding the Neo4j password")
    store.add_argument("--database", metavar="NAME", help="Neo4j database (default: neo4j)")
    store.add_argument("--password", help=argparse.SUPPRESS)  # refused with a clear message
    http = parser.add_argument_group("server")
    http.add_argument("--host", help="address to listen on (default: 127.0.0.1)")
    http.add_argument("--port", type=int, help="port to listen on (default: 8765)")
    http.add_argument("--dev", action="store_true", default=None, help="development mode: GraphiQL on GET /graphql")
    http.add_argument("--cors", metavar="ORIGIN", action="append",
                      help="allow cross-origin requests from ORIGIN (repeatable; default: CORS off)")
    http.add_argument("--media-root", metavar="DIR",
                      help="folder served under /media (a model's media folder, or one subfolder per model id)")
    http.add_argument("--no-warm-up", dest="warm_up", action="store_false", default=None,
                      help="do not remember every class graph and neuron picture in the background at start")
    http.add_argument("--web-dir", metavar="DIR", type=Path, help="built web app to serve at / (default: web/dist)")
    parser.add_argument("--print-schema", action="store_true", help="print the GraphQL schema (SDL) and exit")


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    store = args.store
    if args.embedded and args.neo4j:
        raise BadInput("give either --embedded PATH or --neo4j URI, not both")
    if args.embedded:
        store = store or "embedded"
    if args.neo4j:
        store = store or "neo4j"
    if store == "embedded" and args.neo4j:
        raise BadInput("--neo4j URI needs --store neo4j (or no --store)")
    if store == "neo4j" and args.embedded:
        raise BadInput("--embedded PATH needs --store embedded (or no --store)")
    return {
        "store": store, "embedded_path": args.embedded, "neo4j_uri": args.neo4j, "neo4j_user": args.user,
        "neo4j_password_env": args.password_env, "neo4j_password_file": args.password_file,
        "neo4j_database": args.database, "host": args.host, "port": args.port, "dev": args.dev,
        "cors_origins": ",".join(args.cors) if args.cors else None, "media_root": args.media_root,
        "warm_up": args.warm_up,
    }


def _check_listen(host: str, port: int) -> None:
    """Fail early, with a clear message, when the address cannot be bound."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BadInput(f"--host {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise BadInput(f"cannot listen on {host}:{port}: {exc.strerror} (is another server running? try --port)") from None


def run(args: argparse.Namespace) -> int:
    if args.password is not None:
        raise BadInput("never pass the Neo4j password on the command line: set it in an environment variable "
                       "(--password-env VAR, default NEO4J_PASSWORD) or a file (--password-file FILE)")
    if args.print_schema:
        from summit.server.schema import sdl

        sys.stdout.write(sdl())
        return 0

    import uvicorn

    from summit.server.app import create_app
    from summit.server.store_factory import check_settings, open_store, redact_uri
    from summit.settings import resolve

    settings = resolve(_overrides(args))
    check_settings(settings)
    if args.web_dir is not None and not args.web_dir.is_dir():
        raise BadInput(f"--web-dir {args.web_dir} is not a folder")
    if settings.media_root and not Path(settings.media_root).is_dir():
        raise BadInput(f"media root {settings.media_root} is not a folder")
    store = open_store(settings)
    try:
        _check_listen(settings.host, settings.port)
        where = redact_uri(settings.neo4j_uri) if settings.store == "neo4j" else (
            settings.embedded_path or "default path")
        log.info("serving http://%s:%s/ (store: %s at %s)", settings.host, settings.port, settings.store, where)
        app = create_app(settings, store, web_dir=args.web_dir, warm=settings.warm_up)
        # uvicorn re-raises SIGTERM after its graceful shutdown; end cleanly (exit 0, store closed) instead.
        previous = signal.signal(signal.SIGTERM, _exit_cleanly)
        try:
            # no access log (a log line per request costs CPU under load; errors are still logged);
            # uvicorn picks uvloop and httptools (project dependencies) for the event loop and HTTP parsing
            uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", lifespan="on",
                        timeout_keep_alive=KEEP_ALIVE_S, access_log=False)
        finally:
            signal.signal(signal.SIGTERM, previous)
    except SystemExit as stop:
        if stop.code not in (0, None):
            raise
    finally:
        store.close()
        log.info("server stopped; store closed")
    return 0


def _exit_cleanly(signum: int, frame: object) -> None:
    del signum, frame
    raise SystemExit(0)
