"""GraphQL enum ImagePersonalization (what personalises an image graph's PageRank)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="What personalises the PageRank of one image's graph.")
class ImagePersonalization(Enum):
    IMAGE = strawberry.enum_value(
        "image", description="The image's own activation counts, scaled per layer as a class graph scales its class's.")
    CLASS = strawberry.enum_value(
        "class", description="The compared class's activation counts: the image's influence paths seen from the class.")
