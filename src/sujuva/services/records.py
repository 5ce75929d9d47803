"""DataFrames as plain rows for the faces (pages, JSON, CLI)."""

from __future__ import annotations

from typing import Any

import pandas as pd


def frame_records(frame: pd.DataFrame, limit: int | None = None) -> list[dict[str, Any]]:
    """Rows as dicts: None for every missing value (NaN, NA, NaT), tuples as lists."""
    part = frame if limit is None else frame.head(limit)
    plain = part.astype(object)
    rows = plain.where(part.notna(), None).to_dict("records")
    return [
        {str(key): list(value) if isinstance(value, tuple) else value for key, value in row.items()}
        for row in rows
    ]
