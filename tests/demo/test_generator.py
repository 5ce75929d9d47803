"""Tests of the demo region generator: shape, determinism and ground truth recomputed
independently from the published tables with pandas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import holidays
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from sujuva.demo import SIZES, DemoRegion, generate_region, write_region
from sujuva.errors import UsageError

UTC = pa.timestamp("us", tz="UTC")
EXPECTED_SCHEMA = [
    ("case_id", pa.string()),
    ("customer_id", pa.string()),
    ("path", pa.string()),
    ("activity", pa.string()),
    ("actor", pa.string()),
    ("timestamp", UTC),
    ("start_timestamp", UTC),
    ("resource", pa.string()),
    ("channel", pa.string()),
    ("outcome", pa.string()),
    ("rating", pa.int8()),
    ("case:age_group", pa.string()),
    ("case:education", pa.string()),
    ("case:municipality", pa.string()),
    ("case:sector", pa.string()),
]
PATHS = ("entrepreneur", "graduate", "job_search", "work_to_work")
DAY_S = 86_400.0


@pytest.fixture(scope="module")
def region() -> DemoRegion:
    return generate_region(seed=2017, size="small")


@pytest.fixture(scope="module")
def events(region: DemoRegion) -> pd.DataFrame:
    df = region.events.to_pandas()
    df["begin"] = df["start_timestamp"].where(df["start_timestamp"].notna(), df["timestamp"])
    return df


@pytest.fixture(scope="module")
def truth(region: DemoRegion) -> dict[str, Any]:
    return region.ground_truth


@pytest.fixture(scope="module")
def cases(events: pd.DataFrame) -> pd.DataFrame:
    grouped = events.groupby("case_id", sort=False)
    return pd.DataFrame(
        {
            "path": grouped["path"].first(),
            "begin": grouped["begin"].first(),
            "last": grouped["timestamp"].last(),
            "closed": grouped["outcome"].count() > 0,
            "municipality": grouped["case:municipality"].first(),
            "education": grouped["case:education"].first(),
        }
    )


def cut(truth: dict[str, Any]) -> pd.Timestamp:
    return pd.Timestamp(truth["data_cut"]).tz_convert("UTC")


# --- shape -------------------------------------------------------------------------------------


def test_schema_is_exact(region: DemoRegion) -> None:
    assert [(f.name, f.type) for f in region.events.schema] == EXPECTED_SCHEMA


def test_size_small_is_about_150k(region: DemoRegion) -> None:
    assert abs(region.events.num_rows - SIZES["small"]) <= 0.1 * SIZES["small"]


def test_events_argument_overrides_size() -> None:
    small = generate_region(seed=5, size="large", events=20_000)
    assert abs(small.events.num_rows - 20_000) <= 2_000


@pytest.mark.parametrize("kwargs", [{"size": "huge"}, {"events": 10}, {"events": -5}])
def test_bad_size_is_a_usage_error(kwargs: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        generate_region(**kwargs)


def test_same_seed_same_table_other_seed_differs() -> None:
    first = generate_region(seed=11, events=50_000)
    again = generate_region(seed=11, events=50_000)
    other = generate_region(seed=12, events=50_000)
    assert first.events.equals(again.events)
    assert first.ground_truth == again.ground_truth
    assert not first.events.equals(other.events)


def test_rows_sorted_by_path_case_and_time(events: pd.DataFrame) -> None:
    keys = events[["path", "case_id", "timestamp"]]
    resorted = keys.sort_values(["path", "case_id", "timestamp"], kind="stable")
    assert resorted.index.equals(keys.index)
    prefix = events["case_id"].str.slice(0, 3)
    expected = {"entrepreneur": "ENT", "graduate": "GRD", "job_search": "JSE"}
    expected["work_to_work"] = "WTW"
    assert (prefix == events["path"].map(expected)).all()


def test_times_are_ordered_within_cases(events: pd.DataFrame) -> None:
    has_start = events["start_timestamp"].notna()
    assert (events.loc[has_start, "start_timestamp"] <= events.loc[has_start, "timestamp"]).all()
    same_case = events["case_id"].eq(events["case_id"].shift())
    step = events["timestamp"] - events["timestamp"].shift()
    assert (step[same_case] >= pd.Timedelta(0)).all()
    begin_gap = events["begin"] - events["timestamp"].shift()
    assert (begin_gap[same_case] >= pd.Timedelta(0)).all()


def test_instantaneous_steps_have_no_start(events: pd.DataFrame) -> None:
    start = events.groupby("activity")["start_timestamp"].apply(lambda s: s.notna().mean())
    assert start["Start-up grant decision"] == 0.0
    assert start["Registration as job seeker"] == 0.0
    assert start["Initial interview"] == 1.0
    assert 0.4 < events["start_timestamp"].notna().mean() < 0.9


def test_few_deliberate_ties(events: pd.DataFrame, truth: dict[str, Any]) -> None:
    same_case = events["case_id"].eq(events["case_id"].shift())
    tied = same_case & events["timestamp"].eq(events["timestamp"].shift())
    tied_cases = events.loc[tied, "case_id"].nunique()
    assert tied_cases == truth["totals"]["cases_with_tied_timestamps"]
    assert 0.002 < tied_cases / events["case_id"].nunique() < 0.02


def test_case_attributes_constant_and_plausible(events: pd.DataFrame) -> None:
    attrs = [c for c in events.columns if c.startswith("case:")] + ["customer_id", "path"]
    assert (events.groupby("case_id")[attrs].nunique() == 1).all().all()
    per_case = events.drop_duplicates("case_id")
    assert 0.45 < (per_case["case:municipality"] == "Joensuu").mean() < 0.55
    assert per_case["case:municipality"].nunique() == 13
    assert set(per_case["case:age_group"]) == {"under 25", "25-29", "30-49", "50+"}


def test_some_customers_walk_two_paths(events: pd.DataFrame, truth: dict[str, Any]) -> None:
    per_case = events.drop_duplicates("case_id")
    counts = per_case.groupby("customer_id")["case_id"].nunique()
    assert int((counts > 1).sum()) == truth["totals"]["customers_with_several_cases"]
    assert 0.005 < (counts > 1).mean() < 0.04
    repeated = per_case[per_case["customer_id"].isin(counts[counts > 1].index)]
    assert set(repeated["path"]) <= {"entrepreneur", "graduate", "job_search"}


def test_office_hours_in_helsinki(events: pd.DataFrame) -> None:
    staffed = events[events["channel"].isin(["in person", "phone"])]
    local = staffed["begin"].dt.tz_convert("Europe/Helsinki")
    office = (local.dt.day_of_week < 5) & (local.dt.hour >= 8) & (local.dt.hour < 17)
    assert office.mean() > 0.97


def test_resources_channels_and_ratings(events: pd.DataFrame, region: DemoRegion) -> None:
    resources = events["resource"].dropna()
    assert resources.str.fullmatch(r"staff-[A-Z]+-\d{3}").all()
    assert set(events["channel"].dropna()) == {"in person", "phone", "online", "letter"}
    assert 0.27 < events["rating"].notna().mean() < 0.33
    assert events["rating"].dropna().between(1, 5).all()
    classes = region.catalogue.to_pandas()[["path", "activity", "value_class"]]
    rated = events.merge(classes, on=["path", "activity"])
    means = rated.groupby("value_class")["rating"].mean()
    assert means["waste"] < 2.6 < 3.3 < means["necessary"] < means["value_adding"]


# --- catalogue and organisations ---------------------------------------------------------------


def test_catalogue_covers_events(region: DemoRegion, events: pd.DataFrame) -> None:
    cat = region.catalogue.to_pandas()
    assert list(cat.columns) == [
        "path",
        "step_order",
        "activity",
        "actor",
        "value_class",
        "gathers_info",
        "description",
    ]
    assert set(cat["value_class"]) == {"value_adding", "necessary", "waste"}
    for path, steps in cat.groupby("path"):
        assert (steps["value_class"] == "waste").sum() >= 1, path
        assert steps["gathers_info"].sum() >= 2, path
        assert list(steps["step_order"]) == list(range(1, len(steps) + 1))
    pairs = set(zip(cat["path"], cat["activity"], strict=True))
    used = set(zip(events["path"], events["activity"], strict=True))
    assert used <= pairs


def test_organisations(region: DemoRegion, events: pd.DataFrame) -> None:
    orgs = region.organisations.to_pandas()
    assert list(orgs.columns) == ["name", "short_name", "sector_type", "commitment", "municipality"]
    assert 10 <= len(orgs) <= 16
    assert set(orgs["sector_type"]) == {
        "state",
        "municipality",
        "education",
        "third_sector",
        "company",
    }
    assert set(orgs["commitment"]) == {"core", "active", "loose"}
    assert set(events["actor"]) <= set(orgs["short_name"])


# --- censoring and outcomes --------------------------------------------------------------------


def test_open_cases_have_no_outcome_and_nothing_after_cut(
    events: pd.DataFrame, cases: pd.DataFrame, truth: dict[str, Any]
) -> None:
    assert (events["timestamp"] <= cut(truth)).all()
    outcome_rows = events[events["outcome"].notna()]
    assert outcome_rows["case_id"].is_unique
    last_rows = events.groupby("case_id").tail(1)
    assert set(outcome_rows.index) <= set(last_rows.index)
    assert 0.10 <= (~cases["closed"]).mean() <= 0.20
    assert int((~cases["closed"]).sum()) == truth["totals"]["open_cases"]
    for path in PATHS:
        facts = truth["paths"][path]
        mine = cases[cases["path"] == path]
        assert facts["cases"] == len(mine)
        assert facts["open_cases"] == int((~mine["closed"]).sum())
        assert facts["events"] == int((events["path"] == path).sum())


def _km_median(durations: np.ndarray, observed: np.ndarray) -> float:
    order = np.argsort(durations, kind="stable")
    d, e = durations[order], observed[order]
    at_risk = len(d) - np.arange(len(d))
    survival = np.cumprod(1.0 - e / at_risk)
    return float(d[np.argmax(survival <= 0.5)])


def test_kaplan_meier_recovers_true_median_and_censoring_matters(
    cases: pd.DataFrame, truth: dict[str, Any]
) -> None:
    for path in PATHS:
        mine = cases[cases["path"] == path]
        end = mine["last"].where(mine["closed"], cut(truth))
        days = ((end - mine["begin"]).dt.total_seconds() / DAY_S).to_numpy()
        facts = truth["paths"][path]
        km = _km_median(days, mine["closed"].to_numpy(dtype=float))
        assert km == pytest.approx(facts["true_median_lead_time_days"], rel=0.05), path
        completed = float(np.median(days[mine["closed"].to_numpy()]))
        assert completed == pytest.approx(facts["completed_only_median_lead_time_days"])
        assert completed < facts["true_median_lead_time_days"], path
        cohort = facts["by_start_year"]["2018"]
        assert cohort["completed_only_median_lead_time_days"] < cohort["true_median_lead_time_days"]
    job_search = truth["paths"]["job_search"]["by_start_year"]["2018"]
    assert job_search["completed_only_median_lead_time_days"] < (
        0.8 * job_search["true_median_lead_time_days"]
    )


# --- injected phenomena ------------------------------------------------------------------------


def _transitions(events: pd.DataFrame) -> pd.DataFrame:
    nxt = events.groupby("case_id").shift(-1)
    wait = (nxt["begin"] - events["timestamp"]).dt.total_seconds().clip(lower=0) / DAY_S
    frame = pd.DataFrame(
        {"path": events["path"], "src": events["activity"], "dst": nxt["activity"]}
    )
    return frame.assign(wait=wait).dropna(subset=["dst"])


def test_bottleneck_has_the_largest_waiting_share(
    events: pd.DataFrame, truth: dict[str, Any]
) -> None:
    transitions = _transitions(events)
    for path in PATHS:
        mine = transitions[transitions["path"] == path]
        sums = mine.groupby(["src", "dst"])["wait"].sum().sort_values(ascending=False)
        shares = sums / sums.sum()
        bottleneck = truth["paths"][path]["bottleneck"]
        assert shares.index[0] == (bottleneck["from"], bottleneck["to"]), path
        assert shares.iloc[0] > 0.3
        assert shares.iloc[0] == pytest.approx(bottleneck["waiting_share"], rel=1e-9)
        assert shares.iloc[0] > shares.iloc[1] + 0.1
        own = mine[(mine["src"] == bottleneck["from"]) & (mine["dst"] == bottleneck["to"])]
        assert own["wait"].median() == pytest.approx(bottleneck["median_wait_days"], rel=1e-9)
        others = mine.drop(own.index).groupby(["src", "dst"])["wait"].agg(["median", "size"])
        common = others[others["size"] >= 100]
        assert bottleneck["median_wait_days"] > 1.5 * common["median"].max(), path


def test_rework_share_matches(events: pd.DataFrame, truth: dict[str, Any]) -> None:
    (rework,) = truth["rework"]
    mine = events[(events["path"] == rework["path"]) & (events["activity"] == rework["activity"])]
    counts = mine.groupby("case_id").size()
    share = (counts >= 2).sum() / len(counts)
    assert share == pytest.approx(rework["share_of_cases"], abs=1e-12)
    assert 0.12 < share < 0.25


def test_duplicate_contacts_match(
    events: pd.DataFrame, region: DemoRegion, truth: dict[str, Any]
) -> None:
    cat = region.catalogue.to_pandas().set_index(["path", "activity"])
    assert {d["path"] for d in truth["duplicate_contact"]} >= {"work_to_work"}
    for dup in truth["duplicate_contact"]:
        mine = events[events["path"] == dup["path"]]
        have = [set(mine.loc[mine["activity"] == s["activity"], "case_id"]) for s in dup["steps"]]
        both = set.intersection(*have)
        assert len(both) / mine["case_id"].nunique() == pytest.approx(dup["share_of_cases"])
        actors = {s["actor"] for s in dup["steps"]}
        assert len(actors) == 2
        for step in dup["steps"]:
            assert bool(cat.loc[(dup["path"], step["activity"]), "gathers_info"])


def _first(events: pd.DataFrame, path: str, activity: str) -> pd.Series:
    mine = events[(events["path"] == path) & (events["activity"] == activity)]
    return mine.groupby("case_id")["timestamp"].first()


def test_deadline_breach_shares_match(events: pd.DataFrame, truth: dict[str, Any]) -> None:
    fi = holidays.Finland(years=range(2015, 2020))
    free = np.array(sorted(fi.keys()), dtype="datetime64[D]")
    assert {d["unit"] for d in truth["deadlines"]} == {"working_days", "months"}
    for rule in truth["deadlines"]:
        begin = _first(events, rule["path"], rule["from_activity"])
        end = _first(events, rule["path"], rule["to_activity"])
        both = pd.concat({"begin": begin, "end": end}, axis=1).dropna()
        day0 = both["begin"].dt.tz_convert("Europe/Helsinki").dt.tz_localize(None).dt.normalize()
        day1 = both["end"].dt.tz_convert("Europe/Helsinki").dt.tz_localize(None).dt.normalize()
        if rule["unit"] == "working_days":
            start = day0.to_numpy().astype("datetime64[D]") + 1
            stop = day1.to_numpy().astype("datetime64[D]") + 1
            breach = np.busday_count(start, stop, holidays=free) > rule["limit"]
        else:
            breach = (day1 > day0 + pd.DateOffset(months=rule["limit"])).to_numpy()
        assert len(both) == rule["cases_in_scope"]
        assert int(breach.sum()) == rule["breaches"]
        assert breach.mean() == pytest.approx(rule["breach_share"], abs=1e-12)
        assert 0.05 < rule["breach_share"] < 0.40


def test_pilots_ground_truth(truth: dict[str, Any]) -> None:
    effective, null = truth["pilots"]
    assert effective["true_effect_days"] < 0 and null["true_effect_days"] == 0
    shortened = (
        effective["uncensored_median_days_pilot_counterfactual"]
        - (effective["uncensored_median_days_pilot"])
    )
    assert shortened == pytest.approx(-effective["true_effect_days"], abs=1e-6)
    assert effective["uncensored_mean_effect_days"] == pytest.approx(
        effective["true_effect_days"], abs=1e-6
    )
    gap = effective["uncensored_median_days_comparison"] - effective["uncensored_median_days_pilot"]
    assert gap == pytest.approx(-effective["true_effect_days"], abs=8)
    assert (
        null["uncensored_median_days_pilot"] == null["uncensored_median_days_pilot_counterfactual"]
    )
    assert null["uncensored_mean_effect_days"] == 0.0


def _pilot_durations(events: pd.DataFrame, cases: pd.DataFrame, pilot: dict[str, Any]) -> pd.Series:
    begin = _first(events, pilot["path"], pilot["outcome_from"])
    end = _first(events, pilot["path"], pilot["outcome_to"])
    days = ((end - begin).dt.total_seconds() / DAY_S).dropna()
    return days


@pytest.mark.parametrize("which", [0, 1])
def test_pilot_effect_visible_in_events(
    events: pd.DataFrame, cases: pd.DataFrame, truth: dict[str, Any], which: int
) -> None:
    pilot = truth["pilots"][which]
    ((column, value),) = pilot["group"].items()
    attribute = {"case:municipality": "municipality", "case:education": "education"}[column]
    start_day = cases["begin"].dt.tz_convert("Europe/Helsinki").dt.strftime("%Y-%m-%d")
    window = (start_day >= pilot["start"]) & (start_day < "2018-07-01")
    mine = cases[(cases["path"] == pilot["path"]) & window]
    days = _pilot_durations(events, cases, pilot)
    in_group = days.index.isin(mine.index[mine[attribute] == value])
    comparison = days.index.isin(mine.index[mine[attribute] != value])
    gap = days[in_group].median() - days[comparison].median()
    assert gap == pytest.approx(pilot["true_effect_days"], abs=9)


def test_value_ratings_match(events: pd.DataFrame, truth: dict[str, Any]) -> None:
    means = events.dropna(subset=["rating"]).groupby(["path", "activity"])["rating"].mean()
    for path, ratings in truth["value_ratings"].items():
        for activity, mean in ratings.items():
            assert means[(path, activity)] == pytest.approx(mean)


# --- files -------------------------------------------------------------------------------------


def test_write_region_reads_back_equal(tmp_path: Path) -> None:
    region = generate_region(seed=3, events=20_000)
    files = write_region(region, tmp_path / "out")
    assert set(files) == {"events", "catalogue", "organisations", "ground_truth"}
    assert pq.read_table(files["events"]).equals(region.events)
    assert pq.ParquetFile(files["events"]).metadata.row_group(0).column(0).compression == "ZSTD"
    assert pacsv.read_csv(files["catalogue"]).equals(region.catalogue)
    assert pacsv.read_csv(files["organisations"]).equals(region.organisations)
    text = files["ground_truth"].read_text(encoding="utf-8")
    assert json.loads(text) == region.ground_truth
    assert (
        text == json.dumps(region.ground_truth, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
