"""Statutory deadlines (service-time rules): which cases met them, per rule, organisation, month.

Each rule has an effective period, so a law change is a new rule rather than an edit. Working
days follow the Finnish calendar from the ``holidays`` package (weekends and Finnish holidays
excluded); all dates are local dates in the configured zone. The clock starts on the first
occurrence of ``from_activity`` and stops on the first later occurrence of ``to_activity``;
a case still waiting is not judged until it has both.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal

import holidays
import numpy as np
import pandas as pd

from sujuva.analytics.scope import Scope
from sujuva.errors import UsageError

Unit = Literal["working_days", "calendar_days", "months"]
UNITS: tuple[str, ...] = ("working_days", "calendar_days", "months")


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One service-time rule: ``to_activity`` within ``limit`` units of ``from_activity``."""

    id: str
    description: str
    path: str
    from_activity: str
    to_activity: str
    limit: int
    unit: Unit
    effective_from: date
    effective_to: date | None = None


def load_rules(path: Path | None = None) -> list[Rule]:
    """Rules from a TOML file (``[[rule]]`` tables), or the shipped default rule set."""
    if path is None:
        text = resources.files("sujuva.analytics").joinpath("default_rules.toml").read_text("utf-8")
        source = "the default rules"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{path}: cannot read the rules file: {exc.strerror}") from exc
        source = str(path)
    try:
        tables = tomllib.loads(text).get("rule", [])
        return [_rule(table) for table in tables]
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"{source}: not a valid rules file: {exc}") from exc


def _rule(table: dict[str, object]) -> Rule:
    unit = str(table["unit"])
    if unit not in UNITS:
        raise ValueError(f"rule {table.get('id')!r}: unit must be one of {', '.join(UNITS)}")
    end = table.get("effective_to")
    return Rule(
        id=str(table["id"]),
        description=str(table.get("description", "")),
        path=str(table["path"]),
        from_activity=str(table["from_activity"]),
        to_activity=str(table["to_activity"]),
        limit=int(str(table["limit"])),
        unit=unit,  # type: ignore[arg-type]
        effective_from=_date(table["effective_from"]),
        effective_to=None if end is None else _date(end),
    )


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@dataclass(frozen=True)
class DeadlineReport:
    """How the rules were met.

    ``summary``: rule, description, cases (in scope), met, breaches, share_met.
    ``by_organisation``: rule, organisation (actor of the step that stops the clock), cases,
    share_met. ``by_month``: rule, month (of the clock start), cases, share_met.
    ``breaches``: rule, case_id, organisation, started, stopped, elapsed, limit, unit.
    """

    summary: pd.DataFrame
    by_organisation: pd.DataFrame
    by_month: pd.DataFrame
    breaches: pd.DataFrame


def judged_cases(scope: Scope, rules: list[Rule], *, zone: str) -> pd.DataFrame:
    """Every (rule, case) judged: rule, case_id, organisation, started, stopped, elapsed,
    limit, unit, met."""
    return pd.concat([_judge(scope, rule, zone) for rule in rules] or [_empty()], ignore_index=True)


def deadlines(scope: Scope, rules: list[Rule], *, zone: str) -> DeadlineReport:
    """Judge every rule on the selected cases."""
    judged = judged_cases(scope, rules, zone=zone)
    grouped = judged.groupby("rule", sort=False)
    ids = [rule.id for rule in rules]
    summary = pd.DataFrame(
        {
            "rule": ids,
            "description": [rule.description for rule in rules],
            "cases": grouped.size().reindex(ids, fill_value=0).to_numpy(),
            "met": grouped["met"].sum().reindex(ids, fill_value=0).to_numpy(),
        }
    )
    summary["breaches"] = summary["cases"] - summary["met"]
    summary["share_met"] = (summary["met"] / summary["cases"].where(summary["cases"] > 0)).astype(
        float
    )
    return DeadlineReport(
        summary=summary,
        by_organisation=_share(judged, ["rule", "organisation"]),
        by_month=_share(judged.assign(month=judged["started"].str[:7]), ["rule", "month"]),
        breaches=judged.loc[
            ~judged["met"],
            ["rule", "case_id", "organisation", "started", "stopped", "elapsed", "limit", "unit"],
        ].reset_index(drop=True),
    )


def _share(judged: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = judged.groupby(keys, sort=True)["met"]
    return pd.DataFrame({"cases": grouped.size(), "share_met": grouped.mean()}).reset_index()


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        columns=[
            "rule",
            "case_id",
            "organisation",
            "started",
            "stopped",
            "elapsed",
            "limit",
            "unit",
            "met",
        ]
    ).astype({"met": bool})


def _judge(scope: Scope, rule: Rule, zone: str) -> pd.DataFrame:
    """Every case of the rule's path in its effective period, with its elapsed time and verdict."""
    pairs = scope.frame(
        f"""
        WITH firsts AS (
            SELECT e.case_idx,
                   min(e.ts) FILTER (WHERE a.name = ?) AS started_at
            FROM sel_events e JOIN activities a ON a.code = e.activity_code
            JOIN paths p ON p.code = e.path_code
            WHERE p.name = ? GROUP BY e.case_idx
        ),
        stops AS (
            SELECT f.case_idx, f.started_at, min(e.ts) AS stopped_at,
                   arg_min(o.name, e.ts) AS organisation
            FROM firsts f JOIN sel_events e ON e.case_idx = f.case_idx
            JOIN activities a ON a.code = e.activity_code JOIN actors o ON o.code = e.actor_code
            WHERE a.name = ? AND e.ts >= f.started_at
            GROUP BY f.case_idx, f.started_at
        )
        SELECT c.case_id, s.organisation,
               (s.started_at AT TIME ZONE '{zone}')::DATE AS start_day,
               (s.stopped_at AT TIME ZONE '{zone}')::DATE AS stop_day
        FROM stops s JOIN sel_cases c ON c.case_idx = s.case_idx
        WHERE (s.started_at AT TIME ZONE '{zone}')::DATE >= ?
          AND (? IS NULL OR (s.started_at AT TIME ZONE '{zone}')::DATE <= ?)
        ORDER BY c.case_idx
        """,
        [
            rule.from_activity,
            rule.path,
            rule.to_activity,
            rule.effective_from,
            rule.effective_to,
            rule.effective_to,
        ],
    )
    start = pairs["start_day"].to_numpy(dtype="datetime64[D]")
    stop = pairs["stop_day"].to_numpy(dtype="datetime64[D]")
    elapsed, met = _elapsed(rule, start, stop)
    return pd.DataFrame(
        {
            "rule": rule.id,
            "case_id": pairs["case_id"],
            "organisation": pairs["organisation"],
            "started": start.astype(str),
            "stopped": stop.astype(str),
            "elapsed": elapsed,
            "limit": rule.limit,
            "unit": rule.unit,
            "met": met,
        }
    )


def _elapsed(rule: Rule, start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Elapsed units after the start day up to and including the stop day, and the verdict."""
    if rule.unit == "working_days":
        elapsed = np.busday_count(start + 1, stop + 1, busdaycal=finnish_calendar(start, stop))
        return elapsed, elapsed <= rule.limit
    if rule.unit == "calendar_days":
        elapsed = (stop - start).astype(np.int64)
        return elapsed, elapsed <= rule.limit
    deadline = _add_months(start, rule.limit)
    months = _months_between(start, stop)
    return months, stop <= deadline


def finnish_calendar(*days: np.ndarray) -> np.busdaycalendar:
    """Monday–Friday less Finnish holidays (``holidays.Finland``) for the years involved."""
    known = np.concatenate([d[~np.isnat(d)] for d in days] or [np.array([], "datetime64[D]")])
    if len(known):
        first = int(known.min().astype("datetime64[Y]").astype(int)) + 1970
        last = int(known.max().astype("datetime64[Y]").astype(int)) + 1970
        years = list(range(first, last + 2))  # a deadline may run into the next year
    else:
        years = [2000]
    listed = holidays.country_holidays("FI", years=years)
    return np.busdaycalendar(
        weekmask="1111100", holidays=np.array(sorted(listed), dtype="datetime64[D]")
    )


def _add_months(days: np.ndarray, months: int) -> np.ndarray:
    """The same day ``months`` later, clipped to the end of a shorter month."""
    month_start = days.astype("datetime64[M]")
    target = month_start + months
    day_of_month = (days - month_start.astype("datetime64[D]")).astype(np.int64)
    last_day = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    ) - 1
    return np.asarray(target.astype("datetime64[D]") + np.minimum(day_of_month, last_day))


def _months_between(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    return np.asarray(
        (stop.astype("datetime64[M]") - start.astype("datetime64[M]")), dtype=np.int64
    )
