"""Use case: the linkage report of the store, for the CLI, the API and the data page."""

from __future__ import annotations

from typing import Any

from sujuva.analytics.linkage import Linkage, linkage
from sujuva.config import Settings, get_settings
from sujuva.store.store import Store


def linkage_report(*, settings: Settings | None = None) -> Linkage:
    """How the stored exports linked: per source and for the region."""
    settings = settings or get_settings()
    store = Store(settings.data_dir, threads=settings.threads)
    rejected: dict[str, int] = {}
    for record in store.imports():
        count = int(record.details.get("rejected_keys", 0) or 0)
        rejected[record.source] = rejected.get(record.source, 0) + count
    rules = store.rules()
    with store.connect() as con:
        return linkage(con, rules=rules, rejected_keys=rejected)


def linkage_json(report: Linkage) -> dict[str, Any]:
    """The report as JSON-ready data (one shape for the CLI and the API)."""
    region = report.region.to_dict(orient="records")
    return {
        "sources": [_clean(row) for row in report.sources.to_dict(orient="records")],
        "region": _clean(region[0]) if region else {},
        "conflicts": [_clean(row) for row in report.conflicts.to_dict(orient="records")],
    }


def _clean(row: dict[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and value != value:  # NaN
            value = None
        out[str(key)] = value
    return out
