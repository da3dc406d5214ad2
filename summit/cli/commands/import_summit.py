"""`summit import-summit SRC --out ARTIFACT`: Summit's published InceptionV1 graphs as an artifact."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("src", metavar="SRC",
                        help="a copy of Summit's published data: a clone of github.com/fredhohman/summit-data "
                             "(or its data/ folder), or a tar archive of one such as data/summit-data/"
                             "summit-data-compact.tar.xz")
    parser.add_argument("--out", required=True, metavar="ARTIFACT", help="artifact directory to write")
    parser.add_argument("--force", action="store_true", help="replace ARTIFACT if it exists")
    parser.add_argument("--embedding", choices=("umap", "pca"), default="umap",
                        help="class layout when SRC has no imagenet.json: umap (default, as Summit) or pca "
                             "(a quick deterministic layout)")


def run(args: argparse.Namespace) -> int:
    from summit.ingest.summit_import import import_summit

    manifest = import_summit(args.src, args.out, force=args.force, progress=print,
                             embedding=args.embedding)
    pub, t = manifest["published"], manifest["timings"]
    print(f"{args.out}: model {manifest['run_id']!r}, {pub['graphs']} class graphs, {pub['class_nodes']} nodes, "
          f"{pub['class_edges']} edges, {pub['examples']} example images, {pub['featurevis']} feature "
          f"visualisations; read {t['import_read_s']} s, parse {t['import_parse_s']} s, write "
          f"{t['import_write_s']} s, similarity {t['similarity_s']} s, embedding {t['embedding_s']} s")
    if not pub["imagenet_json"]:
        print("note: no data/imagenet.json: class sizes and accuracies are not published (null), and activation "
              "counts are known only for the neurons of each class graph")
    return 0
