"""The verdict reads as plain Finnish and English, names the outcome and never overclaims."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sujuva.stats.results import Estimate
from sujuva.stats.wording import Facts, compose, magnitude_range, num, signed_range

CLAIM = Facts(
    outcome=("Business-idea counselling", "Start-up grant decision"),
    alpha=0.05,
    kind="shorter",
    strength="strong",
    measure="median_difference",
    estimate=Estimate(value=-18.2, low=-27.4, high=-9.1),
    horizon=400.0,
    mde_days=12.0,
    min_effect_days=None,
    power_for_min_effect=None,
    reason=None,
    caveats=("not_randomised",),
    imbalanced=(),
    adjusted=None,
    competing_share=0.0,
    competing_names=(),
    did=None,
    did_days=None,
    pre_gap=None,
    did_significant=False,
)


def test_claim_in_english_and_finnish() -> None:
    text = compose(CLAIM)
    assert text["en"] == (
        "The path from Business-idea counselling to Start-up grant decision shortened by 18 days "
        "(median; 95 % CI 9.1–27): strong evidence. Not randomised: the groups may differ in ways "
        "the data do not show."
    )
    assert text["fi"] == (
        "Polku vaiheesta ”Business-idea counselling” vaiheeseen ”Start-up grant decision” lyheni "
        "18 päivää (mediaani; 95 %:n luottamusväli 9,1–27): vahva näyttö. Ryhmiä ei ole "
        "satunnaistettu: ne voivat erota tavoilla, jotka eivät näy aineistosta."
    )


def test_no_change_says_what_could_have_been_seen() -> None:
    facts = replace(
        CLAIM,
        kind="no_detectable_change",
        strength=None,
        estimate=Estimate(value=-3.0, low=-12.0, high=6.0),
        mde_days=30.4,
        min_effect_days=14.0,
        power_for_min_effect=0.31,
    )
    text = compose(facts)
    assert (
        "no detectable change; with these group sizes only a change of more than 30 days "
        in (text["en"])
    )
    assert "(median difference −3 days, 95 % CI −12 to +6)" in text["en"]
    assert "A change of 14 days would have been seen with probability 31 %." in text["en"]
    assert (
        "muutosta ei havaittu; näillä ryhmäkoilla vain yli 30 päivän muutos olisi voitu "
        in (text["fi"])
    )
    assert "(mediaanien ero −3 päivää, 95 %:n luottamusväli −12…+6)" in text["fi"]
    assert "14 päivän muutos olisi havaittu 31 %:n todennäköisyydellä." in text["fi"]
    for words in ("shortened", "lengthened", "evidence"):
        assert words not in text["en"]


def test_cannot_tell_gives_the_reason_and_the_restricted_means() -> None:
    facts = replace(
        CLAIM,
        kind="cannot_tell",
        strength=None,
        measure="rmst_difference",
        estimate=Estimate(value=-6.4, low=-15.0, high=2.5),
        reason=("median_not_reached", "pilot", 0),
    )
    text = compose(facts)
    assert (
        "the data cannot tell whether it changed, because fewer than half of the pilot "
        in (text["en"])
    )
    assert "Within the first 400 days" in text["en"]
    assert "by −6.4 days (95 % CI −15 to +2.5)" in text["en"]
    assert (
        "aineistosta ei voi päätellä, muuttuiko se, koska kokeiluryhmästä alle puolet"
        in (text["fi"])
    )
    assert "Ensimmäisten 400 päivän aikana" in text["fi"]


@pytest.mark.parametrize(
    ("reason", "en", "fi"),
    [
        (
            ("few_cases", "pilot", 8),
            "the pilot group has only 8 cases",
            "kokeiluryhmässä on vain 8",
        ),
        (
            ("few_events", "comparison", 1),
            "only 1 case in the comparison group reached Start-up grant decision",
            "vertailuryhmässä vain 1 tapaus on päätynyt",
        ),
    ],
)
def test_cannot_tell_reasons(reason: tuple[str, str, int], en: str, fi: str) -> None:
    text = compose(replace(CLAIM, kind="cannot_tell", strength=None, reason=reason))
    assert en in text["en"]
    assert fi in text["fi"]
    assert "The medians differ by −18 days" in text["en"]


def test_caveats_are_worded_in_both_languages() -> None:
    facts = replace(
        CLAIM,
        strength="weak",
        caveats=(
            "not_randomised",
            "imbalance",
            "few_events",
            "many_open",
            "ph_violated",
            "pre_trends_differ",
            "already_different_before",
            "competing_outcomes",
        ),
        imbalanced=("age_band",),
        adjusted=Estimate(value=-20.0, low=-31.0, high=-8.0),
        competing_share=0.153,
        competing_names=("left the path",),
        did=Estimate(value=1.02, low=0.85, high=1.22),
        did_days=Estimate(value=1.5, low=-9.0, high=12.0),
        pre_gap=Estimate(value=-19.0, low=-28.0, high=-10.0),
    )
    text = compose(facts)
    assert text["en"].startswith("The path from Business-idea counselling")
    assert (
        "weak evidence. The pilot group was already faster before the pilot (by 19 days"
        in (text["en"])
    )
    assert "So there is no clear change." in text["en"]
    assert (
        "The groups differ in age_band; weighted to be alike, the medians differ by −20"
        in (text["en"])
    )
    assert "15 % of the paths ended another way first (left the path)" in text["en"]
    assert "Kokeiluryhmä oli nopeampi jo ennen kokeilua (19 päivää" in text["fi"]
    assert "riskisuhde 1,02, 0,85–1,22" in text["fi"]
    assert "Selvää muutosta ei siis näy." in text["fi"]
    for sentence in text["en"].split(". "):
        assert sentence.strip()
    assert text["en"].count("Not randomised") == 1


def test_numbers_for_reading() -> None:
    assert num(18.4, "en") == "18"
    assert num(4.25, "fi") == "4,2"
    assert num(3.0, "en", signed=True) == "+3"
    assert num(-0.04, "en", signed=True) == "0"
    assert num(-12.0, "fi") == "−12"
    assert num(float("inf"), "en") == "∞"
    assert magnitude_range(Estimate(-18.0, -27.0, -9.0), "en") == "9–27"
    assert magnitude_range(Estimate(18.0, 9.0, float("inf")), "en") == "9–∞"
    assert signed_range(Estimate(-3.0, -12.0, 6.0), "fi") == "−12…+6"


def test_weighting_that_changes_the_answer_cannot_tell() -> None:
    facts = replace(
        CLAIM,
        kind="cannot_tell",
        strength=None,
        estimate=Estimate(value=-4.0, low=-13.0, high=5.0),
        reason=("imbalance_unresolved", "", 0),
        caveats=("not_randomised", "imbalance"),
        imbalanced=("age_band",),
        adjusted=Estimate(value=-18.0, low=-29.0, high=-7.0),
    )
    text = compose(facts)
    assert (
        "because the groups differ in age_band, and weighting them to be alike changes the "
        in (text["en"])
    )
    assert "(the medians then differ by −18 days, 95 % CI −29 to −7)" in text["en"]
    assert "The medians differ by −4 days (95 % CI −13 to +5)." in text["en"]
    assert text["en"].count("age_band") == 1  # the imbalance caveat is not repeated
    assert "ja kun ryhmät painotetaan samankaltaisiksi, tulos muuttuu" in text["fi"]
