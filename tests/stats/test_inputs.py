"""Bad input is refused with a UsageError that says what is wrong, before any estimation."""

from __future__ import annotations

import pandas as pd
import pytest

from sujuva.errors import UsageError
from sujuva.stats import Scenario, evaluate_pilot, simulate_pilot

OUTCOME = ("Business-idea counselling", "Start-up grant decision")


@pytest.fixture(scope="module")
def cases() -> pd.DataFrame:
    """A small valid case table (pilot and comparison, post period, with covariates)."""
    return simulate_pilot(scenario=Scenario(n_pilot=60, n_comparison=80), seed=11)


def evaluate(data: pd.DataFrame, **options: object) -> None:
    evaluate_pilot(data, outcome=OUTCOME, bootstrap=50, **options)  # type: ignore[arg-type]


def test_valid_table_is_accepted(cases: pd.DataFrame) -> None:
    evaluate(cases, covariates=["age_band", "office"])


def test_empty_group_is_refused(cases: pd.DataFrame) -> None:
    with pytest.raises(UsageError, match="comparison group has no cases"):
        evaluate(cases[cases["group"] == "pilot"])


def test_group_with_only_pre_rows_is_empty_in_post(cases: pd.DataFrame) -> None:
    data = cases.copy()
    data.loc[data["group"] == "pilot", "period"] = "pre"
    with pytest.raises(UsageError, match="pilot group has no cases in the post period"):
        evaluate(data)


def test_case_in_both_groups_is_refused(cases: pd.DataFrame) -> None:
    data = cases.copy()
    first_comparison = data.index[data["group"] == "comparison"][0]
    data.loc[first_comparison, "case_id"] = data.loc[data.index[0], "case_id"]
    with pytest.raises(UsageError, match="both the pilot and the comparison group"):
        evaluate(data)


def test_group_without_primary_event_is_refused(cases: pd.DataFrame) -> None:
    data = cases.copy()
    pilot = data["group"] == "pilot"
    data.loc[pilot & (data["event"] == 1), "event"] = 0
    with pytest.raises(UsageError, match=r"no case in the pilot group .* primary outcome"):
        evaluate(data)


def test_negative_days_are_refused(cases: pd.DataFrame) -> None:
    data = cases.copy()
    data.loc[data.index[3], "days"] = -2.0
    with pytest.raises(UsageError, match="1 negative value"):
        evaluate(data)


@pytest.mark.parametrize(("column", "value"), [("group", "control"), ("period", "during")])
def test_unknown_group_or_period_is_refused(cases: pd.DataFrame, column: str, value: str) -> None:
    data = cases.copy()
    data.loc[data.index[0], column] = value
    with pytest.raises(UsageError, match=f"column '{column}' may only hold .*'{value}'"):
        evaluate(data)


def test_missing_column_is_refused(cases: pd.DataFrame) -> None:
    with pytest.raises(UsageError, match="lacks the column"):
        evaluate(cases.drop(columns=["event_name"]))


def test_naive_start_times_are_refused(cases: pd.DataFrame) -> None:
    data = cases.assign(start=cases["start"].dt.tz_localize(None))
    with pytest.raises(UsageError, match="time-zone-aware"):
        evaluate(data)


def test_fractional_or_missing_event_codes_are_refused(cases: pd.DataFrame) -> None:
    data = cases.assign(event=cases["event"].astype(float))
    data.loc[data.index[0], "event"] = 1.5
    with pytest.raises(UsageError, match="whole number"):
        evaluate(data)


def test_missing_days_are_refused(cases: pd.DataFrame) -> None:
    data = cases.copy()
    data.loc[data.index[0], "days"] = None
    with pytest.raises(UsageError, match="finite number of days"):
        evaluate(data)


def test_unknown_covariate_is_refused(cases: pd.DataFrame) -> None:
    with pytest.raises(UsageError, match="unknown covariate column"):
        evaluate(cases, covariates=["municipality"])


def test_covariates_as_one_string_are_refused(cases: pd.DataFrame) -> None:
    with pytest.raises(UsageError, match="list of column names"):
        evaluate(cases, covariates="office")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"alpha": 0.7}, "alpha must be"),
        ({"bootstrap": 10}, "at least 50"),
        ({"min_effect_days": -3.0}, "min_effect_days"),
    ],
)
def test_bad_options_are_refused(
    cases: pd.DataFrame, options: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        evaluate_pilot(cases, outcome=OUTCOME, **{"bootstrap": 50, **options})  # type: ignore[arg-type]


def test_bad_outcome_names_are_refused(cases: pd.DataFrame) -> None:
    with pytest.raises(UsageError, match="two non-empty step names"):
        evaluate_pilot(cases, outcome=("Business-idea counselling", " "), bootstrap=50)
