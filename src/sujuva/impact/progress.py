"""Progress towards the jobs target: where we are, where we should be, when we will get there.

- **Cumulative jobs** (FTE) of the records dated from the target's start to ``as_of``
  (inclusive), month by month.
- **Trajectory**: the straight line from 0 at the start to the target at the horizon;
  ``expected_now`` is its value at ``as_of``, ``ahead_of_trajectory`` says whether the
  cumulative count is on or above it.
- **Pace**: the fitted monthly rate at ``as_of`` (:mod:`sujuva.impact.forecast`).
- **Reached date**: when the target is reached if the current pace holds — the day the
  remaining jobs ÷ pace months after ``as_of`` falls in; ``None`` when the pace is zero or it
  would take more than 20 years. **On track** means that date is on or before the horizon.
- **Forecast** to the horizon with a prediction interval, and the probability of reaching the
  target by then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sujuva.errors import UsageError
from sujuva.impact.explain import Explained, num
from sujuva.impact.forecast import Fit, Forecast, fit_rates, simulate
from sujuva.impact.months import date_at, end_of_day, month_index, month_start, start_of_day
from sujuva.impact.progress_tables import by_sector, grouped
from sujuva.impact.target import Target

MAX_YEARS = 20
DEFAULT_LEVEL = 0.9


@dataclass(frozen=True)
class Progress:
    """Progress towards ``target`` on ``as_of`` (FTE throughout).

    ``cumulative`` jobs so far, ``expected_now`` on the linear trajectory, ``gap`` =
    cumulative − expected_now, ``share_reached`` = cumulative ÷ target.
    ``monthly`` columns: month (first day, Timestamp), fte, cumulative, trajectory (at the
    month's end, or at ``as_of``), gap, exposure (fraction of the month inside the period).
    ``by_sector`` columns: sector, fte, records, sub_target, expected_now,
    share_of_sub_target, ahead (NaN / <NA> without a sub-target). ``by_organisation``,
    ``by_path``, ``by_pilot``: the key column, fte, records, share (of all FTE), largest
    first, ``(unknown)`` for records without one. ``pace_per_month``, ``reached_date``,
    ``on_track``, ``ahead_of_trajectory`` and ``forecast`` as in the module docstring;
    ``explanation`` gives the formulas; ``notes`` what was left out and why.
    """

    target: Target
    as_of: date
    cumulative: float
    expected_now: float
    gap: float
    share_reached: float
    monthly: pd.DataFrame
    by_sector: pd.DataFrame
    by_organisation: pd.DataFrame
    by_path: pd.DataFrame
    by_pilot: pd.DataFrame
    pace_per_month: float
    reached_date: date | None
    on_track: bool
    ahead_of_trajectory: bool
    forecast: Forecast | None
    explanation: list[Explained]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Frame:
    """Positions (in months from the first day of the start's month) of the target's period."""

    origin: date
    start: float
    as_of: float
    horizon: float

    @classmethod
    def of(cls, target: Target, as_of: date) -> _Frame:
        """The positions of ``target``'s start, ``as_of`` (not before the start) and horizon."""
        if as_of < target.start:
            raise UsageError(f"as_of ({as_of}) is before the target's start ({target.start})")
        origin = target.start.replace(day=1)
        return cls(
            origin=origin,
            start=start_of_day(target.start, origin=origin),
            as_of=end_of_day(as_of, origin=origin),
            horizon=end_of_day(target.horizon, origin=origin),
        )

    def trajectory(self, position: float, jobs: float) -> float:
        """The linear trajectory's value at ``position`` (0 before the start, ``jobs`` after
        the horizon)."""
        elapsed = (position - self.start) / (self.horizon - self.start)
        return jobs * min(max(elapsed, 0.0), 1.0)


def _in_scope(records: pd.DataFrame, target: Target, as_of: date) -> tuple[pd.DataFrame, list[str]]:
    """Records dated from the start to ``as_of``, sorted by date, and notes on the rest."""
    missing = [
        c for c in ("date", "fte", "sector", "organisation", "path", "pilot") if c not in records
    ]
    if missing:
        raise UsageError(f"the job records lack the column(s) {', '.join(missing)}")
    unknown = sorted(set(records["sector"]) - set(target.sector_names))
    if unknown:
        raise UsageError(
            f"job records name sector(s) {', '.join(map(str, unknown))} that the target does not "
            f"have ({', '.join(target.sector_names)})"
        )
    days = pd.to_datetime(records["date"]).dt.date
    early, late = days < target.start, days > as_of
    notes = []
    if early.any():
        notes.append(f"{int(early.sum())} record(s) dated before the start {target.start} left out")
    if late.any():
        notes.append(f"{int(late.sum())} record(s) dated after {as_of} left out (not yet)")
    kept = records[~early & ~late].assign(day=days[~early & ~late])
    return kept.sort_values("day", kind="stable").reset_index(drop=True), notes


def _monthly(records: pd.DataFrame, frame: _Frame, jobs: float) -> pd.DataFrame:
    """One row per month from the start's month to ``as_of``'s month."""
    last = month_index(date_at(frame.as_of, origin=frame.origin), origin=frame.origin)
    index = [month_index(day, origin=frame.origin) for day in records["day"]]
    fte = np.bincount(np.asarray(index, dtype=int), weights=records["fte"], minlength=last + 1)
    rows = []
    for k in range(last + 1):
        low, high = max(k, frame.start), min(k + 1, frame.as_of)
        rows.append(
            (pd.Timestamp(month_start(k, origin=frame.origin)), float(max(high - low, 0.0)), high)
        )
    monthly = pd.DataFrame(rows, columns=["month", "exposure", "end"])
    monthly["fte"] = fte[: last + 1]
    monthly["cumulative"] = monthly["fte"].cumsum()
    monthly["trajectory"] = [frame.trajectory(end, jobs) for end in monthly["end"]]
    monthly["gap"] = monthly["cumulative"] - monthly["trajectory"]
    midpoints = [max(k, frame.start) + e / 2 for k, e in enumerate(monthly["exposure"])]
    monthly["midpoint"] = midpoints
    return monthly


def progress(
    records: pd.DataFrame,
    target: Target,
    *,
    as_of: date,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
) -> Progress:
    """Progress of the job ``records`` (:data:`~sujuva.impact.jobs.JOB_COLUMNS`) towards
    ``target`` on ``as_of``; the forecast interval at ``level`` (seeded: reproducible)."""
    if not 0 < level < 1:
        raise UsageError(f"the interval level must be between 0 and 1 (got {level})")
    frame = _Frame.of(target, as_of)
    scoped, notes = _in_scope(records, target, as_of)
    monthly = _monthly(scoped, frame, target.jobs)
    cumulative = float(scoped["fte"].sum())
    expected = frame.trajectory(frame.as_of, target.jobs)
    fit = fit_rates(
        fte=monthly["fte"].to_numpy(float),
        exposure=monthly["exposure"].to_numpy(float),
        midpoints=monthly["midpoint"].to_numpy(float),
    )
    pace = _pace(fit, frame, cumulative)
    reached = _reached(scoped, target, frame, cumulative, pace)
    forecast = None
    if fit is None:
        notes.append("fewer than 2 months observed: no forecast; pace = jobs so far ÷ months")
    elif as_of < target.horizon:
        forecast = _forecast(fit, frame, target, cumulative=cumulative, level=level, seed=seed)
    return Progress(
        target=target,
        as_of=as_of,
        cumulative=cumulative,
        expected_now=expected,
        gap=cumulative - expected,
        share_reached=cumulative / target.jobs,
        monthly=monthly.drop(columns=["end", "midpoint"]),
        by_sector=by_sector(scoped, target, fraction=expected / target.jobs),
        by_organisation=grouped(scoped, "organisation"),
        by_path=grouped(scoped, "path"),
        by_pilot=grouped(scoped, "pilot"),
        pace_per_month=pace,
        reached_date=reached,
        on_track=reached is not None and reached <= target.horizon,
        ahead_of_trajectory=cumulative >= expected - 1e-9,
        forecast=forecast,
        explanation=_explain(scoped, target, frame, cumulative, expected, pace, reached, fit),
        notes=tuple(notes),
    )


def _pace(fit: Fit | None, frame: _Frame, cumulative: float) -> float:
    """FTE a month at the data cut: the fitted rate, or the plain average without a fit."""
    if fit is None:
        elapsed = frame.as_of - frame.start
        return cumulative / elapsed if elapsed > 0 else 0.0
    return max(float(fit.rate(np.array([frame.as_of]))[0]), 0.0)


def _reached(
    records: pd.DataFrame, target: Target, frame: _Frame, cumulative: float, pace: float
) -> date | None:
    """The day the target is (or, at the current pace, will be) reached; ``None`` if never."""
    if cumulative >= target.jobs:
        running = records["fte"].cumsum().to_numpy(float)
        first = int(np.argmax(running >= target.jobs - 1e-9))
        day: date = records["day"].iloc[first]
        return day
    if pace <= 0:
        return None
    months = (target.jobs - cumulative) / pace
    if months > MAX_YEARS * 12:
        return None
    return date_at(frame.as_of + months, origin=frame.origin)


def _forecast(
    fit: Fit,
    frame: _Frame,
    target: Target,
    *,
    cumulative: float,
    level: float,
    seed: int,
) -> Forecast:
    """Cumulative FTE from the data cut to the horizon, month by month, with an interval."""
    first = int(np.floor(frame.as_of))
    months = range(first, int(np.ceil(frame.horizon)))
    bounds = [(max(k, frame.as_of), min(k + 1, frame.horizon)) for k in months]
    exposure = np.array([high - low for low, high in bounds])
    keep = exposure > 1e-12
    midpoints = np.array([(low + high) / 2 for low, high in bounds])[keep]
    point, low, high, totals = simulate(
        fit=fit,
        exposure=exposure[keep],
        midpoints=midpoints,
        start=cumulative,
        level=level,
        seed=seed,
    )
    firsts = [month_start(k, origin=frame.origin) for k, ok in zip(months, keep, strict=True) if ok]
    path = pd.DataFrame(
        {
            "month": pd.to_datetime(firsts),
            "expected": point,
            "low": low,
            "high": high,
        }
    )
    trend = float(fit.params[1]) if len(fit.params) == 2 else 0.0
    kind = "WLS linear trend" if len(fit.params) == 2 else "WLS mean rate"
    return Forecast(
        model=f"{kind} on monthly FTE rates, weighted by the observed part of each month",
        months_used=fit.months,
        pace_per_month=_pace(fit, frame, cumulative),
        trend_per_month=trend,
        expected_at_horizon=float(point[-1]),
        low=float(low[-1]),
        high=float(high[-1]),
        level=level,
        probability_reached=float(np.mean(totals >= target.jobs - 1e-9)),
        path=path,
    )


def _explain(
    records: pd.DataFrame,
    target: Target,
    frame: _Frame,
    cumulative: float,
    expected: float,
    pace: float,
    reached: date | None,
    fit: Fit | None,
) -> list[Explained]:
    """The formulas behind cumulative, expected_now, pace and the reached date."""
    elapsed, period = frame.as_of - frame.start, frame.horizon - frame.start
    how = (
        "no fit: jobs so far ÷ months elapsed"
        if fit is None
        else f"{'linear trend' if len(fit.params) == 2 else 'mean rate'} fitted on "
        f"{fit.months} month(s), value at the data cut"
    )
    return [
        Explained(
            "cumulative",
            cumulative,
            f"cumulative = Σ FTE of {len(records)} record(s) from {target.start} to "
            f"{date_at(frame.as_of, origin=frame.origin)} = {num(cumulative)} FTE",
            {"records": float(len(records))},
            "FTE",
        ),
        Explained(
            "expected_now",
            expected,
            f"trajectory = target × elapsed ÷ period = {num(target.jobs)} × {num(elapsed)} ÷ "
            f"{num(period)} months = {num(expected)} FTE",
            {"target": target.jobs, "elapsed_months": elapsed, "period_months": period},
            "FTE",
        ),
        Explained("pace", pace, f"pace = {how} = {num(pace)} FTE/month", {}, "FTE/month"),
        *_months_to_target(target, cumulative, pace, reached),
    ]


def _months_to_target(
    target: Target, cumulative: float, pace: float, reached: date | None
) -> list[Explained]:
    """How the reached date follows from the pace (nothing when reached or no pace)."""
    if cumulative >= target.jobs or pace <= 0:
        return []
    months = (target.jobs - cumulative) / pace
    when = str(reached) if reached is not None else f"never within {MAX_YEARS} years"
    return [
        Explained(
            "months_to_target",
            months,
            f"months to target = (target − cumulative) ÷ pace = ({num(target.jobs)} − "
            f"{num(cumulative)}) ÷ {num(pace)} = {num(months)} months → {when}",
            {"target": target.jobs, "cumulative": cumulative, "pace": pace},
            "months",
        )
    ]
