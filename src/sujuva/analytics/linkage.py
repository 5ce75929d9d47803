"""The linkage report: how well the organisations' exports joined into whole paths.

Per source (export): its events and customers, the share of its customers that other sources
also saw (the heart of linking: a source whose customers nobody else sees was probably keyed
wrongly), events left outside any path, the cases its events fall in, the cases whose
attributes its sources disagree on, and the identity codes rejected at import. For the region:
cases, the cases formed from keys, the cases that span two or more organisations, and the
formed cases that do not begin with one of their path's start steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa

from sujuva.eventlog.pathrules import UNASSIGNED, PathRules
from sujuva.store.build import q


@dataclass(frozen=True)
class Linkage:
    """``sources``: source, events, customers, shared_customers, shared_share, unassigned_events,
    cases, conflicting_cases, rejected_keys, keyed. ``region``: one row of cases,
    formed_cases, multi_organisation_cases, multi_organisation_share, cases_without_start.
    ``conflicts``: attribute, cases (cases whose sources give different values)."""

    sources: pd.DataFrame
    region: pd.DataFrame
    conflicts: pd.DataFrame


def linkage(
    con: duckdb.DuckDBPyConnection, *, rules: PathRules, rejected_keys: dict[str, int]
) -> Linkage:
    """The linkage report of a store (``rejected_keys``: identity codes refused per source,
    from the import records)."""
    attrs = [
        str(row[0])
        for row in con.execute("SELECT name FROM pragma_table_info('events')").fetchall()
        if str(row[0]).startswith("case:")
    ]
    _conflicting_cases(con, attrs)
    sources = con.sql(f"""
        WITH ev AS (
            SELECT e.source, e.case_idx, c.customer_id, p.name AS path,
                   (e.customer_key IS NOT NULL OR e.firm_key IS NOT NULL) AS keyed
            FROM events e JOIN cases c USING (case_idx) JOIN paths p ON p.code = c.path_code
        ),
        per_customer AS (SELECT customer_id, count(DISTINCT source) AS n FROM ev GROUP BY ALL)
        SELECT coalesce(source, '') AS source, count(*) AS events,
               count(DISTINCT ev.customer_id) AS customers,
               count(DISTINCT ev.customer_id) FILTER (WHERE pc.n > 1) AS shared_customers,
               count(*) FILTER (WHERE path = '{UNASSIGNED}') AS unassigned_events,
               count(DISTINCT case_idx) AS cases,
               count(DISTINCT case_idx) FILTER (
                   WHERE case_idx IN (SELECT case_idx FROM conflicting)) AS conflicting_cases,
               bool_or(keyed) AS keyed
        FROM ev JOIN per_customer pc USING (customer_id)
        GROUP BY ALL ORDER BY source
    """).df()
    sources["shared_share"] = sources["shared_customers"] / sources["customers"].where(
        sources["customers"] > 0
    )
    sources["rejected_keys"] = [int(rejected_keys.get(s, 0)) for s in sources["source"]]
    region = _region(con, rules)
    conflicts = con.sql(
        "SELECT attribute, count(*) AS cases FROM conflicting_attrs GROUP BY ALL ORDER BY 1"
    ).df()
    con.execute("DROP TABLE conflicting; DROP TABLE conflicting_attrs")
    return Linkage(sources, region, conflicts)


def _conflicting_cases(con: duckdb.DuckDBPyConnection, attrs: list[str]) -> None:
    """Temporary tables ``conflicting_attrs`` (case_idx, attribute) and ``conflicting``."""
    parts = [
        f"SELECT case_idx, '{a.replace(chr(39), chr(39) * 2)}' AS attribute FROM events "
        f"GROUP BY case_idx HAVING count(DISTINCT {q(a)}) > 1"
        for a in attrs
    ]
    body = " UNION ALL ".join(parts) or "SELECT NULL::INTEGER AS case_idx, '' AS attribute LIMIT 0"
    con.execute(f"CREATE OR REPLACE TEMP TABLE conflicting_attrs AS {body}")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE conflicting AS "
        "SELECT DISTINCT case_idx FROM conflicting_attrs"
    )


def _region(con: duckdb.DuckDBPyConnection, rules: PathRules) -> pd.DataFrame:
    starts = pa.table(
        {
            "path": [r.path for r in rules.paths for _ in r.starts],
            "activity": [a for r in rules.paths for a in r.starts],
        },
        schema=pa.schema([("path", pa.string()), ("activity", pa.string())]),
    )
    con.register("rule_starts", starts)
    try:
        frame: pd.DataFrame = con.sql("""
            WITH first AS (
                SELECT c.case_idx, c.formed, p.name AS path, a.name AS activity
                FROM cases c JOIN events e ON e.case_idx = c.case_idx AND e.pos = 0
                JOIN paths p ON p.code = c.path_code JOIN activities a ON a.code = e.activity_code
            ),
            spans AS (SELECT case_idx, count(DISTINCT actor_code) AS n FROM events GROUP BY ALL)
            SELECT count(*) AS cases, count(*) FILTER (WHERE f.formed) AS formed_cases,
                   count(*) FILTER (WHERE s.n > 1) AS multi_organisation_cases,
                   count(*) FILTER (WHERE s.n > 1) / greatest(count(*), 1)
                       AS multi_organisation_share,
                   count(*) FILTER (
                       WHERE f.formed AND f.path IN (SELECT path FROM rule_starts)
                         AND NOT EXISTS (SELECT 1 FROM rule_starts r
                                         WHERE r.path = f.path AND r.activity = f.activity)
                   ) AS cases_without_start
            FROM first f JOIN spans s USING (case_idx)
        """).df()
        return frame
    finally:
        con.unregister("rule_starts")
