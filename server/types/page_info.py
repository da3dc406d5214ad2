"""GraphQL type PageInfo (cursor pagination)."""

from __future__ import annotations

import strawberry


@strawberry.type(description="Where a page ends; pass endCursor as `after` for the next page.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None

    @classmethod
    def from_record(cls, has_next_page: bool, end_cursor: str | None) -> PageInfo:
        return cls(has_next_page=has_next_page, end_cursor=end_cursor)
