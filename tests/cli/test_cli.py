"""The command line: exit codes, one clear error line, never a traceback, JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BAD, GOOD, snapshot


def sujuva(*args: str | Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sujuva.cli.main", "--data-dir", str(data_dir), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_import_info_export(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = sujuva("import", GOOD / "base.csv", data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "store now holds 3 events in 2 cases" in done.stdout
    info = sujuva("info", "--json", data_dir=data)
    summary = json.loads(info.stdout)
    assert (summary["events"], summary["cases"], summary["customers"], summary["imports"]) == (
        3,
        2,
        2,
        1,
    )
    assert summary["actors"] == ["Joensuu", "TE Office"]
    assert summary["import_history"][0]["imported"] == 3
    for name in ("out.csv", "out.parquet", "out.xes"):
        exported = sujuva("export", tmp_path / name, data_dir=data)
        assert exported.returncode == 0, exported.stderr
        assert (tmp_path / name).stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("import", BAD / "dst_gap.csv"), 4, "line 3, column 'timestamp'"),
        (("import", "/no/such/file.csv"), 3, "no such file"),
        (("import", BAD / "empty.csv", "--format", "json"), 2, "unknown format"),
        (("export", "out.docx"), 2, "cannot tell the format"),
        (("import", BAD / "missing_case_column.csv"), 4, "missing required column 'case_id'"),
        (("export", "/no/such/folder/out.csv"), 3, "the folder /no/such/folder does not exist"),
        (("import", BAD), 2, "is a folder"),
    ],
)
def test_user_errors_exit_non_zero_without_traceback(
    tmp_path: Path, args: tuple[str | Path, ...], code: int, message: str
) -> None:
    data = tmp_path / "data"
    assert sujuva("import", GOOD / "base.csv", data_dir=data).returncode == 0
    before = snapshot(data)
    done = sujuva(*args, data_dir=data)
    assert done.returncode == code, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert snapshot(data) == before


def test_export_of_empty_store_is_a_clear_error(tmp_path: Path) -> None:
    done = sujuva("export", tmp_path / "x.csv", data_dir=tmp_path / "nothing")
    assert done.returncode == 5
    assert "the store is empty" in done.stderr


def test_quarantine_option_and_json_report(tmp_path: Path) -> None:
    data = tmp_path / "data"
    quarantine = tmp_path / "q.csv"
    done = sujuva(
        "import", BAD / "dst_overlap.csv", "--quarantine", quarantine, "--json", data_dir=data
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["files"][0]["rejected"] == 1
    assert report["files"][0]["problems"][0]["location"] == "line 3"
    assert quarantine.read_text(encoding="utf-8").count("\n") == 2


def test_bad_timezone_setting(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sujuva.cli.main", "--timezone", "Mars/Olympus", "info"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "unknown time zone 'Mars/Olympus'" in done.stderr
    assert "Traceback" not in done.stderr


def test_unusable_data_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    done = sujuva("import", GOOD / "base.csv", data_dir=blocker / "data")
    assert done.returncode == 5
    assert "cannot use as the data directory" in done.stderr
    assert "Traceback" not in done.stderr


def test_analysis_commands_json_and_filters(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert sujuva("import", GOOD / "base.csv", data_dir=data).returncode == 0
    done = sujuva("map", "--json", data_dir=data)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["rows"] == [
        {
            "source": "Register",
            "target": "Interview",
            "frequency": 1,
            "cases": 1,
            "wait_mean_d": pytest.approx(1 + 4 / 60 / 24),
            "wait_median_d": pytest.approx(1 + 4 / 60 / 24),
            "wait_p90_d": pytest.approx(1 + 4 / 60 / 24),
            "wait_total_d": pytest.approx(1 + 4 / 60 / 24),
        }
    ]
    assert result["start_activities"] == {"Register": 2}
    variants = json.loads(sujuva("variants", "--json", "--actor", "Joensuu", data_dir=data).stdout)
    assert [row["variant"] for row in variants["rows"]] == [["Register"]]
    handoffs = sujuva("handoffs", "--csv", "--path", "base", data_dir=data)
    assert handoffs.returncode == 0
    assert handoffs.stdout.splitlines()[0].startswith("from_actor,to_actor,handoffs")
    bad = sujuva("map", "--where", "nonsense", data_dir=data)
    assert bad.returncode == 2 and "expected ATTRIBUTE=VALUE" in bad.stderr
    unknown = sujuva("map", "--where", "region=x", data_dir=data)
    assert unknown.returncode == 2 and "unknown case attribute 'case:region'" in unknown.stderr


def test_demo_then_lean_and_bottlenecks(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"SUJUVA_DEMO_DIR": str(tmp_path / "demo")}
    built = subprocess.run(
        [sys.executable, "-m", "sujuva.cli.main", "--data-dir", str(data), "demo"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )
    assert built.returncode == 0, built.stderr
    assert "demo region built" in built.stdout
    truth = json.loads((tmp_path / "demo" / "ground_truth.json").read_text(encoding="utf-8"))
    lean = json.loads(
        sujuva(
            "lean", "--path", "job_search", "--cut", "2018-12-31", "--json", data_dir=data
        ).stdout
    )
    assert lean["open"] == truth["paths"]["job_search"]["open_cases"]
    assert lean["lead_time_median_days_kaplan_meier"] > lean["lead_time_median_days_closed_only"]
    found = json.loads(sujuva("bottlenecks", "--path", "graduate", "--json", data_dir=data).stdout)
    expected = truth["paths"]["graduate"]["bottleneck"]
    assert (found["rows"][0]["source"], found["rows"][0]["target"]) == (
        expected["from"],
        expected["to"],
    )
    assert expected["from"] in found["explanation"]
