"""Path formation: from events with customer keys to cases, set-based in DuckDB.

Input is the relation ``kept`` (raw events after de-duplication: the source's path value, the
source's own case number, pseudonymised ``customer_key`` / ``firm_key``). Output is the
relation ``formed`` with the case each event belongs to:

1. **Customers.** Every key is a node; a row with both a person key and a firm key links them
   (the Enterprise Agency's export names the entrepreneur and, after registration, the firm).
   Connected components are found by label propagation (each node takes the smallest label
   among its neighbours until nothing changes: a handful of passes, each one join); the
   component's label, the smallest pseudonym in it, is the customer.
2. **Paths.** A source's path value is translated by the rules' ``names``; an event whose
   source names no path takes the path its step belongs to, or ``unassigned``.
3. **Episodes.** Per customer and path, in time order, a new case begins at the first event,
   after a closing step (strictly later, so a step at the same instant stays), after a gap
   longer than the path's inactivity limit, and at a start step that follows another step.
   Cases are *customer × path × episode*, with an opaque deterministic id: ``c_`` and 20 hex
   digits of the MD5 of (path, customer, episode number) — the id does not show the customer.

Events without a key keep the case of their source. Either way the case's outcome is its
closing step's (explicit label, else the recorded outcome, else ``completed``), else the last
recorded outcome, else ``dropped_out`` when the path's inactivity limit has passed at the data
cut, else none (open).
"""

from __future__ import annotations

from typing import Final

import duckdb

from sujuva.eventlog.pathrules import COMPLETED, DROPPED_OUT, UNASSIGNED, PathRules

#: Passes of label propagation after which the key graph is declared unreasonable.
MAX_PASSES: Final = 200
KEYED: Final = "(customer_key IS NOT NULL OR firm_key IS NOT NULL)"


def register_rules(con: duckdb.DuckDBPyConnection, rules: PathRules) -> None:
    """Make the rules available to the formation queries as temporary tables."""
    for name, table in (
        ("rule_names", rules.path_names()),
        ("rule_activities", rules.activity_paths()),
        ("rule_roles", rules.step_roles()),
        ("rule_settings", rules.path_settings()),
    ):
        con.register(f"{name}_arrow", table)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
        con.unregister(f"{name}_arrow")


def form_cases(con: duckdb.DuckDBPyConnection) -> None:
    """Create the temporary relation ``formed`` from ``kept`` (see the module docstring)."""
    _customer_labels(con)
    con.execute(f"""
        CREATE TEMP VIEW resolved AS
        SELECT k.* EXCLUDE (path), k.path AS src_path,
               {KEYED} AS _keyed,
               CASE WHEN k.path IS NOT NULL THEN coalesce(n.path, k.path)
                    ELSE coalesce(a.path, '{UNASSIGNED}') END AS path,
               coalesce(lc.label, k.customer_key, lf.label, k.firm_key) AS _label
        FROM kept k
        LEFT JOIN rule_names n ON n.name = k.path
        LEFT JOIN rule_activities a ON a.activity = k.activity
        LEFT JOIN key_labels lc ON lc.key = k.customer_key
        LEFT JOIN key_labels lf ON lf.key = k.firm_key AND k.customer_key IS NULL
    """)
    con.execute(f"""
        CREATE TEMP VIEW roled AS
        SELECT r.*,
               coalesce(o.is_start, false) AS _is_start,
               coalesce(o.is_end, false)
                 OR (coalesce(s.end_on_outcome, true) AND r.outcome IS NOT NULL
                     AND (len(coalesce(s.end_outcomes, [])) = 0
                          OR list_contains(s.end_outcomes, r.outcome))) AS _closes,
               CASE WHEN o.is_end THEN coalesce(o.end_label, r.outcome, '{COMPLETED}') END
                   AS _end_value,
               coalesce(s.inactivity_days, 0) AS _idle_days
        FROM resolved r
        LEFT JOIN rule_roles o ON o.path = r.path AND o.activity = r.activity
        LEFT JOIN rule_settings s ON s.path = r.path
    """)
    _episodes(con)
    con.execute("DROP VIEW roled; DROP VIEW resolved")


def _episodes(con: duckdb.DuckDBPyConnection) -> None:
    """Number each keyed customer's episodes on a path; give every event its case id (events
    without a key keep their source's case and skip the window passes)."""
    con.execute("""
        CREATE TEMP TABLE formed AS
        WITH marked AS (
            SELECT *,
                   CASE WHEN lag(timestamp) OVER w IS NULL THEN true
                        WHEN timestamp <= lag(timestamp) OVER w THEN false
                        WHEN lag(_closes) OVER w THEN true
                        WHEN _idle_days > 0 AND timestamp - lag(timestamp) OVER w
                             > to_days(_idle_days::INTEGER) THEN true
                        WHEN _is_start AND NOT lag(_is_start) OVER w THEN true
                        ELSE false END AS _new_episode
            FROM roled WHERE _keyed
            WINDOW w AS (PARTITION BY path, _label ORDER BY timestamp, _import, _row)
        ),
        numbered AS (
            SELECT *,
                   sum(_new_episode::INTEGER) OVER (
                       PARTITION BY path, _label ORDER BY timestamp, _import, _row
                       ROWS UNBOUNDED PRECEDING) AS _episode
            FROM marked
        )
        SELECT * EXCLUDE (case_id, customer_id, _new_episode, _episode, _label),
               'c_' || substr(md5(path || chr(31) || _label || chr(31) || _episode::VARCHAR),
                              1, 20) AS case_id,
               _label AS customer_id
        FROM numbered
        UNION ALL BY NAME
        SELECT * EXCLUDE (_label) FROM roled WHERE NOT _keyed
    """)


def _customer_labels(con: duckdb.DuckDBPyConnection) -> None:
    """``key_labels`` (key, label): the component label of every key that links to another."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE key_edges AS
        SELECT DISTINCT customer_key AS a, firm_key AS b FROM kept
        WHERE customer_key IS NOT NULL AND firm_key IS NOT NULL
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE key_links AS
        SELECT a AS x, b AS y FROM key_edges UNION ALL SELECT b, a FROM key_edges
    """)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE key_labels AS SELECT DISTINCT x AS key, x AS label "
        "FROM key_links"
    )
    for _ in range(MAX_PASSES):
        con.execute("""
            CREATE OR REPLACE TEMP TABLE key_labels_next AS
            SELECT l.key, least(l.label, min(n.label)) AS label
            FROM key_labels l JOIN key_links e ON e.x = l.key JOIN key_labels n ON n.key = e.y
            GROUP BY l.key, l.label
        """)
        changed = con.execute("""
            SELECT count(*) FROM key_labels_next n JOIN key_labels l USING (key)
            WHERE n.label <> l.label
        """).fetchall()[0][0]
        con.execute("DROP TABLE key_labels; ALTER TABLE key_labels_next RENAME TO key_labels")
        if not changed:
            break
    con.execute("DROP TABLE key_edges; DROP TABLE key_links")


def case_outcome_sql() -> str:
    """The aggregate expression of a case's outcome over its ``formed`` rows (needs the data
    cut as ``cut.at`` in scope)."""
    return f"""coalesce(
        arg_max(_end_value, timestamp) FILTER (WHERE _end_value IS NOT NULL),
        arg_max(outcome, timestamp) FILTER (WHERE outcome IS NOT NULL),
        CASE WHEN max(_idle_days) > 0
                  AND any_value(cut.at) - max(timestamp) > to_days(max(_idle_days)::INTEGER)
             THEN '{DROPPED_OUT}' END)"""
