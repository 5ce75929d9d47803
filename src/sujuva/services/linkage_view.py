"""The linkage report as a user may see it: scoped to their sources, small cells suppressed.

Analysts see the rows of their own organisation's sources (the sources of the imports it made
through the dashboard) exactly, and the region's figures; coordinators and administrators see
every source. Every figure that is not about the user's own source withholds person counts
``0 < n < threshold`` (and the figures derived from them, and the counts that would give a
withheld count by subtraction from a published one): ``None`` with ``suppressed`` set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sujuva.config import Settings, get_settings
from sujuva.privacy.suppression import is_small
from sujuva.services import accounts, cache, uploads
from sujuva.services.access import Reach, linkage_reach
from sujuva.services.linkage import linkage_json, linkage_report
from sujuva.services.principal import Principal
from sujuva.store.store import Store

#: Person counts of a source's row; each is withheld when small.
SOURCE_COUNTS: Final = ("customers", "shared_customers", "cases", "conflicting_cases")
#: Identity codes refused at import (one per person at most): withheld when small too.
REJECTED: Final = "rejected_keys"
REGION_COUNTS: Final = (
    "cases",
    "formed_cases",
    "multi_organisation_cases",
    "cases_without_start",
)
#: Counts that are part of a published total: withheld too when the rest of the total is small.
_PARTS: Final = {
    "shared_customers": "customers",
    "formed_cases": "cases",
    "multi_organisation_cases": "cases",
}
#: Shares and the count they are derived from.
_SHARES: Final = {
    "shared_share": "shared_customers",
    "multi_organisation_share": "multi_organisation_cases",
}
_MAX_JOBS: Final = 100_000


@dataclass(frozen=True, kw_only=True)
class LinkageView:
    """``sources``: rows of the linkage report's sources with ``own`` and ``suppressed``;
    ``region``: the region's figures with ``suppressed``; ``conflicts``: attribute, cases,
    suppressed. ``reach`` is ``own`` for an analyst (their sources only) or ``all``."""

    reach: Reach
    threshold: int
    sources: list[dict[str, Any]]
    region: dict[str, Any]
    conflicts: list[dict[str, Any]]


def linkage_view(principal: Principal, *, settings: Settings | None = None) -> LinkageView:
    """The linkage report scoped and suppressed for ``principal`` (viewers are refused)."""
    settings = settings or get_settings()
    reach = linkage_reach(principal)
    report = _report(settings)
    threshold = settings.suppression_threshold
    shown, own = own_sources(principal, settings=settings) if reach == "own" else (set(), set())
    sources = [
        _source_row(row, own=row["source"] in own, threshold=threshold)
        for row in report["sources"]
        if reach == "all" or row["source"] in shown
    ]
    region = report["region"] and _suppressed(dict(report["region"]), REGION_COUNTS, threshold)
    conflicts = [_suppressed(dict(row), ("cases",), threshold) for row in report["conflicts"]]
    return LinkageView(
        reach=reach, threshold=threshold, sources=sources, region=region, conflicts=conflicts
    )


def _report(settings: Settings) -> dict[str, Any]:
    if Store(settings.data_dir).is_empty:
        return {"sources": [], "region": {}, "conflicts": []}

    def compute() -> dict[str, Any]:
        return linkage_json(linkage_report(settings=settings))

    found: dict[str, Any] = cache.cached(settings, ("linkage",), compute)
    return found


def own_sources(principal: Principal, *, settings: Settings) -> tuple[set[str], set[str]]:
    """The sources of the imports the user's organisation made through the dashboard, and
    those of them that nobody else's import shares (only these are the user's own: a source
    name that another import also used describes somebody else's events too)."""
    if principal.organisation is None:
        return set(), set()
    jobs = accounts.list_import_jobs(
        organisation=principal.organisation, limit=_MAX_JOBS, settings=settings
    )
    ids = {
        int(i)
        for job in jobs
        for i in ((job.report or {}).get("store_imports") or [])
        if isinstance(i, int)
    }
    folders = {uploads.upload_dir(job.id, settings).resolve() for job in jobs}
    mine: set[str] = set()
    shared: set[str] = set()
    for record in Store(settings.data_dir, threads=settings.threads).imports():
        ours = record.import_id in ids or Path(record.file).parent in folders
        (mine if ours else shared).add(record.source)
    return mine, mine - shared


def _source_row(row: dict[str, Any], *, own: bool, threshold: int) -> dict[str, Any]:
    out = {"source": row["source"], "own": own, **{k: v for k, v in row.items() if k != "source"}}
    if own:
        out["suppressed"] = False
        return out
    return _suppressed(out, (*SOURCE_COUNTS, REJECTED), threshold)


def _suppressed(row: dict[str, Any], counts: tuple[str, ...], threshold: int) -> dict[str, Any]:
    """The row with its small person counts (and what they would reveal) set to None."""
    hidden = {
        name
        for name in counts
        if row.get(name) is not None and is_small(int(row[name]), threshold=threshold)
    }
    for part, whole in _PARTS.items():
        present = row.get(part) is not None and row.get(whole) is not None
        if present and is_small(int(row[whole]) - int(row[part]), threshold=threshold):
            hidden.add(part)
    hidden |= {share for share, base in _SHARES.items() if share in row and base in hidden}
    for name in hidden:
        row[name] = None
    row["suppressed"] = bool(hidden)
    return row
