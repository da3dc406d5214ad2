"""Graph stores behind one contract (``summit.store.base``): Neo4j and the embedded LadybugDB default."""

from __future__ import annotations

from typing import Any

from summit.errors import BadInput
from summit.settings import Settings


def open_store(settings: Settings, *, read_only: bool = True) -> Any:
    """Open the store the settings name (``store``, ``embedded_path``, ``neo4j_*``).

    The Neo4j password comes from the environment variable ``neo4j_password_env`` or the file
    ``neo4j_password_file``. The embedded store opens read-only unless ``read_only`` is False.
    """
    kind = settings.store
    if kind == "neo4j":
        from summit.store.neo4j_store import Neo4jStore, read_password

        uri = settings.neo4j_uri
        if not uri:
            raise BadInput("the neo4j store needs a Bolt URI (--neo4j bolt://HOST:7687 or SUMMIT_NEO4J_URI)")
        password = read_password(settings.neo4j_password_env, settings.neo4j_password_file)
        return Neo4jStore(uri, settings.neo4j_user, password, database=settings.neo4j_database)
    if kind == "embedded":
        from summit.store.embedded import EmbeddedStore

        return EmbeddedStore(settings.embedded_path or None, read_only=read_only)
    raise BadInput(f"unknown store {kind!r}; use 'embedded' or 'neo4j'")
