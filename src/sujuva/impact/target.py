"""The region's jobs target: how many new jobs, by when, in which sectors.

The source's target is 1 000 new jobs, 1.7 % of the region's jobs (so a baseline of about
58 800), mostly in the focus sectors bioeconomy, technology industry and wellbeing. A target
can be given as a count, or as a share of a baseline count; :func:`make_target` computes the
missing one. Progress against it is in :mod:`sujuva.impact.progress`, job records in
:mod:`sujuva.impact.jobs`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sujuva.errors import UsageError
from sujuva.impact.tol import DEFAULT_SECTORS, SectorMap, SectorTarget, sector_map

__all__ = ["DEFAULT_SECTORS", "SectorTarget", "Target", "make_target", "source_target"]

#: The source's numbers: 1 000 new jobs = 1.7 % of the region's jobs.
SOURCE_JOBS = 1_000.0
SOURCE_SHARE = 0.017
#: How far jobs may differ from share × baseline when all three are given (relative).
CONSISTENCY = 0.01


@dataclass(frozen=True)
class Target:
    """A jobs target (validated on construction; build with :func:`make_target`).

    ``jobs``: new jobs (FTE) to create between ``start`` and ``horizon`` (both inclusive);
    ``baseline_jobs``: the region's job count the target is measured against, and ``share``
    = jobs ÷ baseline as a fraction (0.017 for 1.7 %), both ``None`` when unknown;
    ``sectors``: focus sectors with their TOL codes and optional sub-targets (their sum may
    not exceed ``jobs``); ``name`` for display.
    """

    jobs: float
    start: date
    horizon: date
    baseline_jobs: float | None = None
    share: float | None = None
    sectors: tuple[SectorTarget, ...] = DEFAULT_SECTORS
    name: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.jobs) and self.jobs > 0):
            raise UsageError(f"the target needs a number of jobs > 0 (got {self.jobs})")
        if not self.start < self.horizon:
            raise UsageError(
                f"the target's horizon ({self.horizon}) must come after its start ({self.start})"
            )
        if (self.share is None) != (self.baseline_jobs is None):
            raise UsageError("give the share and the baseline job count together, or neither")
        if self.share is not None and self.baseline_jobs is not None:
            _check_share(jobs=self.jobs, share=self.share, baseline=self.baseline_jobs)
        sector_map(self.sectors)
        sub_targets = [s.jobs for s in self.sectors if s.jobs is not None]
        for sector in self.sectors:
            if sector.jobs is not None and not (math.isfinite(sector.jobs) and sector.jobs >= 0):
                raise UsageError(f"the sub-target of '{sector.name}' must be ≥ 0")
        if sum(sub_targets) > self.jobs * (1 + 1e-9):
            raise UsageError(
                f"the sectors' sub-targets add up to {sum(sub_targets):g}, more than the "
                f"target of {self.jobs:g} jobs"
            )

    @property
    def sector_map(self) -> SectorMap:
        """TOL code → focus sector for this target's sectors."""
        return sector_map(self.sectors)

    @property
    def sector_names(self) -> tuple[str, ...]:
        """The focus sectors' names, in order."""
        return tuple(sector.name for sector in self.sectors)


def _check_share(*, jobs: float, share: float, baseline: float) -> None:
    if not (math.isfinite(share) and 0 < share <= 1):
        raise UsageError(
            f"the share is a fraction of the baseline jobs (0.017 for 1.7 %); got {share}"
        )
    if not (math.isfinite(baseline) and baseline > 0):
        raise UsageError(f"the baseline job count must be > 0 (got {baseline})")
    if abs(jobs - share * baseline) > CONSISTENCY * jobs:
        raise UsageError(
            f"{jobs:g} jobs is not {share:.2%} of {baseline:g} jobs "
            f"({share * baseline:g}); give two of jobs, share and baseline and let the third "
            "be computed"
        )


def make_target(
    *,
    start: date,
    horizon: date,
    jobs: float | None = None,
    share: float | None = None,
    baseline_jobs: float | None = None,
    sectors: Sequence[SectorTarget] = DEFAULT_SECTORS,
    name: str = "",
) -> Target:
    """A :class:`Target` from any two of ``jobs``, ``share`` (a fraction) and ``baseline_jobs``
    (or ``jobs`` alone), computing the third: jobs = share × baseline, share = jobs ÷
    baseline, baseline = jobs ÷ share. All three must agree within 1 %."""
    given = {"jobs": jobs, "share": share, "baseline_jobs": baseline_jobs}
    if jobs is None and (share is None or baseline_jobs is None):
        missing = [key for key, value in given.items() if value is None]
        raise UsageError(
            "a target needs jobs, or a share and a baseline job count "
            f"(missing {', '.join(missing)})"
        )
    if share is not None and not (math.isfinite(share) and 0 < share <= 1):
        raise UsageError(f"the share is a fraction (0.017 for 1.7 %); got {share}")
    if baseline_jobs is not None and not (math.isfinite(baseline_jobs) and baseline_jobs > 0):
        raise UsageError(f"the baseline job count must be > 0 (got {baseline_jobs})")
    if jobs is None:
        assert share is not None and baseline_jobs is not None
        jobs = share * baseline_jobs
    elif share is None and baseline_jobs is not None:
        share = jobs / baseline_jobs
    elif baseline_jobs is None and share is not None:
        baseline_jobs = jobs / share
    return Target(
        jobs=float(jobs),
        start=start,
        horizon=horizon,
        baseline_jobs=None if baseline_jobs is None else float(baseline_jobs),
        share=share,
        sectors=tuple(sectors),
        name=name,
    )


def source_target(*, start: date, horizon: date) -> Target:
    """The source's target: 1 000 new jobs = 1.7 % of the region's jobs (baseline ≈ 58 824),
    default focus sectors without sub-targets (the source gives no split). The source names
    no dates: the pilots ran 2017–2018 (launch event 17 Feb 2017)."""
    return make_target(
        start=start,
        horizon=horizon,
        jobs=SOURCE_JOBS,
        share=SOURCE_SHARE,
        name="1 000 new jobs (North Karelia regional pilot)",
    )
