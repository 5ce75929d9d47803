"""The process map drawing: valid, self-contained SVG; the sliders simplify; text is escaped."""

from __future__ import annotations

from pathlib import Path

import defusedxml.ElementTree as ET
import pyarrow as pa
import pyarrow.parquet as pq

from sujuva.analytics import flow, mapdraw
from sujuva.config import Settings
from sujuva.services.importing import import_files
from sujuva.store.store import Store
from tests.analytics.conftest import scoped

SVG = "{http://www.w3.org/2000/svg}"


def _map(settings: Settings, tmp_path: Path) -> flow.ProcessMap:
    steps = [
        "Register",
        'Ask <info> & "more"',
        "Decide",
        'Ask <info> & "more"',
        "Decide",
        "Follow up",
    ]
    rows = []
    for case in range(40):
        trail = steps[: 3 + case % 4] if case % 5 else ["Register", "Decide"]
        for i, step in enumerate(trail):
            rows.append(
                {
                    "case_id": f"c{case}",
                    "activity": step,
                    "timestamp": f"2017-0{1 + case % 9}-1{i}T10:00:00Z",
                }
            )
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "log.parquet")
    import_files([tmp_path / "log.parquet"], path_name="p", settings=settings)
    with scoped(Store(settings.data_dir)) as scope:
        return flow.process_map(scope)


def test_svg_is_valid_self_contained_and_labelled(settings: Settings, tmp_path: Path) -> None:
    pm = _map(settings, tmp_path)
    svg = mapdraw.render_svg(pm, label="waiting", title="p")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    texts = " ".join("".join(node.itertext()) for node in root.iter(f"{SVG}text"))
    for activity in pm.activities["activity"]:
        assert activity in texts
    arcs = [g for g in root.iter(f"{SVG}g") if g.get("class") == "arc"]
    kept = mapdraw.simplify(pm)
    assert (
        len(arcs)
        == len(kept.arcs)
        == len(pm.arcs) + len(pm.start_activities) + len(pm.end_activities)
    )
    assert "<script" not in svg and "href" not in svg
    assert "Ask &lt;info&gt; &amp; &quot;more&quot;" in svg


def test_sliders_keep_fewer_activities_and_arcs(settings: Settings, tmp_path: Path) -> None:
    pm = _map(settings, tmp_path)
    full = mapdraw.simplify(pm)
    fewer_arcs = mapdraw.simplify(pm, arc_coverage=0.5)
    fewer_acts = mapdraw.simplify(pm, activity_coverage=0.5)
    assert len(fewer_arcs.arcs) < len(full.arcs)
    assert len(fewer_acts.activities) < len(full.activities)
    kept = set(fewer_acts.activities["activity"])
    inner = fewer_acts.arcs[
        ~fewer_acts.arcs["source"].isin([mapdraw.START])
        & ~fewer_acts.arcs["target"].isin([mapdraw.END])
    ]
    assert set(inner["source"]) | set(inner["target"]) <= kept
    # every kept activity keeps a way in and a way out
    for activity in kept:
        assert (fewer_arcs.arcs["target"] == activity).any() or activity in pm.start_activities
    ET.fromstring(mapdraw.render_svg(pm, activity_coverage=0.5, arc_coverage=0.5))
