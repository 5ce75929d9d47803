"""Checking the keys organisations share: personal identity codes, business IDs, agreed numbers.

Each organisation numbers its own cases; what links a person's (or a firm's) events across
organisations is the personal identity code (*henkilötunnus*, ``DDMMYYCZZZQ``) or the business ID
(*Y-tunnus*, ``NNNNNNN-C``). Before such a key is pseudonymised it is validated and brought to one
spelling, so that ``131052-308t`` and ``131052-308T`` get the same pseudonym and a mistyped code
is refused instead of silently becoming a person of its own.

Validation runs once per distinct value (a column of millions of events holds far fewer people),
with ``python-stdnum``. Reasons are fixed sentences that never contain the value or any part of
it: identity codes are not to be shown or logged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, ValidationError
from stdnum.fi import hetu, ytunnus

from sujuva.errors import UsageError
from sujuva.eventlog import model
from sujuva.privacy.pseudonym import PSEUDONYM_PATTERN

#: The kinds of key: the vocabulary of the event model (a plain ``customer`` key is any text).
KEY_KINDS: Final = model.KEY_KINDS

_HETU: Final = "not a valid personal identity code"
HETU_CHECK: Final = f"{_HETU}: the check character does not match"
HETU_DATE: Final = f"{_HETU}: the date of birth does not exist"
HETU_CENTURY: Final = f"{_HETU}: the century sign is not one in use"
HETU_LENGTH: Final = f"{_HETU}: it should be 11 characters (DDMMYYCZZZQ)"
HETU_FORMAT: Final = (
    f"{_HETU}: it should be the date of birth as DDMMYY, a century sign, "
    "a three-digit individual number and a check character (DDMMYYCZZZQ)"
)
HETU_INDIVIDUAL: Final = f"{_HETU}: the individual number is not one in use"
_YTUNNUS: Final = "not a valid business ID (Y-tunnus)"
YTUNNUS_CHECK: Final = f"{_YTUNNUS}: the check digit does not match"
YTUNNUS_FORMAT: Final = f"{_YTUNNUS}: it should be 7 digits, a hyphen and a check digit"
#: Every reason :func:`check_keys` can give: fixed sentences, never built from the value.
REASONS: Final = frozenset(
    {
        HETU_CHECK,
        HETU_DATE,
        HETU_CENTURY,
        HETU_LENGTH,
        HETU_FORMAT,
        HETU_INDIVIDUAL,
        YTUNNUS_CHECK,
        YTUNNUS_FORMAT,
    }
)

#: Century signs in use since 2023: ``+`` 1800s, ``-YXWVU`` 1900s, ``ABCDEF`` 2000s.
_CENTURIES: Final = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}
_CHECK_CHARACTERS: Final = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_SAMPLE: Final = 1_000

Checked = tuple[str | None, str | None]


@dataclass(frozen=True)
class KeyCheck:
    """The outcome of checking a key column, row by row."""

    normalised: pa.Array  # string; null where blank or invalid
    reason: pa.Array  # string; null where valid or blank


def check_keys(values: pa.Array | pa.ChunkedArray, *, kind: str) -> KeyCheck:
    """Validate and normalise a key column of the given kind (one of :data:`KEY_KINDS`).

    ``person``: a personal identity code (temporary individual numbers 900–999 allowed), in its
    compact upper-case form; ``firm``: a business ID, as ``1234567-8``; ``customer``: any non-blank
    text, trimmed. Values that already are pseudonyms pass unchanged for every kind. Blank cells
    give null and no reason: what a missing key means is the caller's decision.
    """
    if kind not in KEY_KINDS:
        raise UsageError(f"unknown key kind {kind!r}; use one of {', '.join(KEY_KINDS)}")
    present = _blank_as_null(_as_strings(values))
    if kind == "customer":
        return KeyCheck(present, pa.nulls(len(present), pa.string()))
    encoded = pc.dictionary_encode(present)
    distinct = encoded.dictionary
    already = pc.match_substring_regex(distinct, f"^{PSEUDONYM_PATTERN}$").to_pylist()
    validate = _person if kind == "person" else _firm
    checked = [
        (value, None) if is_pseudonym else validate(value)
        for value, is_pseudonym in zip(distinct.to_pylist(), already, strict=True)
    ]
    normalised = pa.array([n for n, _ in checked], pa.string())
    reasons = pa.array([r for _, r in checked], pa.string())
    return KeyCheck(pc.take(normalised, encoded.indices), pc.take(reasons, encoded.indices))


def looks_like_identity_codes(values: pa.Array | pa.ChunkedArray) -> bool:
    """Whether a column holds personal identity codes: at least half of a sample of up to
    1,000 of its distinct non-blank values are valid codes.

    A guard, so that identity codes in a column nobody named as a key are refused rather than
    stored raw.
    """
    present = _blank_as_null(_as_strings(values))
    distinct = pc.unique(present.drop_null())
    if len(distinct) == 0:
        return False
    if len(distinct) > _SAMPLE:
        picks = np.unique(np.linspace(0, len(distinct) - 1, _SAMPLE).astype(np.int64))
        distinct = pc.take(distinct, pa.array(picks))
    sample = distinct.to_pylist()
    valid = sum(hetu.is_valid(value, allow_temporary=True) for value in sample)
    return 2 * valid >= len(sample)


def _as_strings(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if values.type != pa.string():
        values = pc.cast(values, pa.string())
    return values


def _blank_as_null(values: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _person(value: str) -> Checked:
    """A personal identity code: its compact form, or the reason it is not valid."""
    try:
        code = hetu.validate(value, allow_temporary=True)
    except InvalidChecksum:
        return None, HETU_CHECK
    except InvalidComponent:
        return None, _component_reason(hetu.compact(value))
    except InvalidFormat:
        return None, _format_reason(hetu.compact(value))
    except ValidationError:
        return None, HETU_FORMAT
    if not code.isascii():  # stdnum's pattern takes any Unicode digit
        return None, HETU_FORMAT
    return code, None


def _component_reason(code: str) -> str:
    """stdnum found the shape right but a part wrong: the date or the individual number."""
    try:
        datetime.date(_CENTURIES[code[6]] + int(code[4:6]), int(code[2:4]), int(code[0:2]))
    except (ValueError, KeyError):
        return HETU_DATE
    return HETU_INDIVIDUAL


def _format_reason(code: str) -> str:
    """stdnum found the shape wrong: say which part, without showing any of it."""
    if len(code) != 11:
        return HETU_LENGTH
    if code[6] not in _CENTURIES:
        return HETU_CENTURY
    digits = code[0:6] + code[7:10]
    if not (digits.isascii() and digits.isdigit()):
        return HETU_FORMAT
    if code[10] not in _CHECK_CHARACTERS:
        return HETU_CHECK
    return HETU_DATE  # stdnum's pattern refuses a day above 39 or a month above 19


def _firm(value: str) -> Checked:
    """A business ID as ``1234567-8``, or the reason it is not valid."""
    try:
        return ytunnus.format(ytunnus.validate(value)), None
    except InvalidChecksum:
        return None, YTUNNUS_CHECK
    except ValidationError:
        return None, YTUNNUS_FORMAT
