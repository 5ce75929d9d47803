"""Use cases: process-mining measures over a selection of the stored cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from zoneinfo import ZoneInfo

from sujuva.analytics import cases, flow
from sujuva.analytics.scope import Scope, scope
from sujuva.analytics.selection import Selection
from sujuva.config import Settings, get_settings
from sujuva.store.store import Store

T = TypeVar("T")


def _run(selection: Selection, settings: Settings | None, measure: Callable[[Scope], T]) -> T:
    settings = settings or get_settings()
    store = Store(settings.data_dir, threads=settings.threads)
    with store.connect() as con:
        return measure(scope(con, selection, zone=ZoneInfo(settings.timezone)))


def process_map(selection: Selection, *, settings: Settings | None = None) -> flow.ProcessMap:
    """The directly-follows map of the selected cases."""
    return _run(selection, settings, flow.process_map)


def variants(
    selection: Selection, *, top: int | None = None, settings: Settings | None = None
) -> cases.Variants:
    """The selected cases' variants, most frequent first (``top`` keeps the first N)."""
    return _run(selection, settings, lambda s: cases.variants(s, top=top))


def handoffs(selection: Selection, *, settings: Settings | None = None) -> cases.Handoffs:
    """Organisation hand-offs of the selected cases."""
    return _run(selection, settings, cases.handoffs)
