"""Use case: what the store holds."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sujuva.config import Settings, get_settings
from sujuva.eventlog.pathrules import PathRules
from sujuva.store.store import ImportRecord, Store, StoreInfo


def store_info(*, settings: Settings | None = None) -> StoreInfo:
    """Counts, span and import count of the store in the configured data directory."""
    settings = settings or get_settings()
    return Store(settings.data_dir, threads=settings.threads).info()


def import_history(*, settings: Settings | None = None) -> list[ImportRecord]:
    """Every import done into the store, oldest first."""
    settings = settings or get_settings()
    return Store(settings.data_dir, threads=settings.threads).imports()


def rules_in_force(*, settings: Settings | None = None) -> PathRules:
    """The path rules the store forms its cases with."""
    settings = settings or get_settings()
    return Store(settings.data_dir, threads=settings.threads).rules()


def info_as_json(info: StoreInfo, history: list[ImportRecord]) -> dict[str, Any]:
    """The store summary as JSON-ready data (``sujuva info --json``)."""
    data = asdict(info)
    data["data_dir"] = str(info.data_dir)
    for key in ("first_event", "last_event"):
        value = data[key]
        data[key] = value.isoformat() if value is not None else None
    data["import_history"] = [
        {
            "import_id": r.import_id,
            "file": r.file,
            "format": r.format,
            "sha256": r.sha256,
            "rows_read": r.rows_read,
            "imported": r.imported,
            "rejected": r.rejected,
            "duplicate": r.duplicate,
            "imported_at": r.imported_at.isoformat() if r.imported_at else None,
            "source": r.source,
            "details": r.details,
        }
        for r in history
    ]
    return data
