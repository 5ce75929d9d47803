"""Imports are atomic: SIGKILL at random moments leaves the previous state intact and usable."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from sujuva.config import Settings
from sujuva.services.importing import import_files
from sujuva.store.store import Store
from tests.conftest import GOOD

TRIALS = 20


def _big_csv(path: Path, events: int) -> None:
    rng = np.random.default_rng(7)
    case = np.arange(events) // 8
    seconds = 1_483_228_800 + case * 3600 + np.arange(events) % 8 * 60 + rng.integers(0, 30, events)
    table = pa.table(
        {
            "case_id": pa.array([f"K{c}" for c in case]),
            "activity": pa.array([f"Step {s}" for s in rng.integers(0, 12, events)]),
            "timestamp": pa.array(seconds * 1_000_000, pa.timestamp("us", tz="UTC")),
            "actor": pa.array([f"Org {s}" for s in rng.integers(0, 6, events)]),
        }
    )
    pacsv.write_csv(table, path)


def _counts(data_dir: Path) -> tuple[int, int, int]:
    info = Store(data_dir).info()
    return info.events, info.cases, info.imports


@pytest.mark.slow
def test_sigkill_during_import_never_corrupts_the_store(settings: Settings, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline"
    import_files([GOOD / "base.csv"], settings=settings.model_copy(update={"data_dir": baseline}))
    old = _counts(baseline)
    big = tmp_path / "big.csv"
    _big_csv(big, 150_000)
    command = [sys.executable, "-m", "sujuva.cli.main", "import", str(big), "--json"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    reference = tmp_path / "reference"
    shutil.copytree(baseline, reference)
    started = time.perf_counter()
    subprocess.run(
        [*command[:3], "--data-dir", str(reference), *command[3:]],
        check=True,
        env=env,
        capture_output=True,
    )
    full = time.perf_counter() - started
    new = _counts(reference)
    assert new[0] == old[0] + 150_000

    rng = random.Random(2017)
    outcomes = {"old": 0, "new": 0}
    for trial in range(TRIALS):
        data_dir = tmp_path / f"trial-{trial}"
        shutil.copytree(baseline, data_dir)
        process = subprocess.Popen(
            [*command[:3], "--data-dir", str(data_dir), *command[3:]],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, full * 1.05))
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = _counts(data_dir)
        assert state in (old, new), f"trial {trial}: store shows {state}, expected {old} or {new}"
        outcomes["old" if state == old else "new"] += 1
        report = import_files([big], settings=settings.model_copy(update={"data_dir": data_dir}))
        assert report.files[0].imported + report.files[0].duplicate == 150_000
        assert _counts(data_dir)[:2] == new[:2]
        assert not [p for p in data_dir.iterdir() if p.name.endswith(".tmp")]
        shutil.rmtree(data_dir)
    assert outcomes["old"] >= 5, outcomes  # most kills must land mid-import to prove anything
