"""`summit settings`: every setting, its default and its environment variable."""

from __future__ import annotations

import argparse

from summit.settings import SETTINGS, markdown_table


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--markdown", action="store_true", help="print the README's settings table")


def run(args: argparse.Namespace) -> int:
    if args.markdown:
        print(markdown_table())
        return 0
    width = max(len(s.name) for s in SETTINGS)
    for s in SETTINGS:
        print(f"{s.name:<{width}}  {s.default!s:<12} {s.env_var:<32} {s.help}")
    return 0
