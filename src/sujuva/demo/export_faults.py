"""Faults of real exports, injected into the demo's and recorded exactly.

* a mistyped identity code: one TE Office row (of a closed job-search case, before the
  corrected period) with the last two digits of the individual number swapped, so the check
  character no longer matches; the import quarantines the row;
* an overlapping re-export: the Enterprise Agency's events in two files whose periods overlap
  by three months, the overlapping rows identical in both;
* a correction: ``te-office-correction-2018H2.csv`` re-exports the TE Office's events completed
  2018-07-01..2018-12-31 (Helsinki dates) to replace that period of the source; the original
  ``te-office.csv`` holds one event a day too early and one event recorded twice (seven
  minutes apart) that the correction deletes;
* a conflicting case attribute: one entrepreneur's home municipality differs between the TE
  Office (right) and the Enterprise Agency (wrong).

The generator's table is the truth after the correction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from sujuva.demo.cases import MUNICIPALITIES
from sujuva.demo.catalogue import ENTREPRENEUR, JOB_SEARCH
from sujuva.demo.export_shapes import utc_seconds
from sujuva.demo.identity_codes import mistype
from sujuva.demo.timekeeping import DAY, I64, date_days, utc_to_local

PERIOD_FROM: Final = dt.date(2018, 7, 1)
PERIOD_TO: Final = dt.date(2018, 12, 31)
CORRECTION: Final = "te-office-correction-2018H2.csv"
DUPLICATE_AFTER_S: Final = 7 * 60


@dataclass(frozen=True)
class Overlap:
    """The Enterprise Agency's two exports: the first up to ``first_to``, the second from
    ``second_from`` (Helsinki dates of completion, inclusive)."""

    files: tuple[str, str]
    first_to: dt.date
    second_from: dt.date


OVERLAP: Final = Overlap(
    ("enterprise-agency-2016-2017.csv", "enterprise-agency-2017-2018.csv"),
    dt.date(2017, 9, 30),
    dt.date(2017, 7, 1),
)


@dataclass(frozen=True)
class Faulted:
    """The routed rows of the faulted files and the record of the faults."""

    te_office: pa.Table
    te_correction: pa.Table
    ea_first: pa.Table
    ea_second: pa.Table
    record: dict[str, Any]


def inject_faults(routed: pa.Table, *, rng: np.random.Generator) -> Faulted:
    """Inject the faults into the TE Office's and the Enterprise Agency's routed rows (see the
    module docstring). Raises :class:`RuntimeError` when the region is too small for them."""
    te = routed.filter(pc.equal(routed["source"], "te-office"))
    ea = routed.filter(pc.equal(routed["source"], "enterprise-agency"))
    used: set[int] = set()
    te, quarantined = _mistype(te, rng, used)
    original, correction, record = _correct(te, rng, used)
    josek = routed.filter(pc.equal(routed["source"], "josek"))["_case"].to_numpy()
    ea, conflict = _conflict(ea, te, josek, rng, used)
    day = _local_days(ea["timestamp"])
    in_first, in_second = day <= date_days(OVERLAP.first_to), day >= date_days(OVERLAP.second_from)
    record = {
        "quarantined_row": quarantined,
        **record,
        "conflicting_attribute": conflict,
        "overlapping_rows": {
            "source": "enterprise-agency",
            "files": list(OVERLAP.files),
            "from": OVERLAP.second_from.isoformat(),
            "to": OVERLAP.first_to.isoformat(),
            "rows": int(np.sum(in_first & in_second)),
        },
    }
    first, second = ea.filter(pa.array(in_first)), ea.filter(pa.array(in_second))
    return Faulted(original, correction, first, second, record)


def _correct(
    te: pa.Table, rng: np.random.Generator, used: set[int]
) -> tuple[pa.Table, pa.Table, dict[str, Any]]:
    """The original TE Office rows (one completion a day early, one step recorded twice), the
    correction's rows of the period (the truth) and the record of both faults."""
    corrected_at = _corrected_row(te, rng, used)
    duplicated_at = _duplicated_row(te, rng, used)
    correction = te.filter(pa.array(_in_period(te)))
    original = _moved(te, corrected_at, -DAY)
    too_early = _iso(original["timestamp"][corrected_at])
    duplicate = _moved(original.slice(duplicated_at, 1), 0, DUPLICATE_AFTER_S, starts=True)
    original = pa.concat_tables(
        [original.slice(0, duplicated_at + 1), duplicate, original.slice(duplicated_at + 1)]
    )
    record = {
        "corrected_event": {
            **_describe(te, corrected_at),
            "file": "te-office.csv",
            "corrected_in": CORRECTION,
            "timestamp_in_original": too_early,
        },
        "deleted_event": {
            **_describe(duplicate, 0),
            "file": "te-office.csv",
            "deleted_by": CORRECTION,
            "duplicate_of_timestamp": _iso(te["timestamp"][duplicated_at]),
        },
        "correction": {
            "source": "te-office",
            "file": CORRECTION,
            "replaces": "te-office.csv",
            "from": PERIOD_FROM.isoformat(),
            "to": PERIOD_TO.isoformat(),
            "period_of": "timestamp (completion), Europe/Helsinki dates, inclusive",
            "rows_in_original": int(np.sum(_in_period(original))),
            "rows_in_correction": correction.num_rows,
        },
    }
    return original, correction, record


# --- helpers ---------------------------------------------------------------------------------


def _local_days(values: pa.ChunkedArray | pa.Array) -> I64:
    seconds, _ = utc_seconds(values)
    return utc_to_local(seconds) // DAY


def _in_period(rows: pa.Table) -> NDArray[np.bool_]:
    day = _local_days(rows["timestamp"])
    return (day >= date_days(PERIOD_FROM)) & (day <= date_days(PERIOD_TO))


def _numpy(rows: pa.Table, name: str) -> NDArray[Any]:
    return np.asarray(rows[name].to_numpy())


def _pick(
    mask: NDArray[np.bool_], rows: pa.Table, rng: np.random.Generator, used: set[int], what: str
) -> int:
    """A random row among the candidates whose case no other fault uses."""
    case = _numpy(rows, "_case")
    candidates = np.flatnonzero(mask & ~np.isin(case, np.fromiter(used, np.int64, len(used))))
    if candidates.size == 0:
        raise RuntimeError(f"the region is too small for the {what} fault")
    position = int(candidates[rng.integers(candidates.size)])
    used.add(int(case[position]))
    return position


def _at(n: int, position: int) -> pa.Array:
    mask = np.zeros(n, dtype=np.bool_)
    mask[position] = True
    return pa.array(mask)


def _set(rows: pa.Table, name: str, where: pa.Array, value: Any) -> pa.Table:
    column = rows[name]
    values = pc.if_else(where, pa.scalar(value, column.type), column)
    return rows.set_column(rows.schema.get_field_index(name), name, values)


def _moved(rows: pa.Table, position: int, seconds: int, *, starts: bool = False) -> pa.Table:
    """``rows`` with the completion (and with ``starts`` the start) of one row moved."""
    where = _at(rows.num_rows, position)
    shift = pa.scalar(dt.timedelta(seconds=seconds), pa.duration("us"))
    for name in ("timestamp", "start_timestamp") if starts else ("timestamp",):
        moved = pc.if_else(where, pc.add(rows[name], shift), rows[name])
        rows = rows.set_column(rows.schema.get_field_index(name), name, moved)
    return rows


def _iso(value: pa.Scalar) -> str | None:
    moment = value.as_py()
    return None if moment is None else str(moment.isoformat())


def _describe(rows: pa.Table, position: int) -> dict[str, Any]:
    return {
        "case_id": rows["case_id"][position].as_py(),
        "customer_id": rows["customer_id"][position].as_py(),
        "source_case_id": rows["own_case"][position].as_py(),
        "activity": rows["activity"][position].as_py(),
        "timestamp": _iso(rows["timestamp"][position]),
        "start_timestamp": _iso(rows["start_timestamp"][position]),
    }


# --- the faults ------------------------------------------------------------------------------


def _mistype(
    te: pa.Table, rng: np.random.Generator, used: set[int]
) -> tuple[pa.Table, dict[str, Any]]:
    """Swap two digits of the identity code on one row of a closed job-search case (not its
    first row, before the corrected period, the customer's only case)."""
    case = _numpy(te, "_case")
    later = np.r_[False, case[1:] == case[:-1]]
    hetu = te["hetu"]
    differ = pc.not_equal(pc.utf8_slice_codeunits(hetu, 8, 9), pc.utf8_slice_codeunits(hetu, 9, 10))
    mask = (
        pc.equal(te["path"], JOB_SEARCH).to_numpy(zero_copy_only=False)
        & _numpy(te, "_closed")
        & _numpy(te, "_single")
        & later
        & (_local_days(te["timestamp"]) < date_days(PERIOD_FROM))
        & pc.fill_null(differ, False).to_numpy(zero_copy_only=False)
        # an unrated job-search discussion: no rating mean, deadline or bottleneck of the
        # ground truth rests on it
        & pc.is_null(te["rating"]).to_numpy(zero_copy_only=False)
        & pc.equal(te["activity"], "Job-search discussion").to_numpy(zero_copy_only=False)
    )
    position = _pick(mask, te, rng, used, "mistyped identity code")
    code = str(hetu[position].as_py())
    written = mistype(code)
    record = {
        **_describe(te, position),
        "file": "te-office.csv",
        "source": "te-office",
        "reason": "mistyped identity code: two digits of the individual number swapped, "
        "so the check character does not match",
        "identity_code": code,
        "written_code": written,
    }
    return _set(te, "hetu", _at(te.num_rows, position), written), record


def _corrected_row(te: pa.Table, rng: np.random.Generator, used: set[int]) -> int:
    """A step without a start time, completed in the period at least a day after its period
    starts and more than two days after the case's previous step (so a day earlier keeps the
    case in order)."""
    end_s, _ = utc_seconds(te["timestamp"])
    day = utc_to_local(end_s) // DAY
    mask = (
        pc.is_null(te["start_timestamp"]).to_numpy(zero_copy_only=False)
        & (day >= date_days(PERIOD_FROM) + 2)
        & (day <= date_days(PERIOD_TO))
        & (_numpy(te, "_prev_end") < end_s - 2 * DAY)
    )
    return _pick(mask, te, rng, used, "corrected event")


def _duplicated_row(te: pa.Table, rng: np.random.Generator, used: set[int]) -> int:
    """A step with a start time, completed in the period before its last day."""
    day = _local_days(te["timestamp"])
    mask = (
        pc.is_valid(te["start_timestamp"]).to_numpy(zero_copy_only=False)
        & (day >= date_days(PERIOD_FROM))
        & (day < date_days(PERIOD_TO))
    )
    return _pick(mask, te, rng, used, "deleted event")


def _conflict(
    ea: pa.Table, te: pa.Table, josek: I64, rng: np.random.Generator, used: set[int]
) -> tuple[pa.Table, dict[str, Any]]:
    """Give one entrepreneur (one case, no firm yet, no Josek contacts, known to the TE
    Office) a wrong home municipality in every Enterprise Agency row. Neither value is
    Joensuu, the demo pilot's group, so the conflict breaks the case but not the pilot."""
    case = _numpy(ea, "_case")
    municipality = ea["case:municipality"].to_numpy(zero_copy_only=False)
    codes = np.array([MUNICIPALITIES.index(str(m)) for m in np.unique(municipality)])
    outside = np.isin(
        municipality, [MUNICIPALITIES[c] for c in codes if 0 < c < len(MUNICIPALITIES) - 1]
    )
    mask = (
        outside
        & pc.equal(ea["path"], ENTREPRENEUR).to_numpy(zero_copy_only=False)
        & _numpy(ea, "_single")
        & ~_numpy(ea, "_has_firm")
        & np.isin(case, _numpy(te, "_case"))
        & ~np.isin(case, josek)
    )
    position = _pick(mask, ea, rng, used, "conflicting attribute")
    true_value = str(ea["case:municipality"][position].as_py())
    wrong = MUNICIPALITIES[(MUNICIPALITIES.index(true_value) + 1) % len(MUNICIPALITIES)]
    rows = pa.array(case == case[position])
    record = {
        "case_id": ea["case_id"][position].as_py(),
        "customer_id": ea["customer_id"][position].as_py(),
        "attribute": "case:municipality",
        "true_value": true_value,
        "values": {"te-office": true_value, "enterprise-agency": wrong},
        "rows": {"enterprise-agency": int(np.sum(case == case[position]))},
    }
    return _set(ea, "case:municipality", rows, wrong), record
