"""`summit share`: print a one-time link that lets a browser into a server with an access token."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from summit.errors import BadInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", metavar="URL", required=True,
                        help="the server's address as teammates reach it, e.g. http://summit.example.org:8765")
    parser.add_argument("--token-file", metavar="FILE", help="file holding the server's access token "
                        "(default: the environment variable SUMMIT_TOKEN, as for `summit serve`)")
    parser.add_argument("--hours", type=float, metavar="H", help="how long the link stays valid (default 24)")


def run(args: argparse.Namespace) -> int:
    from summit.server.access import one_time_link, read_token
    from summit.settings import resolve

    settings = resolve({"token_file": args.token_file, "link_hours": args.hours})
    parts = urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadInput(f"--url {args.url!r} must be the server's http:// or https:// address")
    token = read_token(settings)
    if token is None:
        raise BadInput(f"no access token: give --token-file FILE or set {settings.token_env} (the server's token)")
    print(one_time_link(token, f"{parts.scheme}://{parts.netloc}{parts.path}", settings.link_hours))
    return 0
