"""Graph stores behind one contract (``summit.store.base``): Neo4j and the embedded LadybugDB default.

``open_store`` is the one way in: it checks the store settings (``check_store_settings``), then
opens the store they name. The Neo4j password comes from the environment variable
``neo4j_password_env`` or the file ``neo4j_password_file``, never from the command line.

An embedded store has one writer (LadybugDB): ``load_artifact`` into a store that a running
``summit serve`` holds sends the artifact to that server (``summit.store.owner``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from summit.errors import BadInput, StoreBusy
from summit.settings import Settings

if TYPE_CHECKING:
    from summit.store.lifecycle import CypherLoader

BOLT_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})


def redact_uri(uri: str) -> str:
    """``uri`` without any ``user:password@`` part, for messages and logs."""
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def check_store_settings(settings: Settings) -> None:
    """Store settings that only make sense together, checked before anything is opened."""
    if settings.store != "neo4j":
        return
    uri = settings.neo4j_uri
    if not uri:
        raise BadInput("--store neo4j needs a Bolt URI: --neo4j bolt://HOST:7687 (or SUMMIT_NEO4J_URI)")
    if urlsplit(uri).scheme not in BOLT_SCHEMES:
        raise BadInput(f"--neo4j {redact_uri(uri)!r} is not a Bolt URI (bolt://HOST:7687 or neo4j://HOST:7687)")
    if "@" in urlsplit(uri).netloc:
        raise BadInput("put no user or password in the Neo4j URI; use --user and --password-env/--password-file")


def describe_store(settings: Settings) -> str:
    """Where the settings point, for messages: the Neo4j URI (redacted) or the embedded path."""
    if settings.store == "neo4j":
        return f"Neo4j {redact_uri(settings.neo4j_uri)}"
    from summit.store.embedded import default_path

    return f"embedded store {settings.embedded_path or default_path()}"


def open_store(settings: Settings, *, read_only: bool = True, create: bool = True) -> CypherLoader:
    """Check the store settings, then open the store they name (``store``, ``embedded_path``, ``neo4j_*``).

    The embedded store opens read-only unless ``read_only`` is False (Neo4j reads run in READ
    transactions either way), and a missing one is created for writing unless ``create`` is
    False. Both stores implement ``GraphStore`` and ``GraphLoader``.
    """
    check_store_settings(settings)
    if settings.store == "neo4j":
        from summit.store.neo4j_store import Neo4jStore, read_password

        password = read_password(settings.neo4j_password_env, settings.neo4j_password_file)
        return Neo4jStore(settings.neo4j_uri, settings.neo4j_user, password, database=settings.neo4j_database)
    if settings.store == "embedded":
        from summit.store.embedded import EmbeddedStore

        return EmbeddedStore(settings.embedded_path or None, read_only=read_only, create=create)
    raise BadInput(f"unknown store {settings.store!r}; use 'embedded' or 'neo4j'")


def open_for_serving(settings: Settings) -> CypherLoader:
    """Open the store a server reads, and remove what killed loads left (``remove_orphans``).

    The embedded store is opened for writing: the server is the one process that holds it
    (LadybugDB's single writer), so loads into it go through the server, and opening for
    writing finishes a checkpoint a killed writer left. Only a store the user cannot write (a
    read-only mount) is opened read-only, with a warning. A missing store is not created.
    """
    import logging
    import os

    log = logging.getLogger("summit.store")
    writable = True
    if settings.store == "embedded":
        from summit.store.embedded import default_path

        path = Path(settings.embedded_path) if settings.embedded_path else default_path()
        writable = not path.exists() or (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))
        if not writable:
            log.warning("embedded store %s is not writable by this user: serving it read-only (no loads, "
                        "and no load by another process may run meanwhile)", path)
    store = open_store(settings, read_only=not writable, create=False)
    if writable:
        try:
            store.remove_orphans()
        except Exception as exc:  # e.g. a Neo4j user without write rights: serve anyway, say so
            log.warning("could not remove data left by interrupted loads (%s); serving anyway", exc)
    return store


@dataclass(frozen=True)
class Loaded:
    """What ``load_artifact`` loaded: the model id, the number of rows written and, when the store was
    held by a running server that did the load, which (``"the running server (process N)"``)."""

    model: str
    rows: int
    via: str = ""


def load_artifact(artifact: str | Path, settings: Settings, *,
                  progress: Callable[[str], None] | None = None) -> Loaded:
    """Read and check ``artifact``, then load it as one model into the store the settings name.

    The artifact is read before the store is opened, so a damaged artifact leaves the store untouched.
    Opening the store for writing first removes what killed loads left (``remove_orphans``). An
    embedded store held by a running ``summit serve`` is loaded by that server; held by any other
    process, it is a ``StoreBusy`` naming that process.
    """
    from summit.store.prepare import read_load_data

    data = read_load_data(str(artifact))
    try:
        store = open_store(settings, read_only=False)
    except StoreBusy as busy:
        return _load_through_server(Path(artifact), settings, busy)
    try:
        store.remove_orphans()
        store.write_load(data, batch_rows=settings.load_batch, progress=progress)
    finally:
        store.close()
    return Loaded(str(data.model["id"]), data.rows())


def _load_through_server(artifact: Path, settings: Settings, busy: StoreBusy) -> Loaded:
    from summit.store.embedded import default_path
    from summit.store.owner import load_through_server, read_record

    path = Path(settings.embedded_path) if settings.embedded_path else default_path()
    record = read_record(path)
    if settings.store != "embedded" or record is None or (busy.pid is not None and record.pid != busy.pid):
        raise busy  # not a server this process can reach: the message names the process holding the store
    answer = load_through_server(record, artifact)
    return Loaded(str(answer["model"]), int(answer["rows"]), via=f"the running server (process {record.pid})")
