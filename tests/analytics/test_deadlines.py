"""Service-time rules: the Finnish working-day calendar, months, effective periods, rule files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from sujuva.analytics import deadlines
from sujuva.errors import UsageError


def _rule(unit: str, limit: int) -> deadlines.Rule:
    return deadlines.Rule(
        id="R",
        description="",
        path="p",
        from_activity="A",
        to_activity="B",
        limit=limit,
        unit=unit,  # type: ignore[arg-type]
        effective_from=date(2000, 1, 1),
    )


def _days(*values: str) -> np.ndarray:
    return np.array(values, dtype="datetime64[D]")


def test_working_days_skip_weekends_and_finnish_holidays() -> None:
    # Thu 21.12.2017 -> Fri 5.1.2018: Dec 22, 27, 28, 29 and Jan 2-5 are working days; Christmas
    # Eve, Christmas, Boxing Day and New Year's Day are not.
    elapsed, met = deadlines._elapsed(
        _rule("working_days", 8), _days("2017-12-21"), _days("2018-01-05")
    )
    assert elapsed.tolist() == [8]
    assert met.tolist() == [True]
    elapsed, met = deadlines._elapsed(
        _rule("working_days", 7), _days("2017-12-21"), _days("2018-01-05")
    )
    assert met.tolist() == [False]
    # Midsummer: Fri 23.6.2017 (Midsummer Eve) is not a working day in holidays.Finland
    elapsed, _ = deadlines._elapsed(
        _rule("working_days", 5), _days("2017-06-21"), _days("2017-06-26")
    )
    assert elapsed.tolist() == [2]


def test_months_clip_to_the_end_of_a_shorter_month() -> None:
    rule = _rule("months", 1)
    _, met = deadlines._elapsed(
        rule,
        _days("2017-01-31", "2017-01-31", "2016-01-31"),
        _days("2017-02-28", "2017-03-01", "2016-02-29"),
    )
    assert met.tolist() == [True, False, True]


def test_default_rules_have_effective_periods() -> None:
    rules = {rule.id: rule for rule in deadlines.load_rules()}
    old, new = rules["JS-INITIAL-INTERVIEW-10WD"], rules["JS-INITIAL-INTERVIEW-5WD"]
    assert old.effective_to == date(2022, 5, 1) and new.effective_from == date(2022, 5, 2)
    assert (new.limit, new.unit) == (5, "working_days")


def test_a_broken_rules_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text('[[rule]]\nid = "X"\nunit = "fortnights"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="not a valid rules file"):
        deadlines.load_rules(bad)
    with pytest.raises(UsageError, match="cannot read the rules file"):
        deadlines.load_rules(tmp_path / "missing.toml")
