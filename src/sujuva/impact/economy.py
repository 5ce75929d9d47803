"""The regional-economy effect of new jobs, every figure with the formula it came from.

Two methods:

- **multiplier** (the source's own reckoning): direct effect = jobs × € per job per year
  (150 000 € by default, per sector where known), total = direct × multiplier (1.47 by
  default: the source's 220 M€ ÷ 150 M€), indirect = total − direct. With the defaults
  1 000 jobs give 150 M€ direct and 220.5 M€ total a year.
- **input–output** (:func:`~sujuva.impact.io_effect.io_effect`), used when
  :attr:`EffectConfig.io_table` is set: jobs become output through output per job, the
  Leontief inverse gives the indirect effect (Type I), the model closed with households the
  induced effect (Type II), and the employment multipliers the jobs in all sectors.

The figures are what the parameters imply, not measurements: the explanation lists the
parameters so that a reader can judge them.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sujuva.errors import UsageError
from sujuva.impact.effect import (
    ALL_SECTORS,
    BY_SECTOR_COLUMNS,
    DEFAULT_EURO_PER_JOB,
    DEFAULT_MULTIPLIER,
    Effect,
    EffectConfig,
    direct_lines,
    jobs_by_sector,
)
from sujuva.impact.explain import Explained, eur, num
from sujuva.impact.io import io_model
from sujuva.impact.io_effect import io_effect

__all__ = [
    "ALL_SECTORS",
    "BY_SECTOR_COLUMNS",
    "DEFAULT_EURO_PER_JOB",
    "DEFAULT_MULTIPLIER",
    "Effect",
    "EffectConfig",
    "io_effect",
    "jobs_effect",
]


def jobs_effect(*, jobs: Mapping[str, float] | float, config: EffectConfig) -> Effect:
    """The yearly effect of ``jobs`` (one number, or jobs per sector) under ``config``.

    Uses the input–output model when ``config.io_table`` is set (jobs must then be given per
    sector of the table), the multiplier method otherwise.
    """
    if config.io_table is not None:
        if not isinstance(jobs, Mapping):
            raise UsageError(
                "the input–output model needs jobs per sector of the table "
                f"({', '.join(config.io_table.sectors)}), not one total"
            )
        return io_effect(jobs=jobs, model=io_model(config.io_table), config=config)
    counts = jobs_by_sector(jobs)
    explanation = direct_lines(counts, {s: config.euro_per_job(s) for s in counts})
    direct = explanation[-1].value
    total = direct * config.multiplier
    multiplier = num(config.multiplier, decimals=4)
    params: dict[str, float | str] = {"direct": direct, "multiplier": config.multiplier}
    explanation += [
        Explained(
            "indirect",
            total - direct,
            f"indirect = direct × (multiplier − 1) = {eur(direct)} × ({multiplier} − 1) "
            f"= {eur(total - direct)}",
            params,
            "€/year",
        ),
        Explained(
            "total",
            total,
            f"total = direct × multiplier = {eur(direct)} × {multiplier} = {eur(total)}",
            params,
            "€/year",
        ),
    ]
    return Effect(
        method="multiplier",
        jobs=sum(counts.values()),
        direct_eur=direct,
        indirect_eur=total - direct,
        induced_eur=0.0,
        total_eur=total,
        total_jobs=None,
        by_sector=_multiplier_table(counts, config),
        explanation=explanation,
    )


def _multiplier_table(jobs: dict[str, float], config: EffectConfig) -> pd.DataFrame:
    """One row per sector of the jobs (the effect's sector is unknown with this method)."""
    rows = []
    for sector, count in jobs.items():
        direct = count * config.euro_per_job(sector)
        total = direct * config.multiplier
        rows.append(
            (
                sector,
                count,
                config.euro_per_job(sector),
                direct,
                total - direct,
                0.0,
                total,
                float("nan"),
            )
        )
    return pd.DataFrame(rows, columns=list(BY_SECTOR_COLUMNS))
