"""The demo region's organisations, step catalogue and code lists.

Everything categorical is kept as a tuple of strings; the generator works with integer codes
(the index into the tuple) and turns them into strings only when it builds Arrow tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pyarrow as pa

# --- paths -----------------------------------------------------------------------------------

ENTREPRENEUR: Final = "entrepreneur"
GRADUATE: Final = "graduate"
JOB_SEARCH: Final = "job_search"
WORK_TO_WORK: Final = "work_to_work"
#: Paths in sort order (the events table is sorted by path first).
PATHS: Final = (ENTREPRENEUR, GRADUATE, JOB_SEARCH, WORK_TO_WORK)
CASE_PREFIX: Final = {ENTREPRENEUR: "ENT", GRADUATE: "GRD", JOB_SEARCH: "JSE", WORK_TO_WORK: "WTW"}

# --- organisations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Organisation:
    """One organisation of the regional network."""

    name: str
    short_name: str
    sector_type: str
    commitment: str
    municipality: str
    staff_code: str
    staff: int  # size of the staff pool whose ids appear as ``resource``; 0 = no staff ids


ORGANISATIONS: Final = (
    Organisation("TE Office of North Karelia", "TE Office", "state", "core", "Joensuu", "TE", 60),
    Organisation(
        "ELY Centre for North Karelia", "ELY Centre", "state", "core", "Joensuu", "ELY", 20
    ),
    Organisation("City of Joensuu", "Joensuu", "municipality", "core", "Joensuu", "JNS", 15),
    Organisation("Town of Lieksa", "Lieksa", "municipality", "loose", "Lieksa", "LKS", 4),
    Organisation(
        "University of Eastern Finland", "UEF", "education", "active", "Joensuu", "UEF", 8
    ),
    Organisation(
        "Karelia University of Applied Sciences",
        "Karelia UAS",
        "education",
        "core",
        "Joensuu",
        "KUAS",
        8,
    ),
    Organisation(
        "Riveria vocational college", "Riveria", "education", "active", "Joensuu", "RIV", 10
    ),
    Organisation(
        "Josek regional development company", "Josek", "company", "core", "Joensuu", "JOS", 8
    ),
    Organisation(
        "Enterprise Agency of Joensuu region",
        "Enterprise Agency",
        "third_sector",
        "active",
        "Joensuu",
        "EA",
        6,
    ),
    Organisation(
        "Association of the unemployed in the Joensuu region",
        "Unemployed Association",
        "third_sector",
        "loose",
        "Joensuu",
        "UA",
        4,
    ),
    Organisation(
        "Regional staffing firm (illustrative)",
        "Staffing firm",
        "company",
        "loose",
        "Joensuu",
        "STF",
        6,
    ),
    Organisation("Finnvera, Joensuu office", "Finnvera", "state", "loose", "Joensuu", "FV", 4),
    Organisation(
        "Finnish Patent and Registration Office", "PRH", "state", "loose", "Helsinki", "PRH", 0
    ),
    Organisation(
        "Employers of the region (companies)", "Employer", "company", "loose", "Joensuu", "EMP", 0
    ),
)
ORG: Final = {org.short_name: code for code, org in enumerate(ORGANISATIONS)}

# --- other code lists --------------------------------------------------------------------------

CHANNELS: Final = ("in person", "phone", "online", "letter")
IN_PERSON, PHONE, ONLINE, LETTER = range(4)
NO_CHANNEL: Final = -1

OUTCOMES: Final = (
    "open_market_job",
    "subsidised_job",
    "training",
    "entrepreneur",
    "further_studies",
    "left_labour_force",
)
OUTCOME: Final = {name: code for code, name in enumerate(OUTCOMES)}

VALUE_CLASSES: Final = ("value_adding", "necessary", "waste")

# --- the step catalogue ------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One catalogue step of a path."""

    path: str
    activity: str
    actor: str
    value_class: str
    gathers_info: bool
    description: str


def _steps(path: str, *rows: tuple[str, str, str, bool, str]) -> tuple[Step, ...]:
    return tuple(Step(path, *row) for row in rows)


CATALOGUE: Final = (
    *_steps(
        ENTREPRENEUR,
        (
            "Business-idea counselling",
            "Enterprise Agency",
            "value_adding",
            True,
            "First meeting on the business idea (Enterprise Agency, or Josek for ~30 %).",
        ),
        (
            "Business plan and calculations",
            "Enterprise Agency",
            "value_adding",
            False,
            "Business plan and profitability calculations with the counsellor; redone when the "
            "statement sends the plan back (rework).",
        ),
        (
            "Start-up grant application",
            "TE Office",
            "necessary",
            True,
            "Start-up grant (starttiraha) application, mostly online; asks the business details "
            "again.",
        ),
        (
            "Supplementary information request",
            "TE Office",
            "waste",
            True,
            "The TE Office asks for documents it could have had from the application or the "
            "agency.",
        ),
        (
            "Enterprise agency statement",
            "Enterprise Agency",
            "necessary",
            False,
            "The enterprise agency's statement on the viability of the business.",
        ),
        (
            "Start-up grant decision",
            "TE Office",
            "necessary",
            False,
            "Decision on the grant; the business must not start before it (the injected "
            "bottleneck).",
        ),
        (
            "Trade register registration",
            "PRH",
            "necessary",
            True,
            "Start-up notification to the trade register, online, with the business details again.",
        ),
        (
            "First-year follow-up",
            "Enterprise Agency",
            "value_adding",
            False,
            "Follow-up meeting during the first year of the business.",
        ),
        (
            "Growth services",
            "ELY Centre",
            "value_adding",
            True,
            "Development grant (ELY Centre) or loan / guarantee (Finnvera).",
        ),
        (
            "First employee hired",
            "Employer",
            "value_adding",
            False,
            "The new business hires its first employee.",
        ),
    ),
    *_steps(
        GRADUATE,
        (
            "Career guidance",
            "Karelia UAS",
            "value_adding",
            True,
            "Career guidance at the school (Riveria, Karelia UAS or UEF by level of education).",
        ),
        (
            "Registration as job seeker",
            "TE Office",
            "necessary",
            True,
            "Online registration as an unemployed job seeker.",
        ),
        (
            "Statement of completed studies",
            "Karelia UAS",
            "waste",
            True,
            "The TE Office sends the graduate back to the school for a statement of studies "
            "that is already in national registers.",
        ),
        (
            "Initial interview",
            "TE Office",
            "necessary",
            True,
            "Initial interview on skills, goals and situation.",
        ),
        (
            "Youth-guarantee offer",
            "TE Office",
            "value_adding",
            False,
            "Offer of work, training, work try-out or start-up grant; due within 3 months.",
        ),
        (
            "Job search ended",
            "TE Office",
            "necessary",
            False,
            "The job search ends; the outcome is recorded.",
        ),
    ),
    *_steps(
        JOB_SEARCH,
        (
            "Registration as job seeker",
            "TE Office",
            "necessary",
            True,
            "Registration as an unemployed job seeker (online or at the office).",
        ),
        (
            "Initial interview",
            "TE Office",
            "necessary",
            True,
            "Initial interview; due within 10 working days of registration (2013–2022 rule).",
        ),
        (
            "Municipal interview",
            "Joensuu",
            "waste",
            True,
            "The municipality (Joensuu, or Lieksa in the Pielinen area) interviews the customer "
            "again on the same work history and life situation.",
        ),
        (
            "Job-search discussion",
            "TE Office",
            "value_adding",
            False,
            "Job-search discussion about every two weeks during the first three months.",
        ),
        (
            "Intensive period discussion",
            "TE Office",
            "value_adding",
            False,
            "Discussions of the intensive period for those still unemployed (meant for month 6).",
        ),
        (
            "Peer-support group",
            "Unemployed Association",
            "value_adding",
            False,
            "Peer-support group of the association of the unemployed.",
        ),
        (
            "Job search ended",
            "TE Office",
            "necessary",
            False,
            "The job search ends; the outcome is recorded.",
        ),
    ),
    *_steps(
        WORK_TO_WORK,
        (
            "Notice given",
            "Employer",
            "necessary",
            False,
            "The employer gives notice on production or financial grounds (change security).",
        ),
        (
            "Registration as job seeker",
            "TE Office",
            "necessary",
            True,
            "Registration during the notice period; work history and skills are recorded.",
        ),
        (
            "Employment plan",
            "TE Office",
            "value_adding",
            True,
            "Employment plan during the notice period.",
        ),
        (
            "Skills survey",
            "Staffing firm",
            "waste",
            True,
            "The staffing firm surveys the same work history and skills again.",
        ),
        (
            "Job-search leave",
            "Employer",
            "necessary",
            False,
            "Paid job-search leave granted by the employer (5–20 days by notice length).",
        ),
        (
            "Training or coaching",
            "Riveria",
            "value_adding",
            False,
            "Change-security training or coaching (Riveria, Karelia UAS or the staffing firm).",
        ),
        (
            "New job",
            "Employer",
            "value_adding",
            False,
            "The customer starts in a new job (open market or subsidised).",
        ),
        (
            "Job search ended",
            "TE Office",
            "necessary",
            False,
            "The job search ends without a new job; the outcome is recorded.",
        ),
    ),
)

#: Every activity name, in a fixed order (the generator's activity codes).
ACTIVITIES: Final = tuple(dict.fromkeys(step.activity for step in CATALOGUE))
ACT: Final = {name: code for code, name in enumerate(ACTIVITIES)}


def step_of(path: str, activity: str) -> Step:
    """The catalogue step of ``activity`` on ``path``."""
    for step in CATALOGUE:
        if step.path == path and step.activity == activity:
            return step
    raise KeyError((path, activity))


def catalogue_table() -> pa.Table:
    """The step catalogue as an Arrow table (one row per path step, in path order)."""
    orders: dict[str, int] = {}
    rows: dict[str, list[object]] = {
        "path": [],
        "step_order": [],
        "activity": [],
        "actor": [],
        "value_class": [],
        "gathers_info": [],
        "description": [],
    }
    for step in CATALOGUE:
        orders[step.path] = orders.get(step.path, 0) + 1
        rows["path"].append(step.path)
        rows["step_order"].append(orders[step.path])
        rows["activity"].append(step.activity)
        rows["actor"].append(step.actor)
        rows["value_class"].append(step.value_class)
        rows["gathers_info"].append(step.gathers_info)
        rows["description"].append(step.description)
    schema = pa.schema(
        [
            ("path", pa.string()),
            ("step_order", pa.int64()),
            ("activity", pa.string()),
            ("actor", pa.string()),
            ("value_class", pa.string()),
            ("gathers_info", pa.bool_()),
            ("description", pa.string()),
        ]
    )
    return pa.table(rows, schema=schema)


def organisations_table() -> pa.Table:
    """The organisations as an Arrow table: name, short_name, sector_type, commitment,
    municipality."""
    columns = ("name", "short_name", "sector_type", "commitment", "municipality")
    return pa.table(
        {
            col: pa.array([getattr(org, col) for org in ORGANISATIONS], pa.string())
            for col in columns
        }
    )


def staff_ids() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """All staff ids (``staff-TE-017``) and, per organisation, the code of its first staff id."""
    ids: list[str] = []
    first: list[int] = []
    for org in ORGANISATIONS:
        first.append(len(ids))
        ids.extend(f"staff-{org.staff_code}-{i:03d}" for i in range(1, org.staff + 1))
    return tuple(ids), tuple(first)
