"""The dashboard services over the demo region: scoping, suppression, differencing, caching."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sujuva.analytics.selection import Selection
from sujuva.config import Settings, override_settings, reset_settings
from sujuva.errors import NotFoundError, PermissionDeniedError
from sujuva.services import analysis, cache, dashboard, overview
from sujuva.services.access import authorise
from sujuva.services.principal import Principal

COORDINATOR = Principal(user_id=1, username="c", role="coordinator", organisation=None)
Q2_2017 = (date(2017, 4, 1), date(2017, 7, 1))


@pytest.fixture
def demo(demo_region: Path) -> Iterator[Settings]:
    reset_settings()
    cache.clear()
    yield override_settings(data_dir=demo_region)
    reset_settings()


def analyst_of(settings: Settings, rank: int = 0) -> Principal:
    organisation = dashboard.organisations_by_activity(settings=settings)[rank]
    return Principal(user_id=2, username="a", role="analyst", organisation=organisation)


def _published_counts(view: dashboard.PathView) -> dict[str, pd.DataFrame]:
    return {name: getattr(view, name) for name in dashboard.TABLES}


def test_cross_organisation_tables_publish_no_small_cell(demo: Settings) -> None:
    k = demo.suppression_threshold
    for path in dashboard.paths(settings=demo):
        for start in overview.quarters(settings=demo)[::3]:
            view = dashboard.path_view(COORDINATOR, path=path, start=start, end=None, settings=demo)
            for name, table in _published_counts(view).items():
                spec = dashboard.TABLES[name]
                for column in (spec.count, *spec.extra_counts):
                    shown = table.loc[~table["suppressed"], column].astype(float)
                    assert ((shown == 0) | (shown >= k)).all(), (path, start, name, column)
                    hidden = table.loc[table["suppressed"], column]
                    assert hidden.isna().all(), (path, start, name, column)


def test_secondary_suppression_leaves_no_line_with_one_hidden_cell(demo: Settings) -> None:
    seen_hidden = 0
    for start in overview.quarters(settings=demo):
        view = dashboard.path_view(
            COORDINATOR, path="entrepreneur", start=start, end=None, settings=demo
        )
        matrix = view.handoffs
        seen_hidden += int(matrix["suppressed"].sum())
        for line in ("from_actor", "to_actor"):
            hidden = matrix.groupby(line)["suppressed"].sum()
            sizes = matrix.groupby(line).size()
            lonely = hidden[(hidden == 1) & (sizes > 1)]
            assert lonely.empty, f"{start} {line}: one hidden cell in {list(lonely.index)}"
    assert seen_hidden > 0, "the demo region should have small hand-off cells somewhere"


def test_published_cells_equal_the_exact_analysis(demo: Settings) -> None:
    view = dashboard.path_view(
        COORDINATOR, path="entrepreneur", start=Q2_2017[0], end=None, settings=demo
    )
    exact = analysis.handoffs(
        Selection(paths=("entrepreneur",), start_from=Q2_2017[0], start_to=Q2_2017[1]),
        settings=demo,
    ).matrix
    shown = view.handoffs[~view.handoffs["suppressed"]]
    merged = shown.merge(exact, on=["from_actor", "to_actor"], suffixes=("", "_exact"))
    assert len(merged) == len(shown)
    assert (merged["cases"].astype(int) == merged["cases_exact"]).all()


def test_analyst_cannot_difference_own_figures_from_all(demo: Settings) -> None:
    """What lies outside the analyst's own cases in any published cell is 0 or ≥ k."""
    k = demo.suppression_threshold
    analyst = analyst_of(demo, rank=1)
    every = dashboard.path_view(
        analyst, path="entrepreneur", start=Q2_2017[0], end=None, settings=demo
    )
    own = dashboard.path_view(
        analyst, path="entrepreneur", start=Q2_2017[0], end=Q2_2017[1], reach="own", settings=demo
    )
    for name in ("handoffs", "arcs", "variants"):
        spec = dashboard.TABLES[name]
        key = list(spec.key)
        shown = getattr(every, name)
        shown = shown[~shown["suppressed"]]
        mine = getattr(own, name)[[*key, "cases"]].rename(columns={"cases": "own"})
        rest = shown.merge(mine, on=key, how="left").fillna({"own": 0})
        outside = rest["cases"].astype(int) - rest["own"].astype(int)
        assert ((outside == 0) | (outside >= k)).all(), name


def test_periods_are_one_quarter_so_queries_never_partially_overlap(demo: Settings) -> None:
    grants = [
        authorise(COORDINATOR, Selection(paths=("graduate",), start_from=day), level="aggregate")
        for day in (date(2017, 4, 2), date(2017, 5, 1), date(2017, 6, 30))
    ]
    assert {(g.selection.start_from, g.selection.start_to) for g in grants} == {Q2_2017}


def test_viewer_sees_exact_figures_of_own_cases_only(demo: Settings) -> None:
    organisation = dashboard.organisations_by_activity(settings=demo)[2]
    viewer = Principal(user_id=3, username="v", role="viewer", organisation=organisation)
    view = dashboard.path_view(viewer, path="entrepreneur", start=None, end=None, settings=demo)
    exact = analysis.lead_time(
        Selection(paths=("entrepreneur",), owner=organisation), settings=demo
    )
    assert view.lead.cases == exact.cases
    assert not view.grant.suppress
    everyone = analysis.lead_time(Selection(paths=("entrepreneur",)), settings=demo)
    assert 0 < exact.cases < everyone.cases


def test_overview_trend_has_every_quarter(demo: Settings) -> None:
    summaries = overview.region_overview(COORDINATOR, settings=demo)
    grid = overview.quarters(settings=demo)
    assert [s.path for s in summaries] == dashboard.paths(settings=demo)
    for summary in summaries:
        assert list(summary.trend["quarter"]) == grid
        assert summary.latest_quarter in grid


def test_map_svg_leaves_suppressed_arcs_out(demo: Settings) -> None:
    view = dashboard.path_view(
        COORDINATOR, path="entrepreneur", start=Q2_2017[0], end=None, settings=demo
    )
    svg = dashboard.map_svg(
        COORDINATOR, path="entrepreneur", start=Q2_2017[0], end=None, settings=demo
    )
    assert svg.startswith("<svg")
    for row in view.activities[view.activities["suppressed"]].itertuples():
        assert f">{row.activity}<" not in svg


def test_unknown_path_is_not_found(demo: Settings) -> None:
    with pytest.raises(NotFoundError):
        dashboard.path_view(COORDINATOR, path="nope", start=Q2_2017[0], end=None, settings=demo)


def test_admin_sees_no_event_data(demo: Settings) -> None:
    admin = Principal(user_id=4, username="x", role="admin", organisation=None)
    with pytest.raises(PermissionDeniedError):
        overview.region_overview(admin, settings=demo)


def test_compare_two_quarters(demo: Settings) -> None:
    result = overview.compare_periods(
        COORDINATOR,
        path="entrepreneur",
        a=(date(2016, 4, 1), None),
        b=(date(2017, 4, 1), None),
        settings=demo,
    )
    assert result.a == (date(2016, 4, 1), date(2016, 7, 1))
    assert result.b == Q2_2017
    assert not result.arcs.empty
    change = result.arcs["wait_median_days_b"] - result.arcs["wait_median_days_a"]
    assert (change - result.arcs["change_days"]).abs().max() < 1e-9
