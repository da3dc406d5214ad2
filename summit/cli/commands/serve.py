"""`summit serve`: the GraphQL API, the web app and the media files over HTTP."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from summit.cli.image_graph_options import add_image_graph_options, image_graph_overrides, image_graphs_for
from summit.cli.store_options import add_store_options, store_overrides


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_store_options(parser)
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
    http.add_argument("--response-cache", metavar="N", type=int,
                      help="GraphQL responses kept in memory (default: 4096; 0 = off; setting response_cache)")
    http.add_argument("--wait-warm-up", dest="wait_warm_up", action="store_true", default=None,
                      help="open the port only when the warm-up is done (the server is ready when it listens)")
    access = parser.add_argument_group("access (a server shared by a team)")
    access.add_argument("--token-file", metavar="FILE",
                        help="file holding the access token (or set SUMMIT_TOKEN); needed on a non-loopback --host")
    access.add_argument("--public", action="store_true", default=None,
                        help="serve a non-loopback --host without a token (read-only public demo, rate-limited)")
    access.add_argument("--allowed-host", metavar="NAME", action="append",
                        help="a Host name to answer to besides localhost, e.g. the name teammates use (repeatable)")
    http.add_argument("--web-dir", metavar="DIR", type=Path, help="built web app to serve at / (default: web/dist)")
    add_image_graph_options(parser)
    parser.add_argument("--print-schema", action="store_true", help="print the GraphQL schema (SDL) and exit")


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    return {
        **store_overrides(args), "host": args.host, "port": args.port, "dev": args.dev,
        "cors_origins": ",".join(args.cors) if args.cors else None, "media_root": args.media_root,
        "warm_up": args.warm_up, "response_cache": args.response_cache, **image_graph_overrides(args),
        "wait_warm_up": args.wait_warm_up, "token_file": args.token_file, "public": args.public,
        "allowed_hosts": ",".join(args.allowed_host) if args.allowed_host else None,
    }


def run(args: argparse.Namespace) -> int:
    if args.print_schema:
        from summit.server.schema import sdl

        sys.stdout.write(sdl())
        return 0
    from summit.server.runner import serve
    from summit.settings import resolve

    settings = resolve(_overrides(args))
    serve(settings, web_dir=args.web_dir, image_graphs=image_graphs_for(settings))
    return 0
