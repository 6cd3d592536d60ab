"""Pausing Python's cyclic garbage collector around work that builds many objects that all survive
(an app's modules, a million loaded rows, thousands of explained assignments): the collector would
walk them again and again for nothing to free. Standard library only, so pure cores may use it."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, and back as it was after (also on an error)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
