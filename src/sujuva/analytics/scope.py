"""A selection bound to a store connection: the relation of selected events and cases."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pyarrow as pa

from sujuva.analytics.selection import CompiledSelection, Selection, compile_selection


@dataclass(frozen=True)
class Scope:
    """Run queries over the events and cases of one selection.

    Queries name ``sel_cases`` (rows of ``cases``) and ``sel_events`` (rows of ``events``);
    both are common table expressions put in front of the query, so the engine plans the
    case filter once as a semi-join and the events keep their import-time order and successors.
    """

    con: duckdb.DuckDBPyConnection
    compiled: CompiledSelection

    def frame(self, body: str, params: list[object] | None = None) -> pd.DataFrame:
        """Run ``body`` after the selection's CTEs; return a DataFrame."""
        relation = self.con.sql(self._with(body), params=self.compiled.params + (params or []))
        frame: pd.DataFrame = relation.to_arrow_table().to_pandas(types_mapper=_text_as_arrow)
        return frame

    def rows(self, body: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
        """Run ``body`` after the selection's CTEs; return the rows."""
        return self.con.execute(self._with(body), self.compiled.params + (params or [])).fetchall()

    def _with(self, body: str) -> str:
        """Prefix the selection's CTEs; a body with CTEs of its own continues the list."""
        text = body.lstrip()
        if text[:5].upper() == "WITH ":
            text = ", " + text[5:]
        compiled = self.compiled
        events = f"FROM events WHERE {compiled.event_predicate}"
        if compiled.filters_cases:
            events += " AND case_idx IN (SELECT case_idx FROM sel_cases)"
        return (
            f"WITH sel_cases AS (FROM cases c WHERE {compiled.predicate}), "
            f"sel_events AS ({events}) {text}"
        )


def scope(con: duckdb.DuckDBPyConnection, selection: Selection, *, zone: ZoneInfo) -> Scope:
    """Bind a selection to a store connection (checking attribute names against the store)."""
    columns = {row[0] for row in con.execute("DESCRIBE cases").fetchall()}
    codes = {
        str(name): int(code)
        for code, name in con.execute("SELECT code, name FROM paths").fetchall()
    }
    return Scope(
        con, compile_selection(selection, case_columns=columns, zone=zone, path_codes=codes)
    )


def _text_as_arrow(kind: pa.DataType) -> pd.ArrowDtype | None:
    """Keep text columns Arrow-backed in pandas: no Python string objects per row."""
    return (
        pd.ArrowDtype(kind) if pa.types.is_string(kind) or pa.types.is_large_string(kind) else None
    )
