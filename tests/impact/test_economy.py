"""The regional-economy effect of new jobs: the source's figures and the IO route."""

from __future__ import annotations

import numpy as np
import pytest

from sujuva.errors import UsageError
from sujuva.impact.economy import EffectConfig, io_effect, jobs_effect
from sujuva.impact.io import IoTable, io_model


def test_source_defaults_1000_jobs_150_million_direct_220_million_total() -> None:
    """The source: 1 000 jobs ≈ 150 M€ a year direct, ≈ 220 M€ with indirect effects."""
    effect = jobs_effect(jobs=1000, config=EffectConfig())
    assert effect.method == "multiplier"
    assert effect.direct_eur == pytest.approx(150_000_000)
    assert effect.total_eur == pytest.approx(220_500_000)
    assert effect.indirect_eur == pytest.approx(70_500_000)
    assert effect.induced_eur == 0 and effect.total_jobs is None
    assert round(effect.total_eur / 1e7) * 10 == 220  # "about 220 M€"
    direct = effect.explained("direct")
    assert direct.formula == "direct = jobs × €/job/year = 1 000 × 150 000 € = 150 000 000 €"
    assert direct.parameters["euro_per_job_per_year"] == 150_000
    assert effect.explained("total").formula == (
        "total = direct × multiplier = 150 000 000 € × 1.47 = 220 500 000 €"
    )
    assert [item.name for item in effect.explanation] == ["direct", "indirect", "total"]


def test_per_sector_euros_and_a_custom_multiplier() -> None:
    config = EffectConfig(euro_per_job_per_year={"wellbeing": 60_000}, multiplier=1.5)
    effect = jobs_effect(jobs={"bioeconomy": 400, "wellbeing": 100}, config=config)
    assert effect.direct_eur == pytest.approx(400 * 150_000 + 100 * 60_000)
    assert effect.total_eur == pytest.approx(1.5 * effect.direct_eur)
    assert effect.explained("direct[wellbeing]").formula == (
        "direct[wellbeing] = jobs × €/job/year = 100 × 60 000 € = 6 000 000 €"
    )
    assert "= 60 000 000 € + 6 000 000 € = 66 000 000 €" in effect.explained("direct").formula
    table = effect.by_sector.set_index("sector")
    assert table.loc["wellbeing", "total_eur"] == pytest.approx(9_000_000)
    assert list(effect.by_sector.columns) == [
        "sector",
        "jobs",
        "euro_per_job",
        "direct_eur",
        "indirect_eur",
        "induced_eur",
        "total_eur",
        "total_jobs",
    ]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"multiplier": 0.9}, "must be ≥ 1"),
        ({"default_euro_per_job": 0}, "must be > 0"),
        ({"euro_per_job_per_year": {"wellbeing": float("nan")}}, "'wellbeing' must be > 0"),
    ],
)
def test_bad_configuration(config: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        EffectConfig(**config)  # type: ignore[arg-type]


@pytest.mark.parametrize("jobs", [-1, float("inf"), {}, {"wellbeing": "ten"}, True])
def test_bad_jobs(jobs: object) -> None:
    with pytest.raises(UsageError):
        jobs_effect(jobs=jobs, config=EffectConfig())  # type: ignore[arg-type]


def table(**extra: object) -> IoTable:
    arguments: dict[str, object] = {
        "sectors": ["s1", "s2"],
        "flows": [[150, 500], [200, 100]],
        "total_output": [1000, 2000],
        "employment": [10, 40],
    }
    return IoTable.build(**{**arguments, **extra})  # type: ignore[arg-type]


def test_io_effect_type_i_by_hand() -> None:
    """Table in M€: 10 jobs in s1 at 1000/10 = 100 M€ output per job → Δf = [1000, 0] M€.
    L Δf = 1000 × [1.254125, 0.264026] = [1254.125, 264.026] M€: total 1518.152 M€,
    indirect 518.152 M€.
    Jobs: w · L Δf = 0.01 × 1254.125 + 0.02 × 264.026 = 17.822 = 10 × 1.7822."""
    model = io_model(table(euro_per_unit=1e6))
    effect = io_effect(jobs={"s1": 10}, model=model)
    assert effect.method == "input-output Type I"
    assert effect.direct_eur == pytest.approx(1000e6)
    assert effect.total_eur == pytest.approx(1518.152e6, rel=1e-6)
    assert effect.indirect_eur == pytest.approx(518.152e6, rel=1e-5)
    assert effect.total_jobs == pytest.approx(17.822, abs=5e-4)
    by = effect.by_sector.set_index("sector")
    np.testing.assert_allclose(by["total_eur"], [1254.125e6, 264.026e6], rtol=2e-6)
    assert by.loc["s2", "jobs"] == 0
    assert "output per job[s1] = output ÷ employment" in effect.explanation[0].formula
    assert effect.explained("total_type_i").formula.startswith(
        "total (Type I) = Σ output multiplier[j] × direct[j] = 1.5182 × 1 000 000 000 €"
    )
    assert effect.explained("total_jobs_type_i").formula.endswith("= 10 × 1.7822 = 17.82")


def test_io_effect_type_ii_adds_induced_effect() -> None:
    model = io_model(
        table(
            household_row=[300, 500],
            household_column=[50, 400],
            household_self=50,
            household_output=1000,
        )
    )
    effect = io_effect(jobs={"s1": 10, "s2": 5}, model=model)
    type_i = io_effect(jobs={"s1": 10, "s2": 5}, model=model, type_ii=False)
    assert effect.method == "input-output Type II"
    assert type_i.method == "input-output Type I"
    assert effect.induced_eur > 0
    assert effect.total_eur == pytest.approx(type_i.total_eur + effect.induced_eur)
    assert effect.indirect_eur == pytest.approx(type_i.indirect_eur)
    assert effect.total_eur == pytest.approx(
        effect.direct_eur + effect.indirect_eur + effect.induced_eur
    )
    assert effect.total_jobs is not None and type_i.total_jobs is not None
    assert effect.total_jobs > type_i.total_jobs > 15
    assert effect.explanation[-1].name == "total_jobs_type_ii"


def test_jobs_effect_uses_the_io_table_when_configured() -> None:
    config = EffectConfig(io_table=table())
    assert jobs_effect(jobs={"s1": 10}, config=config).method == "input-output Type I"
    with pytest.raises(UsageError, match="needs jobs per sector of the table"):
        jobs_effect(jobs=10, config=config)


def test_without_employment_the_configured_euros_per_job_are_output_per_job() -> None:
    model = io_model(
        IoTable.build(
            sectors=["s1", "s2"], flows=[[150, 500], [200, 100]], total_output=[1000, 2000]
        )
    )
    effect = io_effect(jobs={"s2": 2}, model=model, config=EffectConfig(default_euro_per_job=100))
    assert effect.direct_eur == 200
    assert effect.total_eur == pytest.approx(200 * 1.452145, rel=1e-6)
    assert effect.total_jobs is None


def test_io_effect_errors_name_the_sector() -> None:
    model = io_model(table(employment=[10, 0]))
    with pytest.raises(UsageError, match=r"unknown sector 'wood'.*known sectors: s1, s2"):
        io_effect(jobs={"wood": 1}, model=model)
    with pytest.raises(UsageError, match="sector 's2' has no employment"):
        io_effect(jobs={"s2": 1}, model=model)
