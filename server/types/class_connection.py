"""GraphQL type ClassConnection and the paging of class lists."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence

import strawberry
from summit.server.types.class_edge import ClassEdge
from summit.server.types.enums import ClassSort
from summit.server.types.page_info import PageInfo

from summit.errors import BadInput
from summit.store.base import ClassInfo

_PREFIX = "classes:"


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The offset after which a page starts; BadInput for a cursor this server did not make."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if text.startswith(_PREFIX) and text[len(_PREFIX):].isdigit():
            return int(text[len(_PREFIX):]) + 1
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise BadInput(f"after: {cursor!r} is not a cursor from a class list (use pageInfo.endCursor)")


def order_classes(
    classes: Sequence[ClassInfo], sort: ClassSort, similarity: Mapping[int, float]
) -> list[ClassInfo]:
    if sort is ClassSort.NAME:
        return sorted(classes, key=lambda c: (c.name.lower(), c.index))
    if sort is ClassSort.ACCURACY:
        # classes whose accuracy is not published come last, by index
        return sorted(classes, key=lambda c: (c.accuracy is None, -(c.accuracy or 0.0), c.index))
    if sort is ClassSort.SIMILARITY:
        # Classes without a stored similarity come last, by index.
        return sorted(classes, key=lambda c: (c.index not in similarity, -similarity.get(c.index, 0.0), c.index))
    return sorted(classes, key=lambda c: c.index)


def matches(cls: ClassInfo, text: str) -> bool:
    needle = text.strip().lower()
    return not needle or needle in cls.name.lower() or needle in cls.wnid.lower() or needle == str(cls.index)


@strawberry.type(description="A page of classes.")
class ClassConnection:
    total_count: int = strawberry.field(description="Classes matching the filter, over all pages.")
    edges: list[ClassEdge]
    page_info: PageInfo

    @classmethod
    def from_record(
        cls, model: str, ordered: Sequence[ClassInfo], *, first: int, after: str | None,
        similarity: Mapping[int, float],
    ) -> ClassConnection:
        start = 0 if after is None else decode_cursor(after)
        page = ordered[start:start + first]
        edges = [
            ClassEdge.from_record(model, c, encode_cursor(start + i), similarity.get(c.index) if similarity else None)
            for i, c in enumerate(page)
        ]
        end = start + len(page)
        return cls(
            total_count=len(ordered),
            edges=edges,
            page_info=PageInfo.from_record(end < len(ordered), edges[-1].cursor if edges else None),
        )
