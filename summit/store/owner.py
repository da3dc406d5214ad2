"""The embedded store's single writer: who holds it, and how a load reaches a server that does.

LadybugDB lets one process open a database for writing (it locks the file). A process that
opens it read-only takes no lock, and reads pages that a writer in another process is
changing: that is how a ``summit load`` beside a running ``summit serve`` once gave empty
graphs and internal errors. So Summit never mixes processes on one store:

- ``summit serve`` opens the embedded store for writing and holds it while it runs; it writes
  a small record beside the store (``<store>.summit-server.json``, mode 0600: its PID, its
  URL and a random token) and answers ``POST /admin/load`` with that token;
- ``summit load`` into a store that a server holds sends the load to that server
  (``load_through_server``), which writes it in its own process: readers of the store see the
  old load or the new one, never a mix (``summit.store.lifecycle``);
- any other holder (another ``summit load``, a server without the record) is named, by PID,
  in the error.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summit.errors import ArtifactError, BadInput, NotFound, StoreUnavailable, SummitError

RECORD_SUFFIX = ".summit-server.json"
ADMIN_LOAD_PATH = "/admin/load"
LOAD_TIMEOUT_S = 24 * 3600.0  # a load through the server answers when it is done; loads of huge models take long
CONNECT_RETRY_S = 10.0  # a server that has just written its record may not listen yet
_LOCK_PID = re.compile(r"Lock is held by PID (\d+)")
_ERRORS: dict[str, type[SummitError]] = {e.code: e for e in (BadInput, NotFound, ArtifactError, StoreUnavailable)}


@dataclass(frozen=True)
class ServerRecord:
    """A running ``summit serve`` that holds an embedded store."""

    pid: int
    url: str
    token: str


def record_path(store_path: Path) -> Path:
    """Where the record of the server holding ``store_path`` lives (beside the store)."""
    resolved = Path(store_path).resolve()
    return resolved.with_name(resolved.name + RECORD_SUFFIX)


def lock_holder(message: str) -> int | None:
    """The PID in LadybugDB's "could not set lock" message, if it names one."""
    found = _LOCK_PID.search(message)
    return int(found.group(1)) if found else None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's
        return True
    return True


def local_url(host: str, port: int) -> str:
    """The URL a process on this machine uses to reach a server listening on ``host:port``."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def write_record(store_path: Path, url: str) -> ServerRecord:
    """Write this process's record (readable by its user only) and return it."""
    record = ServerRecord(os.getpid(), url, secrets.token_urlsafe(32))
    path = record_path(store_path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"pid": record.pid, "url": record.url, "token": record.token}, handle)
    os.replace(tmp, path)
    return record


def remove_record(store_path: Path, record: ServerRecord) -> None:
    """Remove the record if it is still this server's."""
    current = read_record(store_path, check_alive=False)
    if current is not None and current.token == record.token:
        record_path(store_path).unlink(missing_ok=True)


def read_record(store_path: Path, *, check_alive: bool = True) -> ServerRecord | None:
    """The record beside the store, or None (missing, unreadable, or its process is gone)."""
    try:
        raw = json.loads(record_path(store_path).read_text())
        record = ServerRecord(int(raw["pid"]), str(raw["url"]), str(raw["token"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if check_alive and not pid_alive(record.pid):
        return None
    return record


def hold(store: Any, url: str) -> ServerRecord | None:
    """Record this server as the holder of ``store`` if it is an embedded store open for writing (else None)."""
    from summit.store.embedded import EmbeddedStore

    if not isinstance(store, EmbeddedStore) or store.read_only:
        return None
    return write_record(store.path, url)


def release(store: Any, record: ServerRecord | None) -> None:
    """Remove the record ``hold`` wrote (if it is still this server's)."""
    if record is not None:
        remove_record(store.path, record)


def busy_message(store_path: Path, pid: int | None) -> str:
    """Why the store cannot be opened for writing, naming the process that holds it."""
    who = f"process {pid}" if pid is not None else "another process"
    return (f"the embedded store {store_path} is open for writing by {who} (a `summit load` or `summit serve`); "
            "LadybugDB lets one process write a store at a time: wait until that load finishes, or stop that "
            "server (`summit load` into a store that a running `summit serve` holds goes through that server)")


def load_through_server(record: ServerRecord, artifact: Path) -> dict[str, Any]:
    """Ask the server of ``record`` to load ``artifact``; its answer (model, load, rows, seconds) or its error."""
    body = json.dumps({"artifact": str(Path(artifact).resolve())}).encode()
    request = urllib.request.Request(
        record.url + ADMIN_LOAD_PATH, data=body, method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {record.token}"})
    deadline = time.monotonic() + CONNECT_RETRY_S
    while True:
        try:
            with urllib.request.urlopen(request, timeout=LOAD_TIMEOUT_S) as response:  # our own server's URL
                answer: dict[str, Any] = json.loads(response.read())
                return answer
        except urllib.error.HTTPError as exc:
            raise _server_error(exc, record) from None
        except (urllib.error.URLError, ConnectionError) as exc:
            if time.monotonic() < deadline:
                time.sleep(0.2)
                continue
            raise StoreUnavailable(
                f"`summit serve` (process {record.pid}) holds the embedded store but does not answer at "
                f"{record.url} ({getattr(exc, 'reason', exc)}); stop it, or wait until it is up") from None


def _server_error(exc: urllib.error.HTTPError, record: ServerRecord) -> SummitError:
    try:
        error = json.loads(exc.read())["errors"][0]
        message, code = str(error["message"]), str(error["extensions"]["code"])
    except (ValueError, KeyError, IndexError, TypeError):
        message, code = f"HTTP {exc.code}", ""
    kind = _ERRORS.get(code, StoreUnavailable)
    return kind(f"the server (process {record.pid}) refused the load: {message}")
