"""The lean analytics recover the demo region's known ground truth."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sujuva.analytics import lean
from sujuva.analytics.selection import Selection
from sujuva.config import Settings, override_settings, reset_settings
from sujuva.services.demo import build_demo
from sujuva.store.store import Store
from tests.analytics.conftest import scoped

PATHS = ("entrepreneur", "graduate", "job_search", "work_to_work")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("demo")
    reset_settings()
    settings: Settings = override_settings(data_dir=folder / "data", demo_dir=folder / "demo")
    result = build_demo(size="small", seed=2017, settings=settings)
    yield Store(settings.data_dir), result.ground_truth
    reset_settings()


@pytest.mark.parametrize("path", PATHS)
def test_kaplan_meier_median_recovers_the_true_lead_time(
    demo: tuple[Store, dict[str, Any]], path: str
) -> None:
    store, truth = demo
    cut = datetime.fromisoformat(truth["data_cut"])
    with scoped(store, Selection(paths=(path,))) as scope:
        found = lean.lead_time(scope, data_cut=cut)
    true_median = truth["paths"][path]["true_median_lead_time_days"]
    assert found.open == truth["paths"][path]["open_cases"]
    assert found.km_median_days is not None
    assert found.km_median_days == pytest.approx(true_median, rel=0.05)
    assert found.naive_median_days is not None and found.naive_median_days < found.km_median_days
    curve = found.curve["still_open"]
    assert ((curve >= 0) & (curve <= 1)).all() and (curve.diff().dropna() <= 1e-12).all()
    from lifelines import KaplanMeierFitter

    with scoped(store, Selection(paths=(path,))) as scope:
        per_case = lean.lead_times(scope, data_cut=cut)
    reference = KaplanMeierFitter().fit(per_case["days"].clip(lower=0), per_case["closed"])
    assert found.km_median_days == pytest.approx(reference.median_survival_time_, abs=1 / 24)


def test_censoring_matters_most_where_cases_stay_open(demo: tuple[Store, dict[str, Any]]) -> None:
    store, truth = demo
    cut = datetime.fromisoformat(truth["data_cut"])
    with scoped(store, Selection(paths=("job_search",))) as scope:
        found = lean.lead_time(scope, data_cut=cut)
    assert found.km_median_days is not None and found.naive_median_days is not None
    assert found.km_median_days - found.naive_median_days > 10  # the naive figure hides weeks


@pytest.mark.parametrize("path", PATHS)
def test_injected_bottleneck_ranks_first(demo: tuple[Store, dict[str, Any]], path: str) -> None:
    store, truth = demo
    with scoped(store, Selection(paths=(path,))) as scope:
        found = lean.bottlenecks(scope)
    expected = truth["paths"][path]["bottleneck"]
    first = found.transitions.iloc[0]
    assert (first["source"], first["target"]) == (expected["from"], expected["to"])
    assert first["share"] == pytest.approx(expected["waiting_share"], abs=0.01)
    assert found.explanation is not None
    assert f"between {expected['from']} and {expected['to']}" in found.explanation


def test_injected_rework_is_found(demo: tuple[Store, dict[str, Any]]) -> None:
    store, truth = demo
    for injected in truth["rework"]:
        with scoped(store, Selection(paths=(injected["path"],))) as scope:
            found = lean.rework(scope)
        step = found.steps.set_index("activity").loc[injected["activity"]]
        assert step["rework_share"] == pytest.approx(injected["share_of_cases"], abs=1e-9)
        assert step["rework_cases"] == injected["cases_with_rework"]
        reworked = set(found.steps.loc[found.steps["rework_share"] > 0.05, "activity"])
        assert injected["activity"] in reworked and reworked <= set(injected["loop"])
        assert found.first_time_through is not None and 0 < found.first_time_through < 1


def test_lead_time_of_an_empty_selection(
    demo: tuple[Store, dict[str, Any]], tmp_path: Path
) -> None:
    store, _ = demo
    with scoped(store, Selection(paths=("no such path",))) as scope:
        found = lean.lead_time(scope)
    assert (found.cases, found.km_median_days, found.naive_median_days) == (0, None, None)


def test_deadline_breach_shares_match_the_generator(demo: tuple[Store, dict[str, Any]]) -> None:
    from sujuva.analytics import deadlines

    store, truth = demo
    rules = {rule.id: rule for rule in deadlines.load_rules()}
    for expected in truth["deadlines"]:
        rule = rules[expected["rule_id"]]
        assert (rule.from_activity, rule.to_activity, rule.limit, rule.unit) == (
            expected["from_activity"],
            expected["to_activity"],
            expected["limit"],
            expected["unit"],
        )
        with scoped(store) as scope:
            report = deadlines.deadlines(scope, [rule], zone="Europe/Helsinki")
        row = report.summary.iloc[0]
        assert row["cases"] == expected["cases_in_scope"]
        assert 1 - row["share_met"] == pytest.approx(expected["breach_share"], abs=0.01)
        assert len(report.breaches) == row["breaches"]
        assert report.by_month["cases"].sum() == row["cases"]


def test_value_ratings_equal_the_generator_and_waste_is_flagged(
    demo: tuple[Store, dict[str, Any]],
) -> None:
    from sujuva.analytics import value

    store, truth = demo
    with scoped(store) as scope:
        ratings = value.value_ratings(scope)
        candidates = value.waste_candidates(scope)
    found = {(r.path, r.activity): r.mean_rating for r in ratings.itertuples()}
    for path, steps in truth["value_ratings"].items():
        for activity, mean in steps.items():
            assert found[(path, activity)] == pytest.approx(mean, abs=1e-9)
    wasteful = set(zip(candidates["path"], candidates["activity"], strict=True))
    assert ("work_to_work", "Skills survey") in wasteful
    assert ("job_search", "Municipal interview") in wasteful
    assert (candidates["mean_rating"] < 3).all() or (candidates["value_class"] == "waste").all()


def test_injected_duplicate_contacts_are_found(demo: tuple[Store, dict[str, Any]]) -> None:
    from sujuva.analytics import value

    store, truth = demo
    with scoped(store) as scope:
        pairs = value.duplicate_contacts(scope).pairs
    for injected in truth["duplicate_contact"]:
        first, second = injected["steps"]
        match = pairs[
            (pairs["path"] == injected["path"])
            & (pairs["first_activity"] == first["activity"])
            & (pairs["second_activity"] == second["activity"])
        ]  # the generator counts the step whoever ran it (Joensuu or Lieksa interviews)
        assert int(match["cases"].sum()) == injected["cases"]


def test_process_cycle_efficiency_is_a_share(demo: tuple[Store, dict[str, Any]]) -> None:
    from sujuva.analytics import value

    store, _ = demo
    with scoped(store, Selection(paths=("entrepreneur",))) as scope:
        pce = value.process_cycle_efficiency(scope)
    assert pce is not None and 0 < pce < 0.05  # hours of work in months of waiting


def test_comparison_shows_the_effective_pilot_and_not_the_null_one(
    demo: tuple[Store, dict[str, Any]],
) -> None:
    from datetime import date

    from sujuva.analytics import compare

    store, truth = demo
    cut = datetime.fromisoformat(truth["data_cut"])
    pilot = next(p for p in truth["pilots"] if p["true_effect_days"] < 0)
    start = date.fromisoformat(pilot["start"])
    where = {key: (value,) for key, value in pilot["group"].items()}
    before = Selection(paths=(pilot["path"],), where=where, start_to=start)
    after = Selection(paths=(pilot["path"],), where=where, start_from=start)
    with scoped(store, before) as a, scoped(store, after) as b:
        result = compare.compare(a, b, data_cut=cut)
    measures = result.measures.set_index("measure")
    assert measures.loc["lead time median, days (Kaplan-Meier)", "difference"] < -5
    changed = result.arcs.set_index(["source", "target"])
    assert changed.loc[(pilot["outcome_from"], "Business plan and calculations"), "change"] in {
        "same",
        "faster",
        "slower",
    }
    assert set(result.arcs["change"]) <= {"appeared", "disappeared", "slower", "faster", "same"}


def test_work_in_progress_and_littles_law(demo: tuple[Store, dict[str, Any]]) -> None:
    from sujuva.analytics import queues

    store, truth = demo
    for path in PATHS:
        with scoped(store, Selection(paths=(path,))) as scope:
            wip = queues.daily_wip(scope, zone="Europe/Helsinki")
            per_case = lean.lead_times(scope)
            bottleneck = truth["paths"][path]["bottleneck"]
            queue = queues.transition_queue(
                scope, source=bottleneck["from"], target=bottleneck["to"], zone="Europe/Helsinki"
            )
        assert (wip["wip"] >= 0).all() and (queue["queue"] >= 0).all()
        assert int(wip["wip"].iloc[-1]) == truth["paths"][path]["open_cases"]
        assert int(wip["started"].sum()) == truth["paths"][path]["cases"]
        check = queues.littles_law(wip, per_case.loc[per_case["closed"], "days"])
        assert check is not None and 0.8 < check.ratio < 1.25, (path, check)
