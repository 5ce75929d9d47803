"""What could these group sizes have shown? The minimum detectable effect.

"No detectable change" means little unless it says how large a change could have been seen.
Lifelines' power formula for the Cox model (Schoenfeld/Freedman, as in R's powerSurvEpi) gives
the detectable hazard ratio for the current group sizes and outcome shares; the comparison
group's median turns it into days, assuming roughly proportional hazards:
a hazard ratio HR moves a median m to m / HR, a shortening of m × (1 − 1/HR).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from lifelines.statistics import power_under_cph

from sujuva.stats.results import GroupSummary, PowerResult

TARGET = 0.8
MAX_RATIO = 1_000.0


def power_summary(
    pilot: GroupSummary,
    comparison: GroupSummary,
    *,
    alpha: float,
    min_effect_days: float | None,
) -> PowerResult:
    """Detectable hazard ratio and days at 80 % power; power for ``min_effect_days``."""
    share_p, share_c = pilot.events / pilot.n, comparison.events / comparison.n

    def power(ratio: float) -> float:
        return float(power_under_cph(pilot.n, comparison.n, share_p, share_c, ratio, alpha))

    ratio = detectable_ratio(power)
    median = comparison.median_days
    days = None
    if ratio is not None and math.isfinite(median):
        days = median * (1 - 1 / ratio)
    power_min = None
    if min_effect_days is not None and math.isfinite(median):
        power_min = 1.0 if min_effect_days >= median else power(median / (median - min_effect_days))
    return PowerResult(
        target_power=TARGET,
        alpha=alpha,
        event_share_pilot=share_p,
        event_share_comparison=share_c,
        mde_hazard_ratio=ratio,
        mde_days=days,
        min_effect_days=min_effect_days,
        power_for_min_effect=power_min,
    )


def detectable_ratio(power: Callable[[float], float]) -> float | None:
    """Smallest hazard ratio > 1 with power ≥ :data:`TARGET`, or None if none is."""
    low, high = 1.0, MAX_RATIO
    if power(high) < TARGET:
        return None
    while high / low > 1 + 1e-7:  # power rises with the ratio: bisect on the log scale
        middle = math.sqrt(low * high)
        low, high = (middle, high) if power(middle) < TARGET else (low, middle)
    return high
