"""Reads that a concurrent (re)load can never make wrong: check after reading, retry if a load went away.

A store answers from a model's *active load* (``Model.active_load``). A load writes a new
load, flips the pointer, and only then deletes the old load's data. A reader that looked up
the old load just before the flip may therefore read it while it is being deleted: empty
graphs, missing rows, or (embedded) a table that no longer exists. ``consistent`` wraps each
public read of a store: it records every load the read used (``note_load``), and when the
read is done asks the store whether all of them are still active (``_loads_still_active``;
a deletion only starts after its load stopped being active, so "still active after the
read" means "intact during the read"). If not, the answer (or error) is thrown away and the
read runs again on the new load. The check is one small query on Neo4j; the embedded store,
whose only writer is its own process, compares a counter instead.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from summit.errors import StoreUnavailable

T = TypeVar("T")
ATTEMPTS = 5  # a read retried this often met a (re)load every time: the store is being reloaded non-stop

_reading = threading.local()


class Checked(Protocol):
    def _read_token(self) -> object: ...

    def _loads_still_active(self, token: object, loads: set[str]) -> bool: ...

    def _forget_loads(self, loads: set[str]) -> None: ...


def note_load(load: str) -> None:
    """Record that the read running on this thread uses ``load``."""
    loads: set[str] | None = getattr(_reading, "loads", None)
    if loads is not None:
        loads.add(load)


def consistent(method: Callable[..., T]) -> Callable[..., T]:
    """Decorate a public read method of a store (see the module docstring). Nested calls are checked once."""

    @functools.wraps(method)
    def read(self: Checked, *args: Any, **kwargs: Any) -> T:
        if getattr(_reading, "loads", None) is not None:
            return method(self, *args, **kwargs)  # inside another checked read: it checks
        for _ in range(ATTEMPTS):
            token = self._read_token()
            loads: set[str] = set()
            _reading.loads = loads
            try:
                result = method(self, *args, **kwargs)
            except Exception:
                _reading.loads = None
                if not loads or self._loads_still_active(token, loads):
                    raise  # an honest error about the data that was there
                self._forget_loads(loads)
                continue
            finally:
                _reading.loads = None
            if not loads or self._loads_still_active(token, loads):
                return result
            self._forget_loads(loads)
        raise StoreUnavailable(f"the store was reloaded during each of {ATTEMPTS} tries to answer; ask again")

    return read
