"""Use cases: process-mining measures over a selection of the stored cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pandas as pd

from sujuva.analytics import cases, compare, deadlines, flow, lean, queues, value
from sujuva.analytics.scope import Scope, scope
from sujuva.analytics.selection import Selection
from sujuva.config import Settings, get_settings
from sujuva.store.store import Store

T = TypeVar("T")


def _run_many(
    selections: list[Selection], settings: Settings | None, measure: Callable[..., T]
) -> T:
    """Open the store once and call ``measure`` with one scope per selection."""
    settings = settings or get_settings()
    store = Store(settings.data_dir, threads=settings.threads)
    zone = ZoneInfo(settings.timezone)
    with store.connect() as con:
        return measure(*(scope(con, selection, zone=zone) for selection in selections))


def _run(selection: Selection, settings: Settings | None, measure: Callable[[Scope], T]) -> T:
    return _run_many([selection], settings, measure)


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


def lead_time(
    selection: Selection, *, data_cut: datetime | None = None, settings: Settings | None = None
) -> lean.LeadTime:
    """Kaplan–Meier lead time of the selected cases (open cases censored at the data cut)."""
    return _run(selection, settings, lambda s: lean.lead_time(s, data_cut=data_cut))


def bottlenecks(selection: Selection, *, settings: Settings | None = None) -> lean.Bottlenecks:
    """Transitions and steps ranked by their share of all waiting."""
    return _run(selection, settings, lean.bottlenecks)


def rework(selection: Selection, *, settings: Settings | None = None) -> lean.Rework:
    """Repeated steps, %C&A per step, rolled %C&A and first-time-through."""
    return _run(selection, settings, lean.rework)


def deadline_report(
    selection: Selection, *, rules_file: Path | None = None, settings: Settings | None = None
) -> deadlines.DeadlineReport:
    """How the statutory service-time rules (the default set, or ``rules_file``) were met."""
    settings = settings or get_settings()
    rules = deadlines.load_rules(rules_file)
    zone = settings.timezone
    return _run(selection, settings, lambda s: deadlines.deadlines(s, rules, zone=zone))


def value_report(
    selection: Selection, *, settings: Settings | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, value.DuplicateContacts]:
    """Customer-perceived value per step, waste candidates and duplicate contacts."""
    return _run(
        selection,
        settings,
        lambda s: (value.value_ratings(s), value.waste_candidates(s), value.duplicate_contacts(s)),
    )


def process_cycle_efficiency(
    selection: Selection, *, settings: Settings | None = None
) -> float | None:
    """Value-adding touch time over lead time of the selected closed cases."""
    return _run(selection, settings, value.process_cycle_efficiency)


def comparison(
    a: Selection,
    b: Selection,
    *,
    data_cut: datetime | None = None,
    settings: Settings | None = None,
) -> compare.Comparison:
    """Two selections side by side (periods or groups), with the map difference."""
    return _run_many([a, b], settings, lambda x, y: compare.compare(x, y, data_cut=data_cut))


def flow_check(
    selection: Selection, *, settings: Settings | None = None
) -> tuple[pd.DataFrame, queues.LittlesLaw | None, pd.DataFrame | None]:
    """Daily work in progress, a Little's law check, and the daily queue in front of the
    top bottleneck (None when nobody waits)."""
    settings = settings or get_settings()
    zone = settings.timezone

    def measure(s: Scope) -> tuple[pd.DataFrame, queues.LittlesLaw | None, pd.DataFrame | None]:
        wip = queues.daily_wip(s, zone=zone)
        per_case = lean.lead_times(s)
        check = queues.littles_law(wip, per_case.loc[per_case["closed"], "days"])
        top = lean.bottlenecks(s).transitions
        queue = None
        if len(top):
            first = top.iloc[0]
            queue = queues.transition_queue(
                s, source=str(first["source"]), target=str(first["target"]), zone=zone
            )
        return wip, check, queue

    return _run(selection, settings, measure)
