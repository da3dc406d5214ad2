"""The server calls the store only through ``GraphStore`` (and ``GraphLoader``, for the loads of the
embedded store it holds): every call it makes is in the protocols.

Reads the server's source for calls on a store (``store.x``, ``self._store.x``,
``gateway.store.x``) and for probing (``getattr``/``hasattr`` on a store), so a
new store call cannot be made without adding it to the contract both real stores
implement (and the contract tests run on both).
"""

from __future__ import annotations

import ast
from pathlib import Path

from summit.store.base import GraphLoader, GraphStore

SERVER = Path(__file__).resolve().parents[2] / "server"
STORE_NAMES = {"store", "_store"}


def store_calls() -> dict[str, set[str]]:
    """Attribute name -> server files that use it on a store object."""
    found: dict[str, set[str]] = {}
    for path in SERVER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute):
                owner = node.value
                name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
                if name in STORE_NAMES:
                    found.setdefault(node.attr, set()).add(path.name)
    return found


def test_every_store_call_of_the_server_is_in_the_protocol() -> None:
    calls = store_calls()
    assert {"class_graph", "examples", "featurevis", "models", "max_concurrency"} <= set(calls)
    declared = set(GraphStore.__annotations__) | {n for p in (GraphStore, GraphLoader) for n in vars(p)
                                                  if not n.startswith("_")}
    missing = {name: sorted(files) for name, files in calls.items() if name not in declared}
    assert missing == {}


def test_the_server_never_probes_a_store() -> None:
    probes = []
    for path in SERVER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("getattr", "hasattr") and node.args):
                target = ast.unparse(node.args[0])
                if target.split(".")[-1] in STORE_NAMES:
                    probes.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert probes == []
