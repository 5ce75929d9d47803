"""Regionalisation with Flegg's location quotient (FLQ).

No published worked example was at hand to copy numbers from, so this one is constructed
from the formula (Flegg & Webber 1997; Flegg & Tohmo 2013) and computed by hand below.

Three sectors; national employment NE = [100, 300, 600] (TNE = 1 000), regional
RE = [20, 15, 65] (TRE = 100), δ = 0.3, national coefficients
A^N = [[0.10, 0.20, 0.05], [0.15, 0.25, 0.10], [0.05, 0.10, 0.20]].

1. SLQ_i = (RE_i / TRE) / (NE_i / TNE):
   [0.20 / 0.10, 0.15 / 0.30, 0.65 / 0.60] = [2, 0.5, 1.083333].
2. λ* = [log2(1 + 100/1000)]^0.3 = 0.137504^0.3 = exp(0.3 × ln 0.137504)
   = exp(0.3 × −1.984106) = exp(−0.595232) = 0.551435.
3. CILQ_ij = SLQ_i / SLQ_j off the diagonal, SLQ_i on it:
   [[2, 4, 1.846154], [0.25, 0.5, 0.461538], [0.541667, 2.166667, 1.083333]].
4. FLQ = CILQ × λ*:
   [[1.102870, 2.205739, 1.018033], [0.137859, 0.275717, 0.254508],
    [0.298694, 1.194775, 0.597388]].
5. a_ij = a_ij^N × min(FLQ_ij, 1): row 1 is kept (all FLQ ≥ 1);
   row 2: [0.15 × 0.137859, 0.25 × 0.275717, 0.10 × 0.254508] = [0.020679, 0.068929, 0.025451];
   row 3: [0.05 × 0.298694, 0.10 (FLQ ≥ 1), 0.20 × 0.597388] = [0.014935, 0.10, 0.119478].
"""

from __future__ import annotations

import numpy as np
import pytest

from sujuva.errors import UsageError
from sujuva.impact.flq import regionalise_flq
from sujuva.impact.io import IoTable

SECTORS = ("primary", "manufacturing", "services")
A_NATIONAL = np.array([[0.10, 0.20, 0.05], [0.15, 0.25, 0.10], [0.05, 0.10, 0.20]])
OUTPUT = np.array([1000.0, 4000.0, 8000.0])


def national() -> IoTable:
    return IoTable.build(
        sectors=SECTORS,
        flows=A_NATIONAL * OUTPUT[np.newaxis, :],
        total_output=OUTPUT,
        employment=[100, 300, 600],
    )


REGIONAL = {"primary": 20, "manufacturing": 15, "services": 65}


def test_flq_hand_computed_example() -> None:
    result = regionalise_flq(national=national(), regional_employment=REGIONAL, delta=0.3)
    np.testing.assert_allclose(result.slq, [2, 0.5, 1.083333], atol=5e-7)
    assert result.lambda_star == pytest.approx(0.551435, abs=5e-7)
    np.testing.assert_allclose(
        result.flq,
        [
            [1.102870, 2.205739, 1.018033],
            [0.137859, 0.275717, 0.254508],
            [0.298694, 1.194775, 0.597388],
        ],
        atol=5e-6,
    )
    np.testing.assert_allclose(
        result.regional_coefficients,
        [[0.10, 0.20, 0.05], [0.020679, 0.068929, 0.025451], [0.014935, 0.10, 0.119478]],
        atol=5e-6,
    )
    # regional multipliers are smaller than national ones: the region imports more
    from sujuva.impact.io import io_model

    assert (result.model.output_multipliers < io_model(national()).output_multipliers).all()
    lam = next(item for item in result.explanation if item.name == "lambda")
    assert "[log2(1 + 100 ÷ 1 000)]^0.3 = 0.5514" in lam.formula


def test_delta_zero_gives_plain_cilq_and_the_literal_diagonal_option() -> None:
    """δ = 0 → λ* = 1; with diagonal="cilq" the diagonal is CILQ_ii × λ* = 1 × λ*."""
    plain = regionalise_flq(national=national(), regional_employment=REGIONAL, delta=0)
    assert plain.lambda_star == 1
    np.testing.assert_allclose(np.diag(plain.flq), [2, 0.5, 1.083333], atol=5e-7)
    literal = regionalise_flq(
        national=national(), regional_employment=REGIONAL, delta=0.3, diagonal="cilq"
    )
    np.testing.assert_allclose(np.diag(literal.flq), [0.551435] * 3, atol=5e-7)


def test_national_employment_can_be_given_separately() -> None:
    table = IoTable.build(
        sectors=SECTORS, flows=A_NATIONAL * OUTPUT[np.newaxis, :], total_output=OUTPUT
    )
    result = regionalise_flq(
        national=table, regional_employment=[20, 15, 65], national_employment=[100, 300, 600]
    )
    np.testing.assert_allclose(result.slq, [2, 0.5, 1.083333], atol=5e-7)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"delta": 1.0}, "must be in [0, 1)"),
        ({"delta": -0.1}, "must be in [0, 1)"),
        ({"regional_employment": {"primary": 20, "services": 5}}, "missing: manufacturing"),
        ({"regional_employment": {**REGIONAL, "mining": 1}}, "unknown: mining"),
        ({"regional_employment": [20, -1, 65]}, "must be ≥ 0; not for sector(s) manufacturing"),
        ({"regional_employment": [200, 15, 65]}, "'primary' (200) exceeds national (100)"),
    ],
)
def test_bad_flq_inputs(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"national": national(), "regional_employment": REGIONAL}
    arguments.update(kwargs)
    with pytest.raises(UsageError) as error:
        regionalise_flq(**arguments)  # type: ignore[arg-type]
    assert message in error.value.message


def test_national_employment_is_required() -> None:
    table = IoTable.build(sectors=["a"], flows=[[1]], total_output=[10])
    with pytest.raises(UsageError, match="national employment by sector is needed"):
        regionalise_flq(national=table, regional_employment=[1])
