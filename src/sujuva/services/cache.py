"""A small in-process cache of analysis results, keyed by the store generation.

Imports publish a new generation, so a key that includes the generation never serves stale
figures; old generations simply age out of the LRU. Results are immutable dataclasses and
DataFrames that callers must not modify.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from sujuva.config import Settings
from sujuva.store.layout import current_generation

T = TypeVar("T")
_LOCK = threading.Lock()
_ENTRIES: OrderedDict[Hashable, Any] = OrderedDict()
_KEY_LOCKS: dict[Hashable, threading.Lock] = {}
MAX_ENTRIES = 512


def generation(settings: Settings) -> str:
    """The name of the store generation in force (empty when there is no store)."""
    current: Path | None = current_generation(settings.data_dir)
    return current.name if current is not None else ""


def cached(settings: Settings, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per store generation and key; concurrent callers of one key wait
    for the first instead of computing it again."""
    full = (str(settings.data_dir), generation(settings), key)
    with _LOCK:
        if full in _ENTRIES:
            _ENTRIES.move_to_end(full)
            return _ENTRIES[full]  # type: ignore[no-any-return]
        key_lock = _KEY_LOCKS.setdefault(full, threading.Lock())
    with key_lock:
        with _LOCK:
            if full in _ENTRIES:
                return _ENTRIES[full]  # type: ignore[no-any-return]
        value = compute()
        with _LOCK:
            _ENTRIES[full] = value
            _KEY_LOCKS.pop(full, None)
            while len(_ENTRIES) > MAX_ENTRIES:
                _ENTRIES.popitem(last=False)
        return value


def clear() -> None:
    """Forget everything (tests and imports call this)."""
    with _LOCK:
        _ENTRIES.clear()
