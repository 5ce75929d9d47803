"""Round trips CSV ↔ XES ↔ Parquet through the store keep every event and attribute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sujuva.config import Settings
from sujuva.services.exporting import export_log
from sujuva.services.importing import import_files
from sujuva.store.store import Store

FORMATS = ["csv", "parquet", "xes", "xes.gz"]


def _sample_log() -> pa.Table:
    base = datetime(2017, 4, 12, 6, 0, tzinfo=UTC)
    rows = []
    for case in range(6):
        for step in range(4):
            ts = base + timedelta(days=case, hours=step * 3)
            rows.append(
                {
                    "case_id": f"C-{case}",
                    "customer_id": f"cust-{case % 4}",
                    "path": "entrepreneur" if case % 2 else "graduate",
                    "activity": [
                        "Rekisteröinti",
                        'Haastattelu "alku"',
                        "Päätös, myönteinen",
                        "Seuranta",
                    ][step],
                    "actor": ["TE Office", "Josek", "ELY Centre", "Joensuu"][(case + step) % 4],
                    "timestamp": ts,
                    "start_timestamp": ts - timedelta(minutes=30) if step % 2 else None,
                    "resource": f"staff-{step}",
                    "channel": "online" if step % 2 else "in person",
                    "outcome": "open_market_job" if step == 3 and case % 3 else None,
                    "rating": step + 1 if case % 2 else None,
                    "cost": 12.5 * step,
                    "case:municipality": ["Joensuu", "Lieksa", "Kitee"][case % 3],
                    "case:age_group": "under 25" if case % 2 else "30-49",
                }
            )
    return pa.Table.from_pylist(rows).cast(
        pa.schema(
            [
                ("case_id", pa.string()),
                ("customer_id", pa.string()),
                ("path", pa.string()),
                ("activity", pa.string()),
                ("actor", pa.string()),
                ("timestamp", pa.timestamp("us", tz="UTC")),
                ("start_timestamp", pa.timestamp("us", tz="UTC")),
                ("resource", pa.string()),
                ("channel", pa.string()),
                ("outcome", pa.string()),
                ("rating", pa.int64()),
                ("cost", pa.float64()),
                ("case:municipality", pa.string()),
                ("case:age_group", pa.string()),
            ]
        )
    )


def _canonical_sorted(table: pa.Table) -> list[dict[str, object]]:
    """Rows in a stable order; attributes null on every event are left out (XES cannot carry
    an attribute that never has a value)."""
    empty = [name for name in table.column_names if table[name].null_count == table.num_rows]
    rows = table.drop_columns(empty).to_pylist()
    return sorted(
        rows, key=lambda r: (str(r["path"]), str(r["case_id"]), r["timestamp"], str(r["activity"]))
    )


def _stored(settings: Settings) -> pa.Table:
    return Store(settings.data_dir).to_arrow()


@pytest.mark.parametrize("first", FORMATS)
@pytest.mark.parametrize("second", FORMATS)
def test_export_and_reimport_keeps_everything(
    settings: Settings, tmp_path: Path, first: str, second: str
) -> None:
    source = tmp_path / "source.parquet"
    pq.write_table(_sample_log(), source)
    import_files([source], settings=settings)
    original = _stored(settings)
    assert original.num_rows == 24
    middle = tmp_path / f"middle.{first}"
    assert export_log(middle, settings=settings) == 24
    hop = settings.model_copy(update={"data_dir": tmp_path / "hop"})
    import_files([middle], settings=hop.model_copy(update={"secret_key": None}))
    # the exported pseudonyms are kept as they are, so the second store needs no shared key
    final = tmp_path / f"final.{second}"
    export_log(final, settings=hop)
    last = settings.model_copy(update={"data_dir": tmp_path / "last"})
    import_files([final], settings=last)
    assert _canonical_sorted(_stored(last)) == _canonical_sorted(original)
    assert set(_stored(last).column_names) == set(original.column_names)


log_rows = st.lists(
    st.fixed_dictionaries(
        {
            "case_id": st.text(alphabet="ABCÄÖ-_ 1234&<>\"'", min_size=1, max_size=6).filter(
                lambda s: s.strip() == s and s
            ),
            "activity": st.text(
                alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12
            ).filter(lambda s: s.strip() == s and s),
            "seconds": st.integers(min_value=0, max_value=3 * 365 * 86400),
            "note": st.one_of(st.none(), st.integers(-1000, 1000)),
        }
    ),
    min_size=1,
    max_size=25,
)


@given(rows=log_rows, fmt=st.sampled_from(FORMATS))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_random_logs_round_trip(
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[dict[str, object]],
    fmt: str,
) -> None:
    folder = tmp_path_factory.mktemp("prop")
    base = datetime(2016, 1, 1, tzinfo=UTC)
    table = pa.table(
        {
            "case_id": [r["case_id"] for r in rows],
            "activity": [r["activity"] for r in rows],
            "timestamp": pa.array(
                [base + timedelta(seconds=int(r["seconds"])) for r in rows],
                pa.timestamp("us", tz="UTC"),
            ),
            "note": pa.array([r["note"] for r in rows], pa.int64()),
        }
    )
    source = folder / "in.parquet"
    pq.write_table(table, source)
    first = settings.model_copy(update={"data_dir": folder / "a"})
    import_files([source], path_name="p", settings=first)
    out = folder / f"out.{fmt}"
    export_log(out, settings=first)
    second = settings.model_copy(update={"data_dir": folder / "b"})
    import_files([out], settings=second)
    left, right = _stored(first), _stored(second)
    assert _canonical_sorted(left) == _canonical_sorted(right)
