"""Progress towards the jobs target on synthetic series whose answers are known."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from sujuva.errors import UsageError
from sujuva.impact.jobs import job_records_frame
from sujuva.impact.progress import progress
from sujuva.impact.target import SectorTarget, make_target
from sujuva.impact.tol import DEFAULT_SECTORS

START, HORIZON = date(2017, 1, 1), date(2019, 12, 31)  # 36 months
TARGET = make_target(start=START, horizon=HORIZON, jobs=1000)


def monthly_records(counts: list[int], *, day: int = 1, **extra: object) -> pd.DataFrame:
    """``counts[k]`` whole jobs dated day ``day`` of month k from January 2017."""
    rows = []
    for k, count in enumerate(counts):
        when = date(2017 + k // 12, k % 12 + 1, day)
        base = {"date": when, "tol_code": "25", "type": "placement", "organisation": "ELY"}
        rows += [{**base, **extra} for _ in range(count)]
    columns = list(dict.fromkeys(["date", "tol_code", "type", "organisation", *extra]))
    return job_records_frame(pd.DataFrame(rows, columns=columns), source="imported")


def test_exactly_30_a_month_reaches_the_target_on_a_computable_day() -> None:
    """12 months × 30 = 360 FTE by 31.12.2017 (position 12 months from 1.1.2017).
    Trajectory: 1000 × 12 / 36 = 333.33. Remaining 640 at 30 a month = 21⅓ months →
    position 33⅓ = October 2019 (month 33), ⅓ × 31 days = 10.33 → during 11 October 2019.
    Forecast: 360 + 24 × 30 = 1080 at the horizon, no noise so no width."""
    result = progress(monthly_records([30] * 12), TARGET, as_of=date(2017, 12, 31))
    assert result.cumulative == 360
    assert result.expected_now == pytest.approx(1000 * 12 / 36)
    assert result.ahead_of_trajectory and result.gap == pytest.approx(360 - 1000 / 3)
    assert result.pace_per_month == pytest.approx(30)
    assert result.reached_date == date(2019, 10, 11)
    assert result.on_track
    forecast = result.forecast
    assert forecast is not None and forecast.months_used == 12
    assert forecast.expected_at_horizon == pytest.approx(1080)
    assert forecast.low == pytest.approx(1080) and forecast.high == pytest.approx(1080)
    assert forecast.trend_per_month == pytest.approx(0, abs=1e-9)
    assert forecast.probability_reached == 1
    assert len(forecast.path) == 24 and forecast.path["expected"].iloc[0] == pytest.approx(390)
    assert result.monthly["cumulative"].tolist() == [30 * k for k in range(1, 13)]
    assert "(1 000 − 360) ÷ 30 = 21.33 months → 2019-10-11" in result.explanation[-1].formula


def test_a_flat_slow_series_is_not_on_track() -> None:
    """10 a month: 120 by end 2017; 880 more take 88 months → position 100 = the end of
    month 99 = 30 April 2025, after the horizon. Forecast 120 + 24 × 10 = 360."""
    result = progress(monthly_records([10] * 12), TARGET, as_of=date(2017, 12, 31))
    assert result.reached_date == date(2025, 4, 30)
    assert not result.on_track and not result.ahead_of_trajectory
    assert result.forecast is not None
    assert result.forecast.expected_at_horizon == pytest.approx(360)
    assert result.forecast.probability_reached == 0


def test_a_series_that_stopped_never_reaches_the_target() -> None:
    result = progress(monthly_records([50, 0, 0, 0, 0, 0]), TARGET, as_of=date(2017, 6, 30))
    assert result.pace_per_month == 0
    assert result.reached_date is None and not result.on_track
    assert result.cumulative == 50


def test_no_records_at_all() -> None:
    result = progress(monthly_records([]), TARGET, as_of=date(2017, 6, 30))
    assert result.cumulative == 0 and result.reached_date is None and not result.on_track
    assert result.by_organisation.empty


def test_a_target_already_reached_gives_the_day_it_was_crossed() -> None:
    target = make_target(start=START, horizon=HORIZON, jobs=100)
    result = progress(monthly_records([40, 40, 40]), target, as_of=date(2017, 3, 31))
    assert result.reached_date == date(2017, 3, 1) and result.on_track
    assert result.share_reached == pytest.approx(1.2)


def test_noisy_series_gets_an_interval_around_the_point_forecast() -> None:
    counts = np.random.default_rng(7).poisson(30, 18).tolist()
    result = progress(monthly_records(counts, day=15), TARGET, as_of=date(2018, 6, 30))
    forecast = result.forecast
    assert forecast is not None and forecast.model.startswith("WLS linear trend")
    assert forecast.low < forecast.expected_at_horizon < forecast.high
    assert forecast.high - forecast.low > 10
    assert (forecast.path["low"] <= forecast.path["high"]).all()
    again = progress(monthly_records(counts, day=15), TARGET, as_of=date(2018, 6, 30)).forecast
    assert again is not None  # seeded: the same interval again
    assert (again.low, again.high) == (forecast.low, forecast.high)


def test_out_of_period_records_are_left_out_with_a_note() -> None:
    target = make_target(start=date(2017, 2, 17), horizon=HORIZON, jobs=1000)
    records = monthly_records([5, 5, 5, 5])  # on the 1st of Jan–Apr
    result = progress(records, target, as_of=date(2017, 3, 15))
    assert result.cumulative == 5  # only 1 March
    assert any("before the start" in note for note in result.notes)
    assert any("after 2017-03-15" in note for note in result.notes)
    exposure = result.monthly["exposure"].tolist()
    assert exposure == pytest.approx([12 / 28, 15 / 31])  # 17–28 Feb, 1–15 Mar


def test_breakdowns_by_sector_organisation_path_and_pilot() -> None:
    sectors = (
        SectorTarget("bioeconomy", DEFAULT_SECTORS[0].tol_codes, 300),
        SectorTarget("technology industry", DEFAULT_SECTORS[1].tol_codes, 300),
        SectorTarget("wellbeing", DEFAULT_SECTORS[2].tol_codes),
        SectorTarget("other"),
    )
    target = make_target(start=START, horizon=HORIZON, jobs=1000, sectors=sectors)
    tech = monthly_records([10] * 6, organisation="Josek", path="growth", pilot="P1")
    bio = monthly_records([1] * 6, tol_code="02", organisation="Agency")
    records = pd.concat([tech, bio], ignore_index=True)
    result = progress(records, target, as_of=date(2017, 6, 30))
    by_sector = result.by_sector.set_index("sector")
    assert by_sector.loc["technology industry", "fte"] == 60
    assert by_sector.loc["technology industry", "expected_now"] == pytest.approx(50)
    assert bool(by_sector.loc["technology industry", "ahead"])
    assert not bool(by_sector.loc["bioeconomy", "ahead"])
    assert by_sector.loc["bioeconomy", "share_of_sub_target"] == pytest.approx(6 / 300)
    assert pd.isna(by_sector.loc["wellbeing", "ahead"])
    assert result.by_organisation["organisation"].tolist() == ["Josek", "Agency"]
    assert result.by_path.set_index("path").loc["(unknown)", "fte"] == 6
    assert result.by_pilot.set_index("pilot").loc["P1", "share"] == pytest.approx(60 / 66)


def test_after_the_horizon_there_is_no_forecast() -> None:
    target = make_target(start=START, horizon=date(2017, 6, 30), jobs=100)
    result = progress(monthly_records([10] * 8), target, as_of=date(2017, 8, 31))
    assert result.forecast is None
    assert result.expected_now == 100 and result.cumulative == 80
    assert result.reached_date == date(2017, 10, 31)  # 20 more at 10 a month
    assert not result.on_track


def test_bad_calls() -> None:
    with pytest.raises(UsageError, match="before the target's start"):
        progress(monthly_records([1]), TARGET, as_of=date(2016, 12, 31))
    with pytest.raises(UsageError, match="level must be between 0 and 1"):
        progress(monthly_records([1]), TARGET, as_of=date(2017, 1, 31), level=95)
    narrow = make_target(
        start=START, horizon=HORIZON, jobs=10, sectors=(SectorTarget("tech", ("25",)),)
    )
    with pytest.raises(UsageError, match=r"sector.*not have"):
        progress(monthly_records([1], tol_code="86"), narrow, as_of=date(2017, 1, 31))
    with pytest.raises(UsageError, match="lack the column"):
        progress(pd.DataFrame({"date": []}), TARGET, as_of=date(2017, 1, 31))
