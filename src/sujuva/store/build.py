"""Build a store generation: merge the previous generation with staged events in one pass.

The result is sorted by case and time once, here, and dictionary-encoded; each event carries its
position in the case and its successor (next activity, actor and times), so analytics never sort
again. Duplicates (same path, case, activity, completion and start time, actor and resource) are
kept once: the earliest imported copy wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

import duckdb
import pyarrow as pa

from sujuva.eventlog import model
from sujuva.eventlog.pathrules import PathRules
from sujuva.store.formation import case_outcome_sql, form_cases, register_rules

KEY: Final = (
    model.PATH,
    model.CASE_ID,
    model.SOURCE_CASE_ID,
    model.CUSTOMER_KEY,
    model.FIRM_KEY,
    model.ACTIVITY,
    model.TIMESTAMP,
    model.START_TIMESTAMP,
    model.ACTOR,
    model.RESOURCE,
)
SCHEMA_VERSION: Final = "4"
SIDE_TABLES: Final = ("catalogue", "organisations")


def q(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class BuildCounts:
    """Per import id: events kept and duplicates dropped."""

    kept: dict[int, int]
    duplicates: dict[int, int]


def concat_unified(tables: list[pa.Table]) -> pa.Table:
    """Concatenate batches whose columns may differ: missing columns become null, numbers
    widen, and other type disagreements become text."""
    types: dict[str, set[pa.DataType]] = {}
    for table in tables:
        for schema_field in table.schema:
            if not pa.types.is_null(schema_field.type):
                types.setdefault(schema_field.name, set()).add(schema_field.type)
    target = {name: _common_type(kinds) for name, kinds in types.items() if len(kinds) > 1}
    if target:
        tables = [
            t.cast(pa.schema([pa.field(f.name, target.get(f.name, f.type)) for f in t.schema]))
            for t in tables
        ]
    return pa.concat_tables(tables, promote_options="permissive")


def _common_type(kinds: set[pa.DataType]) -> pa.DataType:
    if all(pa.types.is_integer(k) for k in kinds):
        return pa.int64()
    if all(pa.types.is_integer(k) or pa.types.is_floating(k) for k in kinds):
        return pa.float64()
    return pa.string()


def append_staged(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    """Append normalised events to the temporary ``incoming`` table, widening it as needed.

    A column first seen in a later batch is added; a column whose type differs between batches
    becomes text.
    """
    con.register("staged_batch", table)
    try:
        exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'incoming' AND temporary"
        ).fetchall()[0]
        if not exists or not exists[0]:
            con.execute("CREATE TEMP TABLE incoming AS SELECT * FROM staged_batch")
            return
        have = dict(
            con.execute("SELECT column_name, column_type FROM (DESCRIBE incoming)").fetchall()
        )
        new = dict(
            con.execute("SELECT column_name, column_type FROM (DESCRIBE staged_batch)").fetchall()
        )
        select = [_widen(con, name, have.get(name), kind, table) for name, kind in new.items()]
        con.execute(f"INSERT INTO incoming BY NAME SELECT {', '.join(select)} FROM staged_batch")
    finally:
        con.unregister("staged_batch")


_NUMERIC = {"TINYINT": 1, "SMALLINT": 2, "INTEGER": 3, "BIGINT": 4, "DOUBLE": 5}


def _widen(
    con: duckdb.DuckDBPyConnection, name: str, have: str | None, kind: str, table: pa.Table
) -> str:
    """Make column ``name`` of ``incoming`` fit a batch's column; return its select expression.

    A batch column that is null throughout takes the table's type; numbers widen to the wider
    number; any other disagreement turns both into text.
    """
    column = q(name)
    if have is None:
        con.execute(f"ALTER TABLE incoming ADD COLUMN {column} {kind}")
        return column
    if have == kind:
        return column
    if table[name].null_count == table.num_rows:
        return f"{column}::{have} AS {column}"
    if have == '"NULL"' or (
        have in _NUMERIC and kind in _NUMERIC and _NUMERIC[kind] > _NUMERIC[have]
    ):
        con.execute(f"ALTER TABLE incoming ALTER {column} TYPE {kind}")
        return column
    if have in _NUMERIC and kind in _NUMERIC:
        return f"{column}::{have} AS {column}"
    if have != "VARCHAR":
        con.execute(f"ALTER TABLE incoming ALTER {column} TYPE VARCHAR")
    return f"{column}::VARCHAR AS {column}"


@dataclass(frozen=True)
class Replacement:
    """A new export of ``source`` for a period replaces the source's stored events in it."""

    source: str
    start: datetime
    end: datetime


def build_generation(
    con: duckdb.DuckDBPyConnection,
    *,
    has_previous: bool,
    rules: PathRules,
    removed: frozenset[int] = frozenset(),
    replaced: tuple[Replacement, ...] = (),
) -> BuildCounts:
    """Fill the new database ``con`` from ``old`` (if attached) and the ``incoming`` table.

    Events of ``removed`` imports are left out, and so are earlier events of each replaced
    source and period; every case is formed again by ``rules``.
    """
    _ensure_incoming(con)
    old_columns = _columns(con, "old.raw_events") if has_previous else []
    new_columns = _columns(con, "incoming")
    attrs = [c for c in dict.fromkeys(old_columns + new_columns) if _is_attr(c)]
    case_attrs = [c for c in attrs if model.is_case_attribute(c)]
    if has_previous:
        con.execute(f"""
            CREATE TEMP TABLE candidates AS
            SELECT * FROM (
                SELECT *, 0 AS _new FROM old.raw_events
                UNION ALL BY NAME SELECT *, 0 AS _new FROM old.shadow_events
            ) WHERE {_still_valid(removed, replaced)}
            UNION ALL BY NAME SELECT *, 1 AS _new FROM incoming
        """)
    else:
        con.execute("CREATE TEMP VIEW candidates AS SELECT *, 1 AS _new FROM incoming")
    counts = _drop_duplicates(con)
    register_rules(con, rules)
    form_cases(con)
    _dictionaries(con)
    _cases(con, case_attrs)
    _events(con, attrs)
    _event_log_view(con, case_attrs, [c for c in attrs if c not in case_attrs])
    _raw_events_view(con, attrs)
    _drop_relations(con, "formed", "kept", "candidates", "incoming", "key_labels")
    return counts


def _still_valid(removed: frozenset[int], replaced: tuple[Replacement, ...]) -> str:
    """The predicate on earlier events that keeps them: not removed, not replaced."""
    terms = ["true"]
    if removed:
        terms.append(f"_import NOT IN ({', '.join(str(int(i)) for i in sorted(removed))})")
    for r in replaced:
        source = r.source.replace("'", "''")
        terms.append(
            f"NOT (source IS NOT DISTINCT FROM '{source}' AND timestamp >= "
            f"'{r.start.isoformat()}'::TIMESTAMPTZ AND timestamp <= "
            f"'{r.end.isoformat()}'::TIMESTAMPTZ)"
        )
    return " AND ".join(terms)


def _drop_relations(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    for name in names:
        kind = con.execute(
            "SELECT 'VIEW' FROM duckdb_views() WHERE view_name = ? AND temporary "
            "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ? AND temporary",
            [name, name],
        ).fetchall()
        if kind:
            con.execute(f"DROP {kind[0][0]} {q(name)}")


def _ensure_incoming(con: duckdb.DuckDBPyConnection) -> None:
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'incoming' AND temporary"
    ).fetchall()[0]
    if not exists or not exists[0]:
        cols = ", ".join(f"NULL::{_sql_type(f.type)} AS {q(f.name)}" for f in model.CORE_SCHEMA)
        extra = ", ".join(
            f"NULL::VARCHAR AS {q(c)}" for c in (*model.PROVENANCE_COLUMNS, *model.KEY_COLUMNS)
        )
        con.execute(
            f"CREATE TEMP TABLE incoming AS SELECT {cols}, {extra}, 0::BIGINT AS _row, "
            "0 AS _import WHERE false"
        )
    have = {row[0] for row in con.execute("DESCRIBE incoming").fetchall()}
    for column in (*model.PROVENANCE_COLUMNS, *model.KEY_COLUMNS):
        if column not in have:
            con.execute(f"ALTER TABLE incoming ADD COLUMN {q(column)} VARCHAR")


def _sql_type(arrow_type: object) -> str:
    return "TIMESTAMPTZ" if str(arrow_type).startswith("timestamp") else "VARCHAR"


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]


def _is_attr(column: str) -> bool:
    internal = {"_row", "_import", "_new", "_trace", "_event", "case_idx", "pos"}
    return model.is_free_attribute(column) and column not in internal


def _drop_duplicates(con: duckdb.DuckDBPyConnection) -> BuildCounts:
    """Keep the first copy of each event key as relation ``kept``; count per import; keep the
    other copies aside in ``shadow_events`` (so removing an import can bring them back).

    A cheap hash aggregate finds the few keys that occur more than once; only those rows are
    ranked exactly, so a log without duplicates costs one hash pass, not a sort.
    """
    key = ", ".join(q(c) for c in KEY)
    con.execute(f"""
        CREATE TEMP TABLE repeated AS
        SELECT h FROM (SELECT hash({key}) AS h FROM candidates) GROUP BY h HAVING count(*) > 1
    """)
    con.execute(f"""
        CREATE TEMP TABLE losers AS
        SELECT _import, _row FROM (
            SELECT _import, _row,
                   row_number() OVER (PARTITION BY {key} ORDER BY _import, _row) AS _rank
            FROM candidates WHERE hash({key}) IN (SELECT h FROM repeated)
        ) WHERE _rank > 1
    """)
    rows = con.execute(
        "SELECT _import, count(*) FROM candidates WHERE _new = 1 GROUP BY _import"
    ).fetchall()
    lost = dict(
        con.execute(
            "SELECT c._import, count(*) FROM candidates c SEMI JOIN losers l "
            "ON c._import = l._import AND c._row = l._row WHERE c._new = 1 GROUP BY c._import"
        ).fetchall()
    )
    con.execute("""
        CREATE TABLE shadow_events AS SELECT * EXCLUDE (_new) FROM candidates c
        SEMI JOIN losers l ON c._import = l._import AND c._row = l._row
    """)
    if con.execute("SELECT count(*) FROM losers").fetchall()[0][0]:
        con.execute("""
            CREATE TEMP TABLE kept AS SELECT * EXCLUDE (_new) FROM candidates c
            ANTI JOIN losers l ON c._import = l._import AND c._row = l._row
        """)
    else:
        con.execute("CREATE TEMP VIEW kept AS SELECT * EXCLUDE (_new) FROM candidates")
    con.execute("DROP TABLE repeated; DROP TABLE losers")
    return BuildCounts(
        kept={int(r[0]): int(r[1]) - int(lost.get(r[0], 0)) for r in rows},
        duplicates={int(k): int(v) for k, v in lost.items()},
    )


def _dictionaries(con: duckdb.DuckDBPyConnection) -> None:
    """Code tables: ``paths``, ``activities``, ``actors`` (code, name), codes in name order."""
    for table, column in (
        ("paths", model.PATH),
        ("activities", model.ACTIVITY),
        ("actors", model.ACTOR),
    ):
        con.execute(f"""
            CREATE TABLE {table} AS
            SELECT (row_number() OVER (ORDER BY name) - 1)::INTEGER AS code, name
            FROM (SELECT DISTINCT {q(column)} AS name FROM formed)
        """)


def _cases(con: duckdb.DuckDBPyConnection, case_attrs: list[str]) -> None:
    """One row per case, numbered in (path, case id) order: its earliest instant (``start_ts``,
    a start time where recorded), first and last completion, events, outcome (see
    :mod:`sujuva.store.formation`), whether it was formed from keys, and its attributes (where
    sources disagree, the value of the earliest event that has one)."""
    attrs = "".join(
        f", arg_min({q(c)}, timestamp) FILTER (WHERE {q(c)} IS NOT NULL) AS {q(c)}"
        for c in case_attrs
    )
    selected = "".join(f", k.{q(c)}" for c in case_attrs)
    con.execute(f"""
        CREATE TABLE cases AS
        SELECT (row_number() OVER (ORDER BY p.code, k.case_id) - 1)::INTEGER AS case_idx,
               p.code AS path_code, k.case_id, k.customer_id, k.start_ts, k.first_ts,
               k.last_ts, k.n_events, k.outcome, k.formed{selected}
        FROM (
            SELECT path, case_id, any_value(customer_id) AS customer_id,
                   min(coalesce(start_timestamp, timestamp)) AS start_ts,
                   min(timestamp) AS first_ts, max(timestamp) AS last_ts,
                   count(*)::INTEGER AS n_events,
                   {case_outcome_sql()} AS outcome, bool_or(_keyed) AS formed{attrs}
            FROM formed, (SELECT max(timestamp) AS at FROM formed) cut
            GROUP BY path, case_id
        ) k JOIN paths p ON p.name = k.path
        ORDER BY case_idx
    """)


def _events(con: duckdb.DuckDBPyConnection, attrs: list[str]) -> None:
    """The events, coded, in (case, time, source order), each with its position, successor,
    provenance (source, the source's own case number and path value, the keys) and its own
    attribute values (case attributes as the source gave them)."""
    columns = "".join(f", k.{q(c)}" for c in attrs)
    con.execute(f"""
        CREATE TABLE events AS
        SELECT c.case_idx, c.path_code, (row_number() OVER w - 1)::INTEGER AS pos,
               a.code AS activity_code, o.code AS actor_code,
               k.timestamp AS ts, k.start_timestamp AS start_ts,
               k.resource, k.channel, k.outcome,
               lead(a.code) OVER w AS next_activity_code, lead(o.code) OVER w AS next_actor_code,
               lead(k.timestamp) OVER w AS next_ts, lead(k.start_timestamp) OVER w AS next_start_ts,
               k._import AS import_id, k._row AS src_row,
               k.source, k.source_case_id, k.src_path, k.customer_key, k.firm_key{columns}
        FROM formed k
        JOIN paths p ON p.name = k.path
        JOIN cases c ON c.path_code = p.code AND c.case_id = k.case_id
        JOIN activities a ON a.name = k.activity
        JOIN actors o ON o.name = k.actor
        WINDOW w AS (PARTITION BY c.case_idx ORDER BY k.timestamp, k._import, k._row)
        ORDER BY c.case_idx, pos
    """)


def _event_log_view(
    con: duckdb.DuckDBPyConnection, case_attrs: list[str], event_attrs: list[str]
) -> None:
    """``event_log``: the events decoded to the canonical columns, for export and readers."""
    case_columns = "".join(f", c.{q(a)}" for a in case_attrs)
    event_columns = "".join(f", e.{q(a)}" for a in event_attrs)
    con.execute(f"""
        CREATE VIEW event_log AS
        SELECT e.case_idx, e.pos, c.case_id, c.customer_id, p.name AS path,
               a.name AS activity, o.name AS actor, e.ts AS timestamp,
               e.start_ts AS start_timestamp, e.resource, e.channel,
               e.outcome{event_columns}{case_columns}, e.source, e.source_case_id,
               e.import_id AS _import, e.src_row AS _row
        FROM events e
        JOIN cases c ON c.case_idx = e.case_idx
        JOIN paths p ON p.code = c.path_code
        JOIN activities a ON a.code = e.activity_code
        JOIN actors o ON o.code = e.actor_code
    """)


def _raw_events_view(con: duckdb.DuckDBPyConnection, attrs: list[str]) -> None:
    """``raw_events``: the events as they were imported (before cases were formed), which the
    next generation forms again."""
    columns = "".join(f", e.{q(a)}" for a in attrs)
    keyed = "(e.customer_key IS NOT NULL OR e.firm_key IS NOT NULL)"
    con.execute(f"""
        CREATE VIEW raw_events AS
        SELECT CASE WHEN {keyed} THEN NULL ELSE c.case_id END AS case_id,
               CASE WHEN {keyed} THEN NULL ELSE c.customer_id END AS customer_id,
               e.src_path AS path, a.name AS activity, o.name AS actor, e.ts AS timestamp,
               e.start_ts AS start_timestamp, e.resource, e.channel, e.outcome,
               e.source, e.source_case_id, e.customer_key, e.firm_key{columns},
               e.import_id AS _import, e.src_row AS _row
        FROM events e
        JOIN cases c ON c.case_idx = e.case_idx
        JOIN activities a ON a.code = e.activity_code
        JOIN actors o ON o.code = e.actor_code
    """)
