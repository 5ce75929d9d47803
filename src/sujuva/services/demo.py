"""Use case: generate the demo region and load it into the store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sujuva.config import Settings, get_settings
from sujuva.eventlog.mapping import load_mapping
from sujuva.services.importing import (
    ImportReport,
    Progress,
    SourceFile,
    import_files,
    parse_period,
)
from sujuva.store.store import Store, StoreInfo

PARAMS_FILE = "params.json"
MANIFEST = "manifest.json"
#: The rows the demo's injected faults set aside (a mistyped identity code).
REJECTED = "rejected.csv"


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
    from sujuva.demo.exports import write_exports

    region = generate_region(seed=seed, size=size, events=events)
    files = write_region(region, out_dir)
    files["manifest"] = write_exports(region, out_dir, seed=seed).manifest
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
    report = import_exports(
        folder, side_tables=_side_tables(files), settings=settings, progress=progress
    )
    return DemoResult(folder, files, report.info, _truth(folder), False, report)


def import_exports(
    folder: Path,
    *,
    side_tables: dict[str, Any] | None = None,
    settings: Settings,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the demo organisations' own exports as the manifest lists them — through the
    same linking as a user's files: the base exports (the mistyped identity code set aside in
    ``rejected.csv``), the overlapping re-export, then the correction replacing its period."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    report: ImportReport | None = None
    for number, step in enumerate(manifest["imports"]):
        files = [
            SourceFile(folder / name, load_mapping(folder / mapping))
            for name, mapping in zip(step["files"], step["mappings"], strict=True)
        ]
        replace = step.get("replace")
        report = import_files(
            [],
            files=files,
            quarantine=folder / (REJECTED if number == 0 else f"rejected-{number}.csv")
            if step.get("quarantine")
            else None,
            side_tables=side_tables if number == 0 else None,
            replace=replace is not None,
            replace_period=parse_period(f"{replace['from']}..{replace['to']}", settings=settings)
            if replace
            else None,
            settings=settings,
            progress=progress,
        )
    assert report is not None, "the manifest lists no imports"
    return report


def _already_built(folder: Path, wanted: dict[str, Any], settings: Settings) -> bool:
    params = folder / PARAMS_FILE
    if not params.exists():
        return False
    if json.loads(params.read_text(encoding="utf-8")) != wanted:
        return False
    if not (folder / MANIFEST).exists():
        return False
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    last = str((folder / manifest["imports"][-1]["files"][-1]).resolve())
    return any(r.file == last for r in Store(settings.data_dir).imports())


def _demo_files(folder: Path) -> dict[str, Path]:
    names = (
        "events.parquet",
        "catalogue.csv",
        "organisations.csv",
        "ground_truth.json",
        PARAMS_FILE,
        MANIFEST,
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
