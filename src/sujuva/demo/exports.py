"""The demo region as it arrives in life: each organisation's own export, with realistic faults.

:func:`write_exports` splits the generator's joined events table by organisation and writes each
part in that organisation's own shape (:mod:`sujuva.demo.export_shapes`): its own case numbers,
and as the shared key the person's fictional identity code (or, for a firm's later steps, its
business ID; :mod:`sujuva.demo.identity_codes`). Each file gets a mapping file
``<stem>.mapping.toml`` for the import side, and ``manifest.json`` lists the imports in order,
the injected faults (:mod:`sujuva.demo.export_faults`) and the truth a check needs;
``truth-cases.parquet`` holds, per generator case, the customer's identity code, the path and
the number of events.

The rows passed between these modules are *routed rows*: the joined table's columns plus the
export, keys and case numbers of :mod:`sujuva.demo.export_routing`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sujuva.demo import DemoRegion
from sujuva.demo.export_faults import (
    CORRECTION,
    OVERLAP,
    PERIOD_FROM,
    PERIOD_TO,
    Faulted,
    inject_faults,
)
from sujuva.demo.export_routing import route_events
from sujuva.demo.export_shapes import (
    COLLEGES,
    EMPLOYERS,
    ENTERPRISE_AGENCY,
    FIELDS,
    FINNVERA,
    JOSEK,
    PARTNERS,
    TE_OFFICE,
    Shape,
    mapping_text,
    municipality_shape,
    shape_table,
    write_college_xes,
    write_shaped,
)

__all__ = ["ExportFile", "ExportSet", "ImportStep", "write_exports"]

SHAPES: Final = {
    "te-office": TE_OFFICE,
    "joensuu": municipality_shape("joensuu", "Joensuu", "job_search"),
    "lieksa": municipality_shape("lieksa", "Lieksa", "job_search"),
    "enterprise-agency": ENTERPRISE_AGENCY,
    "josek": JOSEK,
    "colleges": COLLEGES,
    "finnvera": FINNVERA,
    "employers": EMPLOYERS,
    "partners": PARTNERS,
}
BASE_FILES: Final = {
    "te-office": "te-office.csv",
    "joensuu": "joensuu.xlsx",
    "lieksa": "lieksa.xlsx",
    "enterprise-agency": OVERLAP.files[0],
    "josek": "josek.csv",
    "colleges": "colleges.xes.gz",
    "finnvera": "finnvera.parquet",
    "employers": "employers.parquet",
    "partners": "partners.parquet",
}
TRUTH_FILE: Final = "truth-cases.parquet"
MANIFEST: Final = "manifest.json"


@dataclass(frozen=True)
class ExportFile:
    """One written export and what it holds."""

    name: str
    source: str
    path: Path
    mapping: Path
    rows: int
    cases: int  # distinct own case numbers
    persons: int  # distinct identity codes written (a mistyped one counts as one)
    firms: int  # distinct business IDs written
    customers: int  # distinct generator customers whose events the file holds


@dataclass(frozen=True)
class ImportStep:
    """One import of the manifest: files and their mappings, and how to import them."""

    files: tuple[str, ...]
    mappings: tuple[str, ...]
    replace: dict[str, str] | None
    quarantine: bool

    def as_json(self) -> dict[str, Any]:
        """The step as it is written into ``manifest.json``."""
        return {
            "files": list(self.files),
            "mappings": list(self.mappings),
            "replace": self.replace,
            "quarantine": self.quarantine,
        }


@dataclass(frozen=True)
class ExportSet:
    """The written exports, the imports that load them, the faults and the truth."""

    out_dir: Path
    files: tuple[ExportFile, ...]
    imports: tuple[ImportStep, ...]
    faults: dict[str, Any]
    truth: dict[str, Any]  # the manifest's "truth"
    cases: pa.Table  # per generator case: case_id, customer_id, identity_code, business_id, ...
    manifest: Path


def write_exports(region: DemoRegion, out_dir: Path, *, seed: int) -> ExportSet:
    """Write the region's events as the organisations' own exports into ``out_dir`` (created
    when missing), with a mapping file per export, ``truth-cases.parquet`` and
    ``manifest.json``. Deterministic for the region and ``seed``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence([seed, 0xE4]).spawn(4)]
    routed, cases = route_events(region.events, rng=streams[0], numbering_rng=streams[1])
    faulted = inject_faults(routed, rng=streams[2])
    parts = _parts(routed, faulted)
    files = tuple(_write_part(name, shape, rows, out_dir) for name, (shape, rows) in parts.items())
    faults = {**faulted.record}
    faults["quarantined_row"]["line"] = _line_of(parts["te-office.csv"][1], faulted)
    cases = _with_store_events(cases, faulted)
    pq.write_table(cases, out_dir / TRUTH_FILE, compression="zstd")
    imports = _imports(files)
    truth = _truth(files, cases, _source_counts(routed, faulted))
    manifest = out_dir / MANIFEST
    document = {
        "seed": seed,
        "imports": [step.as_json() for step in imports],
        "faults": faults,
        "truth": truth,
    }
    manifest.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return ExportSet(out_dir, files, imports, faults, truth, cases, manifest)


# --- files -----------------------------------------------------------------------------------


def _parts(routed: pa.Table, faulted: Faulted) -> dict[str, tuple[Shape, pa.Table]]:
    """Every file to write, in import order, with its shape and routed rows."""
    parts: dict[str, tuple[Shape, pa.Table]] = {}
    for source, name in BASE_FILES.items():
        if source == "te-office":
            rows = faulted.te_office
        elif source == "enterprise-agency":
            rows = faulted.ea_first
        else:
            rows = routed.filter(pc.equal(routed["source"], source))
        if source == "employers":
            rows = _employer_attributes(rows)
        parts[name] = (SHAPES[source], _ordered(rows))
    parts[OVERLAP.files[1]] = (ENTERPRISE_AGENCY, _ordered(faulted.ea_second))
    parts[CORRECTION] = (TE_OFFICE, _ordered(faulted.te_correction))
    return parts


def _ordered(rows: pa.Table) -> pa.Table:
    return rows.sort_by([("_rank", "ascending"), ("timestamp", "ascending"), ("_row", "ascending")])


def _employer_attributes(rows: pa.Table) -> pa.Table:
    """Employers know their employees' case attributes; PRH knows a firm's home municipality
    and sector; a firm's own report of its first hire names only its sector."""
    prh = pc.equal(rows["actor"], "PRH")
    firm_only = pc.is_null(rows["hetu"])
    for name, keep in (
        ("case:age_group", pc.invert(pc.or_(prh, firm_only))),
        ("case:education", pc.invert(pc.or_(prh, firm_only))),
        ("case:municipality", pc.invert(firm_only)),
    ):
        values = pc.if_else(keep, rows[name], pa.scalar(None, pa.string()))
        rows = rows.set_column(rows.schema.get_field_index(name), name, values)
    return rows


def _write_part(name: str, shape: Shape, rows: pa.Table, out_dir: Path) -> ExportFile:
    path = out_dir / name
    stem = name.split(".")[0]
    mapping = out_dir / f"{stem}.mapping.toml"
    present = None
    if shape.kind == "xes":
        write_college_xes(rows, path)
        present = {
            col.header
            for col in shape.columns
            if rows[FIELDS.get(col.target, col.target)].null_count < rows.num_rows
        }
    else:
        write_shaped(shape_table(rows, shape), shape, path)
    mapping.write_text(mapping_text(shape, file_name=name, present=present), encoding="utf-8")
    return ExportFile(
        name=name,
        source=shape.source,
        path=path,
        mapping=mapping,
        rows=rows.num_rows,
        cases=_distinct(rows["own_case"]),
        persons=_distinct(rows["hetu"]),
        firms=_distinct(rows["firm_id"]),
        customers=_distinct(rows["_customer"]),
    )


def _distinct(values: pa.ChunkedArray) -> int:
    return int(pc.count_distinct(values, mode="only_valid").as_py())


def _line_of(te_rows: pa.Table, faulted: Faulted) -> int:
    """The line of te-office.csv (the header is line 1) that holds the mistyped code."""
    written = faulted.record["quarantined_row"]["written_code"]
    position = pc.index(te_rows["hetu"], written).as_py()
    return int(position) + 2


def _with_store_events(cases: pa.Table, faulted: Faulted) -> pa.Table:
    """Add ``store_events``: the events the store should hold after every import."""
    lost = pc.equal(cases["case_id"], faulted.record["quarantined_row"]["case_id"])
    store = pc.subtract(cases["events"], pc.cast(lost, pa.int64()))
    return cases.append_column("store_events", store)


def _imports(files: tuple[ExportFile, ...]) -> tuple[ImportStep, ...]:
    by_name = {file.name: file for file in files}

    def step(names: list[str], replace: dict[str, str] | None) -> ImportStep:
        chosen = [by_name[name] for name in names]
        return ImportStep(
            files=tuple(file.name for file in chosen),
            mappings=tuple(file.mapping.name for file in chosen),
            replace=replace,
            quarantine=True,
        )

    period = {"source": "te-office", "from": PERIOD_FROM.isoformat(), "to": PERIOD_TO.isoformat()}
    return (
        step(list(BASE_FILES.values()), None),
        step([OVERLAP.files[1]], None),
        step([CORRECTION], period),
    )


def _source_counts(routed: pa.Table, faulted: Faulted) -> dict[str, dict[str, int]]:
    """Per source, the events the store should hold from it after every import and the
    distinct generator customers they belong to."""
    counts: dict[str, dict[str, int]] = {}
    lost = faulted.record["quarantined_row"]["source"]
    for source in BASE_FILES:
        rows = routed.filter(pc.equal(routed["source"], source))
        counts[source] = {
            "store_events": rows.num_rows - (1 if source == lost else 0),
            "customers": _distinct(rows["_customer"]),
        }
    return counts


def _truth(
    files: tuple[ExportFile, ...], cases: pa.Table, sources: dict[str, dict[str, int]]
) -> dict[str, Any]:
    return {
        "cases_file": TRUTH_FILE,
        "cases": cases.num_rows,
        "events": int(pc.sum(cases["events"]).as_py()),
        "store_events": int(pc.sum(cases["store_events"]).as_py()),
        "sources": {
            source: {
                "files": [file.name for file in files if file.source == source],
                "rows": sum(file.rows for file in files if file.source == source),
                **counts,
            }
            for source, counts in sources.items()
        },
        "files": {
            file.name: {
                "source": file.source,
                "rows": file.rows,
                "cases": file.cases,
                "persons": file.persons,
                "firms": file.firms,
                "customers": file.customers,
            }
            for file in files
        },
    }
