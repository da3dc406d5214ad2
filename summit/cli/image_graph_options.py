"""Command-line flags of image graphs (``--image-graphs``, ``--allow-upload``, ``--image-root``), written once.

``summit serve`` and ``summit demo`` both take them; ``image_graphs_for`` builds what
computes the graphs (``summit.ingest``, torch) only when the settings ask for it.
"""

from __future__ import annotations

import argparse

from summit.image_graph import ImageGraphs
from summit.settings import Settings


def add_image_graph_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("image graphs")
    group.add_argument("--image-graphs", dest="image_graphs", action="store_true", default=None,
                       help="compute one image's attribution graph on request (loads each model's network, torch)")
    group.add_argument("--allow-upload", dest="allow_upload", action="store_true", default=None,
                       help="accept uploaded JPEG/PNG images for image graphs, held in memory (implies --image-graphs)")
    group.add_argument("--image-root", metavar="DIR",
                       help="folder of the dataset images (default: the root each artifact's manifest records); "
                            "a subfolder named after a model id is used for that model")


def image_graph_overrides(args: argparse.Namespace) -> dict[str, object]:
    return {"image_graphs": args.image_graphs, "allow_upload": args.allow_upload, "image_root": args.image_root}


def image_graphs_for(settings: Settings) -> ImageGraphs | None:
    """The image-graph computer the server is handed, or None when the feature is off (torch never imported)."""
    from summit.server.image_graphs import image_graphs_wanted

    if not image_graphs_wanted(settings):
        return None
    from summit.ingest.image_graph import ArtifactImageGraphs

    return ArtifactImageGraphs(settings)
