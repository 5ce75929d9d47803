"""The engine's process-mining measures: pure, set-based functions over a store connection.

Every function takes a read-only DuckDB connection to a store generation and a
:class:`~sujuva.analytics.selection.Selection`, runs one or two single-pass queries over the
materialised successor columns (never a re-sort), and returns a dataclass of DataFrames whose
columns are documented on the class. Durations are in seconds.
"""
