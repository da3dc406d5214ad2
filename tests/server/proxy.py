"""A store proxy for tests: counts calls per method, can make them fail or sleep."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class StoreProxy:
    def __init__(self, store: Any, *, fail: dict[str, BaseException] | None = None,
                 sleep: dict[str, float] | None = None):
        self._store = store
        self._fail = fail or {}
        self._sleep = sleep or {}
        self.calls: dict[str, int] = {}
        self.args: dict[str, list[tuple[Any, ...]]] = {}

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._store, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            self.args.setdefault(name, []).append(args)
            if name in self._sleep:
                time.sleep(self._sleep[name])
            if name in self._fail:
                raise self._fail[name]
            return target(*args, **kwargs)

        wrapped: Callable[..., Any] = call
        return wrapped
