"""Small-cell suppression for aggregates that cross organisations and describe persons.

Statistics Finland practice (BRIEF §7): a published cell must not describe fewer than ``k``
persons (default 5, allowed 3–10). *Primary* suppression hides the cells with ``0 < n < k``;
*secondary* (complementary) suppression hides further cells so that no suppressed cell can be
recovered by subtracting published cells from a published or derivable total. Every value
derived from the same persons (median, share, mean...) is hidden with its cell.

The secondary rule is the usual one: along every line with a total, a suppressed cell never
stands alone. It blocks recovery by subtraction along one line; it is not a full audit against
every linear combination of several lines (e.g. a "bridge" cell between two otherwise separate
groups of suppressed cells in a two-way table), so keep published tables simple.

Queries over periods: :func:`unsafe_in_blocks` flags cells that are small in any block (e.g.
calendar quarter), so a query over a union of whole blocks stays safe against differencing with
another such query; pass the flags to :func:`suppress` as ``unsafe``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from sujuva.errors import UsageError

DEFAULT_THRESHOLD = 5
MIN_THRESHOLD = 3
MAX_THRESHOLD = 10
SUPPRESSED = "suppressed"
UNSAFE = "unsafe"
HIDDEN_TOTALS = "hidden_totals"

HiddenTotal = tuple[tuple[str, ...], tuple[object, ...]]
_IntArray = npt.NDArray[np.intp]
_BoolArray = npt.NDArray[np.bool_]


def check_threshold(threshold: int) -> int:
    """Refuse a threshold outside 3–10, the range Finnish and EU statistical practice uses."""
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer):
        raise UsageError(f"suppression threshold must be an integer, got {threshold!r}")
    if not MIN_THRESHOLD <= threshold <= MAX_THRESHOLD:
        raise UsageError(
            f"suppression threshold must be between {MIN_THRESHOLD} and {MAX_THRESHOLD}, "
            f"got {threshold}"
        )
    return int(threshold)


def is_small(n: int, *, threshold: int) -> bool:
    """Whether a cell of ``n`` persons must be hidden: ``0 < n < threshold``.

    An empty cell (0) is not small: it reveals nothing about any person.
    """
    return 0 < n < check_threshold(threshold)


def suppress(
    table: pd.DataFrame,
    *,
    count: str,
    threshold: int,
    dependent: Sequence[str] = (),
    lines: Sequence[Sequence[str]] = ((),),
    unsafe: pd.Series | None = None,
) -> pd.DataFrame:
    """Hide small cells and enough other cells that they cannot be recovered from totals.

    ``count`` holds the number of persons per row (cell). Primary: ``0 < count < threshold``
    or ``unsafe`` (a boolean Series aligned on ``table.index``, e.g. from
    :func:`unsafe_in_blocks`). Secondary: ``lines`` lists the groupings (column names) along
    which a total is published or derivable; ``()`` is the grand total, ``lines=()`` means no
    totals. Until stable, a line group with exactly one suppressed cell gets its smallest
    nonzero unsuppressed cell suppressed too (first in table order on ties; a zero cell when
    there is no nonzero one).

    Returns a copy with ``count`` and ``dependent`` as nullable dtypes (<NA> where hidden) and
    a bool column ``suppressed``. A group whose only cell is suppressed cannot be protected:
    its total must not be published; such groups are listed in
    ``result.attrs["hidden_totals"]`` as ``(grouping, group key)`` tuples.
    """
    k = check_threshold(threshold)
    _check_columns(table, count=count, dependent=dependent, lines=lines)
    values = _count_values(table, count)
    suppressed = ((values > 0) & (values < k)) | _unsafe_mask(table, unsafe)
    groupings = [tuple(grouping) for grouping in lines]
    gids = [_group_ids(table, grouping) for grouping in groupings]
    changed = True
    while changed:  # each round suppresses at least one more cell, so this terminates
        changed = False
        for gid in gids:
            picks = _complements(gid, values, suppressed)
            if picks.size:
                suppressed[picks] = True
                changed = True
    result = table.copy()
    for column in (count, *dependent):
        result[column] = _nullable(result[column]).mask(suppressed)
    result[SUPPRESSED] = suppressed
    result.attrs[HIDDEN_TOTALS] = [
        hidden
        for grouping, gid in zip(groupings, gids, strict=True)
        for hidden in _lone_groups(table, grouping, gid, suppressed)
    ]
    return result


def unsafe_in_blocks(
    blocks: pd.DataFrame, *, key: Sequence[str], count: str, block: str, threshold: int
) -> pd.DataFrame:
    """Flag the cells that are small (``0 < n < threshold``) in any block.

    ``blocks`` has per-block person counts, one row per key × block (duplicate rows are
    summed); a missing row means 0. Returns the key columns plus bool ``unsafe``, one row per
    key. Why: two queries over periods that are unions of whole blocks can be differenced; if
    every block cell is 0 or ≥ k, every such difference is a sum of block cells, hence 0 or ≥ k,
    so nothing under k is revealed. Cells flagged here must be suppressed (``suppress(...,
    unsafe=...)``).
    """
    k = check_threshold(threshold)
    key_columns = list(key)
    _check_columns(blocks, count=count, dependent=(), lines=(key_columns, (block,)))
    values = _count_values(blocks, count)
    cells = blocks[[*key_columns, block]].assign(**{count: values})
    if key_columns:
        per_block = cells.groupby([*key_columns, block], sort=False, dropna=False, observed=True)[
            count
        ].sum()
        small = (per_block > 0) & (per_block < k)
        flags = small.groupby(level=key_columns, sort=False, dropna=False).any()
        return flags.rename(UNSAFE).reset_index()
    per_block = cells.groupby(block, sort=False, dropna=False, observed=True)[count].sum()
    return pd.DataFrame({UNSAFE: [bool(((per_block > 0) & (per_block < k)).any())]})


def _check_columns(
    table: pd.DataFrame,
    *,
    count: str,
    dependent: Sequence[str],
    lines: Sequence[Sequence[str]],
) -> None:
    """Refuse unknown column names and a table that already has a ``suppressed`` column."""
    wanted = [count, *dependent, *(column for grouping in lines for column in grouping)]
    missing = sorted({column for column in wanted if column not in table.columns})
    if missing:
        raise UsageError(f"no such column(s) in the table: {', '.join(missing)}")
    if SUPPRESSED in table.columns:
        raise UsageError(f"the table already has a column named '{SUPPRESSED}'")


def _count_values(table: pd.DataFrame, count: str) -> npt.NDArray[np.float64]:
    """The person counts as floats; refuse non-numeric, missing or negative counts."""
    column = table[count]
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        raise UsageError(f"count column '{count}' must be numeric")
    values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isnan(values).any():
        raise UsageError(f"count column '{count}' has missing values")
    if (values < 0).any():
        raise UsageError(f"count column '{count}' has negative values")
    return values


def _unsafe_mask(table: pd.DataFrame, unsafe: pd.Series | None) -> _BoolArray:
    """The caller's extra primary suppressions, aligned on the table's index (missing: False)."""
    if unsafe is None:
        return np.zeros(len(table), dtype=np.bool_)
    if not unsafe.index.equals(table.index):
        if not (table.index.is_unique and unsafe.index.is_unique):
            raise UsageError("'unsafe' must have the table's index (or both must be unique)")
        unsafe = unsafe.reindex(table.index)
    flags = unsafe.astype("boolean").fillna(False)
    return flags.to_numpy(dtype=np.bool_).copy()


def _group_ids(table: pd.DataFrame, grouping: tuple[str, ...]) -> _IntArray:
    """Group number of every row along one line; one group for the grand total."""
    if not grouping:
        return np.zeros(len(table), dtype=np.intp)
    ids = table.groupby(list(grouping), sort=False, dropna=False, observed=True).ngroup()
    return np.asarray(ids, dtype=np.intp)


def _complements(
    gid: _IntArray, values: npt.NDArray[np.float64], suppressed: _BoolArray
) -> _IntArray:
    """Positions to suppress next: per group with one suppressed cell, its smallest other cell.

    Nonzero cells come first (hiding a zero protects nothing unless there is no other choice),
    then the smallest count, then table order.
    """
    if gid.size == 0:
        return np.empty(0, dtype=np.intp)
    n_suppressed = np.bincount(gid[suppressed], minlength=int(gid.max()) + 1)
    candidates = np.flatnonzero((n_suppressed[gid] == 1) & ~suppressed)
    if candidates.size == 0:
        return candidates.astype(np.intp)
    cand_values = values[candidates]
    order = np.lexsort((candidates, cand_values, cand_values == 0, gid[candidates]))
    ordered = candidates[order]
    _, first = np.unique(gid[ordered], return_index=True)
    return ordered[first].astype(np.intp)


def _lone_groups(
    table: pd.DataFrame, grouping: tuple[str, ...], gid: _IntArray, suppressed: _BoolArray
) -> list[HiddenTotal]:
    """Groups along one line left with exactly one suppressed cell (their only cell)."""
    if gid.size == 0:
        return []
    n_suppressed = np.bincount(gid[suppressed], minlength=int(gid.max()) + 1)
    lone = np.flatnonzero(suppressed & (n_suppressed[gid] == 1))
    if not grouping:  # a frame without columns has no rows to iterate
        return [((), ())] if lone.size else []
    keys = table[list(grouping)].iloc[lone]
    return [(grouping, tuple(row)) for row in keys.itertuples(index=False, name=None)]


def _nullable(column: pd.Series) -> pd.Series:
    """The column in a nullable dtype, so hidden values are <NA> without changing the type."""
    if pd.api.types.is_bool_dtype(column):
        return column.astype("boolean")
    if pd.api.types.is_integer_dtype(column):
        return column.astype("Int64")
    if pd.api.types.is_float_dtype(column):
        return column.astype("Float64")
    if pd.api.types.is_string_dtype(column) and column.dtype != object:
        return column  # pandas' string dtype is nullable already
    return column.astype(object)
