"""Sujuva: multi-organisation customer paths for regional employment and business services.

The Python API in brief::

    import sujuva
    log = sujuva.read_log(Path("export.csv"))        # EventLog (.to_pandas(), .to_arrow())
    store = sujuva.open_store(Path("sujuva-data"))    # the embedded store, read-only
"""

from __future__ import annotations

from pathlib import Path

from sujuva.config import get_settings
from sujuva.eventlog.log import EventLog
from sujuva.eventlog.mapping import ColumnMapping
from sujuva.store.store import Store

__version__ = "0.1.0"


def read_log(
    path: Path | str,
    *,
    mapping: ColumnMapping | None = None,
    path_name: str | None = None,
    fmt: str | None = None,
    strict: bool = True,
) -> EventLog:
    """Read a CSV, XES or Parquet file into an :class:`EventLog` (validated, pseudonymised)."""
    from sujuva.services.importing import read_events

    events, _report = read_events(
        Path(path), mapping=mapping, path_name=path_name, fmt=fmt, strict=strict
    )
    return EventLog(events)


def open_store(data_dir: Path | str | None = None) -> Store:
    """The store in ``data_dir`` (default: the configured data directory), for reading."""
    settings = get_settings()
    return Store(
        Path(data_dir) if data_dir is not None else settings.data_dir, threads=settings.threads
    )


__all__ = ["ColumnMapping", "EventLog", "Store", "__version__", "open_store", "read_log"]
