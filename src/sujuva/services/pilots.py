"""Use cases of pilots (kokeilut): register, count the groups, evaluate against a comparison.

Who may do what: coordinators and analysts register and evaluate pilots; viewers and
administrators may list them. Results cross organisations, so they are published only when each
compared group holds at least the suppression threshold of cases, curves stop where fewer
remain at risk, and an explicit case list may name only the analyst's own organisation's cases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from sujuva.analytics import deadlines, outcomes
from sujuva.analytics.compare import Comparison as MapComparison
from sujuva.analytics.scope import scope
from sujuva.analytics.selection import Selection
from sujuva.config import Settings, get_settings
from sujuva.errors import PermissionDeniedError, UsageError
from sujuva.services import accounts, analysis, cache, dashboard
from sujuva.services.access import require_events
from sujuva.services.pilot_records import (
    Pilot,
    PilotDefinition,
    PilotGroup,
    check_shape,
    fetch,
    fetch_all,
    fetch_by_name,
    insert,
    remove,
    update,
)
from sujuva.services.principal import Principal
from sujuva.stats import PilotEvaluation, evaluate_pilot
from sujuva.store.store import Store

__all__ = [
    "Pilot",
    "PilotDefinition",
    "PilotGroup",
    "PilotResult",
    "create",
    "ensure_demo_pilots",
    "evaluate",
    "group_counts",
]


def _may_manage(principal: Principal) -> None:
    if principal.role not in ("coordinator", "analyst"):
        raise PermissionDeniedError(
            "pilots are registered and evaluated by coordinators and analysts"
        )


def list_pilots(principal: Principal, *, settings: Settings | None = None) -> list[Pilot]:
    """Every registered pilot (their descriptions are not personal data)."""
    settings = settings or get_settings()
    if principal.role == "admin":
        raise PermissionDeniedError("administrators manage users and organisations only")
    return fetch_all(settings=settings)


def get(principal: Principal, pilot_id: int, *, settings: Settings | None = None) -> Pilot:
    settings = settings or get_settings()
    require_events(principal)
    return fetch(pilot_id, settings=settings)


def create(
    principal: Principal, definition: PilotDefinition, *, settings: Settings | None = None
) -> int:
    """Check a pilot against the data (see :func:`validate`) and register it."""
    settings = settings or get_settings()
    _may_manage(principal)
    validate(principal, definition, settings=settings)
    pilot_id = insert(definition, user_id=principal.user_id or None, settings=settings)
    accounts.record_audit(
        principal=principal, action="create_pilot", target=definition.name, settings=settings
    )
    return pilot_id


def change(
    principal: Principal,
    pilot_id: int,
    definition: PilotDefinition,
    *,
    settings: Settings | None = None,
) -> None:
    settings = settings or get_settings()
    _may_manage(principal)
    validate(principal, definition, settings=settings)
    update(pilot_id, definition, settings=settings)
    accounts.record_audit(
        principal=principal, action="update_pilot", target=str(pilot_id), settings=settings
    )


def delete(principal: Principal, pilot_id: int, *, settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    _may_manage(principal)
    remove(pilot_id, settings=settings)
    accounts.record_audit(
        principal=principal, action="delete_pilot", target=str(pilot_id), settings=settings
    )


def validate(principal: Principal, definition: PilotDefinition, *, settings: Settings) -> None:
    """Refuse what cannot be evaluated: unknown path or steps, dates outside the data, an empty
    or overlapping group, an outcome never observed, another organisation's case list."""
    check_shape(definition)
    dashboard.check_path(definition.path, settings=settings)
    span = dashboard.data_span(settings=settings)
    assert span is not None
    if not span[0] < definition.start <= span[1]:
        raise UsageError(
            f"the pilot starts on {definition.start}, outside the data "
            f"({span[0]} – {span[1]}): nothing could be compared"
        )
    steps = set(_steps(definition.path, settings))
    for step in (definition.outcome_from, definition.outcome_to, *definition.steps_affected):
        if step not in steps:
            raise UsageError(f"no step {step!r} on path {definition.path!r}")
    if definition.group.case_ids and principal.role != "analyst":
        raise PermissionDeniedError("only an analyst may name cases, and only their own")
    if definition.group.case_ids:
        _check_own_cases(principal, definition, settings)
    data = pilot_data(definition, settings=settings)
    for group in ("pilot", "comparison"):
        if not (data["group"] == group).any():
            raise UsageError(
                f"the {group} group has no cases that took "
                f"{definition.outcome_from!r} in the pilot period"
            )
    if not (data["event"] == 1).any():
        raise UsageError(
            f"the outcome {definition.outcome_to!r} is never observed after "
            f"{definition.outcome_from!r} in these groups"
        )


def steps_of(path: str, *, settings: Settings | None = None) -> list[str]:
    """The steps that occur on a path, most frequent first (for the pilot form)."""
    settings = settings or get_settings()
    dashboard.check_path(path, settings=settings)
    return _steps(path, settings)


def _steps(path: str, settings: Settings) -> list[str]:
    def compute() -> list[str]:
        with Store(settings.data_dir, threads=settings.threads).connect() as con:
            bound = scope(con, Selection(paths=(path,)), zone=ZoneInfo(settings.timezone))
            return outcomes.activity_names(bound)

    return cache.cached(settings, ("steps", path), compute)


def _check_own_cases(principal: Principal, definition: PilotDefinition, settings: Settings) -> None:
    asked = Selection(paths=(definition.path,), case_ids=definition.group.case_ids)
    owned = replace(asked, owner=principal.organisation)
    with Store(settings.data_dir, threads=settings.threads).connect() as con:
        zone = ZoneInfo(settings.timezone)
        found = {r[0] for r in scope(con, owned, zone=zone).rows("SELECT case_id FROM sel_cases")}
    foreign = sorted(set(definition.group.case_ids) - found)
    if foreign:
        raise PermissionDeniedError(
            f"{len(foreign)} listed case(s) are not your organisation's cases on this path, "
            f"e.g. {foreign[0]!r}"
        )


def _group_selection(definition: PilotDefinition) -> Selection:
    group = definition.group
    return Selection(
        paths=(definition.path,),
        actors=group.organisations,
        where=group.where,
        case_ids=group.case_ids,
    )


def pilot_data(definition: PilotDefinition, *, settings: Settings) -> pd.DataFrame:
    """Per case on the clock: group (pilot/comparison), period (pre/post), start, days,
    event (0 censored, 1 outcome, 2… competing), event_name, case_id and case attributes."""
    key = ("pilot-data", repr(definition))
    return cache.cached(settings, key, lambda: _pilot_data(definition, settings))


def _pilot_data(definition: PilotDefinition, settings: Settings) -> pd.DataFrame:
    zone = ZoneInfo(settings.timezone)
    with Store(settings.data_dir, threads=settings.threads).connect() as con:
        columns = [r[0] for r in con.execute("DESCRIBE cases").fetchall()]
        covariates = tuple(c for c in columns if c.startswith("case:"))
        whole = scope(con, Selection(paths=(definition.path,)), zone=zone)
        frame = outcomes.outcome_times(
            whole,
            from_activity=definition.outcome_from,
            to_activity=definition.outcome_to,
            covariates=covariates,
        )
        members = {
            str(r[0])
            for r in scope(con, _group_selection(definition), zone=zone).rows(
                "SELECT case_id FROM sel_cases"
            )
        }
        measures = outcomes.case_measures(whole)
        judged = deadlines.judged_cases(whole, deadlines.load_rules(), zone=settings.timezone)
    met = judged.groupby("case_id")["met"].mean().rename("deadline_met").reset_index()
    frame = frame.merge(measures, on="case_id", how="left").merge(met, on="case_id", how="left")
    return _label(frame, definition, members, zone)


def _label(
    frame: pd.DataFrame, definition: PilotDefinition, members: set[str], zone: ZoneInfo
) -> pd.DataFrame:
    start = pd.Timestamp(
        datetime(definition.start.year, definition.start.month, definition.start.day, tzinfo=zone)
    )
    last = frame["start"].max()
    end = (
        pd.Timestamp(
            datetime(definition.end.year, definition.end.month, definition.end.day, tzinfo=zone)
        )
        if definition.end
        else last + timedelta(seconds=1)
    )
    before = start - (end - start)
    in_group = frame["case_id"].isin(members)
    period = pd.Series(pd.NA, index=frame.index, dtype="object")
    period[(frame["start"] >= start) & (frame["start"] < end)] = "post"
    period[(frame["start"] >= before) & (frame["start"] < start)] = "pre"
    out = frame.assign(group=in_group.map({True: "pilot", False: "comparison"}), period=period)
    out = out[out["period"].notna()]
    if definition.comparison == "earlier":
        out = out[out["group"] == "pilot"].copy()
        out.loc[out["period"] == "pre", "group"] = "comparison"
        out["period"] = "post"
    elif definition.comparison == "concurrent":
        out = out[out["period"] == "post"]
    event, name = _events(out, definition)
    return out.assign(event=event, event_name=name).reset_index(drop=True)


def _events(frame: pd.DataFrame, definition: PilotDefinition) -> tuple[pd.Series, pd.Series]:
    """Event codes: 1 the outcome step; 2… competing outcomes by name; 0 censored."""
    reached = frame["reached"].notna()
    closed = frame["closed_at"].notna() & ~reached
    names = frame["outcome"].astype("object")
    competing = closed & (names.isin(definition.competing) if definition.competing else closed)
    labels = sorted(set(names[competing].dropna()))
    codes = {label: i + 2 for i, label in enumerate(labels)}
    event = pd.Series(0, index=frame.index, dtype="int64")
    event[reached] = 1
    event[competing] = names[competing].map(codes).astype("int64")
    name = pd.Series("open or censored", index=frame.index, dtype="object")
    name[reached] = definition.outcome_to
    name[competing] = names[competing]
    return event, name


def group_counts(
    principal: Principal, definition: PilotDefinition, *, settings: Settings | None = None
) -> dict[str, int | None]:
    """Cases on the clock per group and period (None where fewer than the threshold), for the
    live count on the pilot form."""
    settings = settings or get_settings()
    _may_manage(principal)
    if definition.group.is_empty:
        raise UsageError("name the pilot group: organisations, customer attributes or case ids")
    dashboard.check_path(definition.path, settings=settings)
    data = pilot_data(definition, settings=settings)
    counts = data.groupby(["group", "period"]).size().reset_index(name="n")
    k = settings.suppression_threshold
    return {
        f"{group}_{period}": (None if 0 < n < k else n)
        for group, period, n in zip(
            counts["group"], counts["period"], counts["n"].astype(int).tolist(), strict=True
        )
    }


@dataclass(frozen=True, kw_only=True)
class PilotResult:
    """A pilot's evaluation as published: statistics, the map before and after, and the
    secondary measures (hand-offs per case, median waiting, share closed) per group."""

    pilot: Pilot
    evaluation: PilotEvaluation
    curves: pd.DataFrame
    map_change: MapComparison
    secondary: pd.DataFrame
    data_cut: date


def evaluate(
    principal: Principal,
    pilot_id: int,
    *,
    bootstrap: int = 1000,
    settings: Settings | None = None,
) -> PilotResult:
    """Evaluate a registered pilot (cached per store generation and pilot version)."""
    settings = settings or get_settings()
    _may_manage(principal)
    pilot = fetch(pilot_id, settings=settings)
    key = ("pilot-result", pilot.id, pilot.updated_at, bootstrap)
    result = cache.cached(settings, key, lambda: _evaluate(pilot, bootstrap, settings))
    accounts.record_audit(
        principal=principal, action="evaluate_pilot", target=str(pilot_id), settings=settings
    )
    return result


def _evaluate(pilot: Pilot, bootstrap: int, settings: Settings) -> PilotResult:
    definition = pilot.definition
    data = pilot_data(definition, settings=settings)
    post = data[data["period"] == "post"]
    k = settings.suppression_threshold
    for group in ("pilot", "comparison"):
        if (post["group"] == group).sum() < k:
            raise PermissionDeniedError(
                f"the {group} group has fewer than {k} cases: too few to publish"
            )
    excluded = set(definition.group.where)  # constant within the pilot group
    covariates = [c for c in data.columns if c.startswith("case:") and c not in excluded]
    evaluation = evaluate_pilot(
        data,
        covariates=covariates,
        min_effect_days=definition.min_effect_days,
        bootstrap=bootstrap,
        outcome=(definition.outcome_from, definition.outcome_to),
    )
    span = dashboard.data_span(settings=settings)
    assert span is not None
    return PilotResult(
        pilot=pilot,
        evaluation=evaluation,
        curves=_published_curves(evaluation.curves, post, k),
        map_change=_map_change(definition, settings),
        secondary=_secondary(data),
        data_cut=span[1],
    )


def _published_curves(curves: pd.DataFrame, post: pd.DataFrame, k: int) -> pd.DataFrame:
    """Each group's curve up to the last time at which at least ``k`` cases were at risk."""
    parts = []
    for group, curve in curves.groupby("group"):
        days = post.loc[post["group"] == group, "days"].sort_values(ascending=False)
        limit = float(days.iloc[k - 1]) if len(days) >= k else -1.0
        parts.append(curve[curve["days"] <= limit])
    return pd.concat(parts, ignore_index=True) if parts else curves.iloc[0:0]


def _map_change(definition: PilotDefinition, settings: Settings) -> MapComparison:
    """The pilot group's process map in the period before the start against the period after."""
    group = _group_selection(definition)
    length = (
        definition.end or dashboard.data_span(settings=settings)[1]  # type: ignore[index]
    ) - definition.start
    before = replace(group, start_from=definition.start - length, start_to=definition.start)
    after = replace(group, start_from=definition.start, start_to=definition.end)
    return analysis.comparison(before, after, settings=settings)


def _secondary(data: pd.DataFrame) -> pd.DataFrame:
    """Per group and period: cases, shares reaching the outcome, still open and ending
    otherwise, median days of those who reached it (descriptive, uncensored: shown only beside
    the Kaplan–Meier figures), hand-offs and waiting per case, mean customer rating, share of
    statutory deadlines met (over the cases the rules judge)."""
    rows = []
    for (group, period), part in data.groupby(["group", "period"]):
        reached = part["event"] == 1
        rows.append(
            {
                "group": group,
                "period": period,
                "cases": len(part),
                "reached_share": float(reached.mean()),
                "open_share": float((part["event"] == 0).mean()),
                "competing_share": float((part["event"] >= 2).mean()),
                "median_days_reached": float(part.loc[reached, "days"].median())
                if reached.any()
                else None,
                "handoffs_per_case": float(part["handoffs"].mean()),
                "waiting_days_per_case": float(part["waiting_days"].mean()),
                "mean_rating": float(part["mean_rating"].mean())
                if part["mean_rating"].notna().any()
                else None,
                "deadline_share_met": float(part["deadline_met"].mean())
                if part["deadline_met"].notna().any()
                else None,
            }
        )
    return pd.DataFrame(rows)


def ensure_demo_pilots(*, settings: Settings | None = None) -> list[int]:
    """Register the demo region's pilots from its ground truth (once; idempotent by name)."""
    settings = settings or get_settings()
    truth_file = settings.demo_dir / "ground_truth.json"
    if not truth_file.exists():
        return []
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    ids = []
    for item in truth.get("pilots", []):
        existing = fetch_by_name(item["name"], settings=settings)
        if existing is not None:
            ids.append(existing.id)
            continue
        definition = PilotDefinition(
            name=item["name"],
            hypothesis=DEMO_HYPOTHESES.get(item["path"], ""),
            path=item["path"],
            change=item.get("effect_on", ""),
            start=date.fromisoformat(item["start"]),
            end=date.fromisoformat(item["end"]) if item.get("end") else None,
            group=PilotGroup(where={k: (str(v),) for k, v in item["group"].items()}),
            # the generator's comparison is concurrent; "both" adds the earlier periods so the
            # demo also shows difference-in-differences
            comparison="both",
            outcome_from=item["outcome_from"],
            outcome_to=item["outcome_to"],
            min_effect_days=14.0,
        )
        ids.append(insert(definition, user_id=None, settings=settings))
    return ids


DEMO_HYPOTHESES = {
    "entrepreneur": "Business-idea counselling and the start-up-grant statement in one visit "
    "shorten the time from the first counselling to the start-up-grant decision.",
    "graduate": "Group career guidance gets graduates to a youth-guarantee offer sooner.",
}
