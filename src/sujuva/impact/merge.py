"""Joining imported and derived job records without counting a job twice.

The same job is often found both ways: an organisation reports the hire (imported) and the
customer path shows the case reaching "employed" (derived). The rule, applied in order:

1. **Same case**: a derived record and an imported record with the same non-empty
   ``case_id`` are the same job.
2. **Same job by its description**, when either record lacks a ``case_id``: same
   ``organisation`` (ignoring case and surrounding spaces), same ``type``, same ``sector``,
   and dates at most ``window_days`` (7) apart. Two records that both have a ``case_id``, but
   different ones, are never matched this way.

Matching is one-to-one (an imported record absorbs at most one derived record, so two hires
in the same week stay two jobs), closest dates first. The imported record always wins: the
organisation's own report is the authoritative one, and the derived duplicate is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sujuva.errors import UsageError
from sujuva.impact.jobs import JOB_COLUMNS

DEFAULT_WINDOW_DAYS = 7


@dataclass(frozen=True)
class MergeResult:
    """The merged records and what was dropped.

    ``records``: every imported record and the derived records kept (:data:`JOB_COLUMNS`,
    by date). ``dropped``: the derived records dropped as duplicates, with ``rule``
    (``case_id`` or ``organisation_date``), ``matched_row`` (position of the matching record
    in the imported frame) and ``matched_job_id``. ``dropped_by_case_id`` and
    ``dropped_by_match`` count them by rule.
    """

    records: pd.DataFrame
    dropped: pd.DataFrame
    dropped_by_case_id: int
    dropped_by_match: int

    @property
    def dropped_total(self) -> int:
        """How many derived records were dropped as duplicates."""
        return self.dropped_by_case_id + self.dropped_by_match


def _check(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    missing = [column for column in JOB_COLUMNS if column not in frame.columns]
    if missing:
        raise UsageError(
            f"the {name} job records lack the column(s) {', '.join(missing)}; "
            "build them with read_job_records or job_records_frame"
        )
    return frame[list(JOB_COLUMNS)].reset_index(drop=True)


def _keyed(frame: pd.DataFrame, side: str) -> pd.DataFrame:
    """The columns matching uses, with the row position as ``side``."""
    keyed = pd.DataFrame(
        {
            side: range(len(frame)),
            "case_id": frame["case_id"].astype(str).str.strip(),
            "organisation": frame["organisation"].astype(str).str.strip().str.casefold(),
            "type": frame["type"],
            "sector": frame["sector"],
            "date": pd.to_datetime(frame["date"]),
        }
    )
    return keyed


def _candidates(
    imported: pd.DataFrame, derived: pd.DataFrame, *, rule: str, window_days: int
) -> pd.DataFrame:
    """Candidate pairs (der, imp, gap in days) for ``rule``, closest first."""
    der, imp = _keyed(derived, "der"), _keyed(imported, "imp")
    if rule == "case_id":
        pairs = der[der["case_id"] != ""].merge(
            imp[imp["case_id"] != ""], on="case_id", suffixes=("_d", "_i")
        )
    else:
        pairs = _near_pairs(der, imp, window_days=window_days)
        pairs = pairs[(pairs["case_id_d"] == "") | (pairs["case_id_i"] == "")]
    gap = (pairs["date_d"] - pairs["date_i"]).abs().dt.days
    pairs = pairs.assign(gap=gap)
    if rule != "case_id":
        pairs = pairs[pairs["gap"] <= window_days]
    return pairs.sort_values(["gap", "der", "imp"])[["der", "imp"]]


def _near_pairs(der: pd.DataFrame, imp: pd.DataFrame, *, window_days: int) -> pd.DataFrame:
    """Pairs with the same organisation, type and sector whose dates lie in the same or a
    neighbouring bucket of ``window_days + 1`` days: every pair within the window is among
    them, and the join stays linear instead of pairing every record of an organisation."""
    width = window_days + 1
    epoch = pd.Timestamp("1970-01-01")
    der = der.assign(bucket=(der["date"] - epoch).dt.days // width)
    base = (imp["date"] - epoch).dt.days // width
    imp = pd.concat([imp.assign(bucket=base + shift) for shift in (-1, 0, 1)], ignore_index=True)
    return der.merge(imp, on=["organisation", "type", "sector", "bucket"], suffixes=("_d", "_i"))


def _greedy(pairs: pd.DataFrame, used_der: set[int], used_imp: set[int]) -> list[tuple[int, int]]:
    """One-to-one matches taken in order from ``pairs``, skipping records already used."""
    matches = []
    for der, imp in pairs.itertuples(index=False):
        if der not in used_der and imp not in used_imp:
            used_der.add(der)
            used_imp.add(imp)
            matches.append((int(der), int(imp)))
    return matches


def merge_job_records(
    *, imported: pd.DataFrame, derived: pd.DataFrame, window_days: int = DEFAULT_WINDOW_DAYS
) -> MergeResult:
    """Imported records plus the derived ones that are not duplicates (rule in the module
    docstring); both frames need :data:`JOB_COLUMNS`."""
    if window_days < 0:
        raise UsageError(f"the matching window must be ≥ 0 days (got {window_days})")
    imp, der = _check(imported, "imported"), _check(derived, "derived")
    used_der: set[int] = set()
    used_imp: set[int] = set()
    by_case = _greedy(
        _candidates(imp, der, rule="case_id", window_days=window_days), used_der, used_imp
    )
    by_match = _greedy(
        _candidates(imp, der, rule="organisation_date", window_days=window_days),
        used_der,
        used_imp,
    )
    dropped = _dropped(imp, der, by_case, by_match)
    kept = der.drop(index=sorted(used_der))
    parts = [frame for frame in (imp, kept) if len(frame)]
    records = pd.concat(parts, ignore_index=True) if parts else imp.copy()
    records = records.sort_values("date", kind="stable").reset_index(drop=True)
    return MergeResult(
        records=records,
        dropped=dropped,
        dropped_by_case_id=len(by_case),
        dropped_by_match=len(by_match),
    )


def _dropped(
    imp: pd.DataFrame,
    der: pd.DataFrame,
    by_case: list[tuple[int, int]],
    by_match: list[tuple[int, int]],
) -> pd.DataFrame:
    """The dropped derived records with the rule and the imported record they matched."""
    rows = [(d, i, "case_id") for d, i in by_case] + [
        (d, i, "organisation_date") for d, i in by_match
    ]
    rows.sort()
    dropped = der.iloc[[d for d, _, _ in rows]].reset_index(drop=True)
    dropped["rule"] = [rule for _, _, rule in rows]
    dropped["matched_row"] = [i for _, i, _ in rows]
    dropped["matched_job_id"] = [str(imp.at[i, "job_id"]) for _, i, _ in rows]
    return dropped
