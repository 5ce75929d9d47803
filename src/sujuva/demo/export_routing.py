"""Routing the joined events table to the organisations' exports, with keys and case numbers.

:func:`route_events` gives every event of the generator's table its export (``source``), the
keys that export knows (``hetu``: the customer's fictional identity code; ``firm_id``: the
case's business ID, from the firm's trade-register registration on) and the export's own case
number (``own_case``), plus internal columns the faults and the ordering need: ``_row`` (row of
the joined table), ``_rank`` (the source's natural order of its case numbers), ``_case`` and
``_customer`` (generator codes), ``_closed``, ``_single`` (the customer has one case),
``_has_firm`` and ``_prev_end`` (UTC seconds of the case's previous event; very small for the
first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from sujuva.demo.cases import AGE_GROUPS
from sujuva.demo.export_shapes import utc_seconds
from sujuva.demo.identity_codes import birth_windows, draw_business_ids, draw_identity_codes
from sujuva.demo.timekeeping import DAY, I64, utc_to_local

REGISTRATION: Final = "Trade register registration"
#: Which export each organisation's events go to.
SOURCE_OF_ACTOR: Final = {
    "TE Office": "te-office",
    "Joensuu": "joensuu",
    "Lieksa": "lieksa",
    "Enterprise Agency": "enterprise-agency",
    "Josek": "josek",
    "UEF": "colleges",
    "Karelia UAS": "colleges",
    "Riveria": "colleges",
    "Finnvera": "finnvera",
    "ELY Centre": "finnvera",
    "PRH": "employers",
    "Employer": "employers",
    "Unemployed Association": "partners",
    "Staffing firm": "partners",
}
#: Growth services of a firm not yet registered go to a source keyed by the person.
GROWTH: Final = ("Finnvera", "ELY Centre")
BEFORE_FIRM: Final = "partners"
#: Sources that know a firm's business ID (once it exists), and those keyed by it alone.
KNOW_FIRM: Final = ("enterprise-agency", "finnvera", "employers")
#: Each source's case numbers: what one number stands for, and its pattern per organisation
#: (``{Y}`` year, ``{y}`` two-digit year, ``{n:W}`` running number of the year, ``{N:W}``
#: running number, ``{r:W}`` a random W-digit number; W the zero-padded width).
NUMBERING: Final[dict[str, tuple[str, dict[str, str]]]] = {
    "te-office": ("case", {"TE Office": "TE-{Y}-{n:6}"}),
    "joensuu": ("customer", {"Joensuu": "JNS/{Y}/{n}"}),
    "lieksa": ("customer", {"Lieksa": "LKS-{y}-{n:4}"}),
    "enterprise-agency": ("customer", {"Enterprise Agency": "CRM-{N:5}"}),
    "josek": ("customer", {"Josek": "JOS-{Y}-{n:4}"}),
    "colleges": ("case", {"UEF": "UEF-s{r:6}", "Karelia UAS": "KUAS-{r:7}", "Riveria": "RIV{r:6}"}),
    "finnvera": ("case", {"Finnvera": "FV-{Y}-{n:5}", "ELY Centre": "KARELY/{n}/{Y}"}),
    "employers": ("case", {"PRH": "PRH-{Y}-{n:6}", "Employer": "TYO-{N:7}"}),
    "partners": (
        "customer",
        {
            "Unemployed Association": "UA-{N:4}",
            "Staffing firm": "STF{y}-{n:5}",
            "ELY Centre": "ELY-{N:5}",
            "Finnvera": "FV-H{N:5}",
        },
    ),
}
_PLACEHOLDER: Final = re.compile(r"\{([YynNr])(?::(\d+))?\}")
_NONE: Final = np.iinfo(np.int64).min // 2
_NEVER: Final = np.iinfo(np.int64).max


@dataclass(frozen=True)
class _Cases:
    """Generator codes of the joined table's rows and per-case facts."""

    case: I64  # per row
    customer: I64  # per row
    case_names: pa.Array
    customer_names: pa.Array
    first_row: I64  # per case
    end_s: I64  # per row, UTC seconds

    @property
    def size(self) -> int:
        return len(self.case_names)


def _codes(values: pa.ChunkedArray) -> tuple[I64, pa.Array]:
    encoded = pc.dictionary_encode(values).combine_chunks()
    return np.asarray(encoded.indices.to_numpy(), dtype=np.int64), encoded.dictionary


def _bool(values: pa.ChunkedArray | pa.Array) -> NDArray[np.bool_]:
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.bool_)


def route_events(
    events: pa.Table, *, rng: np.random.Generator, numbering_rng: np.random.Generator
) -> tuple[pa.Table, pa.Table]:
    """The routed rows of every event (see the module docstring) and the per-case truth:
    ``case_id``, ``customer_id``, ``identity_code``, ``business_id``, ``path``, ``events``."""
    case, case_names = _codes(events["case_id"])
    customer, customer_names = _codes(events["customer_id"])
    end_s, _ = utc_seconds(events["timestamp"])
    first_row = np.asarray(np.unique(case, return_index=True)[1], dtype=np.int64)
    cases = _Cases(case, customer, case_names, customer_names, first_row, end_s)
    person_codes = _person_codes(events, cases, rng)
    case_firm, registered_s = _firms(events, cases, rng)
    firm_active = registered_s[case] <= end_s
    routed = events.append_column("source", _sources(events, firm_active))
    person = pc.take(person_codes, pa.array(customer))
    routed = _with_columns(routed, _keys(routed, firm_active, person, case_firm, case))
    routed = _with_columns(routed, _internal(events, cases, registered_s < _NEVER))
    own, rank = _own_numbers(routed, numbering_rng)
    routed = _with_columns(routed, {"own_case": own, "_rank": pa.array(rank)})
    truth = pa.table(
        {
            "case_id": case_names,
            "customer_id": pc.take(customer_names, pa.array(customer[first_row])),
            "identity_code": pc.take(person_codes, pa.array(customer[first_row])),
            "business_id": case_firm,
            "path": pc.take(events["path"], pa.array(first_row)),
            "events": pa.array(np.bincount(case, minlength=cases.size), pa.int64()),
        }
    )
    return routed, truth


def _person_codes(events: pa.Table, cases: _Cases, rng: np.random.Generator) -> pa.Array:
    """One identity code per customer, born so that each case's age group holds at its start."""
    start_s, has_start = utc_seconds(events["start_timestamp"])
    begin = np.where(_bool(has_start), start_s, cases.end_s)
    case_begin = np.full(cases.size, _NEVER, dtype=np.int64)
    np.minimum.at(case_begin, cases.case, begin)
    age = pc.index_in(events["case:age_group"], value_set=pa.array(AGE_GROUPS)).to_numpy()
    lo, hi = birth_windows(
        case_customer=cases.customer[cases.first_row],
        case_start_day=utc_to_local(case_begin) // DAY,
        case_age_group=np.asarray(age, dtype=np.int64)[cases.first_row],
        customers=len(cases.customer_names),
    )
    return draw_identity_codes(first_day=lo, last_day=hi, rng=rng)


def _firms(events: pa.Table, cases: _Cases, rng: np.random.Generator) -> tuple[pa.Array, I64]:
    """Per case, the business ID (null without a registration) and the registration's UTC
    seconds (the largest int64 without one)."""
    is_reg = _bool(pc.equal(events["activity"], REGISTRATION))
    registered = np.full(cases.size, _NEVER, dtype=np.int64)
    np.minimum.at(registered, cases.case[is_reg], cases.end_s[is_reg])
    has_firm = registered < _NEVER
    codes = draw_business_ids(int(has_firm.sum()), rng=rng)
    return pc.take(codes, pa.array(np.cumsum(has_firm) - 1, mask=~has_firm)), registered


def _internal(events: pa.Table, cases: _Cases, has_firm: NDArray[np.bool_]) -> dict[str, pa.Array]:
    case, customer, end_s = cases.case, cases.customer, cases.end_s
    closed = np.zeros(cases.size, dtype=np.bool_)
    closed[case[_bool(pc.is_valid(events["outcome"]))]] = True
    per_customer = np.bincount(customer[cases.first_row], minlength=len(cases.customer_names))
    same_case = np.r_[False, case[1:] == case[:-1]]
    return {
        "_row": pa.array(np.arange(events.num_rows, dtype=np.int64)),
        "_case": pa.array(case),
        "_customer": pa.array(customer),
        "_closed": pa.array(closed[case]),
        "_single": pa.array(per_customer[customer] == 1),
        "_has_firm": pa.array(has_firm[case]),
        "_prev_end": pa.array(np.where(same_case, np.r_[_NONE, end_s[:-1]], _NONE)),
    }


def _with_columns(table: pa.Table, columns: dict[str, pa.Array | pa.ChunkedArray]) -> pa.Table:
    for name, values in columns.items():
        table = table.append_column(name, values)
    return table


def _sources(events: pa.Table, firm_active: NDArray[np.bool_]) -> pa.Array:
    actor, names = _codes(events["actor"])
    lookup = pa.array([SOURCE_OF_ACTOR[name] for name in names.to_pylist()], pa.string())
    source = pc.take(lookup, pa.array(actor))
    growth = pc.and_(pc.is_in(events["actor"], pa.array(GROWTH)), pa.array(~firm_active))
    return pc.if_else(growth, pa.scalar(BEFORE_FIRM), source)


def _keys(
    routed: pa.Table,
    firm_active: NDArray[np.bool_],
    person: pa.Array,
    case_firm: pa.Array,
    case: I64,
) -> dict[str, pa.Array]:
    """``hetu`` and ``firm_id`` as each source knows them: a firm's later steps at Finnvera, the
    ELY Centre and its first hiring by the firm only, PRH's registration and the Enterprise
    Agency's later rows by both, everything else by the person."""
    source = routed["source"]
    active = pa.array(firm_active)
    employer = pc.and_(pc.equal(source, "employers"), pc.equal(routed["actor"], "Employer"))
    firm_only = pc.and_(active, pc.or_(pc.equal(source, "finnvera"), employer))
    knows_firm = pc.and_(active, pc.is_in(source, pa.array(KNOW_FIRM)))
    firm = pc.take(case_firm, pa.array(case))
    return {
        "hetu": pc.if_else(firm_only, pa.scalar(None, pa.string()), person),
        "firm_id": pc.if_else(knows_firm, firm, pa.scalar(None, pa.string())),
    }


# --- own case numbers ------------------------------------------------------------------------


def _own_numbers(routed: pa.Table, rng: np.random.Generator) -> tuple[pa.Array, I64]:
    """Each row's case number in its source, and the source's natural order of the numbers."""
    source, source_names = _codes(routed["source"])
    actor, actor_names = _codes(routed["actor"])
    unit = {key: np.asarray(routed[f"_{key}"].to_numpy(), np.int64) for key in ("case", "customer")}
    end_s, _ = utc_seconds(routed["timestamp"])
    local = utc_to_local(end_s)
    group = np.zeros(routed.num_rows, dtype=np.int64)
    rank = np.zeros(routed.num_rows, dtype=np.int64)
    labels: list[pa.Array] = []
    offset = 0
    pair = source * len(actor_names) + actor
    for code in np.unique(pair).tolist():
        actor_code = code % len(actor_names)
        grouping, patterns = NUMBERING[source_names[code // len(actor_names)].as_py()]
        rows = np.flatnonzero(pair == code)
        groups, inverse = np.unique(unit[grouping][rows], return_inverse=True)
        first = np.full(groups.size, _NEVER, dtype=np.int64)
        np.minimum.at(first, inverse, local[rows])
        text, order = _labels(patterns[actor_names[actor_code].as_py()], first, rng)
        labels.append(text)
        group[rows] = offset + inverse
        rank[rows] = actor_code * (1 << 40) + order[inverse]
        offset += groups.size
    return pc.take(pa.concat_arrays(labels), pa.array(group)), rank


def _labels(pattern: str, first_local: I64, rng: np.random.Generator) -> tuple[pa.Array, I64]:
    """The groups' numbers by ``pattern`` (running numbers in order of first appearance) and
    each group's place in the natural order of the numbers."""
    n = first_local.size
    order = np.argsort(first_local, kind="stable")
    running = np.empty(n, dtype=np.int64)
    running[order] = np.arange(1, n + 1)
    year = (first_local // DAY).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
    year = year + 1970
    in_year = running - np.searchsorted(year[order], year, side="left")
    key = running
    parts: list[pa.Array | str] = []
    cursor = 0
    for match in _PLACEHOLDER.finditer(pattern):
        parts.append(pattern[cursor : match.start()])
        cursor = match.end()
        kind, width = match.group(1), int(match.group(2) or 0)
        if kind == "r":
            low = 10 ** (width - 1)
            values = key = rng.choice(9 * low, size=n, replace=False).astype(np.int64) + low
        else:
            values = {"Y": year, "y": year % 100, "n": in_year, "N": running}[kind]
            width = 2 if kind == "y" else width
        parts.append(pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width, "0"))
    parts.append(pattern[cursor:])
    texts = [part for part in parts if not isinstance(part, str) or part]
    return pc.binary_join_element_wise(*texts, ""), np.argsort(np.argsort(key))
