"""On real public logs, a path rules file that names their ending steps closes the cases that
reached them, so the Kaplan–Meier lead time exists and equals lifelines' on the same durations
(read independently with pm4py)."""

from __future__ import annotations

import pandas as pd
import pm4py
import pytest
from lifelines import KaplanMeierFitter

from sujuva.analytics.lean import lead_time
from sujuva.config import Settings
from sujuva.eventlog.pathrules import parse_rules
from sujuva.services.importing import apply_rules, import_files
from sujuva.store.store import Store
from tests.analytics.conftest import scoped
from tests.conftest import public_log

ENDINGS = {
    "receipt.xes.gz": (
        "receipt",
        (
            "T10 Determine necessity to stop indication",
            "T05 Print and send confirmation of receipt",
        ),
    ),
    "running-example.xes": ("running-example", ("pay compensation", "reject request")),
}


def _rules(path: str, ends: tuple[str, ...]) -> str:
    listed = ", ".join(f'"{end}"' for end in ends)
    return f'[paths."{path}"]\nends = [{listed}]\n'


@pytest.mark.parametrize("name", sorted(ENDINGS))
def test_kaplan_meier_equals_lifelines(name: str, settings: Settings) -> None:
    path_name, ends = ENDINGS[name]
    source = public_log(name)
    import_files([source], settings=settings)
    with scoped(Store(settings.data_dir)) as scope:
        assert lead_time(scope).closed == 0  # without rules nothing tells what ends a case
    apply_rules(parse_rules(_rules(path_name, ends), origin="rules.toml"), settings=settings)
    with scoped(Store(settings.data_dir)) as scope:
        ours = lead_time(scope)
    log = pm4py.read_xes(str(source))
    cases = log.groupby("case:concept:name").agg(
        first=("time:timestamp", "min"),
        last=("time:timestamp", "max"),
        ended=("concept:name", lambda steps: bool(set(steps) & set(ends))),
    )
    cut = log["time:timestamp"].max()
    end = cases["last"].where(cases["ended"], cut)
    days = (end - cases["first"]) / pd.Timedelta(days=1)
    fitter = KaplanMeierFitter().fit(days.to_numpy(), event_observed=cases["ended"].to_numpy())
    assert ours.cases == len(cases) and ours.closed == int(cases["ended"].sum()) > 0
    # Sujuva fits the estimator on lead times to the hour: equal within an hour
    assert ours.km_median_days == pytest.approx(fitter.median_survival_time_, abs=1 / 24)
    # on the same (hour-rounded) durations the whole curve is lifelines' to the last digit
    hourly = KaplanMeierFitter().fit(
        (days * 24).round().to_numpy() / 24, event_observed=cases["ended"].to_numpy()
    )
    expected = hourly.survival_function_.iloc[:, 0]
    assert ours.curve["days"].to_numpy() == pytest.approx(expected.index.to_numpy())
    assert ours.curve["still_open"].to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-12)
