"""The jobs target and the observed network as services: rules, suppression, no double counting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from sujuva.config import Settings, override_settings, reset_settings
from sujuva.errors import PermissionDeniedError, UsageError
from sujuva.services import cache, members, network, pilots, targets
from sujuva.services.principal import Principal
from sujuva.store.appdb import dispose_engine, upgrade_database

COORDINATOR = Principal(user_id=0, username="co", role="coordinator", organisation=None)
ADMIN = Principal(user_id=0, username="ad", role="admin", organisation=None)
Q3 = date(2018, 7, 1)


@pytest.fixture
def demo(demo_region: Path, tmp_path: Path) -> Iterator[Settings]:
    reset_settings()
    cache.clear()
    settings = override_settings(
        data_dir=demo_region,
        demo_dir=tmp_path / "files",
        database_url=f"sqlite:///{tmp_path / 'app.sqlite'}",
    )
    upgrade_database(settings=settings)
    yield settings
    dispose_engine(settings=settings)
    reset_settings()


def test_default_target_and_effect_are_the_sources(demo: Settings) -> None:
    target, _ = targets.current_target(settings=demo)
    assert target.jobs == 1000 and target.share == pytest.approx(0.017)
    effect = targets.impact_of(1000, settings=demo)
    assert effect.direct_eur == pytest.approx(150e6)
    assert effect.total_eur == pytest.approx(220.5e6)
    assert "1 000 × 150 000 €" in effect.explanation[0].formula


def test_demo_jobs_are_counted_once(demo: Settings) -> None:
    derived = targets.derived_jobs(settings=demo)
    imported = targets.ensure_demo_jobs(settings=demo)
    assert imported > 0 and targets.ensure_demo_jobs(settings=demo) == 0
    merged = targets.all_jobs(settings=demo)
    placements = int((merged.records["type"] == "placement").sum())
    assert len(merged.records) == len(derived) + placements
    assert merged.dropped_total == imported - placements


def test_derived_jobs_follow_the_paths(demo: Settings) -> None:
    derived = targets.derived_jobs(settings=demo)
    from sujuva.store.store import Store

    with Store(demo.data_dir).connect() as con:
        # one person, one firm: an entrepreneur-path case ending so is a firm; a job seeker's
        # or graduate's case ending as entrepreneur only when that customer has no such case
        enterprises = con.execute(
            "WITH e AS (SELECT c.customer_id, p.name AS path FROM cases c "
            "JOIN paths p ON p.code = c.path_code WHERE c.outcome = 'entrepreneur') "
            "SELECT (SELECT count(*) FROM e WHERE path = 'entrepreneur') + "
            "(SELECT count(DISTINCT customer_id) FROM e WHERE customer_id NOT IN "
            "(SELECT customer_id FROM e WHERE path = 'entrepreneur'))"
        ).fetchall()[0][0]
        everyone = con.execute(
            "SELECT count(*) FROM cases WHERE outcome = 'entrepreneur'"
        ).fetchall()[0][0]
    assert int((derived["type"] == "new_enterprise").sum()) == enterprises < everyone
    assert set(derived["source"]) == {"derived"}


def test_pilot_jobs_are_credited(demo: Settings) -> None:
    pilots.ensure_demo_pilots(
        settings=demo.model_copy(update={"demo_dir": demo.data_dir.parent / "files"})
    )
    cache.clear()
    derived = targets.derived_jobs(settings=demo)
    assert (derived["pilot"] == "One-stop shop for starting entrepreneurs in Joensuu").sum() > 50


def test_target_view_suppresses_small_organisations(demo: Settings) -> None:
    targets.ensure_demo_jobs(settings=demo)
    view = targets.target_view(COORDINATOR, settings=demo)
    shown = view.by_organisation[~view.by_organisation["suppressed"]]
    assert (shown["records"].astype(float) >= demo.suppression_threshold).all()
    assert view.progress.cumulative > 0
    with pytest.raises(PermissionDeniedError):
        targets.target_view(ADMIN, settings=demo)


def test_viewer_sees_own_jobs_only(demo: Settings) -> None:
    viewer = Principal(user_id=0, username="v", role="viewer", organisation="Employer")
    view = targets.target_view(viewer, settings=demo)
    organisations = set(view.by_organisation["organisation"])
    assert organisations <= {"Employer"}
    assert view.own_only


def test_only_the_coordinator_sets_the_target(demo: Settings) -> None:
    analyst = Principal(user_id=0, username="a", role="analyst", organisation="PRH")
    with pytest.raises(PermissionDeniedError):
        targets.save_target(
            analyst,
            jobs=10,
            baseline_jobs=None,
            start=date(2017, 1, 1),
            horizon=date(2019, 1, 1),
            sub_targets={},
            euro_per_job=1,
            multiplier=1.2,
            settings=demo,
        )
    targets.save_target(
        COORDINATOR,
        jobs=500,
        baseline_jobs=None,
        start=date(2017, 1, 1),
        horizon=date(2019, 1, 1),
        sub_targets={"wellbeing": 200.0},
        euro_per_job=100_000,
        multiplier=1.3,
        settings=demo,
    )
    target, _ = targets.current_target(settings=demo)
    assert target.jobs == 500
    assert targets.impact_of(10, settings=demo).total_eur == pytest.approx(1.3e6)
    with pytest.raises(UsageError):
        targets.save_target(
            COORDINATOR,
            jobs=500,
            baseline_jobs=None,
            start=date(2019, 1, 1),
            horizon=date(2017, 1, 1),
            sub_targets={},
            euro_per_job=1,
            multiplier=1.3,
            settings=demo,
        )


def test_bad_io_table_is_refused_and_nothing_kept(demo: Settings) -> None:
    bad = b"sector,a,b,total_output\na,1,-2,10\nb,1,1,10\n"
    with pytest.raises(UsageError):
        targets.save_io_table(COORDINATOR, bad, settings=demo)
    assert not (demo.data_dir / targets.IO_FILE).exists()


def test_job_records_with_unknown_codes_are_refused(demo: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "jobs.csv"
    bad.write_text("date,type,organisation,tol_code\n2018-01-05,placement,PRH,34\n")
    with pytest.raises(UsageError, match="line 2"):
        targets.import_jobs(COORDINATOR, bad, settings=demo)


def test_network_hides_small_links_across_organisations(demo: Settings) -> None:
    members.ensure_demo_members(settings=demo)
    view = network.network_view(COORDINATOR, start=Q3, settings=demo)
    shown = view.edges[~view.edges["suppressed"]]
    assert (shown["shared_customers"].astype(float) >= demo.suppression_threshold).all()
    assert view.hidden_edges == int(view.edges["suppressed"].sum())
    drawn = {str(n) for n in view.measures.graph.nodes}
    assert "TE Office" in drawn
    assert "<svg" in view.svg
    declared = view.declared.set_index("organisation")
    assert declared.loc["TE Office", "declared"] == "core"
    with pytest.raises(PermissionDeniedError):
        network.network_view(ADMIN, start=Q3, settings=demo)


def test_viewer_network_is_their_own_customers(demo: Settings) -> None:
    viewer = Principal(user_id=0, username="v", role="viewer", organisation="PRH")
    view = network.network_view(viewer, start=None, settings=demo)
    assert not view.grant.suppress
    cases = view.nodes.set_index("organisation")["cases"].astype(int)
    assert cases["PRH"] == cases.max() == view.cases  # PRH took part in every case it sees
