"""GraphQL type MethodSetting (a named method setting and its value)."""

from __future__ import annotations

import strawberry


@strawberry.type(description="A method setting (METHOD.md) by name, with its value as text.")
class MethodSetting:
    name: str
    value: str
