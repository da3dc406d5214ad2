"""The root Query and the Schema (with error shaping and query limits).

``python -m summit.server.schema`` prints the SDL; the committed ``server/schema.graphql``
is that output and ``tests/server/test_schema_file.py`` fails when they differ.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, ParserCache, ValidationCache
from strawberry.types import ExecutionContext
from summit.server.context import Info
from summit.server.limits import query_limiters
from summit.server.mutation import Mutation
from summit.server.types.model import Model

from summit.errors import NotFound
from summit.settings import Settings, resolve

QUERY_CACHE_SIZE = 256
SCHEMA_FILE = Path(__file__).with_name("schema.graphql")
HEADER = (
    "# Summit GraphQL API. GENERATED from the code by `python -m summit.server.schema > server/schema.graphql`;\n"
    "# do not edit by hand (tests/server/test_schema_file.py checks it). The web app speaks only this.\n\n"
)


@strawberry.type(description="What the asking user may do on this server.")
class Viewer:
    can_write: bool = strawberry.field(description="Whether this user may write notes (mutations).")


@strawberry.type
class Query:
    @strawberry.field(description="Every loaded model run.")
    async def models(self, info: Info) -> list[Model]:
        return [Model.from_record(m) for m in await info.context.models_memo.get(info.context.gateway)]

    @strawberry.field(description="One model by id; without an id, the first loaded model.")
    async def model(self, info: Info, id: str | None = None) -> Model:
        gateway = info.context.gateway
        if id is not None:
            # Every query starts at a root field, and every root field looks at the model list: the
            # app-wide memos below are valid for one generation of it, so a reload shows within its
            # ttl even for clients that never ask for `models` (at once while fresh; see ModelsMemo).
            with contextlib.suppress(Exception):  # a store that cannot answer: store.model says so
                await info.context.models_memo.get(gateway)
            return Model.from_record(await gateway.call(gateway.store.model, id))
        models = await info.context.models_memo.get(gateway)
        if not models:
            raise NotFound("no model is loaded; run `summit load ARTIFACT` first")
        return Model.from_record(models[0])

    @strawberry.field(description="The asking user's rights (not cached: it depends on the request).")
    def viewer(self, info: Info) -> Viewer:
        info.context.no_store()
        return Viewer(can_write=info.context.can_write)


class SummitSchema(strawberry.Schema):
    """Errors are shaped and logged by ``server.errors.shape_error``; strawberry's logger (tracebacks) is off."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        del errors, execution_context


def build_schema(settings: Settings | None = None, *, introspection: bool = True) -> strawberry.Schema:
    """The schema with the query limits of ``settings``; ``introspection=False`` refuses ``__schema``/``__type``
    (``summit serve`` allows introspection only with ``--dev`` or an access token)."""
    settings = resolve(environ={}) if settings is None else settings
    # Parsed and validated documents are cached by query text (the limits are fixed per schema,
    # so a cached validation result stays right); web clients send the same few documents.
    caches = [lambda: ParserCache(maxsize=QUERY_CACHE_SIZE), lambda: ValidationCache(maxsize=QUERY_CACHE_SIZE)]
    closed = [] if introspection else [DisableIntrospection]
    return SummitSchema(query=Query, mutation=Mutation, extensions=[*query_limiters(settings), *closed, *caches])


def sdl() -> str:
    return HEADER + build_schema().as_str() + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(sdl())
