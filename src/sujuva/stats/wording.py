"""The verdict in plain Finnish and English.

Rules the sentences keep: name the outcome the conclusion rests on (from step, to step); give
the number with its confidence interval; say how strong the evidence is and never more; say
what the data cannot show. Step names are quoted in Finnish ("vaiheesta ”X” vaiheeseen ”Y”")
so that they need no case endings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sujuva.stats.results import Estimate

STRENGTH = {
    "en": {"strong": "strong", "moderate": "moderate", "weak": "weak"},
    "fi": {"strong": "vahva", "moderate": "kohtalainen", "weak": "heikko"},
}
GROUP = {
    "en": {"pilot": "the pilot group", "comparison": "the comparison group"},
    "fi": {"pilot": "kokeiluryhmässä", "comparison": "vertailuryhmässä"},
}
GROUP_FROM = {"pilot": "kokeiluryhmästä", "comparison": "vertailuryhmästä"}
ORDER = (
    "already_different_before",
    "pre_trends_differ",
    "imbalance",
    "not_randomised",
    "few_events",
    "many_open",
    "competing_outcomes",
    "ph_violated",
)


@dataclass(frozen=True)
class Facts:
    """What the sentences need. ``reason`` (cannot_tell only) is (code, group, count) with code
    few_cases, few_events, median_not_reached or imbalance_unresolved (group may be "both")."""

    outcome: tuple[str, str]
    alpha: float
    kind: str
    strength: str | None
    measure: str
    estimate: Estimate
    horizon: float
    mde_days: float | None
    min_effect_days: float | None
    power_for_min_effect: float | None
    reason: tuple[str, str, int] | None
    caveats: tuple[str, ...]
    imbalanced: tuple[str, ...]
    adjusted: Estimate | None
    competing_share: float
    competing_names: tuple[str, ...]
    did: Estimate | None
    did_days: Estimate | None
    pre_gap: Estimate | None
    did_significant: bool


def compose(facts: Facts) -> dict[str, str]:
    """The verdict text in both languages: main sentence, power, then the caveats."""
    return {lang: " ".join(_sentences(facts, lang)) for lang in ("fi", "en")}


def _sentences(facts: Facts, lang: str) -> list[str]:
    if facts.kind in ("shorter", "longer"):
        out = [_claim(facts, lang)]
    elif facts.kind == "no_detectable_change":
        out = [_no_change(facts, lang), *_power(facts, lang)]
    else:
        out = [_cannot_tell(facts, lang), _numbers(facts, lang)]
    skip = "imbalance" if facts.reason and facts.reason[0] == "imbalance_unresolved" else ""
    out += [_caveat(code, facts, lang) for code in ORDER if code in facts.caveats and code != skip]
    return [s for s in out if s]


def _path(facts: Facts, lang: str) -> str:
    start, end = facts.outcome
    if lang == "fi":
        return f"Polku vaiheesta ”{start}” vaiheeseen ”{end}”"
    return f"The path from {start} to {end}"


def _claim(facts: Facts, lang: str) -> str:
    est, level = facts.estimate, _level(facts.alpha, lang)
    size, span = num(abs(est.value), lang), magnitude_range(est, lang)
    strength = STRENGTH[lang][facts.strength or "weak"]
    if lang == "fi":
        verb = "lyheni" if facts.kind == "shorter" else "piteni"
        return (
            f"{_path(facts, lang)} {verb} {size} {_days_fi(size)} (mediaani; {level} "
            f"{span}): {strength} näyttö."
        )
    verb = "shortened" if facts.kind == "shorter" else "lengthened"
    return (
        f"{_path(facts, lang)} {verb} by {size} {_days_en(size)} (median; {level} {span}): "
        f"{strength} evidence."
    )


def _no_change(facts: Facts, lang: str) -> str:
    est, level = facts.estimate, _level(facts.alpha, lang)
    value, span = num(est.value, lang, signed=True), signed_range(est, lang)
    if facts.mde_days is None:
        tail = {
            "fi": ", eivätkä ryhmät ole niin suuria, että suurtakaan muutosta olisi voitu havaita",
            "en": ", and these groups are too small to have shown even a large one",
        }[lang]
    elif lang == "fi":
        mde = num(facts.mde_days, lang)
        tail = f"; näillä ryhmäkoilla vain yli {mde} päivän muutos olisi voitu havaita"
    else:
        mde = num(facts.mde_days, lang)
        tail = (
            f"; with these group sizes only a change of more than {mde} days could have been seen"
        )
    if lang == "fi":
        numbers = f"(mediaanien ero {value} päivää, {level} {span})"
        return f"{_path(facts, lang)}: muutosta ei havaittu{tail} {numbers}."
    numbers = f"(median difference {value} days, {level} {span})"
    return f"{_path(facts, lang)}: no detectable change{tail} {numbers}."


def _power(facts: Facts, lang: str) -> list[str]:
    if facts.min_effect_days is None or facts.power_for_min_effect is None:
        return []
    days, share = num(facts.min_effect_days, lang), f"{100 * facts.power_for_min_effect:.0f}"
    if lang == "fi":
        return [f"{days} päivän muutos olisi havaittu {share} %:n todennäköisyydellä."]
    return [f"A change of {days} days would have been seen with probability {share} %."]


def _cannot_tell(facts: Facts, lang: str) -> str:
    because = _reason(facts, lang)
    if lang == "fi":
        return f"{_path(facts, lang)}: aineistosta ei voi päätellä, muuttuiko se, koska {because}."
    return f"{_path(facts, lang)}: the data cannot tell whether it changed, because {because}."


def _reason(facts: Facts, lang: str) -> str:
    code, group, count = facts.reason or ("", "", 0)
    end = facts.outcome[1]
    if code == "few_cases":
        if lang == "fi":
            return (
                f"{GROUP['fi'][group]} on vain {count} {_cases_fi(count)} (vähintään 10 tarvitaan)"
            )
        cases = f"{count} case{'s' * (count != 1)}"
        return f"{GROUP['en'][group]} has only {cases} (at least 10 are needed)"
    if code == "few_events":
        if lang == "fi":
            return (
                f"{GROUP['fi'][group]} vain {count} {_cases_fi(count)} on päätynyt "
                f"vaiheeseen ”{end}” (vähintään 5 tarvitaan)"
            )
        cases = f"{count} case{'s' * (count != 1)}"
        return f"only {cases} in {GROUP['en'][group]} reached {end} (at least 5 are needed)"
    if code == "median_not_reached":
        if lang == "fi":
            who = "kummassakin ryhmässä" if group == "both" else GROUP_FROM[group]
            return (
                f"{who} alle puolet on vielä päätynyt vaiheeseen ”{end}”, "
                "joten mediaaniaikaa ei tiedetä"
            )
        who = "each group" if group == "both" else GROUP["en"][group]
        return f"fewer than half of {who} have reached {end} yet, so the median time is not known"
    adjusted = facts.adjusted or facts.estimate
    value, span = num(adjusted.value, lang, signed=True), signed_range(adjusted, lang)
    covs, level = ", ".join(facts.imbalanced), _level(facts.alpha, lang)
    if lang == "fi":
        return (
            f"ryhmien taustat eroavat ({covs}), ja kun ryhmät painotetaan samankaltaisiksi, "
            f"tulos muuttuu (mediaanien ero {value} päivää, {level} {span})"
        )
    return (
        f"the groups differ in {covs}, and weighting them to be alike changes the answer "
        f"(the medians then differ by {value} days, {level} {span})"
    )


def _numbers(facts: Facts, lang: str) -> str:
    est, level = facts.estimate, _level(facts.alpha, lang)
    if not math.isfinite(est.value):
        return ""
    value, span = num(est.value, lang, signed=True), signed_range(est, lang)
    if facts.measure == "median_difference":
        if lang == "fi":
            return f"Mediaanien ero on {value} päivää ({level} {span})."
        return f"The medians differ by {value} days ({level} {span})."
    horizon = num(facts.horizon, lang)
    if lang == "fi":
        return (
            f"Ensimmäisten {horizon} päivän aikana kokeiluryhmän keskimääräinen aika polulla erosi "
            f"vertailuryhmän ajasta {value} päivää ({level} {span})."
        )
    return (
        f"Within the first {horizon} days, the pilot group's average time on the path differed "
        f"from the comparison group's by {value} days ({level} {span})."
    )


def _caveat(code: str, facts: Facts, lang: str) -> str:
    end = facts.outcome[1]
    if code == "imbalance":
        return _imbalance(facts, lang)
    if code == "already_different_before":
        return _already_different(facts, lang)
    if code == "competing_outcomes":
        share, names = f"{100 * facts.competing_share:.0f}", ", ".join(facts.competing_names)
        if lang == "fi":
            return (
                f"{share} % poluista päättyi ensin muuten ({names}); mediaaniajat käsittelevät "
                f"niitä ikään kuin ne voisivat vielä päätyä vaiheeseen ”{end}”, joten lue ne "
                "yhdessä kumulatiivisen ilmaantuvuuden kanssa."
            )
        return (
            f"{share} % of the paths ended another way first ({names}); the median times treat "
            f"them as if they could still reach {end}, so read them with the cumulative incidence."
        )
    return FIXED[lang].get(code, "")


def _already_different(facts: Facts, lang: str) -> str:
    """The pre-period gap and the change beyond it (difference-in-differences)."""
    if facts.did is None or facts.did_days is None or facts.pre_gap is None:
        return ""
    level, gap, did = _level(facts.alpha, lang), facts.pre_gap, facts.did_days
    size, change = num(abs(gap.value), lang), num(did.value, lang, signed=True)
    ratio = (
        f"{num2(facts.did.value, lang)}, {num2(facts.did.low, lang)}–{num2(facts.did.high, lang)}"
    )
    faster = gap.value < 0
    if lang == "fi":
        text = (
            f"Kokeiluryhmä oli {'nopeampi' if faster else 'hitaampi'} jo ennen kokeilua "
            f"({size} päivää, {level} {magnitude_range(gap, lang)}). Kun tämä otetaan huomioon "
            f"(erotusten erotus), muutos on {change} päivää ({level} {signed_range(did, lang)}; "
            f"riskisuhde {ratio})."
        )
        return text if facts.did_significant else text + " Selvää muutosta ei siis näy."
    text = (
        f"The pilot group was already {'faster' if faster else 'slower'} before the pilot "
        f"(by {size} days, {level} {magnitude_range(gap, lang)}). Allowing for that "
        f"(difference-in-differences), the change is {change} days "
        f"({level} {signed_range(did, lang)}; hazard ratio {ratio})."
    )
    return text if facts.did_significant else text + " So there is no clear change."


def _imbalance(facts: Facts, lang: str) -> str:
    covs = ", ".join(facts.imbalanced)
    if facts.adjusted is None:
        return ""
    value = num(facts.adjusted.value, lang, signed=True)
    span, level = signed_range(facts.adjusted, lang), _level(facts.alpha, lang)
    if lang == "fi":
        return (
            f"Ryhmien taustat eroavat ({covs}); kun ryhmät painotetaan samankaltaisiksi, "
            f"mediaanien ero on {value} päivää ({level} {span})."
        )
    return (
        f"The groups differ in {covs}; weighted to be alike, the medians differ by {value} "
        f"days ({level} {span})."
    )


FIXED = {
    "en": {
        "not_randomised": "Not randomised: the groups may differ in ways the data do not show.",
        "few_events": (
            "Fewer than 20 cases in a group reached the outcome, so the figures are rough."
        ),
        "many_open": (
            "Over 30 % of a group's cases are still open; the figures may change as they close."
        ),
        "ph_violated": (
            "The gap between the groups is not the same throughout (the proportional-hazards "
            "check fails), so the hazard ratio is only an average; the medians are the better "
            "guide."
        ),
        "pre_trends_differ": (
            "Before the pilot the groups were already developing differently, so part of the "
            "difference may not be due to the pilot."
        ),
    },
    "fi": {
        "not_randomised": (
            "Ryhmiä ei ole satunnaistettu: ne voivat erota tavoilla, jotka eivät näy aineistosta."
        ),
        "few_events": (
            "Jossakin ryhmässä alle 20 tapausta on päätynyt lopputulokseen, joten luvut ovat "
            "karkeita."
        ),
        "many_open": (
            "Jossakin ryhmässä yli 30 % tapauksista on vielä kesken; luvut voivat muuttua, kun "
            "ne päättyvät."
        ),
        "ph_violated": (
            "Ryhmien ero ei pysy samana koko ajan (suhteellisten vaarojen oletus ei päde), joten "
            "riskisuhde on vain keskiarvo; mediaanit kuvaavat eroa paremmin."
        ),
        "pre_trends_differ": (
            "Ryhmien kehitys erosi jo ennen kokeilua, joten osa erosta ei välttämättä johdu "
            "kokeilusta."
        ),
    },
}


def num(value: float, lang: str, *, signed: bool = False) -> str:
    """Days for reading: whole days from 10 up, one decimal below; Finnish decimal comma."""
    if math.isinf(value):
        return ("−" if value < 0 else "+" if signed else "") + "∞"
    text = f"{value:.0f}" if abs(value) >= 10 else f"{value:.1f}".removesuffix(".0")
    if text in ("-0", "-0.0"):
        text = "0"
    if signed and not text.startswith("-") and text != "0":
        text = "+" + text
    text = text.replace("-", "−")
    return text.replace(".", ",") if lang == "fi" else text


def num2(value: float, lang: str) -> str:
    """A ratio with two decimals."""
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "fi" else text


def magnitude_range(est: Estimate, lang: str) -> str:
    """A CI on one side of zero as sizes, smaller first: (−27, −9) → "9–27"."""
    low, high = sorted((abs(est.low), abs(est.high)))
    return f"{num(low, lang)}–{num(high, lang)}"


def signed_range(est: Estimate, lang: str) -> str:
    """A CI that may straddle zero: "−12 to +6" / "−12…+6"."""
    low, high = num(est.low, lang, signed=True), num(est.high, lang, signed=True)
    return f"{low}…{high}" if lang == "fi" else f"{low} to {high}"


def _level(alpha: float, lang: str) -> str:
    level = f"{100 * (1 - alpha):.0f}"
    return f"{level} %:n luottamusväli" if lang == "fi" else f"{level} % CI"


def _days_fi(size: str) -> str:
    return "päivän" if size == "1" else "päivää"


def _days_en(size: str) -> str:
    return "day" if size == "1" else "days"


def _cases_fi(count: int) -> str:
    return "tapaus" if count == 1 else "tapausta"
