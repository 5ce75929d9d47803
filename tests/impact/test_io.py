"""The input–output model against worked textbook examples, and its validation.

Source: Miller, R. E. & Blair, P. D., *Input-Output Analysis: Foundations and Extensions*,
2nd ed., Cambridge University Press 2009, §2.3 (the two-sector example) and §2.5 (the same
example closed with respect to households).

Two-sector example, checked by hand:

    Z = [[150, 500], [200, 100]], x = [1000, 2000]
    A = Z · diag(x)⁻¹ = [[150/1000, 500/2000], [200/1000, 100/2000]] = [[0.15, 0.25], [0.20, 0.05]]
    I − A = [[0.85, −0.25], [−0.20, 0.95]], det = 0.85 × 0.95 − 0.25 × 0.20 = 0.7575
    L = (1 / 0.7575) × [[0.95, 0.25], [0.20, 0.85]]
      = [[1.254125, 0.330033], [0.264026, 1.122112]]
    output multipliers (column sums) = [1.518152, 1.452145]
"""

from __future__ import annotations

import numpy as np
import pytest

from sujuva.errors import UsageError
from sujuva.impact.io import IoTable, io_model, leontief_inverse, technical_coefficients

SECTORS = ("sector 1", "sector 2")


def textbook(**extra: object) -> IoTable:
    return IoTable.build(
        sectors=SECTORS,
        flows=[[150, 500], [200, 100]],
        total_output=[1000, 2000],
        final_demand=[350, 1700],
        **extra,  # type: ignore[arg-type]
    )


def test_technical_coefficients_leontief_and_multipliers_match_miller_blair() -> None:
    table = textbook()
    model = io_model(table)
    np.testing.assert_allclose(technical_coefficients(table), [[0.15, 0.25], [0.20, 0.05]])
    np.testing.assert_allclose(model.leontief, [[1.254, 0.330], [0.264, 1.122]], atol=5e-4)
    np.testing.assert_allclose(model.output_multipliers, [1.518, 1.452], atol=5e-4)
    # L · f reproduces x: the table is consistent (x = Z·1 + f)
    np.testing.assert_allclose(model.leontief @ np.array([350, 1700]), [1000, 2000])
    assert not model.has_type_ii


def test_employment_multipliers_in_ratio_form() -> None:
    """w = e / x = [10/1000, 40/2000] = [0.01, 0.02].
    Simple: w·L = [0.01 × 1.254125 + 0.02 × 0.264026, 0.01 × 0.330033 + 0.02 × 1.122112]
          = [0.017822, 0.025743] jobs per unit of final demand.
    Type I (ratio): [0.017822 / 0.01, 0.025743 / 0.02] = [1.782, 1.287]."""
    model = io_model(textbook(employment=[10, 40]))
    assert model.employment_coefficients is not None
    np.testing.assert_allclose(model.employment_coefficients, [0.01, 0.02])
    np.testing.assert_allclose(model.employment_multipliers, [0.017822, 0.025743], atol=5e-6)
    np.testing.assert_allclose(model.employment_ratio_multipliers, [1.782, 1.287], atol=5e-4)


def test_type_ii_closed_model_matches_miller_blair_households_example() -> None:
    """Households closed: labour income row [300, 500], household purchases [50, 400],
    households → households 50, household income 1000. Then
    Ā = [[0.15, 0.25, 0.05], [0.20, 0.05, 0.40], [0.30, 0.25, 0.05]] and the closed inverse
    starts [[1.365, 0.425, 0.251], [0.527, …], [0.570, …]]. Those five entries are the book's
    household-closed illustration (§2.5) as recalled, not copied from the page; the whole
    matrix is checked against numpy.linalg.inv of I − Ā written out by hand here."""
    table = textbook(
        household_row=[300, 500],
        household_column=[50, 400],
        household_self=50,
        household_output=1000,
        employment=[10, 40],
    )
    model = io_model(table)
    a_bar = np.array([[0.15, 0.25, 0.05], [0.20, 0.05, 0.40], [0.30, 0.25, 0.05]])
    expected = np.linalg.inv(np.eye(3) - a_bar)
    assert model.closed_leontief is not None
    np.testing.assert_allclose(model.closed_leontief, expected, atol=1e-12)
    np.testing.assert_allclose(model.closed_leontief[:, 0], [1.365, 0.527, 0.570], atol=5e-4)
    np.testing.assert_allclose(model.closed_leontief[0, 1:], [0.425, 0.251], atol=5e-4)
    # Type II output multipliers: sector rows only (households' income excluded)
    np.testing.assert_allclose(model.type_ii_output_multipliers, expected[:2, :2].sum(0))
    assert model.type_ii_output_multipliers is not None
    assert (model.type_ii_output_multipliers > model.output_multipliers).all()
    w = np.array([0.01, 0.02])
    np.testing.assert_allclose(
        model.type_ii_employment_ratio_multipliers, (w @ expected[:2, :2]) / w
    )


def test_one_sector_type_ii_in_closed_form() -> None:
    """One sector: a = 20/100 = 0.2, labour h_r = 50/100 = 0.5, consumption
    h_c = 40/100 = 0.4. Type I = 1/(1 − a) = 1.25; Type II = 1/((1 − a) − h_c·h_r) = 1/0.6."""
    model = io_model(
        IoTable.build(
            sectors=["economy"],
            flows=[[20]],
            total_output=[100],
            household_row=[50],
            household_column=[40],
            household_output=100,
        )
    )
    assert model.output_multipliers[0] == pytest.approx(1.25)
    assert model.type_ii_output_multipliers is not None
    assert model.type_ii_output_multipliers[0] == pytest.approx(1 / 0.6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"flows": [[1, 2, 3], [4, 5, 6]]}, "must be square"),
        ({"flows": [1, 2]}, "must be square"),
        ({"flows": [[150, -5], [200, 100]]}, "flow from 'sector 1' to 'sector 2' is negative"),
        ({"flows": [[150, float("nan")], [200, 100]]}, "not a finite number"),
        ({"sectors": ("a", "b", "c")}, "3 sector name(s) for a 2 × 2 flow table"),
        ({"sectors": ("a", "a")}, "given twice: a"),
        ({"sectors": ("a", " ")}, "non-empty name"),
        ({"total_output": [1000, 0]}, "sector 'sector 2' has zero total output"),
        ({"total_output": [1000]}, "total output has 1 value(s) for 2 sector(s)"),
        ({"employment": [10, -1]}, "'sector 2' has negative employment"),
        ({"household_row": [1, 2]}, "household row but not the other"),
        (
            {"household_row": [1, 2], "household_column": [1, 2]},
            "households need a total output",
        ),
    ],
)
def test_bad_tables_are_refused_with_a_clear_message(
    kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {
        "sectors": SECTORS,
        "flows": [[150, 500], [200, 100]],
        "total_output": [1000, 2000],
    }
    arguments.update(kwargs)
    with pytest.raises(UsageError) as error:
        IoTable.build(**arguments)  # type: ignore[arg-type]
    assert message in error.value.message


def test_singular_system_is_refused() -> None:
    """A = [[0.5, 0.5], [0.5, 0.5]]: I − A = [[0.5, −0.5], [−0.5, 0.5]] has determinant 0."""
    table = IoTable.build(sectors=SECTORS, flows=[[50, 50], [50, 50]], total_output=[100, 100])
    with pytest.raises(UsageError, match="singular"):
        io_model(table)


def test_unproductive_sector_is_named() -> None:
    """Column 1 of A sums to 0.6 + 0.5 = 1.1 ≥ 1, yet det(I − A) = 0.4 × 0.9 − 0.1 × 0.5 ≠ 0."""
    with pytest.raises(UsageError, match=r"not productive.*'sector 1'.*1\.100"):
        leontief_inverse(coefficients=[[0.6, 0.1], [0.5, 0.1]], sectors=SECTORS)


def test_tables_are_read_only() -> None:
    table = textbook()
    with pytest.raises(ValueError, match="read-only"):
        table.flows[0, 0] = 1.0
