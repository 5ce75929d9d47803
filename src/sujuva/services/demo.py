"""Use case: generate the demo region and load it into the store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sujuva.config import Settings, get_settings
from sujuva.services.importing import ImportReport, Progress, import_files
from sujuva.store.store import Store, StoreInfo

PARAMS_FILE = "params.json"


@dataclass(frozen=True)
class DemoResult:
    """Where the demo files are, what the store holds, and whether an earlier build was reused."""

    folder: Path
    files: dict[str, Path]
    info: StoreInfo
    ground_truth: dict[str, Any]
    reused: bool
    report: ImportReport | None


def write_demo_files(out_dir: Path, *, size: str, events: int | None, seed: int) -> dict[str, Path]:
    """Generate the demo region and write its files (events, catalogue, organisations, truth)."""
    from sujuva.demo import generate_region, write_region

    region = generate_region(seed=seed, size=size, events=events)
    files = write_region(region, out_dir)
    params = out_dir / PARAMS_FILE
    params.write_text(json.dumps({"seed": seed, "size": size, "events": events}), encoding="utf-8")
    files["params"] = params
    return files


def build_demo(
    *,
    size: str = "small",
    events: int | None = None,
    seed: int = 2017,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """Make sure the store holds the demo region of these parameters; build it if not.

    Idempotent: when the data directory already holds this demo, nothing is regenerated.
    """
    settings = settings or get_settings()
    folder = settings.demo_dir
    wanted = {"seed": seed, "size": size, "events": events}
    if _already_built(folder, wanted, settings):
        return DemoResult(
            folder, _demo_files(folder), Store(settings.data_dir).info(), _truth(folder), True, None
        )
    if progress is not None:
        progress("generating the demo region", 0)
    files = write_demo_files(folder, size=size, events=events, seed=seed)
    side = _side_tables(files)
    report = import_files([files["events"]], side_tables=side, settings=settings, progress=progress)
    return DemoResult(folder, files, report.info, _truth(folder), False, report)


def _already_built(folder: Path, wanted: dict[str, Any], settings: Settings) -> bool:
    params = folder / PARAMS_FILE
    if not params.exists():
        return False
    if json.loads(params.read_text(encoding="utf-8")) != wanted:
        return False
    events_file = str((folder / "events.parquet").resolve())
    return any(r.file == events_file for r in Store(settings.data_dir).imports())


def _demo_files(folder: Path) -> dict[str, Path]:
    names = (
        "events.parquet",
        "catalogue.csv",
        "organisations.csv",
        "ground_truth.json",
        PARAMS_FILE,
    )
    return {name.split(".")[0]: folder / name for name in names if (folder / name).exists()}


def _side_tables(files: dict[str, Path]) -> dict[str, Any]:
    import pyarrow.csv as pacsv

    return {
        name: pacsv.read_csv(files[name])
        for name in ("catalogue", "organisations")
        if name in files
    }


def _truth(folder: Path) -> dict[str, Any]:
    path = folder / "ground_truth.json"
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
