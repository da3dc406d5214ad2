"""ImageNet-1k's class list in the standard sorted-wnid order (class index k = line k).

``imagenet_classes.txt`` holds, per class, the wnid, a short unique name
(torchvision's category) and the WordNet synonyms. Ingest matches labels to a
model's outputs with it; Summit's published graphs are named by these indices
(``ag-270.json`` = n02114548, white wolf); synthetic InceptionV1 artifacts
borrow its names.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def imagenet_classes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(wnids, short names) of ImageNet-1k in the standard sorted-wnid logit order."""
    text = resources.files("summit").joinpath("imagenet_classes.txt").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return tuple(r[0] for r in rows), tuple(r[1] for r in rows)
