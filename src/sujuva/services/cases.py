"""Case-level use cases: an analyst's own organisation's cases, every view audited."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd

from sujuva.analytics.scope import scope
from sujuva.analytics.selection import Selection
from sujuva.config import Settings, get_settings
from sujuva.errors import NotFoundError
from sujuva.services import accounts
from sujuva.services.access import authorise
from sujuva.services.dashboard import check_path
from sujuva.services.principal import Principal
from sujuva.store.store import Store

CASE_LIMIT = 500


def case_list(
    principal: Principal,
    *,
    path: str,
    start: date | None = None,
    end: date | None = None,
    limit: int = CASE_LIMIT,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """The user's organisation's cases on ``path`` started in [start, end), newest first.

    Columns: case_id, customer_id (pseudonym), first_ts, last_ts, n_events, outcome, days.
    """
    settings = settings or get_settings()
    check_path(path, settings=settings)
    grant = authorise(
        principal, Selection(paths=(path,), start_from=start, start_to=end), level="case"
    )
    with Store(settings.data_dir, threads=settings.threads).connect() as con:
        bound = scope(con, grant.selection, zone=ZoneInfo(settings.timezone))
        frame = bound.frame(
            "SELECT case_id, customer_id, first_ts, last_ts, n_events, outcome, "
            "(epoch_us(last_ts) - epoch_us(start_ts)) / 86400e6 AS days "
            "FROM sel_cases ORDER BY first_ts DESC LIMIT ?",
            [limit],
        )
    accounts.record_audit(
        principal=principal,
        action="view_cases",
        target=path,
        detail=f"{len(frame)} cases, start {start or '-'}, end {end or '-'}",
        settings=settings,
    )
    return frame


def case_events(
    principal: Principal, *, path: str, case_id: str, settings: Settings | None = None
) -> pd.DataFrame:
    """One of the user's organisation's cases, event by event (NotFound for any other case).

    Columns: pos, activity, actor, start_ts, ts, channel, outcome (staff pseudonyms are left
    out: they are other organisations' personal data).
    """
    settings = settings or get_settings()
    check_path(path, settings=settings)
    grant = authorise(principal, Selection(paths=(path,)), level="case")
    with Store(settings.data_dir, threads=settings.threads).connect() as con:
        bound = scope(con, grant.selection, zone=ZoneInfo(settings.timezone))
        frame = bound.frame(
            "SELECT e.pos, a.name AS activity, o.name AS actor, e.start_ts, e.ts, "
            "e.channel, e.outcome FROM sel_events e "
            "JOIN sel_cases c USING (case_idx) "
            "JOIN activities a ON a.code = e.activity_code "
            "LEFT JOIN actors o ON o.code = e.actor_code "
            "WHERE c.case_id = ? ORDER BY e.pos",
            [case_id],
        )
    if frame.empty:
        raise NotFoundError(f"no case {case_id!r} of your organisation on path {path!r}")
    accounts.record_audit(
        principal=principal, action="view_case", target=f"{path}/{case_id}", settings=settings
    )
    return frame
