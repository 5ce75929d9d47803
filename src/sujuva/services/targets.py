"""Use cases of the jobs target and its regional-economy effect.

Job records come imported (organisations' reports, kept in the app-state database) and derived
from the customer paths (a new enterprise when a case ends as ``entrepreneur``, a growth hire
at a "First employee hired" step), merged so that a job found both ways counts once. Tables of
jobs by organisation, path and pilot count persons: across organisations their small cells are
suppressed like every other aggregate, and a viewer sees their own organisation's jobs only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, select

from sujuva.config import Settings, get_settings
from sujuva.errors import PermissionDeniedError
from sujuva.impact import (
    DEFAULT_SECTORS,
    Effect,
    EffectConfig,
    MergeResult,
    Progress,
    SectorTarget,
    Target,
    job_records_frame,
    jobs_effect,
    make_target,
    merge_job_records,
    progress,
    read_io_table,
    read_job_records,
)
from sujuva.services import accounts, cache, dashboard, pilots
from sujuva.services.pilot_records import fetch_all
from sujuva.services.principal import Principal
from sujuva.services.publish import publish
from sujuva.store.appdb import session_scope
from sujuva.store.appdb_network import JobRecordRow, TargetRow
from sujuva.store.store import Store

TARGET_NAME = "region"
DEFAULT_START, DEFAULT_HORIZON = date(2017, 1, 1), date(2020, 12, 31)
SECTOR_CODES = {"bioeconomy": "02", "technology industry": "28", "wellbeing": "88", "other": "82"}
IO_FILE = "io_table.csv"


def require_member(principal: Principal) -> None:
    """Refuse administrators (they see no figures of the network's work)."""
    if principal.role == "admin":
        raise PermissionDeniedError("administrators manage users and organisations only")


def current_target(*, settings: Settings | None = None) -> tuple[Target, EffectConfig]:
    """The region's target and effect configuration (the source's defaults until changed)."""
    settings = settings or get_settings()
    with session_scope(settings=settings) as session:
        row = session.scalars(select(TargetRow).where(TargetRow.name == TARGET_NAME)).first()
        if row is None:
            target = make_target(
                start=DEFAULT_START,
                horizon=DEFAULT_HORIZON,
                jobs=1000.0,
                share=0.017,
                name=TARGET_NAME,
            )
            return target, _effect_config(150_000.0, 1.47, settings)
        subs = json.loads(row.sub_targets or "{}")
        sectors = tuple(
            SectorTarget(name=s.name, tol_codes=s.tol_codes, jobs=subs.get(s.name))
            for s in DEFAULT_SECTORS
        )
        target = make_target(
            start=row.start,
            horizon=row.horizon,
            jobs=row.jobs,
            baseline_jobs=row.baseline_jobs,
            sectors=sectors,
            name=row.name,
        )
        return target, _effect_config(row.euro_per_job, row.multiplier, settings)


def _effect_config(euro: float, multiplier: float, settings: Settings) -> EffectConfig:
    table_file = settings.data_dir / IO_FILE
    table = read_io_table(table_file) if table_file.exists() else None
    return EffectConfig(default_euro_per_job=euro, multiplier=multiplier, io_table=table)


def save_target(
    principal: Principal,
    *,
    jobs: float,
    baseline_jobs: float | None,
    start: date,
    horizon: date,
    sub_targets: dict[str, float],
    euro_per_job: float,
    multiplier: float,
    settings: Settings | None = None,
) -> None:
    """Set the region's target and effect parameters (coordinators)."""
    settings = settings or get_settings()
    if principal.role != "coordinator":
        raise PermissionDeniedError("the network's coordinator sets the target")
    make_target(start=start, horizon=horizon, jobs=jobs, baseline_jobs=baseline_jobs)
    EffectConfig(default_euro_per_job=euro_per_job, multiplier=multiplier)
    with session_scope(settings=settings) as session:
        row = session.scalars(select(TargetRow).where(TargetRow.name == TARGET_NAME)).first()
        if row is None:
            row = TargetRow(name=TARGET_NAME)
            session.add(row)
        row.jobs, row.baseline_jobs, row.start, row.horizon = jobs, baseline_jobs, start, horizon
        row.sub_targets = json.dumps(sub_targets)
        row.euro_per_job, row.multiplier = euro_per_job, multiplier
    cache.clear()
    accounts.record_audit(principal=principal, action="set_target", settings=settings)


def save_io_table(
    principal: Principal, content: bytes, *, settings: Settings | None = None
) -> None:
    """Use a regional input–output table (CSV) for indirect effects; checked before it is kept."""
    settings = settings or get_settings()
    if principal.role != "coordinator":
        raise PermissionDeniedError("the network's coordinator configures the effect model")
    target = settings.data_dir / IO_FILE
    staged = target.with_suffix(".new")
    staged.write_bytes(content)
    try:
        read_io_table(staged)
    except Exception:
        staged.unlink()
        raise
    staged.replace(target)


def remove_io_table(principal: Principal, *, settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    if principal.role != "coordinator":
        raise PermissionDeniedError("the network's coordinator configures the effect model")
    (settings.data_dir / IO_FILE).unlink(missing_ok=True)


def import_jobs(principal: Principal, path: Path, *, settings: Settings | None = None) -> int:
    """Keep imported job records (all or nothing); an analyst imports their own
    organisation's records only. Returns the number of records."""
    settings = settings or get_settings()
    if principal.role not in ("coordinator", "analyst"):
        raise PermissionDeniedError("coordinators and analysts import job records")
    frame = read_job_records(path)
    if principal.role == "analyst":
        foreign = frame[frame["organisation"] != principal.organisation]
        if len(foreign):
            raise PermissionDeniedError(
                f"{len(foreign)} record(s) belong to other organisations, e.g. "
                f"{foreign['organisation'].iloc[0]!r}: import your own organisation's jobs"
            )
    with session_scope(settings=settings) as session:
        session.execute(delete(JobRecordRow).where(JobRecordRow.batch == path.name))
        for r in frame.to_dict("records"):
            session.add(
                JobRecordRow(
                    job_key=r["job_id"] or None,
                    date=pd.Timestamp(r["date"]).date(),
                    sector=r["sector"],
                    tol_code=r["tol_code"],
                    fte=float(r["fte"]),
                    type=r["type"],
                    organisation=r["organisation"],
                    path=r["path"],
                    case_id=r["case_id"],
                    pilot=r["pilot"],
                    batch=path.name,
                )
            )
    cache.clear()
    accounts.record_audit(
        principal=principal,
        action="import_jobs",
        target=path.name,
        detail=f"{len(frame)} records",
        settings=settings,
    )
    return len(frame)


def _imported(settings: Settings) -> pd.DataFrame:
    with session_scope(settings=settings) as session:
        rows = session.scalars(select(JobRecordRow).order_by(JobRecordRow.id)).all()
        frame = pd.DataFrame(
            [
                {
                    "job_id": r.job_key or "",
                    "date": pd.Timestamp(r.date),
                    "sector": r.sector,
                    "tol_code": r.tol_code,
                    "fte": r.fte,
                    "type": r.type,
                    "organisation": r.organisation,
                    "path": r.path,
                    "case_id": r.case_id,
                    "pilot": r.pilot,
                }
                for r in rows
            ]
        )
    if frame.empty:
        return job_records_frame(pd.DataFrame(columns=list(_DERIVED_COLUMNS)), source="imported")
    return job_records_frame(frame, source="imported")


_DERIVED_COLUMNS = (
    "job_id",
    "date",
    "sector",
    "tol_code",
    "fte",
    "type",
    "organisation",
    "path",
    "case_id",
    "pilot",
)


def derived_jobs(*, settings: Settings | None = None) -> pd.DataFrame:
    """Jobs the customer paths show: a new enterprise per entrepreneur-path case ending as
    ``entrepreneur`` (a job seeker's or graduate's case ending so counts only when the same
    customer has no such case: one person, one firm), a growth hire per "First employee hired"
    step; pilots credited by their pilot groups."""
    settings = settings or get_settings()
    return cache.cached(settings, "derived-jobs", lambda: _derive(settings))


def _derive(settings: Settings) -> pd.DataFrame:
    with Store(settings.data_dir, threads=settings.threads).connect() as con:
        con.execute(f"SET TimeZone = '{settings.timezone}'")
        frame = con.execute("""
            WITH last_actor AS (
                SELECT e.case_idx, arg_max(a.name, e.pos) AS organisation
                FROM events e JOIN actors a ON a.code = e.actor_code GROUP BY e.case_idx),
            enterprises AS (
                SELECT c.*, p.name AS path,
                       count(*) FILTER (WHERE p.name = 'entrepreneur')
                           OVER (PARTITION BY c.customer_id) AS firm_cases,
                       row_number() OVER (PARTITION BY c.customer_id ORDER BY c.last_ts) AS nth
                FROM cases c JOIN paths p ON p.code = c.path_code
                WHERE c.outcome = 'entrepreneur')
            SELECT '' AS job_id, c.last_ts::DATE AS date, c."case:sector" AS sector,
                   'new_enterprise' AS type, l.organisation, c.path, c.case_id
            FROM enterprises c JOIN last_actor l USING (case_idx)
            WHERE c.path = 'entrepreneur' OR (c.firm_cases = 0 AND c.nth = 1)
            UNION ALL
            SELECT '', e.ts::DATE, c."case:sector", 'growth_hire', o.name, p.name, c.case_id
            FROM events e JOIN cases c USING (case_idx) JOIN paths p ON p.code = c.path_code
            JOIN activities a ON a.code = e.activity_code JOIN actors o ON o.code = e.actor_code
            WHERE a.name = 'First employee hired'
        """).fetch_df()
    frame["sector"] = frame["sector"].where(frame["sector"].isin(SECTOR_CODES), "other")
    frame["tol_code"] = frame["sector"].map(SECTOR_CODES)
    frame["fte"] = 1.0
    frame["date"] = pd.to_datetime(frame["date"])
    frame["pilot"] = _pilot_credit(frame, settings)
    return job_records_frame(frame, source="derived")


def _pilot_credit(frame: pd.DataFrame, settings: Settings) -> pd.Series:
    credit = pd.Series("", index=frame.index, dtype="object")
    for pilot in fetch_all(settings=settings):
        data = pilots.pilot_data(pilot.definition, settings=settings)
        cases = set(data.loc[(data["group"] == "pilot") & (data["period"] == "post"), "case_id"])
        mine = frame["case_id"].isin(cases) & (frame["path"] == pilot.definition.path)
        credit[mine & (credit == "")] = pilot.definition.name
    return credit


def all_jobs(*, settings: Settings | None = None) -> MergeResult:
    """Imported and derived records merged: a job found both ways counts once."""
    settings = settings or get_settings()
    return cache.cached(
        settings,
        "all-jobs",
        lambda: merge_job_records(
            imported=_imported(settings), derived=derived_jobs(settings=settings)
        ),
    )


@dataclass(frozen=True, kw_only=True)
class TargetView:
    """The target page: the target, progress (tables published), the effect, the merge."""

    target: Target
    progress: Progress
    by_organisation: pd.DataFrame
    by_path: pd.DataFrame
    by_pilot: pd.DataFrame
    effect: Effect
    merged: MergeResult
    own_only: bool


def target_view(
    principal: Principal, *, as_of: date | None = None, settings: Settings | None = None
) -> TargetView:
    """Progress toward the target on ``as_of`` (default: the last day with data); cached per
    store generation until the target or the job records change."""
    settings = settings or get_settings()
    require_member(principal)
    own = principal.organisation if principal.role == "viewer" else None
    return cache.cached(
        settings, ("target-view", own, as_of), lambda: _target_view(principal, as_of, settings)
    )


def _target_view(principal: Principal, as_of: date | None, settings: Settings) -> TargetView:
    target, config = current_target(settings=settings)
    merged = all_jobs(settings=settings)
    # the target counts new jobs in the focus sectors; others are shown beside it
    records = merged.records[merged.records["sector"] != "other"]
    own_only = principal.role == "viewer"
    if own_only:
        records = records[records["organisation"] == principal.organisation]
    span = dashboard.data_span(settings=settings)
    day = as_of or (span[1] if span else date.today())
    result = progress(records, target, as_of=day)
    jobs_by_sector = {
        str(s): float(f)
        for s, f in zip(result.by_sector["sector"], result.by_sector["fte"], strict=True)
    }
    k = settings.suppression_threshold
    tables = {
        name: publish(
            getattr(result, name),
            key=[key],
            count="records",
            threshold=k,
            suppressed=not own_only,
            dependent=["fte", "share"],
            lines=(),
        )
        for name, key in (
            ("by_organisation", "organisation"),
            ("by_path", "path"),
            ("by_pilot", "pilot"),
        )
    }
    return TargetView(
        target=target,
        progress=result,
        effect=jobs_effect(jobs=jobs_by_sector, config=config),
        merged=merged,
        own_only=own_only,
        **tables,
    )


def impact_of(jobs: float | dict[str, float], *, settings: Settings | None = None) -> Effect:
    """What ``jobs`` new jobs (in total, or per sector) are worth under the configuration."""
    settings = settings or get_settings()
    _, config = current_target(settings=settings)
    if config.io_table is not None and not isinstance(jobs, dict):
        config = EffectConfig(
            default_euro_per_job=config.default_euro_per_job, multiplier=config.multiplier
        )
    return jobs_effect(jobs=jobs, config=config)


def ensure_demo_jobs(*, settings: Settings | None = None) -> int:
    """Import the demo region's own job reports once: the Enterprise Agency's new enterprises
    (with case ids, found in the paths too), employers' growth hires (without case ids, found
    in the paths too) and the staffing firm's placements (not in the paths). The merge must
    count each job once; returns the number of imported records."""
    settings = settings or get_settings()
    with session_scope(settings=settings) as session:
        if session.scalars(select(JobRecordRow.id)).first() is not None:
            return 0
    derived = derived_jobs(settings=settings)
    enterprises = derived[(derived["type"] == "new_enterprise")].iloc[::3]
    hires = derived[derived["type"] == "growth_hire"].iloc[::2].assign(case_id="")
    placements = _demo_placements(derived)
    reports = pd.concat([enterprises, hires, placements], ignore_index=True)
    reports["job_id"] = [f"DEMO-{i:05d}" for i in range(len(reports))]
    reports["date"] = pd.to_datetime(reports["date"]).dt.strftime("%Y-%m-%d")
    folder = settings.demo_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "job_reports.csv"
    reports[list(_DERIVED_COLUMNS)].to_csv(path, index=False)
    operator = Principal(user_id=0, username="demo", role="coordinator", organisation=None)
    return import_jobs(operator, path, settings=settings)


def _demo_placements(derived: pd.DataFrame) -> pd.DataFrame:
    """Placements into new jobs reported by the staffing firm: one for every tenth derived
    job, a week later, in technology industry and wellbeing."""
    base = derived.iloc[::10].copy()
    sectors = ["technology industry", "wellbeing"]
    base["sector"] = [sectors[i % 2] for i in range(len(base))]
    base["tol_code"] = base["sector"].map(SECTOR_CODES)
    base["date"] = pd.to_datetime(base["date"]) + pd.Timedelta(days=7)
    return base.assign(
        type="placement", organisation="Staffing firm", path="", case_id="", pilot=""
    )
