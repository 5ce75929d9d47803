"""Publish analysis tables under a grant: exact for own cases, suppressed across organisations.

Each table is a set of cells with a count of persons (cases). Across organisations a cell is
withheld when it describes fewer than the threshold, with secondary suppression along the
table's lines; for an analyst, also when the part of the cell outside their own organisation's
cases is small (their exact own figures would otherwise reveal it by subtraction).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sujuva.privacy.suppression import is_small, suppress


def publish(
    table: pd.DataFrame,
    *,
    key: Sequence[str],
    count: str,
    threshold: int,
    suppressed: bool,
    dependent: Sequence[str] = (),
    lines: Sequence[Sequence[str]] = ((),),
    own: pd.DataFrame | None = None,
    extra_counts: Sequence[str] = (),
) -> pd.DataFrame:
    """The table as a user may see it, with a boolean ``suppressed`` column.

    ``own`` is the same table over the analyst's own cases; ``extra_counts`` are further
    person counts in the row (e.g. cases with rework) that must not be small either.
    """
    if not suppressed:
        out = table.copy()
        out["suppressed"] = False
        return out
    unsafe = pd.Series(False, index=table.index)
    for column in (count, *extra_counts):
        unsafe |= (
            table[column]
            .fillna(0)
            .astype("int64")
            .map(lambda n: is_small(int(n), threshold=threshold))
        )
    if own is not None and len(table):
        mine = table[list(key)].merge(
            own[[*key, count]].rename(columns={count: "_own"}), on=list(key), how="left"
        )
        rest = table[count].to_numpy() - mine["_own"].fillna(0).to_numpy()
        unsafe |= pd.Series(
            [is_small(int(n), threshold=threshold) for n in rest], index=table.index
        )
    return suppress(
        table,
        count=count,
        threshold=threshold,
        dependent=[*dependent, *extra_counts],
        lines=lines,
        unsafe=unsafe,
    )


def visible(table: pd.DataFrame) -> pd.DataFrame:
    """Only the rows that are not suppressed."""
    return table[~table["suppressed"].astype(bool)].reset_index(drop=True)
