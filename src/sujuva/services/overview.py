"""Use cases of the region overview and of period comparison, scoped and published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from sujuva.config import Settings, get_settings
from sujuva.services import dashboard
from sujuva.services.access import Grant, Reach, quarter_of
from sujuva.services.dashboard import LeadFigures
from sujuva.services.principal import Principal
from sujuva.services.publish import visible


@dataclass(frozen=True, kw_only=True)
class PathSummary:
    """One path on the overview.

    ``trend``: quarter (first day), cases, km_median_days, naive_median_days, suppressed —
    one row per calendar quarter in which cases started. ``deadline_share_met`` is over the
    latest quarter's published deadline cells (None when nothing could be published).
    """

    path: str
    trend: pd.DataFrame
    latest_quarter: date
    deadline_share_met: float | None
    latest: LeadFigures


def quarters(*, settings: Settings | None = None) -> list[date]:
    """First days of every calendar quarter with case starts in the store, oldest first."""
    settings = settings or get_settings()
    span = dashboard.data_span(settings=settings)
    if span is None:
        return []
    days, current = [], quarter_of(span[0])[0]
    while current <= span[1]:
        days.append(current)
        current = quarter_of(current)[1]
    return days


def latest_complete_quarter(*, settings: Settings | None = None) -> date | None:
    """The last quarter that the data covers to its end (else the last quarter there is)."""
    settings = settings or get_settings()
    grid = quarters(settings=settings)
    span = dashboard.data_span(settings=settings)
    if not grid or span is None:
        return None
    complete = [q for q in grid if quarter_of(q)[1] <= span[1]]
    return complete[-1] if complete else grid[-1]


def region_overview(
    principal: Principal, *, reach: Reach = "all", settings: Settings | None = None
) -> list[PathSummary]:
    """Each path's quarterly lead-time trend, its latest quarter and deadline share met."""
    settings = settings or get_settings()
    grid = quarters(settings=settings)
    latest = latest_complete_quarter(settings=settings)
    if latest is None:
        return []
    return [
        _summary(principal, path, grid, latest, reach, settings)
        for path in dashboard.paths(settings=settings)
    ]


def _summary(
    principal: Principal,
    path: str,
    grid: list[date],
    latest: date,
    reach: Reach,
    settings: Settings,
) -> PathSummary:
    rows = []
    for first in grid:
        end = quarter_of(first)[1]
        grant = dashboard.grant_for(
            principal, path=path, start=first, end=end, reach=reach, settings=settings
        )
        figures = dashboard.lead_figures(grant, settings=settings)
        rows.append(
            {
                "quarter": first,
                "cases": figures.cases,
                "km_median_days": figures.km_median_days,
                "naive_median_days": figures.naive_median_days,
                "suppressed": figures.suppressed,
            }
        )
    grant = dashboard.grant_for(
        principal,
        path=path,
        start=latest,
        end=quarter_of(latest)[1],
        reach=reach,
        settings=settings,
    )
    return PathSummary(
        path=path,
        trend=pd.DataFrame(rows),
        latest_quarter=latest,
        deadline_share_met=_deadline_share(grant, settings),
        latest=dashboard.lead_figures(grant, settings=settings),
    )


def _deadline_share(grant: Grant, settings: Settings) -> float | None:
    table = visible(dashboard.table("deadlines", grant, settings=settings))
    judged = float(table["cases"].sum()) if len(table) else 0.0
    return float(table["met"].sum()) / judged if judged else None


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """Two periods of one path side by side.

    ``arcs``: source, target, cases_a, cases_b, wait_median_days_a, wait_median_days_b,
    change_days (b − a), over arcs published in both periods.
    """

    path: str
    a: tuple[date | None, date | None]
    b: tuple[date | None, date | None]
    lead_a: LeadFigures
    lead_b: LeadFigures
    arcs: pd.DataFrame


def compare_periods(
    principal: Principal,
    *,
    path: str,
    a: tuple[date | None, date | None],
    b: tuple[date | None, date | None],
    reach: Reach = "all",
    settings: Settings | None = None,
) -> Comparison:
    """Lead time and waiting per arc in two periods (e.g. this spring against last spring)."""
    settings = settings or get_settings()
    grants = [
        dashboard.grant_for(
            principal, path=path, start=start, end=end, reach=reach, settings=settings
        )
        for start, end in (a, b)
    ]
    arcs = [visible(dashboard.table("arcs", g, settings=settings)) for g in grants]
    keep = ["source", "target", "cases", "wait_median_s"]
    both = arcs[0][keep].merge(arcs[1][keep], on=["source", "target"], suffixes=("_a", "_b"))
    for side in ("a", "b"):
        both[f"wait_median_days_{side}"] = both.pop(f"wait_median_s_{side}").astype(float) / 86400
    both["change_days"] = both["wait_median_days_b"] - both["wait_median_days_a"]
    both = both.sort_values("change_days", key=lambda s: s.abs(), ascending=False)
    return Comparison(
        path=path,
        a=(grants[0].selection.start_from, grants[0].selection.start_to),
        b=(grants[1].selection.start_from, grants[1].selection.start_to),
        lead_a=dashboard.lead_figures(grants[0], settings=settings),
        lead_b=dashboard.lead_figures(grants[1], settings=settings),
        arcs=both.reset_index(drop=True),
    )
