"""Linking benchmark: the demo's events split into five organisations' own exports (own case
numbers, the customer as the only shared key, rows shuffled), imported once as plain cases
(each source's own case numbers) and once linked by the key with the path rules. Both in fresh
processes, in the same run; the aim is linking in under twice the time of the plain import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

SOURCES = 5


def split_sources(parquet: Path, folder: Path) -> list[Path]:
    """Write the joined demo log as five sources grouped by organisation (done once)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / f"source-{i}.parquet" for i in range(SOURCES)]
    if all(f.exists() for f in files):
        return files
    table = pq.read_table(parquet)
    actors = pc.unique(table["actor"]).to_pylist()
    group = {actor: i % SOURCES for i, actor in enumerate(sorted(actors))}
    codes = pa.array([group[a] for a in table["actor"].to_pylist()], pa.int8())
    rng = np.random.default_rng(1)
    for i, target in enumerate(files):
        part = table.filter(pc.equal(codes, i))
        own = pc.binary_join_element_wise(pa.scalar(f"S{i}"), part["case_id"], "/")
        part = part.set_column(part.schema.get_field_index("case_id"), "own_case", own)
        part = part.rename_columns(
            ["shared_key" if n == "customer_id" else n for n in part.column_names]
        )
        pq.write_table(part.take(rng.permutation(part.num_rows)), target, compression="zstd")
    return files


def ratio_row(plain: dict[str, Any], linked: dict[str, Any]) -> dict[str, Any]:
    """One result row: both times and the ratio."""
    return {
        "events": plain["rows"],
        "sources": SOURCES,
        "plain_import_s": plain["seconds"],
        "linked_import_s": linked["seconds"],
        "linked_over_plain": linked["seconds"] / plain["seconds"],
        "plain_peak_mib": plain["peak_mib"],
        "linked_peak_mib": linked["peak_mib"],
    }
