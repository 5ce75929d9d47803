"""The effect of new jobs through an input–output model (Type I, and Type II with households).

The jobs become a direct output change ``Δf_j = jobs_j × output per job_j`` (output ÷
employment from the table, or the configured € per job when the table has no employment),
treated as new final demand. Then

- total (Type I) output ``= Σ_i (L Δf)_i = Σ_j m_j Δf_j`` with ``m`` the output multipliers;
  indirect = total (Type I) − direct;
- total (Type II) output ``= Σ_i≤n (L̄ [Δf; 0])_i`` (sector rows of the closed inverse);
  induced = total (Type II) − total (Type I);
- jobs: ``Σ_i w_i (L Δf)_i = Σ_j jobs_j × employment multiplier_j`` (ratio form), likewise
  with the Type II multipliers.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sujuva.errors import UsageError
from sujuva.impact.effect import (
    BY_SECTOR_COLUMNS,
    Effect,
    EffectConfig,
    direct_lines,
    jobs_by_sector,
)
from sujuva.impact.explain import Explained, eur, num, plus
from sujuva.impact.io import FloatArray, IoModel


def io_effect(
    *,
    jobs: Mapping[str, float],
    model: IoModel,
    config: EffectConfig | None = None,
    type_ii: bool | None = None,
) -> Effect:
    """The yearly effect of ``jobs`` (per sector of ``model``) through the input–output model.

    ``type_ii`` (default: ``config.type_ii``) adds the induced effect where the model has
    households. Errors (:class:`UsageError`): jobs not given per sector, unknown sectors, or
    jobs in a sector that the table says has no employment.
    """
    if not isinstance(jobs, Mapping):
        raise UsageError(
            f"the input–output model needs jobs per sector ({', '.join(model.sectors)}), "
            "not one total"
        )
    config = config or EffectConfig()
    closed = model.has_type_ii and (config.type_ii if type_ii is None else type_ii)
    counts = jobs_by_sector(jobs)
    per_job = {sector: _output_per_job(model, sector, config) for sector in counts}
    per_job_lines = (_per_job_line(model, sector) for sector in counts)
    lines = [line for line in per_job_lines if line is not None]
    lines += direct_lines(counts, per_job)
    demand = np.zeros(len(model.sectors))
    for sector, count in counts.items():
        demand[model.index(sector)] += count * per_job[sector] / model.euro_per_unit
    type_i = model.leontief @ demand
    lines += _output_lines(model, demand, closed=closed)
    outputs = type_i if not closed else _closed_outputs(model, demand)
    lines += _jobs_lines(model, counts, closed=closed)
    unit = model.euro_per_unit
    direct = float(demand.sum()) * unit
    total_i = float(type_i.sum()) * unit
    total = float(outputs.sum()) * unit
    w = model.employment_coefficients
    return Effect(
        method="input-output Type II" if closed else "input-output Type I",
        jobs=sum(counts.values()),
        direct_eur=direct,
        indirect_eur=total_i - direct,
        induced_eur=total - total_i,
        total_eur=total,
        total_jobs=None if w is None else float(w @ outputs),
        by_sector=_table(model, counts, per_job, demand, type_i, outputs),
        explanation=lines,
    )


def _output_per_job(model: IoModel, sector: str, config: EffectConfig) -> float:
    """Euros of output a year per job in ``sector``: from the table, else the configuration."""
    w = model.employment_coefficients
    index = model.index(sector)
    if w is None:
        return config.euro_per_job(sector)
    if w[index] <= 0:
        raise UsageError(
            f"sector '{sector}' has no employment in the input–output table, so jobs there "
            "cannot be turned into output; give its employment or place the jobs elsewhere"
        )
    return float(model.euro_per_unit / w[index])


def _per_job_line(model: IoModel, sector: str) -> Explained | None:
    """How output per job was found, when it came from the table."""
    w = model.employment_coefficients
    if w is None:
        return None
    coefficient = float(w[model.index(sector)])
    value = model.euro_per_unit / coefficient
    scale = "" if model.euro_per_unit == 1 else f" × {num(model.euro_per_unit)} € per unit"
    return Explained(
        name=f"output_per_job[{sector}]",
        value=value,
        formula=(
            f"output per job[{sector}] = output ÷ employment = 1 ÷ "
            f"{num(coefficient, decimals=8)} jobs per unit{scale} = {eur(value)}"
        ),
        parameters={"employment_coefficient": coefficient, "euro_per_unit": model.euro_per_unit},
        unit="€/year",
    )


def _closed_outputs(model: IoModel, demand: FloatArray) -> FloatArray:
    """Sector outputs of the closed model for the final-demand change ``demand``."""
    assert model.closed_leontief is not None
    outputs: FloatArray = (model.closed_leontief @ np.append(demand, 0.0))[:-1]
    return outputs


def _weighted_sum(
    label: str, multipliers: FloatArray, amounts: FloatArray, sectors: tuple[str, ...]
) -> str:
    """``Σ_j label[j] × amount_j = m_1 × a_1 + … `` over the sectors with an amount."""
    used = [j for j in range(len(sectors)) if amounts[j] != 0]
    terms = plus(f"{num(float(multipliers[j]), decimals=4)} × {eur(amounts[j])}" for j in used)
    return f"Σ {label}[j] × direct[j] = {terms or '0'}"


def _output_lines(model: IoModel, demand: FloatArray, *, closed: bool) -> list[Explained]:
    """Total (Type I), indirect and, when closed, total (Type II), induced, household income."""
    unit = model.euro_per_unit
    amounts = demand * unit
    direct = float(amounts.sum())
    total_i = float(model.output_multipliers @ amounts)
    params: dict[str, float | str] = {"direct": direct}
    sums = _weighted_sum("output multiplier", model.output_multipliers, amounts, model.sectors)
    lines = [
        Explained(
            "total_type_i",
            total_i,
            f"total (Type I) = {sums} = {eur(total_i)}",
            params,
            "€/year",
        ),
        Explained(
            "indirect",
            total_i - direct,
            f"indirect = total (Type I) − direct = {eur(total_i)} − {eur(direct)} "
            f"= {eur(total_i - direct)}",
            params,
            "€/year",
        ),
    ]
    total = total_i
    if closed:
        assert model.type_ii_output_multipliers is not None
        total = float(model.type_ii_output_multipliers @ amounts)
        lines += _type_ii_lines(model, amounts, total_i)
    parts = "direct + indirect + induced" if closed else "direct + indirect"
    values = [direct, total_i - direct, *([total - total_i] if closed else [])]
    lines.append(
        Explained(
            "total",
            total,
            f"total = {parts} = {plus(eur(v) for v in values)} = {eur(total)}",
            {"direct": direct, "indirect": total_i - direct, "induced": total - total_i},
            "€/year",
        )
    )
    return lines


def _type_ii_lines(model: IoModel, amounts: FloatArray, total_i: float) -> list[Explained]:
    """Household income, total (Type II) and induced."""
    assert model.type_ii_output_multipliers is not None and model.closed_leontief is not None
    multipliers = model.type_ii_output_multipliers
    total = float(multipliers @ amounts)
    income = float(model.closed_leontief[-1, :-1] @ amounts)
    return [
        Explained(
            "household_income",
            income,
            f"household income = Σ L̄[households, j] × direct[j] = {eur(income)}",
            {},
            "€/year",
        ),
        Explained(
            "total_type_ii",
            total,
            "total (Type II) = "
            f"{_weighted_sum('Type II output multiplier', multipliers, amounts, model.sectors)}"
            f" = {eur(total)}",
            {},
            "€/year",
        ),
        Explained(
            "induced",
            total - total_i,
            f"induced = total (Type II) − total (Type I) = {eur(total)} − {eur(total_i)} "
            f"= {eur(total - total_i)}",
            {"total_type_i": total_i, "total_type_ii": total},
            "€/year",
        ),
    ]


def _jobs_lines(model: IoModel, counts: dict[str, float], *, closed: bool) -> list[Explained]:
    """Jobs in all sectors per the ratio employment multipliers (Type I, and Type II)."""
    variants = [("total_jobs_type_i", "Type I", model.employment_ratio_multipliers)]
    if closed:
        variants.append(
            ("total_jobs_type_ii", "Type II", model.type_ii_employment_ratio_multipliers)
        )
    lines = []
    for name, label, multipliers in variants:
        if multipliers is None:
            continue
        pairs = [(counts[s], float(multipliers[model.index(s)])) for s in counts]
        value = sum(count * m for count, m in pairs)
        terms = plus(f"{num(count)} × {num(m, decimals=4)}" for count, m in pairs)
        lines.append(
            Explained(
                name,
                value,
                f"jobs ({label}) = Σ jobs[j] × {label} employment multiplier[j] = {terms} "
                f"= {num(value)}",
                {s: count for s, count in counts.items()},
                "jobs",
            )
        )
    return lines


def _table(
    model: IoModel,
    counts: dict[str, float],
    per_job: dict[str, float],
    demand: FloatArray,
    type_i: FloatArray,
    outputs: FloatArray,
) -> pd.DataFrame:
    """One row per sector of the model: where the effect lands."""
    unit = model.euro_per_unit
    w = model.employment_coefficients
    frame = pd.DataFrame(
        {
            "sector": list(model.sectors),
            "jobs": [counts.get(s, 0.0) for s in model.sectors],
            "euro_per_job": [per_job.get(s, np.nan) for s in model.sectors],
            "direct_eur": demand * unit,
            "indirect_eur": (type_i - demand) * unit,
            "induced_eur": (outputs - type_i) * unit,
            "total_eur": outputs * unit,
            "total_jobs": outputs * w if w is not None else np.nan,
        }
    )
    return frame[list(BY_SECTOR_COLUMNS)]
