"""Tests of the demo region's per-organisation exports: real files read back independently
(pandas, pyarrow, python-calamine, ElementTree), identity codes checked by the DVV rule and by
python-stdnum, the shapes undone and the manifest's imports replayed against the joined table."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from collections import deque
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from python_calamine import CalamineWorkbook
from stdnum.fi import hetu as stdnum_hetu
from stdnum.fi import ytunnus as stdnum_ytunnus

from sujuva.demo import DemoRegion, generate_region
from sujuva.demo.catalogue import CATALOGUE
from sujuva.demo.exports import ExportSet, write_exports
from sujuva.eventlog.xes_read import iter_xes_batches

ZONE = "Europe/Helsinki"
CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}
FINNISH_PATHS = {
    "Yrittäjyys": "entrepreneur",
    "Nuorisotakuu": "graduate",
    "Työnhaku": "job_search",
    "Muutosturva": "work_to_work",
}
FIELDS = (
    "activity",
    "timestamp",
    "start_timestamp",
    "actor",
    "resource",
    "channel",
    "outcome",
    "rating",
    "path",
)
ATTRIBUTES = ("case:age_group", "case:education", "case:municipality", "case:sector")
GENERATOR_IDS = re.compile(rb"(?:ENT|GRD|JSE|WTW)-\d{4,}|cust-\d")
FINNISH_TIME = re.compile(r"^[1-9]\d?\.[1-9]\d?\.\d{4} [12]?\d\.\d\d\.\d\d$")
XES = "{http://www.xes-standard.org/}"


@pytest.fixture(scope="module")
def region() -> DemoRegion:
    return generate_region(seed=2017, events=20_000)


@pytest.fixture(scope="module")
def exported(region: DemoRegion, tmp_path_factory: pytest.TempPathFactory) -> ExportSet:
    return write_exports(region, tmp_path_factory.mktemp("exports"), seed=2017)


@pytest.fixture(scope="module")
def manifest(exported: ExportSet) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(exported.manifest.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def mappings(exported: ExportSet) -> dict[str, dict[str, Any]]:
    return {f.name: tomllib.loads(f.mapping.read_text(encoding="utf-8")) for f in exported.files}


@pytest.fixture(scope="module")
def frames(exported: ExportSet, mappings: dict[str, dict[str, Any]]) -> dict[str, pd.DataFrame]:
    """Every export read back and its shape undone: canonical columns, keys and attributes."""
    return {f.name: canonical(f.path, mappings[f.name]) for f in exported.files}


@pytest.fixture(scope="module")
def truth(exported: ExportSet) -> pd.DataFrame:
    cases: pd.DataFrame = pq.read_table(exported.out_dir / "truth-cases.parquet").to_pandas()
    return cases


@pytest.fixture(scope="module")
def joined(region: DemoRegion) -> pd.DataFrame:
    return as_text(region.events.to_pandas())


# --- reading the files back, independently ---------------------------------------------------


def read_raw(path: Path, mapping: dict[str, Any]) -> pd.DataFrame:
    """A file's own table, every value as text ('' where empty), times as parsed instants."""
    name = path.name
    if name.endswith(".csv"):
        options = mapping["csv"]
        return pd.read_csv(
            path,
            sep=options["delimiter"],
            encoding=options["encoding"],
            dtype=str,
            keep_default_na=False,
        )
    if name.endswith(".xlsx"):
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Tapahtumat").to_python()
        return pd.DataFrame(rows[1:], columns=rows[0])
    if name.endswith(".parquet"):
        return pq.read_table(path).to_pandas()
    return read_xes(path)


def read_xes(path: Path) -> pd.DataFrame:
    """Traces and events by ElementTree; a start paired with the next complete (FIFO)."""
    rows: list[dict[str, Any]] = []
    with gzip.open(path) as handle:
        root = ET.parse(handle).getroot()
    for trace in root.iter(f"{XES}trace"):
        head = {f"trace:{a.get('key')}": a.get("value") for a in trace if a.tag != f"{XES}event"}
        pending: dict[str, deque[str]] = {}
        for event in trace.iter(f"{XES}event"):
            attrs = {a.get("key"): a.get("value") for a in event}
            activity = str(attrs["concept:name"])
            if attrs["lifecycle:transition"] == "start":
                pending.setdefault(activity, deque()).append(str(attrs["time:timestamp"]))
                continue
            queue = pending.get(activity)
            attrs["start"] = queue.popleft() if queue else None
            rows.append({**head, **attrs})
    return pd.DataFrame(rows)


def instants(values: pd.Series, *, local: bool, fmt: str | None = None) -> pd.Series:
    """UTC instants to the second; naive (local) values are Helsinki times."""
    values = values.where(values.astype(str).str.len() > 0, None)
    if local:
        parsed = pd.to_datetime(values, format=fmt)
        if parsed.dt.tz is None:
            parsed = parsed.dt.tz_localize(ZONE, ambiguous="raise", nonexistent="raise")
        return parsed.dt.tz_convert("UTC").dt.round("s")
    return pd.to_datetime(values, utc=True, format="ISO8601").dt.round("s")


def path_of_activity() -> dict[str, str]:
    paths: dict[str, set[str]] = {}
    for step in CATALOGUE:
        paths.setdefault(step.activity, set()).add(step.path)
    return {activity: next(iter(p)) for activity, p in paths.items() if len(p) == 1}


def canonical(path: Path, mapping: dict[str, Any]) -> pd.DataFrame:
    """Undo a shape: the canonical event columns, ``own_case``, ``person``, ``firm`` and the
    attributes, as text (timestamps as UTC ISO strings to the second)."""
    raw = read_raw(path, mapping)
    if path.name.endswith(".xes.gz"):
        raw = raw.rename(columns=XES_COLUMNS)
    columns, keys = mapping["columns"], mapping.get("keys", {})
    out = pd.DataFrame(index=raw.index)
    for target, source in {**columns, **mapping.get("attributes", {})}.items():
        out[target] = raw[XES_COLUMNS.get(source, source)]
    for kind in ("person", "firm"):
        source = keys.get(kind)
        out[kind] = raw[XES_COLUMNS.get(source, source)] if source else ""
    out = out.rename(columns={"case_id": "own_case"})
    for name in ("timestamp", "start_timestamp"):
        if name in out:
            local = path.name not in OFFSET_TEXT and not path.name.endswith(".xes.gz")
            fmt = "%d.%m.%Y %H.%M.%S" if path.name.startswith("te-office") else None
            out[name] = instants(out[name], local=local, fmt=fmt)
    for name, value in mapping.get("constants", {}).items():
        out[name] = value
    if "path" in columns and path.name.startswith("te-office"):
        out["path"] = out["path"].map(FINNISH_PATHS)
    if "path" not in out:
        out["path"] = out["activity"].map(path_of_activity())
    out["file"] = path.name
    out["source"] = mapping["source"]["name"]
    return as_text(out)


#: XES keys as this test's reader leaves them -> the reader-side names the mapping uses.
XES_COLUMNS = {
    "trace:concept:name": "case_id",
    "trace:hetu": "case:hetu",
    "concept:name": "activity",
    "time:timestamp": "timestamp",
    "start": "start_timestamp",
    "org:group": "actor",
    "org:resource": "resource",
    **{f"trace:{a.removeprefix('case:')}": a for a in ATTRIBUTES},
}
#: Text files whose times carry their UTC offset (the others hold Helsinki wall-clock times).
OFFSET_TEXT = {"enterprise-agency-2016-2017.csv", "enterprise-agency-2017-2018.csv"}


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text: '' for missing, instants as ISO UTC seconds, ratings as digits."""
    out = frame.copy()
    for name in out.columns:
        values = out[name]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            text = values.dt.tz_convert("UTC").dt.round("s").dt.strftime("%Y-%m-%dT%H:%M:%S")
            out[name] = text.fillna("")
        elif name == "rating":
            numbers = pd.to_numeric(values.where(values.astype(str) != "", None))
            out[name] = numbers.astype("Int64").astype(str).replace("<NA>", "")
        else:
            out[name] = values.astype(object).where(values.notna(), "").astype(str)
    return out


def replay(manifest: dict[str, Any], frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The manifest's imports as the store should apply them: later files' rows identical to
    rows already held are dropped; a replace removes the source's rows completed in the period."""
    store = pd.DataFrame()
    for step in manifest["imports"]:
        new = pd.concat([frames[name] for name in step["files"]], ignore_index=True).fillna("")
        if step["replace"] is not None:
            rule = step["replace"]
            day = pd.to_datetime(store["timestamp"], utc=True).dt.tz_convert(ZONE).dt.date
            period = (day >= dt.date.fromisoformat(rule["from"])) & (
                day <= dt.date.fromisoformat(rule["to"])
            )
            store = store[~((store["source"] == rule["source"]) & period)]
        elif len(store):
            keys = [c for c in new.columns if c != "file"]
            held = store[store["source"].isin(new["source"].unique())][keys].drop_duplicates()
            seen = new[keys].merge(held, how="left", indicator=True)["_merge"] == "both"
            new = new[~seen.to_numpy()]
        store = pd.concat([store, new], ignore_index=True).fillna("")
    return store


def multiset(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    return sorted(map(tuple, frame[list(columns)].to_numpy().tolist()))


def dvv_valid(code: str) -> bool:
    found = re.fullmatch(r"(\d\d)(\d\d)(\d\d)([-+A-FU-Y])(\d{3})([0-9A-Y])", code)
    if found is None:
        return False
    day, month, year, sign, individual, check = found.groups()
    try:
        dt.date(CENTURY[sign] + int(year), int(month), int(day))
    except ValueError:
        return False
    return int(individual) >= 2 and CHECK[int(day + month + year + individual) % 31] == check


def linked(store: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """The store's rows with the generator's case id found through the keys alone: the person's
    code, or the firm's business ID bridged to a person by a row holding both."""
    bridge = store[(store["person"] != "") & (store["firm"] != "")][["firm", "person"]]
    firm_person = bridge.drop_duplicates().set_index("firm")["person"]
    assert firm_person.index.is_unique
    person = store["person"].where(store["person"] != "", store["firm"].map(firm_person))
    customer = person.map(
        truth.drop_duplicates("identity_code").set_index("identity_code")["customer_id"]
    )
    case = truth.set_index(["customer_id", "path"])["case_id"]
    keys = pd.MultiIndex.from_arrays([customer.fillna(""), store["path"]])
    out = store.copy()
    out["case_id"] = pd.Series(case.reindex(keys).to_numpy(), index=store.index).fillna("")
    return out


# --- tests -----------------------------------------------------------------------------------


def test_manifest_lists_the_imports_in_order(exported: ExportSet, manifest: dict[str, Any]) -> None:
    steps = manifest["imports"]
    assert [len(step["files"]) for step in steps][1:] == [1, 1]
    assert steps[0]["replace"] is None and steps[0]["quarantine"] is True
    assert steps[1]["files"] == ["enterprise-agency-2017-2018.csv"]
    assert steps[2]["files"] == ["te-office-correction-2018H2.csv"]
    assert steps[2]["replace"] == {"source": "te-office", "from": "2018-07-01", "to": "2018-12-31"}
    listed = [name for step in steps for name in step["files"]]
    assert sorted(listed) == sorted(f.name for f in exported.files)
    for step in steps:
        assert [n.split(".")[0] for n in step["files"]] == [
            m.removesuffix(".mapping.toml") for m in step["mappings"]
        ]
        assert all((exported.out_dir / name).is_file() for name in step["files"] + step["mappings"])
    assert manifest["truth"]["store_events"] == manifest["truth"]["events"] - 1


def test_identity_codes_are_valid_except_the_one_mistyped_row(
    frames: dict[str, pd.DataFrame], manifest: dict[str, Any]
) -> None:
    fault = manifest["faults"]["quarantined_row"]
    codes = pd.concat([f[["file", "person"]] for f in frames.values()])
    codes = codes[codes["person"] != ""]
    dvv = codes["person"].map(dvv_valid)
    stdnum = codes["person"].map(lambda c: stdnum_hetu.is_valid(c, allow_temporary=True))
    assert (dvv == stdnum).all()
    bad = codes[~dvv]
    assert bad["person"].tolist() == [fault["written_code"]]
    assert bad["file"].tolist() == ["te-office.csv"]
    assert not dvv_valid(fault["written_code"]) and dvv_valid(fault["identity_code"])
    individual = codes["person"].str.slice(7, 10).astype(int)
    assert individual.between(900, 999).all()
    signs = set(codes["person"].str.slice(6, 7))
    assert {"-", "Y"} <= signs <= set("-YXWVUABCDEF")
    new_signs = codes.drop_duplicates("person")["person"].str.slice(6, 7).isin(["Y", "B"]).mean()
    assert 0.05 < new_signs < 0.15


def test_codes_are_unique_per_customer_and_fit_the_age_group(
    truth: pd.DataFrame, region: DemoRegion
) -> None:
    per_customer = truth.drop_duplicates("customer_id")
    assert per_customer["identity_code"].is_unique
    assert truth.groupby("customer_id")["identity_code"].nunique().max() == 1
    events = region.events.to_pandas()
    begin = events["start_timestamp"].fillna(events["timestamp"]).dt.tz_convert(ZONE)
    starts = begin.groupby(events["case_id"]).min().dt.date
    group = events.groupby("case_id")["case:age_group"].first()
    for case_id, code in truth.set_index("case_id")["identity_code"].items():
        born = dt.date(CENTURY[code[6]] + int(code[4:6]), int(code[2:4]), int(code[0:2]))
        start = starts[case_id]
        age = start.year - born.year - ((start.month, start.day) < (born.month, born.day))
        expected = (
            "under 25" if age < 25 else "25-29" if age < 30 else "30-49" if age < 50 else "50+"
        )
        assert expected == group[case_id], (case_id, age)


def test_business_ids_are_valid_and_unissued(
    frames: dict[str, pd.DataFrame], truth: pd.DataFrame
) -> None:
    firms = pd.concat([f["firm"] for f in frames.values()])
    firms = firms[firms != ""]
    assert len(firms) > 0
    assert firms.map(lambda v: stdnum_ytunnus.is_valid(v)).all()
    assert firms.str.fullmatch(r"9\d{6}-\d").all()
    registered = truth["business_id"].notna()
    assert truth.loc[registered, "business_id"].is_unique
    assert set(firms) == set(truth.loc[registered, "business_id"])


def test_no_generator_ids_in_any_export(exported: ExportSet) -> None:
    for file in exported.files:
        data = file.path.read_bytes()
        if file.name.endswith(".gz"):
            data = gzip.decompress(data)
        if file.name.endswith(".xlsx"):
            with zipfile.ZipFile(file.path) as archive:
                data = b"".join(archive.read(name) for name in archive.namelist())
        if file.name.endswith(".parquet"):
            data += pq.read_table(file.path).to_pandas().to_csv().encode()
        assert GENERATOR_IDS.search(data) is None, file.name
        assert GENERATOR_IDS.search(file.mapping.read_bytes()) is None


def test_replaying_the_imports_gives_back_the_joined_table(
    frames: dict[str, pd.DataFrame], manifest: dict[str, Any], joined: pd.DataFrame
) -> None:
    store = replay(manifest, frames)
    assert multiset(store, FIELDS) == multiset(joined, FIELDS)
    overlap = manifest["faults"]["overlapping_rows"]
    ea = pd.concat([frames[name] for name in overlap["files"]])
    assert ea.duplicated([c for c in ea.columns if c != "file"]).sum() == overlap["rows"] > 0


def test_keys_alone_reassemble_the_generator_cases(
    frames: dict[str, pd.DataFrame],
    manifest: dict[str, Any],
    joined: pd.DataFrame,
    truth: pd.DataFrame,
) -> None:
    store = linked(replay(manifest, frames), truth)
    fault = manifest["faults"]["quarantined_row"]
    unlinked = store[store["case_id"] == ""]
    assert unlinked["person"].tolist() == [fault["written_code"]]
    row = unlinked.iloc[0]
    assert (row["activity"], row["timestamp"]) == (fault["activity"], fault["timestamp"][:19])
    expected = joined[
        ~(
            (joined["case_id"] == fault["case_id"])
            & (joined["timestamp"] == fault["timestamp"][:19])
        )
    ]
    columns = ("case_id", *FIELDS)
    assert multiset(store[store["case_id"] != ""], columns) == multiset(expected, columns)
    counts = store[store["case_id"] != ""].groupby("case_id").size()
    assert counts.to_dict() == truth.set_index("case_id")["store_events"].to_dict()


def test_every_firm_keyed_event_has_a_bridging_row(frames: dict[str, pd.DataFrame]) -> None:
    rows = pd.concat(frames.values())
    firm_only = rows[(rows["firm"] != "") & (rows["person"] == "")]
    assert len(firm_only) > 0
    assert set(firm_only["source"]) == {"finnvera", "employers"}
    prh = frames["employers.parquet"]
    bridges = prh[(prh["actor"] == "PRH") & (prh["person"] != "") & (prh["firm"] != "")]
    assert (bridges["activity"] == "Trade register registration").all()
    assert set(firm_only["firm"]) <= set(bridges["firm"])
    ea = pd.concat([frames[n] for n in frames if n.startswith("enterprise-agency")])
    registered = bridges.set_index("firm")["timestamp"]
    with_firm = ea[ea["firm"] != ""]
    assert (with_firm["timestamp"] >= with_firm["firm"].map(registered)).all()
    person_of_firm = bridges.set_index("person")["timestamp"]
    without = ea[(ea["firm"] == "") & ea["person"].isin(person_of_firm.index)]
    assert (without["timestamp"] < without["person"].map(person_of_firm)).all()


def test_case_attributes_agree_except_the_injected_conflict(
    frames: dict[str, pd.DataFrame],
    manifest: dict[str, Any],
    joined: pd.DataFrame,
    truth: pd.DataFrame,
) -> None:
    store = linked(replay(manifest, frames), truth)
    store = store[store["case_id"] != ""]
    expected = joined.groupby("case_id")[list(ATTRIBUTES)].first()
    conflict = manifest["faults"]["conflicting_attribute"]
    for name in ATTRIBUTES:
        given = store[store[name] != ""][["case_id", "source", name]].drop_duplicates()
        assert set(given["case_id"]) == set(expected.index), name
        wrong = given[given[name] != given["case_id"].map(expected[name])]
        if name != conflict["attribute"]:
            assert wrong.empty, name
            continue
        assert wrong["case_id"].unique().tolist() == [conflict["case_id"]]
        assert wrong["source"].unique().tolist() == ["enterprise-agency"]
        assert wrong[name].unique().tolist() == [conflict["values"]["enterprise-agency"]]
        te = given[(given["case_id"] == conflict["case_id"]) & (given["source"] == "te-office")]
        assert te[name].tolist() == [conflict["true_value"]]


def test_the_correction_fixes_one_time_and_deletes_one_event(
    frames: dict[str, pd.DataFrame], manifest: dict[str, Any], truth: pd.DataFrame
) -> None:
    faults = manifest["faults"]
    original, correction = frames["te-office.csv"], frames["te-office-correction-2018H2.csv"]
    moved, deleted = faults["corrected_event"], faults["deleted_event"]
    for fault, in_original, in_correction in (
        (moved, moved["timestamp_in_original"], moved["timestamp"]),
        (deleted, deleted["timestamp"], None),
    ):
        case = original[original["own_case"] == fault["source_case_id"]]
        assert in_original[:19] in case["timestamp"].tolist()
        again = correction[correction["own_case"] == fault["source_case_id"]]
        assert in_original[:19] not in again["timestamp"].tolist()
        if in_correction is not None:
            assert in_correction[:19] in again["timestamp"].tolist()
    later = pd.Timestamp(moved["timestamp"]) - pd.Timestamp(moved["timestamp_in_original"])
    assert later == pd.Timedelta(days=1)
    period = faults["correction"]
    assert len(correction) == period["rows_in_correction"] == period["rows_in_original"] - 1


def test_the_mistyped_row_is_where_the_manifest_says(
    exported: ExportSet, manifest: dict[str, Any]
) -> None:
    fault = manifest["faults"]["quarantined_row"]
    lines = (exported.out_dir / "te-office.csv").read_bytes().decode("cp1252").split("\r\n")
    fields = lines[fault["line"] - 1].split(";")
    assert fields[1] == fault["written_code"] and fields[0] == fault["source_case_id"]
    assert fields[3] == fault["activity"]


def test_mappings_name_the_columns_the_files_have(
    exported: ExportSet, mappings: dict[str, dict[str, Any]]
) -> None:
    for file in exported.files:
        mapping = mappings[file.name]
        assert mapping["source"]["name"] == file.source
        named = [
            *mapping["columns"].values(),
            *mapping.get("keys", {}).values(),
            *mapping.get("attributes", {}).values(),
        ]
        assert set(mapping["columns"]) >= {"case_id", "activity", "timestamp"}
        if file.name.endswith(".xes.gz"):
            batch = next(iter_xes_batches(file.path))
            present = {c for c in batch.schema.names if not c.startswith("_")}
            assert set(named) <= present, file.name
            continue
        header = list(read_raw(file.path, mapping).columns)
        assert sorted(named) == sorted(header), file.name
        assert "actor" in mapping["columns"] or "actor" in mapping.get("constants", {})


def test_te_office_file_is_a_finnish_excel_csv(exported: ExportSet) -> None:
    data = (exported.out_dir / "te-office.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp1252")
    header = text.split("\r\n")[0]
    assert header.startswith("Asiakkuus;Henkilötunnus;Palvelupolku;Toimenpide;Alkoi;Valmis;")
    frame = pd.read_csv(exported.out_dir / "te-office.csv", sep=";", encoding="cp1252", dtype=str)
    assert frame["Valmis"].str.match(FINNISH_TIME).all()
    assert frame["Alkoi"].dropna().str.match(FINNISH_TIME).all()
    assert frame["Asiakkuus"].str.fullmatch(r"TE-20\d\d-\d{6}").all()
    assert set(frame["Palvelupolku"]) == set(FINNISH_PATHS)
    ea = (exported.out_dir / "enterprise-agency-2016-2017.csv").read_bytes()
    assert ea.startswith(b"\xef\xbb\xbfContact ID,Personal identity code,Business ID,")


def test_workbooks_have_the_header_in_row_one_and_real_times(exported: ExportSet) -> None:
    for name in ("joensuu.xlsx", "lieksa.xlsx"):
        book = CalamineWorkbook.from_path(str(exported.out_dir / name))
        assert book.sheet_names == ["Tapahtumat"]
        rows = book.get_sheet_by_name("Tapahtumat").to_python()
        assert rows[0][:3] == ["Asiakasnro", "Hetu", "Tehtävä"]
        assert all(isinstance(row[4], dt.datetime) for row in rows[1:])
        assert all(isinstance(row[3], dt.datetime) or row[3] == "" for row in rows[1:])


def test_files_are_in_their_own_case_order(frames: dict[str, pd.DataFrame]) -> None:
    for name, frame in frames.items():
        runs = (frame["own_case"] != frame["own_case"].shift()).cumsum()
        assert runs.groupby(frame["own_case"]).nunique().max() == 1, name
        ordered = frame.groupby("own_case")["timestamp"].apply(lambda s: s.is_monotonic_increasing)
        assert ordered.all(), name


def test_exports_are_deterministic(region: DemoRegion, exported: ExportSet, tmp_path: Path) -> None:
    again = write_exports(region, tmp_path, seed=2017)
    for first, second in zip(exported.files, again.files, strict=True):
        assert first.name == second.name
        assert first.path.read_bytes() == second.path.read_bytes(), first.name
        assert first.mapping.read_bytes() == second.mapping.read_bytes()
    assert exported.manifest.read_bytes() == again.manifest.read_bytes()
    header = (exported.out_dir / "colleges.xes.gz").read_bytes()[:10]
    assert header[3] & 0x08 == 0 and header[4:8] == b"\0\0\0\0"  # no file name, no time
