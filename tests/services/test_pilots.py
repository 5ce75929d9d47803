"""Pilots on the demo region: the known effective pilot and the null pilot, bad input, rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sujuva.config import Settings, override_settings, reset_settings
from sujuva.errors import ConflictError, PermissionDeniedError, UsageError
from sujuva.services import cache, pilots
from sujuva.services.pilot_records import PilotDefinition, PilotGroup
from sujuva.services.principal import Principal
from sujuva.store.appdb import dispose_engine, upgrade_database
from sujuva.store.store import Store

COORDINATOR = Principal(user_id=0, username="c", role="coordinator", organisation=None)
ONE_STOP = "One-stop shop for starting entrepreneurs in Joensuu"
GUIDANCE = "Group career guidance at Karelia UAS"


@pytest.fixture
def demo(demo_region: Path, tmp_path: Path) -> Iterator[Settings]:
    reset_settings()
    cache.clear()
    settings = override_settings(
        data_dir=demo_region,
        demo_dir=demo_region.parent / "files",
        database_url=f"sqlite:///{tmp_path / 'app.sqlite'}",
    )
    upgrade_database(settings=settings)
    yield settings
    dispose_engine(settings=settings)
    reset_settings()


def _truth(settings: Settings, name: str) -> dict[str, object]:
    truth = json.loads((settings.demo_dir / "ground_truth.json").read_text())
    return next(p for p in truth["pilots"] if p["name"] == name)


def _id(settings: Settings, name: str) -> int:
    return next(
        p.id
        for p in pilots.list_pilots(COORDINATOR, settings=settings)
        if p.definition.name == name
    )


def test_demo_pilots_are_registered_once(demo: Settings) -> None:
    first = pilots.ensure_demo_pilots(settings=demo)
    again = pilots.ensure_demo_pilots(settings=demo)
    assert len(first) == 2 and first == again


def test_effective_pilot_interval_covers_the_true_effect(demo: Settings) -> None:
    pilots.ensure_demo_pilots(settings=demo)
    truth = _truth(demo, ONE_STOP)
    result = pilots.evaluate(COORDINATOR, _id(demo, ONE_STOP), settings=demo)
    estimate = result.evaluation.median_difference
    assert estimate.low <= float(truth["true_effect_days"]) <= estimate.high  # type: ignore[arg-type]
    assert result.evaluation.verdict.kind == "shorter"
    assert "Start-up grant decision" in result.evaluation.verdict.text["en"]
    assert result.evaluation.did is not None  # "both": earlier periods give a DiD
    assert result.evaluation.pilot.n == truth["cases_in_pilot"]


def test_null_pilot_is_no_detectable_change(demo: Settings) -> None:
    pilots.ensure_demo_pilots(settings=demo)
    result = pilots.evaluate(COORDINATOR, _id(demo, GUIDANCE), settings=demo)
    assert result.evaluation.verdict.kind == "no_detectable_change"
    assert "no detectable change" in result.evaluation.verdict.text["en"].lower()
    assert result.evaluation.pilot.n == _truth(demo, GUIDANCE)["cases_in_pilot"]


def test_outcome_times_match_an_independent_computation(demo: Settings) -> None:
    """Days from the first counselling to the first decision after it, from the raw events."""
    pilots.ensure_demo_pilots(settings=demo)
    definition = pilots.get(COORDINATOR, _id(demo, ONE_STOP), settings=demo).definition
    data = pilots.pilot_data(definition, settings=demo).set_index("case_id")
    events = Store(demo.data_dir).to_arrow().to_pandas()
    events = events[events["path"] == "entrepreneur"]
    start = (
        events[events["activity"] == definition.outcome_from].groupby("case_id")["timestamp"].min()
    )
    decided = events[events["activity"] == definition.outcome_to].merge(
        start.rename("clock"), left_on="case_id", right_index=True
    )
    decided = (
        decided[decided["timestamp"] >= decided["clock"]]
        .groupby("case_id")
        .agg(reached=("timestamp", "min"), clock=("clock", "first"))
    )
    expected = (decided["reached"] - decided["clock"]).dt.total_seconds() / 86400
    reached = data[data["event"] == 1]
    common = reached.index.intersection(expected.index)
    assert len(common) == len(reached) > 500
    assert (reached.loc[common, "days"] - expected.loc[common]).abs().max() < 1e-6


def _definition(**changes: object) -> PilotDefinition:
    base = PilotDefinition(
        name="Test pilot",
        path="entrepreneur",
        start=date(2017, 6, 1),
        outcome_from="Business-idea counselling",
        outcome_to="Start-up grant decision",
        group=PilotGroup(where={"case:municipality": ("Joensuu",)}),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"group": PilotGroup()}, "group is empty"),
        ({"start": date(2030, 1, 1)}, "outside the data"),
        ({"start": date(2010, 1, 1)}, "outside the data"),
        ({"outcome_to": "Nonexistent step"}, "no step"),
        ({"group": PilotGroup(where={"case:municipality": ("Atlantis",)})}, "no cases"),
        (
            {"outcome_from": "First-year follow-up", "outcome_to": "Business-idea counselling"},
            "never observed",
        ),
        ({"end": date(2017, 1, 1)}, "before it starts"),
        ({"group": PilotGroup(where={"case:nonsense": ("x",)})}, "unknown case attribute"),
    ],
)
def test_bad_pilots_get_clear_messages(
    demo: Settings, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        pilots.create(COORDINATOR, _definition(**changes), settings=demo)


def test_names_are_unique(demo: Settings) -> None:
    pilots.create(COORDINATOR, _definition(), settings=demo)
    with pytest.raises(ConflictError):
        pilots.create(COORDINATOR, _definition(), settings=demo)


@pytest.mark.parametrize("role", ["viewer", "admin"])
def test_only_coordinators_and_analysts_evaluate(demo: Settings, role: str) -> None:
    pilot_id = pilots.create(COORDINATOR, _definition(), settings=demo)
    who = Principal(
        user_id=0, username="x", role=role, organisation="PRH" if role == "viewer" else None
    )  # type: ignore[arg-type]
    with pytest.raises(PermissionDeniedError):
        pilots.evaluate(who, pilot_id, settings=demo)


def test_case_lists_name_own_cases_only(demo: Settings) -> None:
    analyst = Principal(user_id=0, username="a", role="analyst", organisation="PRH")
    foreign = _definition(group=PilotGroup(case_ids=("GRD-000001", "GRD-000002")))
    with pytest.raises(PermissionDeniedError, match="not your organisation"):
        pilots.create(analyst, foreign, settings=demo)
    with pytest.raises(PermissionDeniedError):
        pilots.create(COORDINATOR, foreign, settings=demo)


def test_live_counts_suppress_small_groups(demo: Settings) -> None:
    counts = pilots.group_counts(COORDINATOR, _definition(), settings=demo)
    assert counts["pilot_post"] and counts["pilot_post"] > 100
    tiny = _definition(
        group=PilotGroup(
            where={"case:municipality": ("Joensuu",), "case:age_group": ("55+",)},
            organisations=("Finnvera",),
        )
    )
    small = pilots.group_counts(COORDINATOR, tiny, settings=demo)
    assert all(v is None or v == 0 or v >= demo.suppression_threshold for v in small.values())


def test_curves_stop_before_few_remain(demo: Settings) -> None:
    pilots.ensure_demo_pilots(settings=demo)
    result = pilots.evaluate(COORDINATOR, _id(demo, ONE_STOP), settings=demo)
    data = pilots.pilot_data(result.pilot.definition, settings=demo)
    post = data[data["period"] == "post"]
    for group, curve in result.curves.groupby("group"):
        days = post.loc[post["group"] == group, "days"]
        at_risk = int((days >= float(curve["days"].max())).sum())
        assert at_risk >= demo.suppression_threshold, group
    assert isinstance(result.secondary, pd.DataFrame) and len(result.secondary) == 4
