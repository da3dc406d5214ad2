"""GraphQL type ImageGraphSupport (whether one image's graph can be computed for a model)."""

from __future__ import annotations

import strawberry


@strawberry.type(description="Whether this server computes image graphs for the model, and what it accepts.")
class ImageGraphSupport:
    available: bool
    reason: str | None = strawberry.field(description="Why image graphs are not available (null when they are).")
    dataset_images: bool = strawberry.field(
        description="The model's dataset images are on the server (else only uploads can be used).")
    uploads: bool = strawberry.field(description="The server accepts image uploads (POST /uploads).")
    max_upload_bytes: int
