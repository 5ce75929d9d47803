"""No double counting when a job is found both in imported reports and in the paths."""

from __future__ import annotations

import pandas as pd
import pytest

from sujuva.errors import UsageError
from sujuva.impact.jobs import JOB_COLUMNS, empty_job_records, job_records_frame
from sujuva.impact.merge import merge_job_records


def records(rows: list[dict[str, object]], source: str) -> pd.DataFrame:
    base: dict[str, object] = {"tol_code": "25", "type": "growth_hire", "organisation": "Firm"}
    return job_records_frame(
        pd.DataFrame([{**base, **row} for row in rows]),
        source=source,  # type: ignore[arg-type]
    )


def test_same_case_id_is_the_same_job() -> None:
    imported = records([{"date": "2017-03-01", "case_id": "C1", "job_id": "J1"}], "imported")
    derived = records(
        [
            {"date": "2017-05-20", "case_id": "C1", "organisation": "Other"},  # same case
            {"date": "2017-03-01", "case_id": "C2"},  # different case: a different job
        ],
        "derived",
    )
    result = merge_job_records(imported=imported, derived=derived)
    assert result.dropped_by_case_id == 1 and result.dropped_by_match == 0
    assert len(result.records) == 2
    assert tuple(result.records.columns) == JOB_COLUMNS
    assert result.dropped.loc[0, "rule"] == "case_id"
    assert result.dropped.loc[0, "matched_job_id"] == "J1"
    assert set(result.records["case_id"]) == {"C1", "C2"}


def test_without_case_id_match_on_organisation_type_sector_and_seven_days() -> None:
    imported = records([{"date": "2017-03-10", "organisation": " firm "}], "imported")
    derived = records(
        [
            {"date": "2017-03-03", "case_id": "C5"},  # 7 days before: same job
            {"date": "2017-03-18"},  # 8 days after: different
            {"date": "2017-03-10", "type": "placement"},  # other type
            {"date": "2017-03-10", "tol_code": "86"},  # other sector
        ],
        "derived",
    )
    result = merge_job_records(imported=imported, derived=derived)
    assert result.dropped_by_match == 1 and result.dropped_total == 1
    assert result.dropped.loc[0, "rule"] == "organisation_date"
    assert str(result.dropped.loc[0, "case_id"]) == "C5"
    assert len(result.records) == 4


def test_matching_is_one_to_one_closest_first() -> None:
    """Two hires by the same firm the same week are two jobs: one report absorbs one."""
    imported = records([{"date": "2017-03-10"}], "imported")
    derived = records([{"date": "2017-03-12"}, {"date": "2017-03-09"}], "derived")
    result = merge_job_records(imported=imported, derived=derived)
    assert result.dropped_total == 1
    assert result.dropped["date"].dt.day.tolist() == [9]  # the closer one
    assert len(result.records) == 2
    assert result.records["fte"].sum() == 2


def test_different_case_ids_are_never_matched_by_description() -> None:
    imported = records([{"date": "2017-03-10", "case_id": "A"}], "imported")
    derived = records([{"date": "2017-03-10", "case_id": "B"}], "derived")
    assert merge_job_records(imported=imported, derived=derived).dropped_total == 0


def test_empty_sides_and_missing_columns() -> None:
    derived = records([{"date": "2017-03-10"}], "derived")
    result = merge_job_records(imported=empty_job_records(), derived=derived)
    assert len(result.records) == 1 and result.dropped_total == 0
    with pytest.raises(UsageError, match="imported job records lack the column"):
        merge_job_records(imported=pd.DataFrame({"date": []}), derived=derived)


def test_large_organisations_merge_without_pairing_everything() -> None:
    """One busy organisation: 20,000 derived and 10,000 imported records over four years.
    Pairing every record of the organisation would make 200 million candidates; the date
    buckets keep the join near-linear, and every imported record finds its derived twin."""
    days = pd.date_range("2016-01-01", periods=20_000, freq="100min").normalize()
    derived = records([{"date": d} for d in days], "derived")
    imported = records(
        [{"date": d, "job_id": f"J{i}"} for i, d in enumerate(days[::2])], "imported"
    )
    result = merge_job_records(imported=imported, derived=derived)
    assert result.dropped_by_match == len(imported)
    assert len(result.records) == len(derived)
