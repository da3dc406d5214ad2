"""Small helpers shared by resolvers: turning user keys into store arguments."""

from __future__ import annotations

from summit.server.context import Info
from summit.server.memo import MISSING, Missing

from summit.errors import BadInput
from summit.ids import is_digits, parse_digits
from summit.store.base import ClassGraph, ClassInfo


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


async def class_graph_record(info: Info, model: str, index: int, top_n: int | None = None,
                             min_weight: int = 0) -> ClassGraph:
    """A class's graph from the app-wide memo, else from the store (then remembered)."""
    memo, generation = info.context.class_graphs, info.context.models_memo.generation
    key = (model, index, top_n, min_weight)
    record = MISSING if memo is None else memo.get(generation, key)
    if isinstance(record, Missing):
        gateway = info.context.gateway
        record = await gateway.call(gateway.store.class_graph, model, index, top_n=top_n, min_weight=min_weight)
        if memo is not None:
            memo.put(generation, key, record)
    return record
