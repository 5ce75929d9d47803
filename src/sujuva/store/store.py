"""The embedded store: read the generation in force, or write a new one in a transaction."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from sujuva.errors import NotFoundError, StoreError
from sujuva.eventlog.pathrules import PathRules, default_rules, parse_rules
from sujuva.store import layout
from sujuva.store.build import (
    SCHEMA_VERSION,
    SIDE_TABLES,
    BuildCounts,
    Replacement,
    append_staged,
    build_generation,
    concat_unified,
    q,
)

STAGE_ROWS = 1_000_000
_PUBLIC_COLUMNS = "* EXCLUDE (case_idx, pos, _import, _row)"


@dataclass
class ImportRecord:
    """One file's import: what was read, kept, rejected and found duplicate."""

    import_id: int
    file: str
    format: str
    sha256: str
    rows_read: int = 0
    imported: int = 0
    rejected: int = 0
    duplicate: int = 0
    imported_at: datetime | None = None
    source: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoreInfo:
    """Counts and span of what the store holds."""

    data_dir: Path
    generation: str | None
    events: int
    cases: int
    customers: int
    paths: list[str]
    actors: list[str]
    activities: int
    first_event: datetime | None
    last_event: datetime | None
    imports: int
    open_cases: int


def _configure(con: duckdb.DuckDBPyConnection, *, threads: int, memory_limit: str | None) -> None:
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")


class Store:
    """Read access to the store in a data directory (the generation in force when opened)."""

    def __init__(self, data_dir: Path, *, threads: int = 2) -> None:
        self.data_dir = data_dir
        self.threads = threads
        self.generation = layout.current_generation(data_dir) if data_dir.exists() else None

    @property
    def is_empty(self) -> bool:
        return self.generation is None

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only DuckDB connection to the generation (raises on an empty store)."""
        if self.generation is None:
            raise StoreError(
                f"{self.data_dir}: the store is empty; import a file or run 'sujuva demo'"
            )
        try:
            con = duckdb.connect(str(self.generation / layout.DB_FILE), read_only=True)
        except duckdb.Error as exc:
            raise StoreError(f"{self.generation}: cannot open the store: {exc}") from exc
        _configure(con, threads=self.threads, memory_limit=None)
        rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        if not rows or rows[0][0] != SCHEMA_VERSION:
            con.close()
            found = rows[0][0] if rows else "unknown"
            raise StoreError(
                f"{self.generation}: the store has layout version {found}, this Sujuva reads "
                f"version {SCHEMA_VERSION}; export it with the older version and import the export"
            )
        return con

    def info(self) -> StoreInfo:
        """Counts of events, cases, customers, paths, actors, the time span and imports."""
        if self.generation is None:
            return StoreInfo(self.data_dir, None, 0, 0, 0, [], [], 0, None, None, 0, 0)
        with self.connect() as con:
            events, first, last = con.execute(
                "SELECT count(*), min(ts), max(ts) FROM events"
            ).fetchall()[0] or (0, None, None)
            cases, customers, open_cases = con.execute(
                "SELECT count(*), count(DISTINCT customer_id), "
                "count(*) FILTER (WHERE outcome IS NULL) FROM cases"
            ).fetchall()[0] or (0, 0, 0)
            paths = [r[0] for r in con.execute("SELECT name FROM paths ORDER BY name").fetchall()]
            actors = [r[0] for r in con.execute("SELECT name FROM actors ORDER BY name").fetchall()]
            activities = (con.execute("SELECT count(*) FROM activities").fetchall()[0] or (0,))[0]
            imports = (con.execute("SELECT count(*) FROM imports").fetchall()[0] or (0,))[0]
        return StoreInfo(
            self.data_dir,
            self.generation.name,
            int(events),
            int(cases),
            int(customers),
            paths,
            actors,
            int(activities),
            first,
            last,
            int(imports),
            int(open_cases),
        )

    def imports(self) -> list[ImportRecord]:
        """The import history, oldest first."""
        if self.generation is None:
            return []
        with self.connect() as con:
            rows = con.execute(
                "SELECT import_id, file, format, sha256, rows_read, imported, rejected, "
                "duplicate, imported_at, source, details FROM imports ORDER BY import_id"
            ).fetchall()
        return [
            ImportRecord(
                import_id=row[0],
                file=row[1],
                format=row[2],
                sha256=row[3],
                rows_read=row[4],
                imported=row[5],
                rejected=row[6],
                duplicate=row[7],
                imported_at=row[8],
                source=row[9] or "",
                details=json.loads(row[10] or "{}"),
            )
            for row in rows
        ]

    def rules(self) -> PathRules:
        """The path rules in force (the shipped defaults for an empty store)."""
        if self.generation is None:
            return default_rules()
        with self.connect() as con:
            return stored_rules(con, None)

    def event_batches(self, *, batch_size: int = 131_072) -> Iterator[pa.RecordBatch]:
        """Every event in canonical form (case by case, in time order), as Arrow batches."""
        with self.connect() as con:
            reader = con.sql(
                f"SELECT {_PUBLIC_COLUMNS} FROM event_log ORDER BY case_idx, pos"
            ).to_arrow_reader(batch_size)
            yield from reader

    def to_arrow(self) -> pa.Table:
        """The whole event log as one Arrow table (for small stores and tests)."""
        batches = list(self.event_batches())
        if not batches:
            with self.connect() as con:
                return con.sql(f"SELECT {_PUBLIC_COLUMNS} FROM event_log LIMIT 0").to_arrow_table()
        return pa.Table.from_batches(batches)

    def side_table(self, name: str) -> pa.Table | None:
        """A stored reference table (``catalogue``, ``organisations``), or None."""
        if self.generation is None or name not in SIDE_TABLES:
            return None
        with self.connect() as con:
            exists = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]
            ).fetchall()[0]
            if not exists or not exists[0]:
                return None
            return con.sql(f"SELECT * FROM {q(name)}").to_arrow_table()


class ImportTransaction:
    """Writes a new generation: stage events, then :meth:`commit` publishes all or nothing.

    Use as a context manager; leaving it without commit (or by an exception) discards
    everything staged and leaves the store exactly as it was.
    """

    def __init__(self, data_dir: Path, *, threads: int = 2, memory_limit: str = "1GB") -> None:
        self.data_dir = data_dir
        self.threads = threads
        self.memory_limit = memory_limit
        self._lock = layout.writer_lock(data_dir)
        self._building: Path | None = None
        self._name = ""
        self._con: duckdb.DuckDBPyConnection | None = None
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        self._side: dict[str, pa.Table] = {}
        self._next_import = 1
        self._previous: Path | None = None
        self._rules: PathRules | None = None
        self._removed: set[int] = set()
        self._replaced: list[Replacement] = []

    def __enter__(self) -> ImportTransaction:
        self._lock.__enter__()
        try:
            layout.remove_stale(self.data_dir)
            self._previous = layout.current_generation(self.data_dir)
            self._name = layout.next_generation_name(self.data_dir)
            self._building = layout.building_dir(self.data_dir, self._name)
            self._building.mkdir(parents=True)
            self._next_import = self._last_import_id() + 1
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._con is not None:
                self._con.close()
                self._con = None
            if self._building is not None and self._building.exists():
                shutil.rmtree(self._building, ignore_errors=True)
        finally:
            self._lock.__exit__(kind, exc, tb)

    def _connection(self) -> duckdb.DuckDBPyConnection:
        """The new generation's database, opened on first use (staging lives in its temp space)."""
        assert self._building is not None, "use the transaction as a context manager"
        if self._con is None:
            self._con = duckdb.connect(str(self._building / layout.DB_FILE))
            _configure(self._con, threads=self.threads, memory_limit=self.memory_limit)
            self._con.execute(f"SET temp_directory = {_literal(self._building / 'spill')}")
            self._con.execute("SET preserve_insertion_order = false")
        return self._con

    def new_import_id(self) -> int:
        """Reserve the id of the next import in this transaction."""
        import_id = self._next_import
        self._next_import += 1
        return import_id

    def stage(self, events: pa.Table, *, import_id: int) -> None:
        """Add normalised events (with ``_row``) of one import to the new generation."""
        if events.num_rows == 0:
            return
        table = events.append_column(
            "_import", pa.array(np.full(events.num_rows, import_id, np.int32))
        )
        table = table.drop_columns(
            [c for c in ("_trace", "_event", "_line") if c in table.column_names]
        )
        self._buffer.append(table)
        self._buffered += table.num_rows
        if self._buffered >= STAGE_ROWS:
            self._flush()

    def _flush(self) -> None:
        """Move buffered batches into the database in one insert (many small ones are slow)."""
        if self._buffer:
            append_staged(self._connection(), concat_unified(self._buffer))
        self._buffer, self._buffered = [], 0

    def set_rules(self, rules: PathRules) -> None:
        """Form the new generation's cases with these path rules (and keep them in force)."""
        self._rules = rules

    def remove_import(self, import_id: int) -> None:
        """Leave out every event of an earlier import, as if it had never been imported."""
        if self._previous is None or not self._has_import(import_id):
            raise NotFoundError(f"no import {import_id} in the store")
        self._removed.add(import_id)

    def replace_period(self, *, source: str, start: datetime, end: datetime) -> None:
        """Drop the stored events of ``source`` completed within [start, end]: a new export of
        that source for the period replaces them."""
        self._replaced.append(Replacement(source, start, end))

    def set_side_table(self, name: str, table: pa.Table) -> None:
        """Replace a reference table (catalogue, organisations) in the new generation."""
        if name not in SIDE_TABLES:
            raise ValueError(f"unknown side table {name!r}")
        self._side[name] = table

    def commit(self, records: list[ImportRecord]) -> BuildCounts:
        """Build the generation from the previous one plus staged events; publish atomically."""
        assert self._building is not None
        self._flush()
        con = self._connection()
        if self._previous is not None:
            con.execute(f"ATTACH {_literal(self._previous / layout.DB_FILE)} AS old (READ_ONLY)")
        rules = self._rules or (
            stored_rules(con, "old") if self._previous is not None else default_rules()
        )
        counts = build_generation(
            con,
            has_previous=self._previous is not None,
            rules=rules,
            removed=frozenset(self._removed),
            replaced=tuple(self._replaced),
        )
        self._write_imports(con, records, counts)
        self._write_side_tables(con)
        con.execute(
            "CREATE TABLE meta AS SELECT 'schema_version' AS key, ? AS value "
            "UNION ALL SELECT 'path_rules', ? UNION ALL SELECT 'path_rules_origin', ?",
            [SCHEMA_VERSION, rules.text, rules.origin],
        )
        if self._previous is not None:
            con.execute("DETACH old")
        con.execute("CHECKPOINT")
        con.close()
        self._con = None
        shutil.rmtree(self._building / "spill", ignore_errors=True)
        layout.publish(self.data_dir, self._building, self._name)
        self._building = None
        layout.remove_stale(self.data_dir)
        return counts

    def _has_import(self, import_id: int) -> bool:
        assert self._previous is not None
        with duckdb.connect(str(self._previous / layout.DB_FILE), read_only=True) as con:
            found = con.execute(
                "SELECT count(*) FROM imports WHERE import_id = ?", [import_id]
            ).fetchall()
        return bool(found[0][0])

    def _last_import_id(self) -> int:
        if self._previous is None:
            return 0
        with duckdb.connect(str(self._previous / layout.DB_FILE), read_only=True) as con:
            row = con.execute("SELECT coalesce(max(import_id), 0) FROM imports").fetchall()[0]
        return int(row[0]) if row else 0

    def _write_imports(
        self, con: duckdb.DuckDBPyConnection, records: list[ImportRecord], counts: BuildCounts
    ) -> None:
        con.execute(
            "CREATE TABLE imports (import_id INTEGER, file VARCHAR, format VARCHAR, "
            "sha256 VARCHAR, rows_read BIGINT, imported BIGINT, rejected BIGINT, "
            "duplicate BIGINT, imported_at TIMESTAMPTZ, source VARCHAR, details VARCHAR)"
        )
        if self._previous is not None:
            con.execute(
                "INSERT INTO imports SELECT * FROM old.imports WHERE import_id NOT IN "
                "(SELECT unnest(?::INTEGER[]))",
                [sorted(self._removed)],
            )
        for record in records:
            record.imported = counts.kept.get(record.import_id, 0)
            record.duplicate = counts.duplicates.get(record.import_id, 0)
            con.execute(
                "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?)",
                [
                    record.import_id,
                    record.file,
                    record.format,
                    record.sha256,
                    record.rows_read,
                    record.imported,
                    record.rejected,
                    record.duplicate,
                    record.source,
                    json.dumps(record.details, sort_keys=True),
                ],
            )

    def _write_side_tables(self, con: duckdb.DuckDBPyConnection) -> None:
        for name in SIDE_TABLES:
            if name in self._side:
                con.register("side_table", self._side[name])
                con.execute(f"CREATE TABLE {q(name)} AS SELECT * FROM side_table")
                con.unregister("side_table")
            elif self._previous is not None and con.execute(
                "SELECT count(*) FROM duckdb_tables() "
                "WHERE database_name = 'old' AND table_name = ?",
                [name],
            ).fetchall()[0] == (1,):
                con.execute(f"CREATE TABLE {q(name)} AS SELECT * FROM old.{q(name)}")


def stored_rules(con: duckdb.DuckDBPyConnection, database: str | None) -> PathRules:
    """The path rules kept in a generation's ``meta`` table (``database``: None for the
    connection's own, or ``old``)."""
    table = f"{database}.meta" if database else "meta"
    rows = dict(
        con.execute(f"SELECT key, value FROM {table} WHERE key LIKE 'path_rules%'").fetchall()
    )
    if "path_rules" not in rows:
        return default_rules()
    return parse_rules(rows["path_rules"], origin=rows.get("path_rules_origin", "stored rules"))


def _literal(path: Path) -> str:
    """A path as an SQL string literal (quotes doubled: a folder may contain an apostrophe)."""
    return "'" + str(path).replace("'", "''") + "'"
