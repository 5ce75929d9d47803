"""Use cases of the dashboard and the REST API: each path's measures, scoped and published.

Every function takes the :class:`Principal` and goes through :func:`access.authorise`, so the
faces cannot forget the access rules. Raw results are cached per store generation and
selection; scoping and suppression are applied per request, which is cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import pandas as pd

from sujuva.analytics import mapdraw
from sujuva.analytics.flow import ProcessMap
from sujuva.analytics.lean import Bottlenecks, LeadTime
from sujuva.analytics.selection import Selection
from sujuva.config import Settings, get_settings
from sujuva.errors import NotFoundError
from sujuva.privacy.suppression import is_small
from sujuva.services import analysis, cache
from sujuva.services.access import Grant, Reach, authorise
from sujuva.services.principal import Principal
from sujuva.services.publish import publish, visible
from sujuva.store.store import Store

Label = Literal["frequency", "waiting"]


@dataclass(frozen=True, kw_only=True)
class LeadFigures:
    """Lead time of a selection: KM (open cases censored) beside the closed-only figures."""

    cases: int | None
    closed: int | None
    open: int | None
    km_median_days: float | None
    km_p90_days: float | None
    naive_median_days: float | None
    naive_p90_days: float | None
    curve: pd.DataFrame
    suppressed: bool


@dataclass(frozen=True, kw_only=True)
class PathView:
    """Everything the path page shows; tables carry a ``suppressed`` column."""

    path: str
    grant: Grant
    threshold: int
    lead: LeadFigures
    arcs: pd.DataFrame
    activities: pd.DataFrame
    bottlenecks: pd.DataFrame
    explanation: str | None
    handoffs: pd.DataFrame
    deadlines: pd.DataFrame
    deadlines_by_organisation: pd.DataFrame
    value: pd.DataFrame
    waste: pd.DataFrame
    variants: pd.DataFrame
    rework: pd.DataFrame


def paths(*, settings: Settings | None = None) -> list[str]:
    """The paths in the store, by name."""
    settings = settings or get_settings()

    def compute() -> list[str]:
        with Store(settings.data_dir, threads=settings.threads).connect() as con:
            return [str(r[0]) for r in con.execute("SELECT name FROM paths ORDER BY 1").fetchall()]

    return cache.cached(settings, "paths", compute)


def data_span(*, settings: Settings | None = None) -> tuple[date, date] | None:
    """First and last day with a case start in the store (local dates)."""
    settings = settings or get_settings()

    def compute() -> tuple[date, date] | None:
        with Store(settings.data_dir, threads=settings.threads).connect() as con:
            con.execute(f"SET TimeZone = '{settings.timezone}'")
            row = con.execute("SELECT min(first_ts)::DATE, max(first_ts)::DATE FROM cases")
            first, last = row.fetchall()[0]
        return None if first is None else (first, last)

    return cache.cached(settings, "span", compute)


def check_path(path: str, *, settings: Settings) -> None:
    if path not in paths(settings=settings):
        raise NotFoundError(f"no path named {path!r} in the store")


def _measure(settings: Settings, selection: Selection, name: str) -> object:
    """One raw analysis result, cached per generation and selection."""
    runners = {
        "map": lambda: analysis.process_map(selection, settings=settings),
        "lead": lambda: analysis.lead_time(selection, settings=settings),
        "bottlenecks": lambda: analysis.bottlenecks(selection, settings=settings),
        "handoffs": lambda: analysis.handoffs(selection, settings=settings),
        "deadlines": lambda: analysis.deadline_report(selection, settings=settings),
        "value": lambda: analysis.value_report(selection, settings=settings),
        "variants": lambda: analysis.variants(selection, top=None, settings=settings),
        "rework": lambda: analysis.rework(selection, settings=settings),
    }
    return cache.cached(settings, (name, selection_key(selection)), runners[name])


def selection_key(selection: Selection) -> tuple[object, ...]:
    """A hashable key for a selection (its ``where`` dict is not hashable)."""
    return (
        selection.paths,
        selection.start_from,
        selection.start_to,
        selection.actors,
        tuple(sorted(selection.where.items())),
        selection.outcomes,
        selection.status,
        selection.owner,
        selection.case_ids,
    )


@dataclass(frozen=True, kw_only=True)
class TableSpec:
    """How one page table is taken from a raw result and published."""

    measure: str
    pick: Callable[[Any], pd.DataFrame]
    key: tuple[str, ...]
    count: str
    dependent: tuple[str, ...] = ()
    lines: tuple[tuple[str, ...], ...] = ((),)
    extra_counts: tuple[str, ...] = ()


_VALUE_COLUMNS = ("mean_rating", "low_share", "nps", "events", "wait_median_s", "wait_total_s")
TABLES: dict[str, TableSpec] = {
    "handoffs": TableSpec(
        measure="handoffs",
        pick=lambda h: h.matrix,
        key=("from_actor", "to_actor"),
        count="cases",
        dependent=("handoffs", "wait_median_s", "wait_total_s"),
        lines=(("from_actor",), ("to_actor",)),
    ),
    "deadlines": TableSpec(
        measure="deadlines",
        pick=lambda d: d.summary[d.summary["cases"] > 0],
        key=("rule",),
        count="cases",
        dependent=("share_met",),
        lines=(),
        extra_counts=("met", "breaches"),
    ),
    "deadlines_by_organisation": TableSpec(
        measure="deadlines",
        pick=lambda d: d.by_organisation,
        key=("rule", "organisation"),
        count="cases",
        dependent=("share_met",),
        lines=(("rule",),),
    ),
    "value": TableSpec(
        measure="value",
        pick=lambda v: v[0],
        key=("activity",),
        count="ratings",
        dependent=_VALUE_COLUMNS,
        lines=(),
    ),
    "waste": TableSpec(
        measure="value",
        pick=lambda v: v[1],
        key=("activity",),
        count="ratings",
        dependent=_VALUE_COLUMNS,
        lines=(),
    ),
    "variants": TableSpec(
        measure="variants",
        pick=lambda v: v.table,
        key=("variant",),
        count="cases",
        dependent=("share", "events", "duration_median_s", "duration_mean_s"),
    ),
    "rework": TableSpec(
        measure="rework",
        pick=lambda r: r.steps,
        key=("activity",),
        count="cases",
        dependent=("rework_share", "complete_and_accurate"),
        lines=(),
        extra_counts=("rework_cases",),
    ),
    "arcs": TableSpec(
        measure="map",
        pick=lambda m: m.arcs,
        key=("source", "target"),
        count="cases",
        dependent=("frequency", "wait_mean_s", "wait_median_s", "wait_p90_s", "wait_total_s"),
        lines=(("source",), ("target",)),
    ),
    "activities": TableSpec(
        measure="map",
        pick=lambda m: m.activities,
        key=("activity",),
        count="cases",
        dependent=("frequency", "work_mean_s"),
        lines=(),
        extra_counts=("starts", "ends"),
    ),
}


def grant_for(
    principal: Principal,
    *,
    path: str,
    start: date | None,
    end: date | None,
    reach: Reach,
    settings: Settings,
) -> Grant:
    """Check the path exists and scope the request (see :mod:`sujuva.services.access`)."""
    check_path(path, settings=settings)
    selection = Selection(paths=(path,), start_from=start, start_to=end)
    return authorise(principal, selection, level="aggregate", reach=reach)


def table(name: str, grant: Grant, *, settings: Settings) -> pd.DataFrame:
    """One published table of a grant (see :data:`TABLES`)."""
    spec = TABLES[name]
    raw = spec.pick(_measure(settings, grant.selection, spec.measure))
    own = None
    if grant.own is not None:
        own = spec.pick(_measure(settings, grant.own, spec.measure))
    return publish(
        raw,
        key=spec.key,
        count=spec.count,
        threshold=settings.suppression_threshold,
        suppressed=grant.suppress,
        dependent=spec.dependent,
        lines=spec.lines,
        own=own,
        extra_counts=spec.extra_counts,
    )


def path_view(
    principal: Principal,
    *,
    path: str,
    start: date | None,
    end: date | None,
    reach: Reach = "all",
    settings: Settings | None = None,
) -> PathView:
    """The path page's measures for ``path`` and the period [start, end)."""
    settings = settings or get_settings()
    grant = grant_for(principal, path=path, start=start, end=end, reach=reach, settings=settings)
    tables = {name: table(name, grant, settings=settings) for name in TABLES}
    bottlenecks, explanation = _bottlenecks(grant, tables["arcs"], settings=settings)
    return PathView(
        path=path,
        grant=grant,
        threshold=settings.suppression_threshold,
        lead=lead_figures(grant, settings=settings),
        bottlenecks=bottlenecks,
        explanation=explanation,
        **tables,
    )


def lead_figures(grant: Grant, *, settings: Settings) -> LeadFigures:
    """Lead time of the grant's selection; withheld entirely when it describes few persons."""
    lead = _measure(settings, grant.selection, "lead")
    assert isinstance(lead, LeadTime)
    small = grant.suppress and (
        is_small(lead.cases, threshold=settings.suppression_threshold)
        or _own_rest_small(grant, lead.cases, settings=settings)
    )
    if small:
        empty = pd.DataFrame(columns=["days", "still_open", "lower", "upper"])
        return LeadFigures(
            cases=None,
            closed=None,
            open=None,
            km_median_days=None,
            km_p90_days=None,
            naive_median_days=None,
            naive_p90_days=None,
            curve=empty,
            suppressed=True,
        )
    return LeadFigures(
        cases=lead.cases,
        closed=lead.closed,
        open=lead.open,
        km_median_days=lead.km_median_days,
        km_p90_days=lead.km_p90_days,
        naive_median_days=lead.naive_median_days,
        naive_p90_days=lead.naive_p90_days,
        curve=lead.curve,
        suppressed=False,
    )


def _own_rest_small(grant: Grant, cases: int, *, settings: Settings) -> bool:
    if grant.own is None:
        return False
    own = _measure(settings, grant.own, "lead")
    assert isinstance(own, LeadTime)
    return is_small(cases - own.cases, threshold=settings.suppression_threshold)


def _bottlenecks(
    grant: Grant, arcs: pd.DataFrame, *, settings: Settings
) -> tuple[pd.DataFrame, str | None]:
    """Ranked waiting per transition; a transition is withheld with its map arc."""
    raw = _measure(settings, grant.selection, "bottlenecks")
    assert isinstance(raw, Bottlenecks)
    flags = arcs[["source", "target", "suppressed"]]
    ranked = raw.transitions.merge(flags, on=["source", "target"], how="left")
    ranked["suppressed"] = ranked["suppressed"].fillna(True).astype(bool)
    explanation = raw.explanation
    if len(ranked) and bool(ranked["suppressed"].iloc[0]):
        explanation = None
    return visible(ranked), explanation


def map_svg(
    principal: Principal,
    *,
    path: str,
    start: date | None,
    end: date | None,
    reach: Reach = "all",
    activity_coverage: float = 1.0,
    arc_coverage: float = 1.0,
    label: Label = "frequency",
    settings: Settings | None = None,
) -> str:
    """The published process map as SVG: suppressed arcs and steps are left out."""
    settings = settings or get_settings()
    grant = grant_for(principal, path=path, start=start, end=end, reach=reach, settings=settings)
    arcs = visible(table("arcs", grant, settings=settings))
    acts = visible(table("activities", grant, settings=settings))
    arcs = arcs[arcs["source"].isin(acts["activity"]) & arcs["target"].isin(acts["activity"])]
    published = ProcessMap(
        arcs=_plain(arcs.drop(columns="suppressed")),
        activities=_plain(acts.drop(columns="suppressed")),
    )
    return mapdraw.render_svg(
        published,
        activity_coverage=activity_coverage,
        arc_coverage=arc_coverage,
        label=label,
        title=path,
    )


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable columns back to plain numpy dtypes (every count here is published)."""
    out = frame.copy()
    for column in out.columns:
        kind = str(out[column].dtype)
        if kind == "Int64":
            out[column] = out[column].fillna(0).astype("int64")
        elif kind == "Float64":
            out[column] = out[column].astype("float64")
    return out


def store_empty(*, settings: Settings | None = None) -> bool:
    """Whether nothing has been imported yet."""
    settings = settings or get_settings()
    return Store(settings.data_dir, threads=settings.threads).is_empty


def organisations_by_activity(*, settings: Settings | None = None) -> list[str]:
    """Organisations (actor names) in the event data, the busiest first."""
    settings = settings or get_settings()
    with Store(settings.data_dir, threads=settings.threads).connect() as con:
        rows = con.execute(
            "SELECT a.name FROM events e JOIN actors a ON a.code = e.actor_code "
            "GROUP BY a.name ORDER BY count(*) DESC, a.name"
        ).fetchall()
    return [str(row[0]) for row in rows]


def case_attributes(*, settings: Settings | None = None) -> list[str]:
    """The case attributes (``case:…`` columns) the store holds, by name."""
    settings = settings or get_settings()

    def compute() -> list[str]:
        with Store(settings.data_dir, threads=settings.threads).connect() as con:
            columns = [str(r[0]) for r in con.execute("DESCRIBE cases").fetchall()]
        return sorted(c for c in columns if c.startswith("case:"))

    return cache.cached(settings, "case-attributes", compute)
