"""Small-cell suppression: primary and secondary suppression, dependents, block safety."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sujuva.errors import UsageError
from sujuva.privacy.suppression import is_small, suppress, unsafe_in_blocks

ROWS_COLS_GRAND = (("row",), ("col",), ())


def _matrix(values: list[list[int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"row": f"r{i}", "col": f"c{j}", "n": value}
            for i, line in enumerate(values)
            for j, value in enumerate(line)
        ]
    )


def _hidden_cells(result: pd.DataFrame) -> set[tuple[str, str]]:
    hidden = result[result["suppressed"]]
    return set(zip(hidden["row"], hidden["col"], strict=True))


# --- worked examples ---------------------------------------------------------------------


def test_one_small_cell_in_a_line_with_a_total_gets_a_partner() -> None:
    table = pd.DataFrame({"service": ["a", "b", "c", "d"], "n": [10, 2, 7, 12]})
    result = suppress(table, count="n", threshold=5)
    assert result["suppressed"].tolist() == [False, True, True, False]
    assert result["n"].dtype == "Int64"
    assert result["n"].isna().tolist() == [False, True, True, False]
    assert result["n"].dropna().tolist() == [10, 12]
    assert result.attrs["hidden_totals"] == []
    assert "suppressed" not in table.columns  # input untouched


def test_partner_is_nonzero_when_possible_and_a_zero_only_as_last_resort() -> None:
    table = pd.DataFrame({"n": [0, 10, 2, 0, 12]})
    assert suppress(table, count="n", threshold=5)["suppressed"].tolist() == [
        False,
        True,
        True,
        False,
        False,
    ]
    only_zeros = pd.DataFrame({"n": [2, 0, 0]})
    result = suppress(only_zeros, count="n", threshold=5)
    assert result["suppressed"].tolist() == [True, True, False]


def test_ties_go_to_the_first_cell_in_table_order() -> None:
    table = pd.DataFrame({"n": [9, 7, 1, 7]})
    result = suppress(table, count="n", threshold=3)
    assert result["suppressed"].tolist() == [False, True, True, False]


def test_without_lines_only_primary_suppression() -> None:
    table = pd.DataFrame({"n": [10, 2, 7, 0]})
    result = suppress(table, count="n", threshold=5, lines=())
    assert result["suppressed"].tolist() == [False, True, False, False]


def test_two_way_table_gets_a_rectangle() -> None:
    table = _matrix([[10, 3, 8], [6, 9, 12], [7, 11, 20]])
    result = suppress(table, count="n", threshold=5, lines=ROWS_COLS_GRAND)
    assert _hidden_cells(result) == {("r0", "c1"), ("r0", "c2"), ("r1", "c1"), ("r1", "c2")}
    for grouping in ("row", "col"):
        per_line = result.groupby(grouping)["suppressed"].sum()
        assert set(per_line) <= {0, 2}
    assert result.attrs["hidden_totals"] == []


def test_dependent_columns_are_masked_with_their_cell() -> None:
    table = pd.DataFrame(
        {
            "service": ["a", "b", "c"],
            "n": [20, 4, 9],
            "median_days": [3.5, 12.0, 7.25],
            "repeats": [2, 1, 3],
            "label": ["x", "y", "z"],
        }
    )
    result = suppress(table, count="n", threshold=5, dependent=("median_days", "repeats", "label"))
    assert result["suppressed"].tolist() == [False, True, True]
    assert result["median_days"].dtype == "Float64"
    assert result["repeats"].dtype == "Int64"
    assert result["median_days"].isna().tolist() == [False, True, True]
    assert result["repeats"].isna().tolist() == [False, True, True]
    assert result["label"].isna().tolist() == [False, True, True]
    assert result.loc[0, "median_days"] == 3.5
    assert result.loc[0, "repeats"] == 2
    assert result["service"].tolist() == ["a", "b", "c"]  # keys are never masked


def test_float_counts_become_float64() -> None:
    result = suppress(pd.DataFrame({"n": [2.0, 8.0]}), count="n", threshold=5)
    assert result["n"].dtype == "Float64"
    assert result["n"].isna().all()


def test_single_cell_lines_are_reported_in_hidden_totals() -> None:
    table = pd.DataFrame(
        {
            "region": ["A", "B", "B", "B"],
            "service": ["s1", "s1", "s2", "s3"],
            "n": [2, 10, 3, 8],
        }
    )
    result = suppress(table, count="n", threshold=5, lines=(("region",),))
    assert result["suppressed"].tolist() == [True, False, True, True]
    assert result.attrs["hidden_totals"] == [(("region",), ("A",))]

    one_cell = suppress(pd.DataFrame({"n": [4]}), count="n", threshold=5)
    assert one_cell["suppressed"].tolist() == [True]
    assert one_cell.attrs["hidden_totals"] == [((), ())]


def test_unsafe_cells_are_suppressed_and_protected() -> None:
    table = pd.DataFrame({"n": [50, 40, 30, 20]}, index=[10, 11, 12, 13])
    unsafe = pd.Series([True], index=[11])  # aligned on the index; missing rows are safe
    result = suppress(table, count="n", threshold=5, unsafe=unsafe)
    assert result["suppressed"].tolist() == [False, True, False, True]
    assert list(result.index) == [10, 11, 12, 13]


def test_zero_cells_are_not_small() -> None:
    result = suppress(pd.DataFrame({"n": [0, 0, 7]}), count="n", threshold=5)
    assert not result["suppressed"].any()
    assert [is_small(n, threshold=5) for n in (0, 1, 4, 5, 6)] == [False, True, True, False, False]


def test_empty_tables_work() -> None:
    empty = pd.DataFrame({"row": pd.Series([], dtype=object), "n": pd.Series([], dtype="int64")})
    result = suppress(empty, count="n", threshold=5, lines=(("row",), ()), dependent=())
    assert result.empty
    assert list(result.columns) == ["row", "n", "suppressed"]
    assert result.attrs["hidden_totals"] == []
    blocks = pd.DataFrame({"k": [], "q": [], "n": []})
    assert unsafe_in_blocks(blocks, key=["k"], count="n", block="q", threshold=5).empty


@pytest.mark.parametrize("threshold", [-1, 0, 2, 11, 100])
def test_threshold_outside_3_to_10_is_refused(threshold: int) -> None:
    table = pd.DataFrame({"n": [1, 2]})
    with pytest.raises(UsageError, match="between 3 and 10"):
        suppress(table, count="n", threshold=threshold)
    with pytest.raises(UsageError):
        is_small(1, threshold=threshold)
    with pytest.raises(UsageError):
        unsafe_in_blocks(
            pd.DataFrame({"k": [1], "q": [1], "n": [1]}),
            key=["k"],
            count="n",
            block="q",
            threshold=threshold,
        )


@pytest.mark.parametrize("threshold", [3, 10])
def test_threshold_bounds_are_allowed(threshold: int) -> None:
    result = suppress(pd.DataFrame({"n": [1, 20, 30]}), count="n", threshold=threshold)
    assert result["suppressed"].sum() == 2


def test_bad_columns_and_counts_are_usage_errors() -> None:
    table = pd.DataFrame({"n": [1, 2], "g": ["a", "b"]})
    with pytest.raises(UsageError, match="no such column"):
        suppress(table, count="m", threshold=5)
    with pytest.raises(UsageError, match="no such column"):
        suppress(table, count="n", threshold=5, lines=(("h",),))
    with pytest.raises(UsageError, match="numeric"):
        suppress(table, count="g", threshold=5)
    with pytest.raises(UsageError, match="negative"):
        suppress(pd.DataFrame({"n": [-1, 5]}), count="n", threshold=5)
    with pytest.raises(UsageError, match="already has"):
        suppress(pd.DataFrame({"n": [1], "suppressed": [False]}), count="n", threshold=5)


def test_unsafe_in_blocks_flags_any_small_block() -> None:
    blocks = pd.DataFrame(
        {
            "service": ["a", "a", "b", "b", "c"],
            "quarter": ["Q1", "Q2", "Q1", "Q2", "Q1"],
            "n": [10, 2, 0, 7, 6],
        }
    )
    flags = unsafe_in_blocks(blocks, key=["service"], count="n", block="quarter", threshold=5)
    assert list(flags.columns) == ["service", "unsafe"]
    assert dict(zip(flags["service"], flags["unsafe"], strict=True)) == {
        "a": True,
        "b": False,
        "c": False,
    }


# --- properties --------------------------------------------------------------------------

_thresholds = st.integers(min_value=3, max_value=10)


@st.composite
def _matrices(draw: st.DrawFn) -> list[list[int]]:
    rows = draw(st.integers(min_value=2, max_value=6))
    cols = draw(st.integers(min_value=2, max_value=6))
    cell = st.integers(min_value=0, max_value=20)
    return draw(
        st.lists(st.lists(cell, min_size=cols, max_size=cols), min_size=rows, max_size=rows)
    )


@settings(max_examples=150, deadline=None)
@given(values=_matrices(), threshold=_thresholds)
def test_no_line_has_a_lone_suppressed_cell(values: list[list[int]], threshold: int) -> None:
    table = _matrix(values)
    result = suppress(table, count="n", threshold=threshold, lines=ROWS_COLS_GRAND)
    hidden_totals = set(result.attrs["hidden_totals"])
    for grouping in ("row", "col"):
        for key, count in result.groupby(grouping)["suppressed"].sum().items():
            assert count != 1 or ((grouping,), (key,)) in hidden_totals
    assert result["suppressed"].sum() != 1 or ((), ()) in hidden_totals

    published = result.loc[~result["suppressed"], "n"]
    assert not published.isna().any()
    assert not ((published > 0) & (published < threshold)).any()
    original = table.loc[~result["suppressed"], "n"]
    assert published.astype("int64").tolist() == original.tolist()
    assert result.loc[result["suppressed"], "n"].isna().all()
    primary = (table["n"] > 0) & (table["n"] < threshold)
    assert (result["suppressed"] | ~primary).all()


@settings(max_examples=100, deadline=None)
@given(values=_matrices(), threshold=_thresholds)
def test_unsafe_cells_end_up_protected_too(values: list[list[int]], threshold: int) -> None:
    table = _matrix(values)
    unsafe = table["n"] % 7 == 3  # arbitrary extra cells the caller deems unsafe
    result = suppress(table, count="n", threshold=threshold, lines=ROWS_COLS_GRAND, unsafe=unsafe)
    assert (result["suppressed"] | ~unsafe).all()
    for grouping in ("row", "col"):
        assert 1 not in set(result.groupby(grouping)["suppressed"].sum())


@st.composite
def _block_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, list[int]]:
    keys = draw(st.integers(min_value=1, max_value=4))
    blocks = draw(st.integers(min_value=1, max_value=6))
    rows = [
        {"key": key, "block": block, "n": draw(st.integers(min_value=0, max_value=15))}
        for key in range(keys)
        for block in range(blocks)
    ]
    return pd.DataFrame(rows), list(range(blocks))


@settings(max_examples=100, deadline=None)
@given(data=_block_tables(), threshold=_thresholds, picks=st.data())
def test_differences_of_block_unions_are_safe_unless_flagged(
    data: tuple[pd.DataFrame, list[int]], threshold: int, picks: st.DataObject
) -> None:
    blocks, block_ids = data
    outer = picks.draw(st.sets(st.sampled_from(block_ids), min_size=1))
    inner = picks.draw(st.sets(st.sampled_from(sorted(outer))).filter(lambda s: s < outer))
    flags = unsafe_in_blocks(blocks, key=["key"], count="n", block="block", threshold=threshold)
    safe_keys = set(flags.loc[~flags["unsafe"], "key"])

    def total(key: int, chosen: set[int]) -> int:
        rows = blocks[(blocks["key"] == key) & blocks["block"].isin(chosen)]
        return int(rows["n"].sum())

    for key in safe_keys:
        difference = total(key, outer) - total(key, inner)
        assert not is_small(difference, threshold=threshold)
        for size in range(1, len(block_ids) + 1):  # and every other union of blocks
            for chosen in itertools.combinations(block_ids, size):
                assert not is_small(total(key, set(chosen)), threshold=threshold)
    for key in set(flags["key"]) - safe_keys:
        assert any(is_small(total(key, {b}), threshold=threshold) for b in block_ids)
