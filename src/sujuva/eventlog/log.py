"""The in-memory event log object of the Python API."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sujuva.eventlog import model


@dataclass(frozen=True)
class EventLog:
    """Canonical events (see :mod:`sujuva.eventlog.model`) held as an Arrow table."""

    table: pa.Table

    @property
    def num_events(self) -> int:
        return int(self.table.num_rows)

    @property
    def num_cases(self) -> int:
        if self.table.num_rows == 0:
            return 0
        keys = pc.binary_join_element_wise(
            self.table[model.PATH], self.table[model.CASE_ID], "\x1f"
        )
        return int(pc.count_distinct(keys).as_py())

    def to_arrow(self) -> pa.Table:
        """The events as an Arrow table."""
        return self.table

    def to_pandas(self) -> pd.DataFrame:
        """The events as a pandas DataFrame (times tz-aware UTC)."""
        frame: pd.DataFrame = self.table.to_pandas()
        return frame
