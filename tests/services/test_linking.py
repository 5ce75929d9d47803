"""Whole paths from each organisation's own exports.

A joined log (one shared case id) is split into per-organisation exports, each with its own
case numbers, its own column names and formats, rows shuffled, sharing only the person's
identity code; imported with the key, the exports must give the same cases, process map,
hand-offs and lead times as the joined log.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from sujuva.analytics.cases import handoffs
from sujuva.analytics.flow import process_map
from sujuva.analytics.lean import lead_time
from sujuva.config import Settings, override_settings
from sujuva.errors import InputError
from sujuva.eventlog.mapping import ColumnMapping
from sujuva.eventlog.pathrules import parse_rules
from sujuva.services.importing import SourceFile, import_files
from sujuva.store.store import Store
from tests.analytics.conftest import scoped
from tests.conftest import snapshot

HELSINKI = ZoneInfo("Europe/Helsinki")
CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
ORGS = ("TE Office", "Joensuu", "College")
RULES = """
[paths.job_search]
names = ["Työnhaku"]
activities = ["Register", "Interview", "Municipal interview", "Course", "Placed"]
starts = ["Register"]
ends = { "Placed" = "employed" }

[paths.studies]
activities = ["Apply", "Study", "Graduate"]
starts = ["Apply"]
ends = ["Graduate"]
"""
STEPS = {
    "job_search": (
        ("Register", "TE Office"),
        ("Interview", "TE Office"),
        ("Municipal interview", "Joensuu"),
        ("Course", "College"),
        ("Placed", "TE Office"),
    ),
    "studies": (("Apply", "College"), ("Study", "College"), ("Graduate", "College")),
}


def hetu(number: int) -> str:
    """A valid, obviously fictional identity code (individual number 900–999)."""
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=number % 15_000)
    individual = 900 + number % 100
    stem = f"{birth:%d%m%y}{individual:03d}"
    return f"{birth:%d%m%y}-{individual:03d}{CHECK_CHARS[int(stem) % 31]}"


def joined_log(rng: np.random.Generator, customers: int) -> pd.DataFrame:
    """Each customer walks one or both paths; a case stops early (open) now and then; times
    are distinct whole minutes, so no two events of a case tie."""
    rows = []
    base = dt.datetime(2017, 1, 2, 8, 0, tzinfo=dt.UTC)
    for customer in range(customers):
        paths = ["job_search"] if rng.random() < 0.6 else ["job_search", "studies"]
        clock = base + dt.timedelta(minutes=int(rng.integers(0, 400_000)))
        for path in paths:
            steps = list(STEPS[path])
            if rng.random() < 0.3:
                steps = steps[: int(rng.integers(1, len(steps)))]
            elif path == "job_search" and rng.random() < 0.4:
                steps.insert(2, ("Interview", "TE Office"))  # rework
            for activity, actor in steps:
                clock += dt.timedelta(minutes=int(rng.integers(1, 40_000)))
                if clock.astimezone(HELSINKI).hour in (2, 3, 4):  # no local time that
                    clock += dt.timedelta(hours=3)  # clocks skip or repeat
                rows.append(
                    {
                        "case_id": f"{path}-{customer}",
                        "customer": hetu(customer),
                        "path": path,
                        "activity": activity,
                        "actor": actor,
                        "timestamp": clock,
                    }
                )
            clock += dt.timedelta(days=int(rng.integers(1, 30)))
    return pd.DataFrame(rows)


def write_exports(log: pd.DataFrame, folder: Path, rng: np.random.Generator) -> list[SourceFile]:
    """The joined log as three organisations' own exports, in three shapes."""
    local = log["timestamp"].dt.tz_convert(ZoneInfo("Europe/Helsinki"))
    te = log[log["actor"] == "TE Office"].assign(local=local)
    te_out = pd.DataFrame(
        {
            "Asiakkuus": "TE-" + te["case_id"].str.replace("job_search-", "", regex=False),
            "Henkilötunnus": te["customer"].str.lower(),
            "Palvelupolku": "Työnhaku",
            "Toimenpide": te["activity"],
            "Aika": te["local"].map(lambda t: f"{t.day}.{t.month}.{t.year} {t.hour}.{t:%M}"),
        }
    ).sample(frac=1, random_state=int(rng.integers(1000)))
    te_file = folder / "te.csv"
    te_out.to_csv(te_file, sep=";", index=False, encoding="cp1252")
    muni = log[log["actor"] == "Joensuu"]
    muni_file = folder / "kunta.parquet"
    pq.write_table(
        pa.table(
            {
                "Asiakasnro": [f"JNS/{i}" for i in range(len(muni))],
                "Hetu": muni["customer"].to_list(),
                "Tehtävä": muni["activity"].to_list(),
                "Pvm": pa.array(muni["timestamp"].to_list(), pa.timestamp("us", tz="UTC")),
            }
        ).take(rng.permutation(len(muni))),
        muni_file,
    )
    college = log[log["actor"] == "College"]
    college_file = folder / "college.csv"
    pacsv.write_csv(
        pa.table(
            {
                "Student": ("S" + college["customer"].str[:6]).to_list(),
                "Personal identity code": college["customer"].to_list(),
                "Activity": college["activity"].to_list(),
                "Date": [t.isoformat() for t in college["timestamp"]],
            }
        ).take(rng.permutation(len(college))),
        college_file,
    )
    files = [
        SourceFile(te_file, ColumnMapping(constants={"actor": "TE Office"})),
        SourceFile(
            muni_file,
            ColumnMapping(
                columns={"case_id": "Asiakasnro", "activity": "Tehtävä", "timestamp": "Pvm"},
                constants={"actor": "Joensuu"},
                keys={"person": "Hetu"},
            ),
        ),
        SourceFile(
            college_file,
            ColumnMapping(columns={"case_id": "Student"}, constants={"actor": "College"}),
        ),
    ]
    counts = {te_file: len(te), muni_file: len(muni), college_file: len(college)}
    return [f for f in files if counts[f.path]]


def _figures(store: Store) -> dict[str, object]:
    with scoped(store) as scope:
        flow = process_map(scope)
        arcs = flow.arcs[["source", "target", "frequency", "cases", "wait_total_s"]]
        hand = handoffs(scope).matrix[["from_actor", "to_actor", "handoffs", "cases"]]
        lead = lead_time(scope)
    with store.connect() as con:
        cases = Counter(
            con.execute(
                "SELECT path, list((activity, actor, timestamp) ORDER BY pos)::VARCHAR, outcome "
                "FROM event_log GROUP BY case_id, path, outcome"
            ).fetchall()
        )
    return {
        "arcs": sorted(map(tuple, arcs.round(3).to_numpy().tolist())),
        "handoffs": sorted(map(tuple, hand.to_numpy().tolist())),
        "lead": (lead.cases, lead.closed, lead.km_median_days, lead.naive_median_days),
        "cases": cases,
    }


def _store_of(folder: Path, files: list[SourceFile], rules_text: str) -> Store:
    settings = override_settings(data_dir=folder)
    import_files(
        [], files=files, rules=parse_rules(rules_text, origin="rules.toml"), settings=settings
    )
    return Store(folder)


def _joined_store(folder: Path, log: pd.DataFrame) -> Store:
    path = folder.parent / f"{folder.name}-joined.parquet"
    table = pa.Table.from_pandas(log.drop(columns=["customer"]), preserve_index=False)
    pq.write_table(table, path)
    return _store_of(folder, [SourceFile(path)], RULES)


@given(seed=st.integers(0, 2**32 - 1), customers=st.integers(1, 40))
@hsettings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_split_exports_give_the_joined_log(
    tmp_path: Path, settings: Settings, seed: int, customers: int
) -> None:
    rng = np.random.default_rng(seed)
    log = joined_log(rng, customers)
    run = Path(tempfile.mkdtemp(dir=tmp_path))
    exports = write_exports(log, run, rng)
    linked = _figures(_store_of(run / "linked", exports, RULES))
    joined = _figures(_joined_store(run / "joined", log))
    assert linked == joined
    # the first assertion is not vacuous: cases are formed, closed ones carry their outcome
    assert sum(linked["cases"].values()) == log.groupby(["case_id"]).ngroups  # type: ignore[attr-defined]
    outcomes = {outcome for (_, _, outcome) in linked["cases"]}  # type: ignore[attr-defined]
    assert outcomes <= {"employed", "completed", None}


def test_cases_span_organisations_and_close_at_their_ending_step(
    tmp_path: Path, settings: Settings
) -> None:
    rng = np.random.default_rng(7)
    log = joined_log(rng, 60)
    store = _store_of(tmp_path / "linked", write_exports(log, tmp_path, rng), RULES)
    with store.connect() as con:
        spanning, formed = con.execute(
            "SELECT count(*) FILTER (WHERE n > 1), count(*) FROM "
            "(SELECT case_idx, count(DISTINCT actor_code) n FROM events GROUP BY ALL)"
        ).fetchall()[0]
        ended = con.execute(
            "SELECT count(*) FILTER (WHERE c.outcome = 'employed'), count(*) FROM cases c "
            "JOIN paths p ON p.code = c.path_code WHERE p.name = 'job_search' AND c.case_idx IN "
            "(SELECT case_idx FROM events e JOIN activities a ON a.code = e.activity_code "
            "WHERE a.name = 'Placed')"
        ).fetchall()[0]
        provenance = con.execute(
            "SELECT count(*) FILTER (WHERE source_case_id LIKE 'TE-%'), "
            "count(DISTINCT source) FROM events"
        ).fetchall()[0]
    assert spanning > 0 and formed == log["case_id"].nunique()
    assert ended[0] == ended[1] > 0
    assert provenance[0] == int((log["actor"] == "TE Office").sum()) and provenance[1] == 3


def _keyed_table(rows: list[tuple[str, str, str]]) -> pa.Table:
    return pa.table(
        {
            "hetu": [r[0] for r in rows],
            "activity": [r[1] for r in rows],
            "timestamp": [r[2] for r in rows],
        }
    )


def _import_keyed(tmp_path: Path, rows: list[tuple[str, str, str]], rules: str) -> Store:
    path = tmp_path / "rows.csv"
    pacsv.write_csv(_keyed_table(rows), path)
    folder = tmp_path / "store"
    import_files(
        [path],
        mapping=ColumnMapping(keys={"person": "hetu"}, constants={"actor": "TE Office"}),
        rules=parse_rules(rules, origin="rules.toml"),
        settings=override_settings(data_dir=folder),
    )
    return Store(folder)


def _cases(store: Store) -> list[tuple[str, str, str | None]]:
    with store.connect() as con:
        return [
            (str(r[0]), str(r[1]), r[2])
            for r in con.execute(
                "SELECT p.name, list(a.name ORDER BY e.pos)::VARCHAR, c.outcome FROM events e "
                "JOIN cases c USING (case_idx) JOIN paths p ON p.code = c.path_code "
                "JOIN activities a ON a.code = e.activity_code "
                "GROUP BY c.case_idx, p.name, c.outcome ORDER BY min(e.ts)"
            ).fetchall()
        ]


def test_a_second_spell_is_a_new_case(tmp_path: Path, settings: Settings) -> None:
    person = hetu(1)
    rows = [
        (person, "Register", "2017-01-02 09:00"),
        (person, "Interview", "2017-01-09 09:00"),
        (person, "Placed", "2017-03-01 09:00"),
        (person, "Register", "2017-09-01 09:00"),  # after the ending: a new case
        (person, "Interview", "2017-09-04 09:00"),
        (person, "Register", "2017-10-02 09:00"),  # a start step after another step
        (person, "Register", "2017-10-02 09:30"),  # a repeated registration stays
        (person, "Interview", "2019-01-02 09:00"),  # after 400 idle days: a new case
    ]
    store = _import_keyed(
        tmp_path,
        rows,
        RULES.replace("[paths.studies]", "[paths.x]\n[paths.studies]")
        + "\n[defaults]\ninactivity_days = 365\n",
    )
    assert _cases(store) == [
        ("job_search", "[Register, Interview, Placed]", "employed"),
        ("job_search", "[Register, Interview]", "dropped_out"),
        ("job_search", "[Register, Register]", "dropped_out"),
        ("job_search", "[Interview]", None),
    ]


def test_person_and_firm_keys_join_one_customer(tmp_path: Path, settings: Settings) -> None:
    person, firm = hetu(2), "9000006-2"
    agency = tmp_path / "agency.csv"
    pacsv.write_csv(
        pa.table(
            {
                "Henkilötunnus": [person, person, person],
                "Y-tunnus": ["", "", firm],
                "Activity": ["Counselling", "Plan", "Registration"],
                "Date": ["2017-01-02", "2017-02-02", "2017-03-02"],
            }
        ),
        agency,
    )
    finance = tmp_path / "finance.csv"
    pacsv.write_csv(
        pa.table({"Y-tunnus": [firm], "Activity": ["Loan"], "Date": ["2017-05-02"]}), finance
    )
    rules = """
[paths.entrepreneur]
activities = ["Counselling", "Plan", "Registration", "Loan"]
starts = ["Counselling"]
"""
    import_files(
        [],
        files=[
            SourceFile(agency, ColumnMapping(constants={"actor": "Agency"})),
            SourceFile(finance, ColumnMapping(constants={"actor": "Finance"})),
        ],
        rules=parse_rules(rules, origin="rules.toml"),
        settings=settings,
    )
    assert _cases(Store(settings.data_dir)) == [
        ("entrepreneur", "[Counselling, Plan, Registration, Loan]", None)
    ]


def test_invalid_identity_code_is_located_without_the_code(
    tmp_path: Path, settings: Settings
) -> None:
    good = hetu(3)
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    pacsv.write_csv(_keyed_table([(good, "Register", "2017-01-02")]), first)
    pacsv.write_csv(
        _keyed_table([(good, "Interview", "2017-01-05"), (bad, "Interview", "2017-01-06")]), second
    )
    mapping = ColumnMapping(keys={"person": "hetu"})
    import_files([first], mapping=mapping, settings=settings)
    before = snapshot(settings.data_dir)
    with pytest.raises(InputError) as caught:
        import_files([second], mapping=mapping, settings=settings)
    assert snapshot(settings.data_dir) == before
    [problem] = caught.value.problems
    assert (problem.file, problem.location, problem.column) == ("second.csv", "line 3", "hetu")
    assert "check character" in problem.reason
    assert bad not in str(caught.value) and bad not in str(caught.value.to_dict())
    assert good[:6] not in str(caught.value.to_dict())
    # with quarantine the good row goes in and the rejected one is set aside without its code
    rejected = tmp_path / "rejected.csv"
    report = import_files([second], mapping=mapping, quarantine=rejected, settings=settings)
    assert report.files[0].imported == 1 and report.files[0].rejected == 1
    assert bad not in rejected.read_text(encoding="utf-8")
    assert "line 3" in rejected.read_text(encoding="utf-8")


def test_identity_codes_never_reach_the_store(tmp_path: Path, settings: Settings) -> None:
    rng = np.random.default_rng(3)
    log = joined_log(rng, 20)
    store = _store_of(tmp_path / "linked", write_exports(log, tmp_path, rng), RULES)
    codes = set(log["customer"])
    for path in (store.generation or tmp_path).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(code.encode() in data for code in codes), path
            assert not any(code.lower().encode() in data for code in codes), path


def test_an_unnamed_column_of_identity_codes_is_refused(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "export.csv"
    pacsv.write_csv(
        pa.table(
            {
                "case_id": ["a", "b"],
                "activity": ["x", "y"],
                "timestamp": ["2017-01-02", "2017-01-03"],
                "asiakas_tunniste": [hetu(5), hetu(6)],
            }
        ),
        path,
    )
    with pytest.raises(InputError, match="personal identity codes"):
        import_files([path], settings=settings)
    assert Store(settings.data_dir).is_empty


def test_a_file_pseudonymised_with_another_key_is_refused(
    tmp_path: Path, settings: Settings
) -> None:
    from sujuva.privacy.pseudonym import key_fingerprint, new_key, pseudonym

    other = new_key()
    path = tmp_path / "pseudonymised.csv"
    pacsv.write_csv(
        pa.table(
            {
                "hetu": [pseudonym(other, hetu(7))],
                "activity": ["Register"],
                "timestamp": ["2017-01-02"],
                "sujuva_key": [key_fingerprint(other)],
            }
        ),
        path,
    )
    with pytest.raises(InputError) as caught:
        import_files([path], mapping=ColumnMapping(keys={"person": "hetu"}), settings=settings)
    assert "another key" in caught.value.problems[0].reason
    assert Store(settings.data_dir).is_empty


def test_a_file_pseudonymised_with_the_stores_key_links(tmp_path: Path, settings: Settings) -> None:
    from sujuva.privacy.pseudonym import key_fingerprint, load_key, pseudonym

    raw = tmp_path / "raw.csv"
    person = hetu(8)
    pacsv.write_csv(_keyed_table([(person, "Register", "2017-01-02")]), raw)
    mapping = ColumnMapping(keys={"person": "hetu"}, constants={"actor": "TE Office"})
    rules = parse_rules(RULES, origin="rules.toml")
    import_files([raw], mapping=mapping, rules=rules, settings=settings)
    key = load_key(settings.data_dir)
    assert key is not None
    sourced = tmp_path / "kunta.csv"
    pacsv.write_csv(
        pa.table(
            {
                "hetu": [pseudonym(key, person)],
                "activity": ["Interview"],
                "timestamp": ["2017-01-09"],
                "sujuva_key": [key_fingerprint(key)],
            }
        ),
        sourced,
    )
    import_files([sourced], mapping=mapping, settings=settings)
    assert _cases(Store(settings.data_dir)) == [("job_search", "[Register, Interview]", None)]


def test_a_malformed_rules_file_is_located(tmp_path: Path, settings: Settings) -> None:
    from sujuva.eventlog.pathrules import load_rules

    path = tmp_path / "rules.toml"
    path.write_text("[paths.job_search]\nstarts = 'Register'\ninactivity_days = -3\n", "utf-8")
    with pytest.raises(InputError) as caught:
        load_rules(path)
    where = {(p.location, p.column) for p in caught.value.problems}
    assert where == {
        ("line 2", "paths.job_search.starts"),
        ("line 3", "paths.job_search.inactivity_days"),
    }
    path.write_text("[paths.job_search\n", "utf-8")
    with pytest.raises(InputError, match="line 1"):
        load_rules(path)


def test_a_corrected_re_export_replaces_its_period(tmp_path: Path, settings: Settings) -> None:
    person = hetu(9)
    rows = [
        (person, "Register", "2017-01-02 09:00"),
        (person, "Interview", "2017-02-01 09:00"),
        (person, "Course", "2017-03-01 09:00"),
    ]
    store = _import_keyed(tmp_path, rows, RULES)
    correction = tmp_path / "correction.csv"
    pacsv.write_csv(_keyed_table([(person, "Interview", "2017-02-02 09:00")]), correction)
    mapping = ColumnMapping(
        keys={"person": "hetu"}, constants={"actor": "TE Office"}, source="rows"
    )
    from sujuva.services.importing import parse_period

    import_files(
        [correction],
        mapping=mapping,
        replace=True,
        replace_period=parse_period("2017-02-01..2017-03-31", settings=settings),
        settings=override_settings(data_dir=store.data_dir),
    )
    # the interview moved a day; the course, inside the period but not re-exported, is deleted
    assert _cases(Store(store.data_dir)) == [("job_search", "[Register, Interview]", None)]


def test_removing_an_import_leaves_the_store_as_if_it_never_happened(
    tmp_path: Path, settings: Settings
) -> None:
    from sujuva.services.importing import remove_import

    person = hetu(10)
    first, second, third = (tmp_path / f"{n}.csv" for n in ("first", "second", "third"))
    pacsv.write_csv(_keyed_table([(person, "Register", "2017-01-02")]), first)
    shared = (person, "Interview", "2017-01-09")
    pacsv.write_csv(_keyed_table([shared, (person, "Placed", "2017-02-01")]), second)
    pacsv.write_csv(_keyed_table([shared]), third)
    mapping = ColumnMapping(keys={"person": "hetu"}, constants={"actor": "TE Office"})
    rules = parse_rules(RULES, origin="rules.toml")
    for path in (first, second, third):
        import_files([path], mapping=mapping, rules=rules, settings=settings)
    store = Store(settings.data_dir)
    assert [r.duplicate for r in store.imports()] == [0, 0, 1]
    remove_import(2, settings=settings)
    # the third file's copy of the interview comes back; the placement goes
    assert _cases(Store(settings.data_dir)) == [("job_search", "[Register, Interview]", None)]
    expected = tmp_path / "expected"
    for path in (first, third):
        import_files(
            [path], mapping=mapping, rules=rules, settings=override_settings(data_dir=expected)
        )
    override_settings(data_dir=settings.data_dir)
    assert _cases(Store(expected)) == _cases(Store(settings.data_dir))
    assert [r.import_id for r in Store(settings.data_dir).imports()] == [1, 3]
