"""Open the configured GraphStore for serving (read-only where the store supports it).

Uses ``summit.store.open_store(settings)`` when the stores package provides one;
otherwise builds the store from the settings here. The Neo4j password comes
from the environment variable named by ``neo4j_password_env`` or from
``neo4j_password_file``, never from the command line.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from summit.errors import BadInput
from summit.store.base import GraphStore


def redact_uri(uri: str) -> str:
    """``uri`` without any ``user:password@`` part, for messages and logs."""
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def check_settings(settings: Mapping[str, Any]) -> None:
    """Settings that only make sense together, checked before anything is opened."""
    if settings["store"] == "neo4j":
        uri = str(settings["neo4j_uri"])
        if not uri:
            raise BadInput("--store neo4j needs a Bolt URI: --neo4j bolt://HOST:7687 (or SUMMIT_NEO4J_URI)")
        if urlsplit(uri).scheme not in {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}:
            raise BadInput(f"--neo4j {redact_uri(uri)!r} is not a Bolt URI (bolt://HOST:7687 or neo4j://HOST:7687)")
        if "@" in urlsplit(uri).netloc:
            raise BadInput("put no user or password in the Neo4j URI; use --user and --password-env/--password-file")


def open_store(settings: Mapping[str, Any]) -> GraphStore:
    check_settings(settings)
    stores = importlib.import_module("summit.store")
    factory = getattr(stores, "open_store", None)
    if factory is not None:
        store: GraphStore = factory(settings)
        return store
    if settings["store"] == "neo4j":
        from summit.store.neo4j_store import Neo4jStore, read_password

        password = read_password(str(settings["neo4j_password_env"]), str(settings["neo4j_password_file"]))
        return Neo4jStore(str(settings["neo4j_uri"]), str(settings["neo4j_user"]), password,
                          database=str(settings["neo4j_database"]))
    from summit.store.embedded import EmbeddedStore

    return EmbeddedStore(str(settings["embedded_path"]) or None, read_only=True)
