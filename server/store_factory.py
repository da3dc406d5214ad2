"""Open the configured GraphStore for serving: settings checked first, embedded opened read-only.

The stores package (``summit.store.open_store``) builds the store; the Neo4j
password comes from the environment variable named by ``neo4j_password_env``
or from ``neo4j_password_file``, never from the command line. Neo4j reads run
in READ transactions.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from summit import store as stores
from summit.errors import BadInput
from summit.settings import Settings
from summit.store.base import GraphStore


def redact_uri(uri: str) -> str:
    """``uri`` without any ``user:password@`` part, for messages and logs."""
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def check_settings(settings: Settings) -> None:
    """Settings that only make sense together, checked before anything is opened."""
    if settings.store == "neo4j":
        uri = settings.neo4j_uri
        if not uri:
            raise BadInput("--store neo4j needs a Bolt URI: --neo4j bolt://HOST:7687 (or SUMMIT_NEO4J_URI)")
        if urlsplit(uri).scheme not in {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}:
            raise BadInput(f"--neo4j {redact_uri(uri)!r} is not a Bolt URI (bolt://HOST:7687 or neo4j://HOST:7687)")
        if "@" in urlsplit(uri).netloc:
            raise BadInput("put no user or password in the Neo4j URI; use --user and --password-env/--password-file")


def open_store(settings: Settings) -> GraphStore:
    """Check the settings, then open the store read-only through ``summit.store.open_store``."""
    check_settings(settings)
    store: GraphStore = stores.open_store(settings, read_only=True)
    return store
