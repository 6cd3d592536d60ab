"""A module imported when first used, not when the app starts: pandas costs every command (and the
test suite's subprocesses) a fifth of a second, and most commands never touch a report."""
from __future__ import annotations

import importlib


class LazyModule:
    """Stands for a module; each attribute asked for imports it (once, under the import lock, so two
    threads asking first are safe) and reads from it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported when first used>"
