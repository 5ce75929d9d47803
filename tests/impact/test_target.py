"""The jobs target and the TOL 2008 → focus-sector mapping."""

from __future__ import annotations

from datetime import date

import pytest

from sujuva.errors import UsageError
from sujuva.impact.target import SectorTarget, Target, make_target, source_target
from sujuva.impact.tol import DEFAULT_SECTORS, normalise_tol_code, sector_map

START, HORIZON = date(2017, 2, 17), date(2020, 12, 31)


def test_source_target_1000_jobs_is_1_7_percent_of_about_58800() -> None:
    target = source_target(start=START, horizon=HORIZON)
    assert target.jobs == 1000 and target.share == 0.017
    assert target.baseline_jobs == pytest.approx(58_823.5, abs=0.1)
    assert target.sector_names == ("bioeconomy", "technology industry", "wellbeing", "other")


def test_any_two_of_jobs_share_baseline_give_the_third() -> None:
    by_share = make_target(start=START, horizon=HORIZON, share=0.017, baseline_jobs=58_800)
    assert by_share.jobs == pytest.approx(999.6)
    by_jobs = make_target(start=START, horizon=HORIZON, jobs=1000, baseline_jobs=58_800)
    assert by_jobs.share == pytest.approx(0.017007, abs=1e-6)
    all_three = make_target(
        start=START, horizon=HORIZON, jobs=1000, share=0.017, baseline_jobs=58_800
    )
    assert all_three.jobs == 1000
    only_jobs = make_target(start=START, horizon=HORIZON, jobs=1000)
    assert only_jobs.share is None and only_jobs.baseline_jobs is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "needs jobs, or a share and a baseline"),
        ({"share": 0.017}, "missing jobs, baseline_jobs"),
        ({"jobs": 1000, "share": 1.7}, "share is a fraction"),
        ({"jobs": 1000, "share": 0.017, "baseline_jobs": 70_000}, "is not 1.70% of 70000"),
        ({"jobs": 0}, "jobs > 0"),
        ({"jobs": 10, "baseline_jobs": 0}, "baseline job count must be > 0"),
        ({"jobs": 10, "horizon": START}, "must come after its start"),
        (
            {"jobs": 10, "sectors": (SectorTarget("a", ("02",), 8), SectorTarget("b", (), 5))},
            "sub-targets add up to 13, more than the target of 10",
        ),
    ],
)
def test_bad_targets(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"start": START, "horizon": HORIZON, **kwargs}
    with pytest.raises(UsageError) as error:
        make_target(**arguments)  # type: ignore[arg-type]
    assert message in error.value.message


def test_target_is_frozen() -> None:
    target = source_target(start=START, horizon=HORIZON)
    with pytest.raises(AttributeError):
        target.jobs = 5  # type: ignore[misc]
    assert isinstance(target, Target)


@pytest.mark.parametrize(
    ("code", "digits", "sector"),
    [
        ("02", "02", "bioeconomy"),
        ("A02", "02", "bioeconomy"),
        ("16.10", "1610", "bioeconomy"),
        ("17", "17", "bioeconomy"),
        ("D 35.11", "3511", "bioeconomy"),
        ("C25", "25", "technology industry"),
        ("28.92", "2892", "technology industry"),
        ("26110", "26110", "technology industry"),
        ("q86", "86", "wellbeing"),
        ("88.1", "881", "wellbeing"),
        ("62", "62", "other"),
        ("47", "47", "other"),
    ],
)
def test_default_mapping(code: str, digits: str, sector: str) -> None:
    assert normalise_tol_code(code) == digits
    assert sector_map(DEFAULT_SECTORS).sector_of(code) == sector


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("2", "1 digit"),
        ("34", "division 34 does not exist"),
        ("C86", "belongs to section Q, not C"),
        ("C", "not a TOL 2008 code"),
        ("abc", "not a TOL 2008 code"),
        ("251100", "at most 5"),
    ],
)
def test_unknown_codes(code: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        normalise_tol_code(code)


def test_the_mapping_can_be_overridden_longest_prefix_wins() -> None:
    sectors = (
        SectorTarget("bioenergy", ("3511", "3530"), 50),
        SectorTarget("ict", ("J", "26"), 100),
        SectorTarget("rest"),
    )
    mapping = sector_map(sectors)
    assert mapping.sector_of("35.11") == "bioenergy"
    assert mapping.sector_of("35.12") == "rest"
    assert mapping.sector_of("62.01") == "ict"  # section J expanded to divisions 58–63
    make_target(start=START, horizon=HORIZON, jobs=1000, sectors=sectors)


@pytest.mark.parametrize(
    ("sectors", "message"),
    [
        ((SectorTarget("a", ("25",)), SectorTarget("b", ("25",))), "listed for both 'a' and 'b'"),
        ((SectorTarget("a"), SectorTarget("b")), "only one sector may take the codes"),
        ((SectorTarget("a", ("25",)), SectorTarget("a", ("26",))), "must be unique"),
        ((SectorTarget("a", ("40",)),), "division 40 does not exist"),
    ],
)
def test_bad_mappings(sectors: tuple[SectorTarget, ...], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        sector_map(sectors)


def test_without_a_catch_all_an_unmapped_code_is_an_error() -> None:
    with pytest.raises(UsageError, match="belongs to no focus sector"):
        sector_map((SectorTarget("tech", ("25",)),)).sector_of("47")
