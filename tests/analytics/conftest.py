"""Fixtures for the analytics: a store built from a file, and a scope over it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sujuva.analytics.scope import Scope, scope
from sujuva.analytics.selection import Selection
from sujuva.config import Settings
from sujuva.services.importing import import_files
from sujuva.store.store import Store

ScopeFactory = Callable[..., "contextmanager[Scope]"]


@pytest.fixture
def store_of(settings: Settings) -> Callable[[Path], Store]:
    """Import a file into the test's fresh store and return the store."""

    def build(path: Path) -> Store:
        import_files([path], settings=settings)
        return Store(settings.data_dir)

    return build


@contextmanager
def scoped(store: Store, selection: Selection | None = None) -> Iterator[Scope]:
    """A scope over a store for the duration of a with-block."""
    with store.connect() as con:
        yield scope(con, selection or Selection(), zone=ZoneInfo("Europe/Helsinki"))
