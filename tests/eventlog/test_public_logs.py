"""The public logs read the same through Sujuva and through pm4py (the test-only oracle)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pydantic import SecretStr

from sujuva.config import Settings
from sujuva.privacy.pseudonym import pseudonym
from sujuva.services.importing import import_files
from sujuva.store.store import Store
from tests.conftest import public_log

KEY = "public-logs-test-key-0123456789abcdef"


def _pm4py_frame(path: Path) -> pd.DataFrame:
    pm4py = pytest.importorskip("pm4py")
    frame: pd.DataFrame = pm4py.read_xes(str(path), return_legacy_log_object=False)
    frame = frame.reset_index(drop=True)
    frame["_order"] = range(len(frame))
    frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"], utc=True)
    return frame.sort_values(["case:concept:name", "time:timestamp", "_order"], kind="stable")


@pytest.mark.parametrize("name", ["running-example.xes", "receipt.xes.gz"])
def test_same_cases_events_activities_times_and_organisations(
    settings: Settings, name: str
) -> None:
    path = public_log(name)
    keyed = settings.model_copy(update={"secret_key": SecretStr(KEY)})
    report = import_files([path], settings=keyed)
    ours = Store(keyed.data_dir).to_arrow().to_pandas()
    theirs = _pm4py_frame(path)

    assert report.files[0].rejected == 0
    assert len(ours) == len(theirs) == report.files[0].imported
    assert set(ours["case_id"]) == set(theirs["case:concept:name"].astype(str))
    assert ours["case_id"].tolist() == theirs["case:concept:name"].astype(str).tolist()
    assert ours["activity"].tolist() == theirs["concept:name"].tolist()
    assert (
        ours["timestamp"].reset_index(drop=True) == theirs["time:timestamp"].reset_index(drop=True)
    ).all()
    if "org:group" in theirs:
        assert ours["actor"].tolist() == theirs["org:group"].fillna("unknown").tolist()
    expected_resources = [
        pseudonym(KEY.encode(), str(r)) if isinstance(r, str) else None
        for r in theirs["org:resource"]
    ]
    assert ours["resource"].where(ours["resource"].notna(), None).tolist() == expected_resources


def test_receipt_case_attributes_kept(settings: Settings) -> None:
    path = public_log("receipt.xes.gz")
    import_files([path], settings=settings)
    ours = Store(settings.data_dir).to_arrow()
    theirs = _pm4py_frame(path)
    for attribute in ("case:channel", "case:department"):
        assert attribute in ours.column_names
        by_case_ours = dict(
            zip(ours["case_id"].to_pylist(), ours[attribute].to_pylist(), strict=True)
        )
        by_case_theirs = dict(zip(theirs["case:concept:name"], theirs[attribute], strict=True))
        assert by_case_ours == by_case_theirs
