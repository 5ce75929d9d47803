"""Use case: pseudonymise an organisation's export at the source, before it leaves the house.

Runs on the organisation's own machine with only the region's key file: no store, server or
data directory. The named key columns (personal identity codes, business IDs, agreed customer
numbers) are checked, normalised and replaced by the pseudonyms the store would compute; every
other column is copied as it is, and a ``sujuva_key`` column names the key by its fingerprint so
an import can refuse a file pseudonymised with another key.

All or nothing: an invalid code refuses the whole file and nothing is written, unless
``quarantine`` is given; then the good rows are written and the bad ones go to the quarantine
CSV with their location and reason, the offending code blanked. Raw codes never appear in the
output, the quarantine file or any message.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sujuva.config import get_settings
from sujuva.errors import InputError, NotFoundError, Problem, UsageError
from sujuva.eventlog import model
from sujuva.eventlog.mapping import ColumnMapping
from sujuva.eventlog.sources import Source, detect_format, open_source
from sujuva.privacy.identity import KEY_KINDS, check_keys, looks_like_identity_codes
from sujuva.privacy.pseudonym import (
    KEY_FINGERPRINT_COLUMN,
    Pseudonymiser,
    key_fingerprint,
    read_key_file,
)

OUTPUT_SUFFIXES: Final = {".csv": "csv", ".parquet": "parquet"}
_SKIPPED: Final = frozenset((*model.INTERNAL_COLUMNS, "_problem"))
_QUARANTINE_COLUMNS: Final = ("file", "location", "column", "reason")
#: Column names that look like data (a file without a header row) are not shown in messages.
_CODE_LIKE: Final = re.compile(r"\d{6}|\d{7}\s*-")


@dataclass
class PseudonymiseReport:
    """What :func:`pseudonymise_file` wrote."""

    input: str
    output: str
    rows: int
    columns: dict[str, str]  # source column -> kind
    fingerprint: str
    rejected: int = 0  # rows written to the quarantine file
    quarantine: str | None = None


def pseudonymise_file(
    source: Path,
    target: Path,
    *,
    key_file: Path,
    columns: dict[str, str],
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    quarantine: Path | None = None,
) -> PseudonymiseReport:
    """Write ``target`` (``.csv`` or ``.parquet``): ``source`` with the key columns replaced by
    pseudonyms under the key in ``key_file`` and a ``sujuva_key`` fingerprint column added.

    ``columns`` maps source column names to kinds (``person``, ``firm``, ``customer``). Any invalid
    code refuses the file (:class:`InputError`, nothing written) unless ``quarantine`` names a
    CSV for the rejected rows. Files are written atomically.
    """
    out_format = _check_request(source, target, columns=columns, quarantine=quarantine)
    key = read_key_file(key_file)
    run = _Run(
        source=_open(source, sheet=sheet, delimiter=delimiter, encoding=encoding),
        columns=columns,
        pseudonymiser=Pseudonymiser(key),
        fingerprint=key_fingerprint(key),
        limit=get_settings().max_problems_shown,
    )
    with _atomic_writer(target, out_format) as write:
        for batch in run.source.batches():
            write(run.process(batch))
        run.finish()
        if run.problems_total and quarantine is None:
            raise run.refusal()
        if run.rejected:
            assert quarantine is not None
            _write_quarantine(quarantine, run.quarantined)
    return PseudonymiseReport(
        input=run.source.display_name,
        output=str(target),
        rows=run.written,
        columns=dict(columns),
        fingerprint=run.fingerprint,
        rejected=run.rejected,
        quarantine=str(quarantine) if run.rejected else None,
    )


def _check_request(
    source: Path, target: Path, *, columns: dict[str, str], quarantine: Path | None
) -> str:
    """Refuse requests that cannot work before reading anything; return the output format."""
    if not columns:
        raise UsageError("name at least one column to pseudonymise")
    for name, kind in columns.items():
        if kind not in KEY_KINDS:
            raise UsageError(f"column {name!r}: unknown kind {kind!r}; use {', '.join(KEY_KINDS)}")
        if name == KEY_FINGERPRINT_COLUMN:
            raise UsageError(f"{KEY_FINGERPRINT_COLUMN!r} holds the key fingerprint, not codes")
    out_format = OUTPUT_SUFFIXES.get(target.suffix.lower())
    if out_format is None:
        raise UsageError(f"{target}: write the pseudonymised file as .csv or .parquet")
    for path in (target, quarantine):
        if path is not None and not path.parent.is_dir():
            raise NotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    paths = [p.resolve() for p in (source, target, quarantine) if p is not None]
    if len(set(paths)) < len(paths):
        raise UsageError("the input, the output and the quarantine file must be different files")
    return out_format


def _open(
    source: Path, *, sheet: str | None, delimiter: str | None, encoding: str | None
) -> Source:
    if not source.is_file():
        raise NotFoundError(f"{source}: no such file")
    try:
        fmt = detect_format(source)
    except UsageError:
        raise UsageError(
            f"{source}: cannot tell the format from the name; "
            "pseudonymise reads CSV, Excel or Parquet"
        ) from None
    if fmt == "xes":
        raise UsageError(f"{source}: pseudonymise reads CSV, Excel or Parquet, not XES")
    mapping = ColumnMapping(delimiter=delimiter, encoding=encoding, sheet=sheet)
    return open_source(source, fmt=fmt, mapping=mapping)


@dataclass
class _Run:
    """State of one file being pseudonymised, batch by batch."""

    source: Source
    columns: dict[str, str]
    pseudonymiser: Pseudonymiser
    fingerprint: str
    limit: int
    names: list[str] | None = None
    written: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_total: int = 0
    quarantined: list[pa.Table] = field(default_factory=list)

    def process(self, batch: pa.RecordBatch) -> pa.Table:
        """The good rows of one batch, pseudonymised; bad rows are noted as problems."""
        table = pa.Table.from_batches([batch])
        if self.names is None:
            self.names = self._data_columns(table)
        self._check_fingerprint(table)
        self._refuse_unnamed_codes(table)
        out = table.select(self.names)
        bad = np.zeros(table.num_rows, dtype=bool)
        reasons: dict[str, pa.Array] = {}
        for name, kind in self.columns.items():
            check = check_keys(table[name], kind=kind)
            index = self.names.index(name)
            out = out.set_column(index, name, self.pseudonymiser.column(check.normalised))
            reasons[name] = check.reason
            bad |= check.reason.is_valid().to_numpy(zero_copy_only=False)
        if bad.any():
            self._note_bad_rows(
                table.filter(pa.array(bad)), out.filter(pa.array(bad)), reasons, bad
            )
        good = out.filter(pa.array(~bad))
        self.written += good.num_rows
        column = pa.array([self.fingerprint] * good.num_rows, pa.string())
        return good.append_column(KEY_FINGERPRINT_COLUMN, column)

    def _data_columns(self, table: pa.Table) -> list[str]:
        names = [n for n in table.column_names if n not in _SKIPPED]
        missing = [name for name in self.columns if name not in names]
        if missing:
            file = self.source.display_name
            shown, hint = _shown_columns(names)
            raise InputError(
                f"{file}: column {missing[0]!r} is not in the file; found columns: {shown}{hint}",
                [Problem(file, "header", name, "column not in the file") for name in missing],
            )
        return [n for n in names if n != KEY_FINGERPRINT_COLUMN]

    def _check_fingerprint(self, table: pa.Table) -> None:
        """A file pseudonymised before must have used this key."""
        if KEY_FINGERPRINT_COLUMN not in table.column_names:
            return
        found = set(pc.unique(table[KEY_FINGERPRINT_COLUMN]).drop_null().to_pylist())
        others = sorted(str(value) for value in found - {self.fingerprint, ""})
        if others:
            raise InputError(
                f"{self.source.display_name}: already pseudonymised with another key "
                f"({', '.join(others)}; this key is {self.fingerprint}); "
                "pseudonymise the original export instead"
            )

    def _refuse_unnamed_codes(self, table: pa.Table) -> None:
        """Identity codes in a column nobody named would leave the house raw: refuse."""
        for name in self.names or []:
            column = table[name]
            if name in self.columns or not pa.types.is_string(column.type):
                continue
            if looks_like_identity_codes(column):
                file = self.source.display_name
                reason = "the column holds personal identity codes but was not named"
                raise InputError(
                    f"{file}: column {name!r} holds personal identity codes; name it with "
                    f"--column {name} to pseudonymise it, or remove it from the export",
                    [Problem(file, "", name, reason)],
                )

    def _note_bad_rows(
        self,
        raw: pa.Table,
        out: pa.Table,
        reasons: dict[str, pa.Array],
        bad: np.ndarray,
    ) -> None:
        """Record the problems of the rejected rows; keep them, codes blanked, for quarantine."""
        mask = pa.array(bad)
        bad_reasons = {name: reason.filter(mask) for name, reason in reasons.items()}
        locations = self.source.locate(raw)
        self.rejected += raw.num_rows
        self.problems_total += sum(len(r) - r.null_count for r in bad_reasons.values())
        self._add_problems(locations, bad_reasons)
        for name, reason in bad_reasons.items():
            index = out.column_names.index(name)
            blanked = pc.if_else(reason.is_valid(), pa.scalar(None, pa.string()), out[name])
            out = out.set_column(index, name, blanked)
        named = {
            name: pc.if_else(reason.is_valid(), pa.scalar(name), pa.scalar(None, pa.string()))
            for name, reason in bad_reasons.items()
        }
        self.quarantined.append(
            _quarantine_table(
                self.source.display_name,
                locations,
                column=_joined(list(named.values()), ", "),
                reason=_joined(list(bad_reasons.values()), "; "),
                rows=out,
            )
        )

    def _add_problems(self, locations: list[str], reasons: dict[str, pa.Array]) -> None:
        room = self.limit - len(self.problems)
        rows = {name: reason[:room].to_pylist() for name, reason in reasons.items()}
        for i, location in enumerate(locations[:room]):
            for name, values in rows.items():
                if values[i] is not None:
                    self.problems.append(
                        Problem(self.source.display_name, location, name, values[i])
                    )
        del self.problems[self.limit :]

    def finish(self) -> None:
        """After the last batch: rows the reader skipped are problems too; none means no data."""
        if self.names is None:
            file = self.source.display_name
            raise InputError(
                f"{file}: the file has no data rows", [Problem(file, "", "", "no data rows")]
            )
        extra = [dataclasses.replace(p, value="") for p in self.source.extra_problems()]
        if not extra:
            return
        self.rejected += len(extra)
        self.problems_total += len(extra)
        self.problems = sorted(self.problems + extra, key=_location_order)[: self.limit]
        self.quarantined.append(
            _quarantine_table(
                self.source.display_name,
                [p.location for p in extra],
                column=pa.array([p.column for p in extra], pa.string()),
                reason=pa.array([p.reason for p in extra], pa.string()),
                rows=pa.table({name: pa.nulls(len(extra), pa.string()) for name in self.names}),
            )
        )

    def refusal(self) -> InputError:
        """The all-or-nothing error: every problem located, no value shown."""
        message = (
            f"pseudonymising refused, nothing was written: {self.problems_total} problem(s) in "
            f"{self.rejected} row(s) of {self.source.display_name}. Fix them, or write the good "
            "rows with --quarantine FILE."
        )
        return InputError(message, list(self.problems), total=self.problems_total)


def _shown_columns(names: list[str]) -> tuple[str, str]:
    """The found column names for a message, with any that look like codes withheld."""
    withheld = [name for name in names if _CODE_LIKE.search(name)]
    shown = ", ".join("(withheld)" if name in withheld else repr(name) for name in names[:20])
    hint = (
        "; some look like identity codes, so the file may lack its header row" if withheld else ""
    )
    return shown, hint


def _location_order(problem: Problem) -> tuple[int, ...]:
    digits = [int(part) for part in problem.location.replace(",", " ").split() if part.isdigit()]
    return tuple(digits)


def _joined(arrays: list[pa.Array], separator: str) -> pa.Array:
    """Row by row, the non-null strings of ``arrays`` joined with ``separator``."""
    return pc.binary_join_element_wise(*arrays, separator, null_handling="skip")


def _quarantine_table(
    file: str, locations: list[str], *, column: pa.Array, reason: pa.Array, rows: pa.Table
) -> pa.Table:
    head = {
        "file": pa.array([file] * len(locations), pa.string()),
        "location": pa.array(locations, pa.string()),
        "column": column,
        "reason": reason,
    }
    arrays = [*head.values(), *(pc.cast(c, pa.string()) for c in rows.columns)]
    return pa.Table.from_arrays(arrays, names=[*_QUARANTINE_COLUMNS, *rows.column_names])


def _write_quarantine(path: Path, tables: list[pa.Table]) -> None:
    merged = pa.concat_tables(tables, promote_options="permissive")
    with _atomic_writer(path, "csv") as write:
        write(merged)


@contextmanager
def _atomic_writer(target: Path, fmt: str) -> Iterator[Any]:
    """Yield ``write(table)``; on success the file appears whole under its name, on any
    error nothing does."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    writer: Any = None
    schema: pa.Schema | None = None

    def write(table: pa.Table) -> None:
        nonlocal writer, schema
        if writer is None:
            schema = table.schema
            writer = (
                pacsv.CSVWriter(tmp, schema)
                if fmt == "csv"
                else pq.ParquetWriter(tmp, schema, compression="zstd")
            )
        writer.write_table(table.cast(schema))

    try:
        yield write
        if writer is not None:
            writer.close()
            writer = None
        os.replace(tmp, target)
    finally:
        if writer is not None:
            writer.close()
        tmp.unlink(missing_ok=True)
