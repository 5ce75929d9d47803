"""The breakdowns of :class:`~sujuva.impact.progress.Progress`: by sector, organisation, path
and pilot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sujuva.impact.target import Target

UNKNOWN = "(unknown)"


def grouped(records: pd.DataFrame, column: str) -> pd.DataFrame:
    """Columns ``column``, fte, records, share (of all FTE); largest first, ties by name;
    records without a value are grouped as ``(unknown)``."""
    keys = records[column].astype(str).str.strip().replace("", UNKNOWN)
    table = (
        records.assign(_key=keys)
        .groupby("_key")["fte"]
        .agg(fte="sum", records="count")
        .reset_index()
        .rename(columns={"_key": column})
    )
    total = float(records["fte"].sum())
    table["share"] = table["fte"] / total if total > 0 else 0.0
    table = table.sort_values(["fte", column], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True)[[column, "fte", "records", "share"]]


def by_sector(records: pd.DataFrame, target: Target, *, fraction: float) -> pd.DataFrame:
    """One row per focus sector of ``target``, in its order: sector, fte, records, sub_target,
    expected_now (sub-target × the elapsed ``fraction`` of the period), share_of_sub_target,
    ahead (fte ≥ expected_now); the last four empty without a sub-target."""
    totals = records.groupby("sector")["fte"].agg(["sum", "count"])
    rows = []
    for sector in target.sectors:
        fte = float(totals["sum"].get(sector.name, 0.0))
        count = int(totals["count"].get(sector.name, 0))
        sub = np.nan if sector.jobs is None else float(sector.jobs)
        expected = sub * fraction
        share = fte / sub if sector.jobs else np.nan
        ahead = pd.NA if sector.jobs is None else bool(fte >= expected - 1e-9)
        rows.append((sector.name, fte, count, sub, expected, share, ahead))
    table = pd.DataFrame(
        rows,
        columns=[
            "sector",
            "fte",
            "records",
            "sub_target",
            "expected_now",
            "share_of_sub_target",
            "ahead",
        ],
    )
    table["ahead"] = table["ahead"].astype("boolean")
    return table
