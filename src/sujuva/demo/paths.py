"""The four customer paths of the demo region, simulated case-vectorised.

Each function walks one path's steps in order (a loop over steps, never over cases). The
injected phenomena are defined here: one bottleneck per path (a wait much longer than any other),
the entrepreneur path's rework loop, the duplicate-contact steps, the share of late initial
interviews and the effective pilot (an exact shift); :mod:`sujuva.demo.truth` measures them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Final

import numpy as np

from sujuva.demo.cases import EDUCATIONS, MUNI, PIELINEN, Population
from sujuva.demo.catalogue import (
    ENTREPRENEUR,
    GRADUATE,
    IN_PERSON,
    JOB_SEARCH,
    ONLINE,
    OUTCOME,
    WORK_TO_WORK,
)
from sujuva.demo.flow import Bools, Codes, PathBuilder, Timeline
from sujuva.demo.timekeeping import DAY, I64, date_days, office_time_of_day, online_time_of_day

# --- the injected phenomena (reported in the ground truth) ------------------------------------

#: The injected bottleneck of every path: (from activity, to activity).
BOTTLENECKS: Final = {
    ENTREPRENEUR: ("Enterprise agency statement", "Start-up grant decision"),
    GRADUATE: ("Initial interview", "Youth-guarantee offer"),
    JOB_SEARCH: ("Job-search discussion", "Intensive period discussion"),
    WORK_TO_WORK: ("Registration as job seeker", "Employment plan"),
}
REWORK_PROBABILITY: Final = 0.20
#: Probability that the closing event has exactly the previous event's timestamp.
TIE_PROBABILITY: Final = 0.012
#: Probability that a job seeker's initial interview is planned after the 10-working-day limit.
LATE_INTERVIEW_PROBABILITY: Final = 0.17
ONE_STOP_START: Final = dt.date(2017, 6, 1)
ONE_STOP_EFFECT_DAYS: Final = 21
GROUP_GUIDANCE_START: Final = dt.date(2017, 9, 1)
JOB_SEARCH_DISCUSSIONS: Final = 6

# Outcome probabilities in the order of catalogue.OUTCOMES: open_market_job, subsidised_job,
# training, entrepreneur, further_studies, left_labour_force.
ENT_DROPOUT: Final = (0.50, 0.05, 0.10, 0.0, 0.15, 0.20)
ENT_REJECTED: Final = (0.45, 0.15, 0.10, 0.0, 0.05, 0.25)
GRADUATE_OUTCOMES: Final = (0.35, 0.15, 0.15, 0.07, 0.20, 0.08)
JOB_SEARCH_EARLY: Final = (0.55, 0.08, 0.12, 0.05, 0.05, 0.15)
JOB_SEARCH_LATE: Final = (0.30, 0.25, 0.20, 0.03, 0.02, 0.20)
WORK_TO_WORK_OUTCOMES: Final = (0.55, 0.10, 0.12, 0.05, 0.0, 0.18)


# Channel probabilities (in person, phone, online, letter).
MEETING: Final = (0.7, 0.15, 0.15, 0.0)
COUNSELLING: Final = (0.6, 0.1, 0.3, 0.0)
FOLLOW_UP: Final = (0.5, 0.4, 0.1, 0.0)
INTERVIEW: Final = (0.5, 0.4, 0.1, 0.0)
DISCUSSION: Final = (0.25, 0.6, 0.15, 0.0)
INTENSIVE: Final = (0.6, 0.4, 0.0, 0.0)
FACE_TO_FACE: Final = (1.0, 0.0, 0.0, 0.0)
APPLICATION: Final = (0.0, 0.0, 0.85, 0.15)
DOCUMENT: Final = (0.0, 0.0, 0.7, 0.3)
DECISION: Final = (0.0, 0.0, 0.4, 0.6)
REQUEST: Final = (0.0, 0.1, 0.4, 0.5)
NOTICE: Final = (0.0, 0.3, 0.7, 0.0)
WEB: Final = (0.0, 0.0, 1.0, 0.0)
MOSTLY_WEB: Final = (0.1, 0.0, 0.9, 0.0)
SURVEY: Final = (0.2, 0.3, 0.5, 0.0)
TRAINING: Final = (0.8, 0.0, 0.2, 0.0)
MUNICIPAL: Final = (0.7, 0.3, 0.0, 0.0)
OFFER: Final = (0.0, 0.3, 0.4, 0.3)
STATEMENT_OF_STUDIES: Final = (0.4, 0.0, 0.6, 0.0)
TE: Final = "TE Office"


def _first_start(pop: Population, rng: np.random.Generator, online: Bools | None = None) -> I64:
    """Local start instants of the first step, on each case's start date."""
    office = office_time_of_day(rng, pop.size)
    tod = office if online is None else np.where(online, online_time_of_day(rng, pop.size), office)
    return pop.start_day * DAY + tod


def simulate_entrepreneur(pop: Population, rng: np.random.Generator) -> Timeline:
    """Idea → plan → grant application → statement (→ plan again) → decision → register → …"""
    b = PathBuilder(ENTREPRENEUR, pop.size, rng)
    agency = b.orgs({"Enterprise Agency": 0.7, "Josek": 0.3})
    first = _first_start(pop, rng)
    b.step("Business-idea counselling", first, actor=agency, channel=MEETING, touch=(75, 0.35))
    plan = b.after(14, 0.5)
    b.step(
        "Business plan and calculations", plan, actor=agency, channel=COUNSELLING, touch=(90, 0.4)
    )
    b.end_here(b.chance(0.12), b.choose(ENT_DROPOUT))
    apply = b.after(10, 0.6, online=True)
    b.step("Start-up grant application", apply, actor=TE, channel=APPLICATION, staffed=False)
    request = b.chance(0.25)
    b.step(
        "Supplementary information request",
        b.after(5, 0.5),
        actor=TE,
        channel=REQUEST,
        present=request,
    )
    _entrepreneur_statement(b, pop, agency)
    b.step("Start-up grant decision", b.after(70, 0.7), actor=TE, channel=DECISION)
    b.end_here(b.chance(0.10), b.choose(ENT_REJECTED))
    _entrepreneur_business(b, agency)
    return b.build()


def _entrepreneur_statement(b: PathBuilder, pop: Population, agency: Codes) -> None:
    """The statement, the pilot's shortened wait before it and the rework loop after it."""
    pilot = (pop.municipality == MUNI["Joensuu"]) & (pop.start_day >= date_days(ONE_STOP_START))
    b.begin_shift(np.where(pilot, ONE_STOP_EFFECT_DAYS * DAY, 0))
    channel = b.channel(*DOCUMENT)
    statement = b.after(6, 0.5, extra_days=ONE_STOP_EFFECT_DAYS)
    b.step("Enterprise agency statement", statement, actor="Enterprise Agency", channel=channel)
    rework = b.chance(REWORK_PROBABILITY)
    b.step(
        "Business plan and calculations",
        b.after(8, 0.5),
        actor=agency,
        channel=COUNSELLING,
        present=rework,
        touch=(60, 0.4),
    )
    b.step(
        "Enterprise agency statement",
        b.after(6, 0.5),
        actor="Enterprise Agency",
        channel=channel,
        present=rework,
    )


def _entrepreneur_business(b: PathBuilder, agency: Codes) -> None:
    """Registration, follow-up and (for some) growth services and the first employee."""
    register = b.after(9, 0.6, online=True)
    b.step("Trade register registration", register, actor="PRH", channel=APPLICATION, staffed=False)
    follow = b.after(30, 0.5)
    b.step("First-year follow-up", follow, actor=agency, channel=FOLLOW_UP, touch=(60, 0.4))
    growth = b.chance(0.35)
    b.step(
        "Growth services",
        b.after(30, 0.8),
        actor={"ELY Centre": 0.6, "Finnvera": 0.4},
        channel=MEETING,
        present=growth,
        touch=(90, 0.4),
    )
    hire = growth & b.chance(0.5)
    b.step("First employee hired", b.after(35, 1.0), actor="Employer", present=hire, staffed=False)
    b.end_here(np.ones(b.n, dtype=np.bool_), np.full(b.n, OUTCOME["entrepreneur"], np.int8))


def _career_services(pop: Population, b: PathBuilder) -> Codes:
    """The school giving career guidance, by level of education."""
    edu = pop.education
    bachelor_school = b.orgs({"Karelia UAS": 0.8, "UEF": 0.2})
    return np.where(
        edu == EDUCATIONS.index("master"),
        b.org("UEF"),
        np.where(edu == EDUCATIONS.index("bachelor"), bachelor_school, b.org("Riveria")),
    ).astype(np.int16)


def simulate_graduate(pop: Population, rng: np.random.Generator) -> Timeline:
    """Career guidance → registration (→ statement of studies) → interview → offer → end."""
    b = PathBuilder(GRADUATE, pop.size, rng)
    school = _career_services(pop, b)
    first = _first_start(pop, rng)
    b.step("Career guidance", first, actor=school, channel=COUNSELLING, touch=(60, 0.4))
    register = b.after(21, 0.6, online=True)
    b.step("Registration as job seeker", register, actor=TE, channel=WEB, staffed=False)
    b.step(
        "Statement of completed studies",
        b.after(5, 0.5),
        actor=school,
        channel=STATEMENT_OF_STUDIES,
        present=b.chance(0.2),
        touch=(20, 0.4),
    )
    b.step("Initial interview", b.after(8, 0.5), actor=TE, channel=INTERVIEW, touch=(45, 0.3))
    b.step("Youth-guarantee offer", b.after(55, 0.7), actor=TE, channel=OFFER)
    outcome = b.choose(GRADUATE_OUTCOMES)
    tie = b.chance(TIE_PROBABILITY)
    b.close("Job search ended", b.after(21, 1.0), outcome, actor=TE, channel=NOTICE, tie=tie)
    return b.build()


def simulate_job_search(pop: Population, rng: np.random.Generator) -> Timeline:
    """Registration → initial interview (→ municipal interview) → discussions every 2 weeks for
    3 months → intensive period → end; many find work along the way."""
    b = PathBuilder(JOB_SEARCH, pop.size, rng)
    online = b.chance(0.75)
    channel = np.where(online, ONLINE, IN_PERSON).astype(np.int8)
    first = _first_start(pop, rng, online)
    b.step("Registration as job seeker", first, actor=TE, channel=channel, staffed=False)
    late = b.chance(LATE_INTERVIEW_PROBABILITY)
    working_days = np.where(late, rng.integers(11, 31, pop.size), rng.integers(1, 11, pop.size))
    interview = b.after_working_days(working_days)
    b.step("Initial interview", interview, actor=TE, channel=INTERVIEW, touch=(45, 0.3))
    b.stop(b.chance(0.05))
    _job_search_services(b, pop)
    long_term = b.active.copy()
    b.step(
        "Intensive period discussion",
        b.after(160, 0.55),
        actor=TE,
        channel=INTENSIVE,
        touch=(45, 0.3),
    )
    b.step(
        "Intensive period discussion",
        b.after(14, 0.2),
        actor=TE,
        channel=INTENSIVE,
        touch=(45, 0.3),
    )
    b.step(
        "Peer-support group",
        b.after(10, 0.5),
        actor="Unemployed Association",
        channel=FACE_TO_FACE,
        present=b.chance(0.2),
        touch=(90, 0.4),
    )
    outcome = np.where(long_term, b.choose(JOB_SEARCH_LATE), b.choose(JOB_SEARCH_EARLY))
    end = np.where(long_term, b.after(30, 1.0), b.after(14, 1.0))
    b.close(
        "Job search ended",
        end,
        outcome.astype(np.int8),
        actor=TE,
        channel=NOTICE,
        tie=b.chance(TIE_PROBABILITY),
    )
    return b.build()


def _job_search_services(b: PathBuilder, pop: Population) -> None:
    """The municipal interview (duplicate contact) and the two-weekly job-search discussions."""
    pielinen = np.isin(pop.municipality, PIELINEN)
    municipality = np.where(pielinen, b.org("Lieksa"), b.org("Joensuu")).astype(np.int16)
    b.step(
        "Municipal interview",
        b.after(12, 0.5),
        actor=municipality,
        channel=MUNICIPAL,
        present=b.chance(0.3),
        touch=(50, 0.4),
    )
    for number in range(JOB_SEARCH_DISCUSSIONS):
        start = b.after(10, 0.4) if number == 0 else b.after(14, 0.15)
        b.step("Job-search discussion", start, actor=TE, channel=DISCUSSION, touch=(30, 0.3))
        b.stop(b.chance(0.06))


def simulate_work_to_work(pop: Population, rng: np.random.Generator) -> Timeline:
    """Notice → registration → employment plan (→ skills survey) → job-search leave
    (→ training or coaching) → new job or end."""
    b = PathBuilder(WORK_TO_WORK, pop.size, rng)
    b.step("Notice given", _first_start(pop, rng), actor="Employer", staffed=False)
    register = b.after(6, 0.7, online=True)
    b.step("Registration as job seeker", register, actor=TE, channel=MOSTLY_WEB, staffed=False)
    b.step("Employment plan", b.after(55, 0.7), actor=TE, channel=INTERVIEW, touch=(60, 0.35))
    b.step(
        "Skills survey",
        b.after(7, 0.5),
        actor="Staffing firm",
        channel=SURVEY,
        present=b.chance(0.65),
        touch=(50, 0.4),
    )
    leave = b.chance(0.85)
    b.step("Job-search leave", b.after(10, 0.6), actor="Employer", present=leave, staffed=False)
    trainers = {"Riveria": 0.5, "Karelia UAS": 0.2, "Staffing firm": 0.3}
    b.step(
        "Training or coaching",
        b.after(14, 0.6),
        actor=trainers,
        channel=TRAINING,
        present=b.chance(0.55),
        touch=(180, 0.4),
    )
    outcome = b.choose(WORK_TO_WORK_OUTCOMES)
    job = np.isin(outcome, (OUTCOME["open_market_job"], OUTCOME["subsidised_job"]))
    tie = b.chance(TIE_PROBABILITY)
    b.close(
        "New job", b.after(25, 1.1), outcome, actor="Employer", channel=None, tie=tie, present=job
    )
    b.close("Job search ended", b.after(25, 1.1), outcome, actor=TE, channel=NOTICE, tie=tie)
    return b.build()


SIMULATORS: Final[dict[str, Callable[[Population, np.random.Generator], Timeline]]] = {
    ENTREPRENEUR: simulate_entrepreneur,
    GRADUATE: simulate_graduate,
    JOB_SEARCH: simulate_job_search,
    WORK_TO_WORK: simulate_work_to_work,
}
