"""The result and configuration types of effect estimates, and the parts both methods share.

See :mod:`sujuva.impact.economy` for the methods themselves.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from sujuva.errors import UsageError
from sujuva.impact.explain import Explained, eur, num, plus
from sujuva.impact.io import IoTable

DEFAULT_EURO_PER_JOB = 150_000.0
DEFAULT_MULTIPLIER = 1.47
#: The sector name used when jobs are given as one number.
ALL_SECTORS = "all sectors"

#: Columns of :attr:`Effect.by_sector`.
BY_SECTOR_COLUMNS = (
    "sector",
    "jobs",
    "euro_per_job",
    "direct_eur",
    "indirect_eur",
    "induced_eur",
    "total_eur",
    "total_jobs",
)


def _is_number(value: object) -> bool:
    """A finite real number (not a bool, which Python counts as an int)."""
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


@dataclass(frozen=True)
class EffectConfig:
    """The assumptions behind an effect estimate (all € figures per year).

    ``euro_per_job_per_year`` overrides the direct effect of one job per sector;
    ``default_euro_per_job`` (150 000 €) applies to every other sector. ``multiplier`` is
    total ÷ direct for the multiplier method (≥ 1). ``io_table``, when set, makes
    :func:`jobs_effect` use the input–output model instead (``type_ii``: include the
    induced effect when the table has households).
    """

    euro_per_job_per_year: Mapping[str, float] = field(default_factory=dict)
    default_euro_per_job: float = DEFAULT_EURO_PER_JOB
    multiplier: float = DEFAULT_MULTIPLIER
    io_table: IoTable | None = None
    type_ii: bool = True

    def __post_init__(self) -> None:
        values = {"default_euro_per_job": self.default_euro_per_job, **self.euro_per_job_per_year}
        for sector, value in values.items():
            if not (_is_number(value) and value > 0):
                raise UsageError(f"€ per job per year for '{sector}' must be > 0 (got {value!r})")
        if not (math.isfinite(self.multiplier) and self.multiplier >= 1):
            raise UsageError(
                f"the multiplier is total ÷ direct effect and must be ≥ 1 (got {self.multiplier})"
            )

    def euro_per_job(self, sector: str) -> float:
        """The direct effect of one job a year in ``sector``."""
        return float(self.euro_per_job_per_year.get(sector, self.default_euro_per_job))


@dataclass(frozen=True)
class Effect:
    """The effect of ``jobs`` new jobs on the regional economy, in € per year.

    ``method``: ``"multiplier"``, ``"input-output Type I"`` or ``"input-output Type II"``.
    ``induced_eur`` is 0 unless Type II. ``total_jobs`` (direct + indirect (+ induced) jobs)
    is known only with the input–output method and employment data, else ``None``.
    ``by_sector`` columns: sector, jobs (new jobs placed there), euro_per_job, direct_eur,
    indirect_eur, induced_eur, total_eur, total_jobs — with the multiplier method one row per
    sector of the jobs; with input–output one row per sector where the effect lands.
    ``explanation`` lists every figure with its formula, direct first and total last.
    """

    method: str
    jobs: float
    direct_eur: float
    indirect_eur: float
    induced_eur: float
    total_eur: float
    total_jobs: float | None
    by_sector: pd.DataFrame
    explanation: list[Explained]

    def explained(self, name: str) -> Explained:
        """The figure called ``name`` (``"direct"``, ``"total"``...) with its formula."""
        for item in self.explanation:
            if item.name == name:
                return item
        raise KeyError(name)


def jobs_by_sector(jobs: Mapping[str, float] | float) -> dict[str, float]:
    """``jobs`` as {sector: jobs}, each finite and ≥ 0, at least one sector."""
    if isinstance(jobs, Mapping):
        by_sector = {str(sector): value for sector, value in jobs.items()}
    else:
        by_sector = {ALL_SECTORS: jobs}
    if not by_sector:
        raise UsageError("no jobs given: name at least one sector and its number of jobs")
    for sector, value in by_sector.items():
        if not (_is_number(value) and value >= 0):
            raise UsageError(f"jobs in '{sector}' must be a number ≥ 0 (got {value!r})")
    return {sector: float(value) for sector, value in by_sector.items()}


def direct_lines(jobs: dict[str, float], per_job: dict[str, float]) -> list[Explained]:
    """``direct[sector] = jobs × € per job`` per sector and their sum ``direct`` (last); just
    ``direct`` when there is one sector."""
    lines = [
        Explained(
            name=f"direct[{sector}]",
            value=count * per_job[sector],
            formula=(
                f"direct[{sector}] = jobs × €/job/year = {num(count)} × {eur(per_job[sector])} "
                f"= {eur(count * per_job[sector])}"
            ),
            parameters={"jobs": count, "euro_per_job_per_year": per_job[sector]},
            unit="€/year",
        )
        for sector, count in jobs.items()
    ]
    if len(lines) == 1:
        (sector,) = jobs
        only = lines[0]
        formula = only.formula.replace(f"direct[{sector}]", "direct", 1)
        return [
            Explained(
                "direct", only.value, formula, {**only.parameters, "sector": sector}, "€/year"
            )
        ]
    total = sum(item.value for item in lines)
    formula = f"direct = Σ direct[sector] = {plus(eur(i.value) for i in lines)} = {eur(total)}"
    params: dict[str, float | str] = {item.name: item.value for item in lines}
    return [*lines, Explained("direct", total, formula, params, "€/year")]
