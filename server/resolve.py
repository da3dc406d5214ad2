"""Small helpers shared by resolvers: turning user keys into store arguments."""

from __future__ import annotations

from summit.server.context import Info

from summit.errors import BadInput
from summit.ids import is_digits, parse_digits
from summit.store.base import ClassInfo


async def class_info(info: Info, model: str, key: str) -> ClassInfo:
    """The class named by ``key`` (index, wnid or exact name); NotFound from the store otherwise."""
    key = key.strip()
    if not key:
        raise BadInput("class key must be a class index, wnid or name, got an empty string")
    gateway = info.context.gateway
    return await gateway.call(gateway.store.class_by_key, model, key)


async def class_index(info: Info, model: str, key: str) -> int:
    """The index of the class named by ``key``; a key of digits IS an index (no store round trip:
    the store checks the index in the call that uses it and answers NotFound)."""
    text = key.strip()
    if is_digits(text):
        return parse_digits(text, "class key")
    return (await class_info(info, model, key)).index
