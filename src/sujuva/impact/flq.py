"""Regionalising a national input–output table with Flegg's location quotient (FLQ).

Finland's official regional input–output tables are old (2002); the standard non-survey way to
get a region's coefficients from the national table is the FLQ formula (Flegg, Webber & Elliott
1995; Flegg & Webber 1997; tested on Finnish regions by Flegg & Tohmo 2013, *Regional Studies*
47(5)). With regional (``RE``) and national (``NE``) employment by sector:

- ``SLQ_i = (RE_i / TRE) / (NE_i / TNE)`` — how concentrated sector ``i`` is in the region,
- ``CILQ_ij = SLQ_i / SLQ_j`` — the supplying sector's size relative to the buying sector's,
- ``λ* = [log2(1 + TRE / TNE)]^δ`` — the smaller the region, the more it imports,
- ``FLQ_ij = CILQ_ij × λ*`` off the diagonal and ``FLQ_ii = SLQ_i × λ*`` on it (the published
  convention, because ``CILQ_ii`` is always 1; ``diagonal="cilq"`` uses ``CILQ_ii × λ* = λ*``),
- regional ``a_ij = a_ij^N × min(FLQ_ij, 1)`` — a quotient never raises a coefficient.

``δ`` (0 ≤ δ < 1) is chosen by the user; 0.3 is the value Flegg & Tohmo found to work for
Finnish regions on average (0 makes ``λ* = 1``: plain CILQ). Only the intermediate
coefficients are regionalised, so the regional model is Type I (no household closure); the
employment coefficients are the national ones (national output per job assumed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from sujuva.errors import UsageError
from sujuva.impact.explain import Explained, num
from sujuva.impact.io import (
    FloatArray,
    IoModel,
    IoTable,
    model_from_coefficients,
    technical_coefficients,
)

DEFAULT_DELTA = 0.3


@dataclass(frozen=True)
class Regionalisation:
    """A national table regionalised with FLQ; arrays are indexed by ``sectors``.

    ``slq`` (n), ``cilq`` (n × n, diagonal as used: SLQ or 1), ``lambda_star``, ``flq``
    (n × n, before capping at 1), the ``national_coefficients`` and ``regional_coefficients``
    (``A``), the regional Type I ``model``, and the ``explanation`` of SLQ and λ*.
    """

    sectors: tuple[str, ...]
    delta: float
    slq: FloatArray
    cilq: FloatArray
    lambda_star: float
    flq: FloatArray
    national_coefficients: FloatArray
    regional_coefficients: FloatArray
    model: IoModel
    explanation: list[Explained] = field(default_factory=list)


def _employment(
    name: str, values: Mapping[str, float] | ArrayLike | None, sectors: tuple[str, ...]
) -> FloatArray:
    """Employment per sector as a vector in table order (from a mapping or a sequence)."""
    if values is None:
        raise UsageError(
            f"{name} employment by sector is needed for FLQ (the national table has none)"
        )
    if isinstance(values, Mapping):
        unknown = sorted(set(values) - set(sectors))
        missing = [sector for sector in sectors if sector not in values]
        if unknown or missing:
            raise UsageError(
                f"{name} employment must name exactly the table's sectors; "
                f"unknown: {', '.join(unknown) or '-'}; missing: {', '.join(missing) or '-'}"
            )
        values = [float(values[sector]) for sector in sectors]
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.shape[0] != len(sectors):
        raise UsageError(f"{name} employment has {array.size} value(s) for {len(sectors)} sectors")
    bad = [s for s, v in zip(sectors, array, strict=True) if not (math.isfinite(v) and v >= 0)]
    if bad:
        raise UsageError(f"{name} employment must be ≥ 0; not for sector(s) {', '.join(bad)}")
    if array.sum() <= 0:
        raise UsageError(f"{name} employment is zero in every sector")
    return array


def location_quotients(
    *, regional: FloatArray, national: FloatArray, sectors: tuple[str, ...]
) -> FloatArray:
    """``SLQ_i = (RE_i / TRE) / (NE_i / TNE)``; a sector absent nationally cannot be regional."""
    for sector, re, ne in zip(sectors, regional, national, strict=True):
        if re > ne:
            raise UsageError(
                f"regional employment in '{sector}' ({num(re)}) exceeds national ({num(ne)}); "
                "the region is part of the nation"
            )
    with np.errstate(divide="ignore", invalid="ignore"):
        slq = (regional / regional.sum()) / (national / national.sum())
    return np.where(national > 0, slq, 0.0)


def flq_lambda(*, regional_total: float, national_total: float, delta: float) -> float:
    """``λ* = [log2(1 + TRE / TNE)]^δ``."""
    return float(math.log2(1.0 + regional_total / national_total) ** delta)


def regionalise_flq(
    *,
    national: IoTable,
    regional_employment: Mapping[str, float] | ArrayLike,
    national_employment: Mapping[str, float] | ArrayLike | None = None,
    delta: float = DEFAULT_DELTA,
    diagonal: Literal["slq", "cilq"] = "slq",
) -> Regionalisation:
    """The region's coefficients and Type I model from the ``national`` table by FLQ.

    ``national_employment`` defaults to the table's employment column. Errors
    (:class:`UsageError`): δ outside [0, 1), employment that is negative, missing for a sector,
    or larger in the region than in the nation.
    """
    if not (math.isfinite(delta) and 0 <= delta < 1):
        raise UsageError(f"δ (delta) must be in [0, 1); got {delta} (0.3 is the usual choice)")
    if diagonal not in ("slq", "cilq"):
        raise UsageError(f"diagonal must be 'slq' or 'cilq' (got {diagonal!r})")
    sectors = national.sectors
    ne = _employment(
        "national",
        national.employment if national_employment is None else national_employment,
        sectors,
    )
    re = _employment("regional", regional_employment, sectors)
    slq = location_quotients(regional=re, national=ne, sectors=sectors)
    cilq = _cilq(slq, diagonal=diagonal)
    lam = flq_lambda(regional_total=float(re.sum()), national_total=float(ne.sum()), delta=delta)
    flq = cilq * lam
    a_national = technical_coefficients(national)
    a_regional = a_national * np.minimum(flq, 1.0)
    model = model_from_coefficients(
        sectors=sectors,
        coefficients=a_regional,
        employment_coefficients=ne / national.total_output,
        euro_per_unit=national.euro_per_unit,
    )
    return Regionalisation(
        sectors=sectors,
        delta=delta,
        slq=slq,
        cilq=cilq,
        lambda_star=lam,
        flq=flq,
        national_coefficients=a_national,
        regional_coefficients=a_regional,
        model=model,
        explanation=_explain(re=re, ne=ne, slq=slq, lam=lam, delta=delta, sectors=sectors),
    )


def _cilq(slq: FloatArray, *, diagonal: Literal["slq", "cilq"]) -> FloatArray:
    """``SLQ_i / SLQ_j``; 0 where the region lacks the supplier, ∞ where it lacks the buyer."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cilq = slq[:, np.newaxis] / slq[np.newaxis, :]
    cilq = np.where(slq[:, np.newaxis] == 0, 0.0, cilq)
    if diagonal == "slq":
        np.fill_diagonal(cilq, slq)
    return cilq


def _explain(
    *,
    re: FloatArray,
    ne: FloatArray,
    slq: FloatArray,
    lam: float,
    delta: float,
    sectors: tuple[str, ...],
) -> list[Explained]:
    tre, tne = float(re.sum()), float(ne.sum())
    items = [
        Explained(
            name=f"SLQ[{sector}]",
            value=float(q),
            formula=(
                f"SLQ[{sector}] = (RE ÷ TRE) ÷ (NE ÷ TNE) = ({num(r)} ÷ {num(tre)}) ÷ "
                f"({num(n)} ÷ {num(tne)}) = {num(float(q), decimals=4)}"
            ),
            parameters={"RE": float(r), "TRE": tre, "NE": float(n), "TNE": tne},
        )
        for sector, r, n, q in zip(sectors, re, ne, slq, strict=True)
    ]
    items.append(
        Explained(
            name="lambda",
            value=lam,
            formula=(
                f"λ* = [log2(1 + TRE ÷ TNE)]^δ = [log2(1 + {num(tre)} ÷ {num(tne)})]^"
                f"{num(delta, decimals=4)} = {num(lam, decimals=4)}"
            ),
            parameters={"TRE": tre, "TNE": tne, "delta": delta},
        )
    )
    return items
