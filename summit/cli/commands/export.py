"""`summit export ARTIFACT --format summit|graphml|csv DIR [--class K]`."""

from __future__ import annotations

import argparse

from summit.errors import BadInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("artifact", metavar="ARTIFACT", help="artifact directory")
    parser.add_argument("out", metavar="DIR", help="folder to write into")
    parser.add_argument("--format", choices=("summit", "graphml", "csv"), default="summit",
                        help="summit: the original Summit front end's JSON (default); graphml: one class's "
                             "attribution graph; csv: every table")
    parser.add_argument("--class", dest="class_index", type=int, default=None,
                        help="only this class index (required for graphml)")
    parser.add_argument("--no-media", action="store_true", help="summit format: do not copy images")


def run(args: argparse.Namespace) -> int:
    from summit.artifact import read_manifest
    from summit.export import export_csv, export_graphml, export_summit

    read_manifest(args.artifact)
    if args.format == "graphml":
        if args.class_index is None:
            raise BadInput("--format graphml exports one class: give --class K")
        path = export_graphml(args.artifact, args.out, args.class_index)
        print(f"wrote {path}")
    elif args.format == "csv":
        paths = export_csv(args.artifact, args.out, args.class_index)
        print(f"wrote {len(paths)} CSV files to {args.out}")
    else:
        counts = export_summit(args.artifact, args.out, class_index=args.class_index, media=not args.no_media)
        print(f"wrote {args.out}/data: {counts['classes']} classes, {counts['graphs']} attribution graphs, "
              f"{counts['media']} images ({counts['placeholders']} of them the 'not published' placeholder)")
    return 0
