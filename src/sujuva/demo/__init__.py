"""The demo region: a realistic North Karelia 2016–2018 with known ground truth.

:func:`generate_region` simulates customers walking the four paths of the regional employment
and business services (starting entrepreneur, graduate, work-to-work, job search) across about a
dozen organisations, truncated at the data cut ``2018-12-31T23:59:59+02:00``. Into the data it
injects, and reports exactly in ``ground_truth``: one bottleneck per path, a rework loop, duplicate
contacts, statutory deadlines broken in a known share, an effective pilot (-21 days) and a null
pilot, and the true (uncensored) lead times.

The events table has the canonical columns of :mod:`sujuva.eventlog.model` plus ``rating`` (int8,
1–5, about 30 % of events) and the case attributes ``case:age_group``, ``case:education``,
``case:municipality`` and ``case:sector``; rows are sorted by (path, case_id, timestamp).
Generation is vectorised with numpy and deterministic for a seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sujuva.demo.assemble import events_table, simulate
from sujuva.demo.catalogue import catalogue_table, organisations_table
from sujuva.demo.truth import ground_truth
from sujuva.errors import UsageError

__all__ = ["SIZES", "DemoRegion", "generate_region", "write_region"]

#: Named sizes and their target number of events.
SIZES: Final = {"small": 150_000, "medium": 1_000_000, "large": 10_000_000}
MIN_EVENTS: Final = 1_000
MAX_EVENTS: Final = 50_000_000


@dataclass(frozen=True)
class DemoRegion:
    """A generated region: events, organisations, the step catalogue and the ground truth."""

    events: pa.Table
    organisations: pa.Table
    catalogue: pa.Table
    ground_truth: dict[str, Any]


def _target(size: str, events: int | None) -> int:
    if events is not None:
        if isinstance(events, bool) or not isinstance(events, int):
            raise UsageError(f"events must be an integer, not {events!r}")
        if not MIN_EVENTS <= events <= MAX_EVENTS:
            raise UsageError(f"events must be between {MIN_EVENTS:,} and {MAX_EVENTS:,}")
        return events
    if size not in SIZES:
        raise UsageError(f"unknown demo size {size!r}; choose one of {', '.join(SIZES)}")
    return SIZES[size]


def generate_region(
    *, seed: int = 2017, size: str = "small", events: int | None = None
) -> DemoRegion:
    """Generate the demo region.

    ``size`` is one of :data:`SIZES`; ``events``, when given, overrides it (the table then has
    ``events`` rows, overshooting by less than one case). The same seed and size give a
    byte-identical events table. Raises :class:`~sujuva.errors.UsageError` for an unknown size
    or an out-of-range event count.
    """
    target = _target(size, events)
    sim = simulate(seed, target)
    table = events_table(sim)
    truth = ground_truth(
        sim, seed=seed, size=size if events is None else None, target_events=target
    )
    return DemoRegion(table, organisations_table(), catalogue_table(), truth)


def write_region(region: DemoRegion, out_dir: Path) -> dict[str, Path]:
    """Write ``events.parquet`` (zstd), ``catalogue.csv``, ``organisations.csv`` and
    ``ground_truth.json`` (indent 2, sorted keys) into ``out_dir`` (created when missing).

    Returns the written paths by name: events, catalogue, organisations, ground_truth.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "events": out_dir / "events.parquet",
        "catalogue": out_dir / "catalogue.csv",
        "organisations": out_dir / "organisations.csv",
        "ground_truth": out_dir / "ground_truth.json",
    }
    pq.write_table(region.events, files["events"], compression="zstd")
    pacsv.write_csv(region.catalogue, files["catalogue"])
    pacsv.write_csv(region.organisations, files["organisations"])
    text = json.dumps(region.ground_truth, indent=2, sort_keys=True, ensure_ascii=False)
    files["ground_truth"].write_text(text + "\n", encoding="utf-8")
    return files
