"""The event model: canonical column names, types and the XES / pm4py vocabulary.

One event is one row. Only ``case_id``, ``activity`` and ``timestamp`` are required in input;
after normalisation every column of :data:`CORE_COLUMNS` is present. Free event attributes keep
their own names; case attributes are named ``case:<name>`` (the pm4py convention).

Times are stored as ``timestamp[us, tz=UTC]``; ``timestamp`` is the completion time and
``start_timestamp`` the optional start time of the same step.
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa

CASE_ID: Final = "case_id"
CUSTOMER_ID: Final = "customer_id"
PATH: Final = "path"
ACTIVITY: Final = "activity"
ACTOR: Final = "actor"
TIMESTAMP: Final = "timestamp"
START_TIMESTAMP: Final = "start_timestamp"
RESOURCE: Final = "resource"
CHANNEL: Final = "channel"
OUTCOME: Final = "outcome"

#: Provenance: the source (export) an event came from and that source's own case number.
SOURCE: Final = "source"
SOURCE_CASE_ID: Final = "source_case_id"
#: Linking keys (pseudonyms): the person (identity code or an agreed customer number) and the
#: firm (business ID). Events with a key form their cases by the path rules.
CUSTOMER_KEY: Final = "customer_key"
FIRM_KEY: Final = "firm_key"
PROVENANCE_COLUMNS: Final = (SOURCE, SOURCE_CASE_ID)
KEY_COLUMNS: Final = (CUSTOMER_KEY, FIRM_KEY)
#: Key kinds an import can name: a personal identity code (validated as a henkilötunnus), a
#: business ID (validated as a Y-tunnus) and a plain shared customer number.
KEY_KINDS: Final = ("person", "firm", "customer")
#: Readers' raw key columns before validation: ``_key_person``, ``_key_firm``, ``_key_customer``.
RAW_KEY_PREFIX: Final = "_key_"
#: A file pseudonymised at its source carries its key's fingerprint in this column.
KEY_FINGERPRINT: Final = "sujuva_key"

CASE_ATTR_PREFIX: Final = "case:"
UNKNOWN_ACTOR: Final = "unknown"

TIME_TYPE: Final = pa.timestamp("us", tz="UTC")

#: Canonical columns in their canonical order, with their normalised Arrow types.
CORE_SCHEMA: Final = pa.schema(
    [
        pa.field(CASE_ID, pa.string(), nullable=False),
        pa.field(CUSTOMER_ID, pa.string(), nullable=False),
        pa.field(PATH, pa.string(), nullable=False),
        pa.field(ACTIVITY, pa.string(), nullable=False),
        pa.field(ACTOR, pa.string(), nullable=False),
        pa.field(TIMESTAMP, TIME_TYPE, nullable=False),
        pa.field(START_TIMESTAMP, TIME_TYPE),
        pa.field(RESOURCE, pa.string()),
        pa.field(CHANNEL, pa.string()),
        pa.field(OUTCOME, pa.string()),
    ]
)
CORE_COLUMNS: Final = tuple(CORE_SCHEMA.names)
REQUIRED_COLUMNS: Final = (CASE_ID, ACTIVITY, TIMESTAMP)
TIME_COLUMNS: Final = (TIMESTAMP, START_TIMESTAMP)
#: Identifiers replaced by a keyed hash at import.
PSEUDONYMISED_COLUMNS: Final = (CUSTOMER_ID, RESOURCE)

#: XES / pm4py attribute names and the canonical column each maps to.
XES_TO_CANONICAL: Final = {
    "case:concept:name": CASE_ID,
    "concept:name": ACTIVITY,
    "time:timestamp": TIMESTAMP,
    "start_timestamp": START_TIMESTAMP,
    "org:group": ACTOR,
    "org:resource": RESOURCE,
}
CANONICAL_TO_XES: Final = {value: key for key, value in XES_TO_CANONICAL.items()}

#: Internal column names readers may add to a batch: source order and source location.
ROW: Final = "_row"
LINE: Final = "_line"
TRACE: Final = "_trace"
EVENT: Final = "_event"
INTERNAL_COLUMNS: Final = (ROW, LINE, TRACE, EVENT)


def is_case_attribute(name: str) -> bool:
    """True for a case-level attribute column (``case:<name>``), except the case id itself."""
    return name.startswith(CASE_ATTR_PREFIX) and name != "case:concept:name"


def is_free_attribute(name: str) -> bool:
    """True for a free (non-canonical, non-internal) event or case attribute column."""
    return (
        name not in CORE_COLUMNS
        and name not in INTERNAL_COLUMNS
        and name not in PROVENANCE_COLUMNS
        and name not in KEY_COLUMNS
        and not name.startswith(RAW_KEY_PREFIX)
        and name != KEY_FINGERPRINT
    )
