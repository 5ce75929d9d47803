"""Languages of the dashboard: gettext catalogues (Babel ``.po`` files) and locale formats.

English message ids are the source language. Catalogues are read from the ``.po`` files at
start-up (no compiled ``.mo`` files to keep in step). The language of the current request
lives in a context variable that the templates' ``_()`` reads.
"""

from __future__ import annotations

import contextvars
import math
import re
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from sujuva.services.principal import LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "fi"
LANGUAGE_NAMES = {"fi": "suomi", "en": "English", "sv": "svenska"}
_current: contextvars.ContextVar[str] = contextvars.ContextVar("language", default="fi")


@cache
def catalogue(language: str) -> dict[str, str]:
    """Message id → translation for one language (empty for a missing catalogue)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        entries = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in entries if m.id and m.string and not m.fuzzy}


def set_language(language: str) -> None:
    """Make ``language`` the current request's language (unknown ones fall back to Finnish)."""
    _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def current_language() -> str:
    return _current.get()


def gettext(message: str) -> str:
    """The current language's translation of ``message`` (the English id if none)."""
    return catalogue(_current.get()).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def number(value: object, digits: int = 0) -> str:
    """A number in the current language's format (Finnish: 1 234,5); '–' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    try:
        numeric = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    if math.isnan(numeric):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(numeric, format=pattern, locale=_current.get())


def percent(value: object, digits: int = 0) -> str:
    """A share as a percentage in the current language's format (``digits`` decimals)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    try:
        share = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    if digits == 0:
        return format_percent(share, locale=_current.get())
    return number(share * 100, digits) + "\u00a0%"


def day(value: date | datetime | None) -> str:
    """A date in the current language's format (Finnish: 12.4.2017)."""
    if value is None:
        return "–"
    pattern = "d.M.yyyy" if _current.get() == "fi" else "medium"
    if isinstance(value, datetime):
        return format_datetime(
            value,
            format="d.M.yyyy HH.mm" if _current.get() == "fi" else "medium",
            locale=_current.get(),
        )
    return format_date(value, format=pattern, locale=_current.get())


def quarter(first_day: date) -> str:
    """A calendar quarter by its first day, in the current language (en: 2017 Q2)."""
    number_of_quarter = (first_day.month - 1) // 3 + 1
    return gettext("%(year)s Q%(quarter)s") % {"year": first_day.year, "quarter": number_of_quarter}


def _noop(message: str) -> str:
    """Mark a message for extraction without translating it here."""
    return message


#: Names that come from data or code and are shown translated: the demo region's paths, roles,
#: import statuses, and messages of the sign-in service.
KNOWN_NAMES = (
    _noop("entrepreneur"),
    _noop("graduate"),
    _noop("job_search"),
    _noop("work_to_work"),
    _noop("coordinator"),
    _noop("analyst"),
    _noop("viewer"),
    _noop("admin"),
    _noop("queued"),
    _noop("running"),
    _noop("done"),
    _noop("failed"),
    _noop("pilot"),
    _noop("comparison"),
    _noop("pre"),
    _noop("post"),
    _noop("faster"),
    _noop("slower"),
    _noop("appeared"),
    _noop("disappeared"),
    _noop("comparison_both"),
    _noop("comparison_concurrent"),
    _noop("comparison_earlier"),
    _noop("bioeconomy"),
    _noop("technology industry"),
    _noop("wellbeing"),
    _noop("other"),
    _noop("commitment_core"),
    _noop("commitment_active"),
    _noop("commitment_loose"),
    _noop("sector_state"),
    _noop("sector_municipality"),
    _noop("sector_education"),
    _noop("sector_third_sector"),
    _noop("sector_company"),
    _noop("sector_other"),
    _noop("status_open"),
    _noop("status_being_solved"),
    _noop("status_solved"),
    _noop("status_dropped"),
    _noop("value_adding"),
    _noop("necessary"),
    _noop("waste"),
    _noop("wrong username or password"),
    _noop("too many failed logins; try again in 15 minutes"),
    _noop("this account is deactivated"),
    _noop("please sign in"),
    _noop("header"),
)


#: Reasons an import gives for a rejected row that are fixed sentences (never built from the
#: value), shown in the user's language; any other reason is shown as it is.
KNOWN_REASONS = frozenset(
    {
        _noop("not a valid personal identity code: the check character does not match"),
        _noop("not a valid personal identity code: the date of birth does not exist"),
        _noop("not a valid personal identity code: the century sign is not one in use"),
        _noop("not a valid personal identity code: it should be 11 characters (DDMMYYCZZZQ)"),
        _noop(
            "not a valid personal identity code: it should be the date of birth as DDMMYY, a "
            "century sign, a three-digit individual number and a check character (DDMMYYCZZZQ)"
        ),
        _noop("not a valid personal identity code: the individual number is not one in use"),
        _noop("not a valid business ID (Y-tunnus): the check digit does not match"),
        _noop(
            "not a valid business ID (Y-tunnus): it should be 7 digits, a hyphen and a check digit"
        ),
        _noop("the row has no customer key"),
        _noop("the case id is empty"),
        _noop("the activity is empty"),
        _noop("the completion time is empty"),
        _noop("the start is after the completion"),
    }
)


def reason(text: str | None) -> str:
    """An import problem's reason in the user's language where it is a known fixed sentence."""
    if not text:
        return ""
    return gettext(text) if text in KNOWN_REASONS else text


_LOCATION_WORDS = {
    "line": _noop("line %(n)s"),
    "row": _noop("row %(n)s"),
    "trace": _noop("trace %(n)s"),
    "event": _noop("event %(n)s"),
}


def location(text: str | None) -> str:
    """A problem's location (``line 12``, ``sheet 'X', row 4``, ``trace 3, event 2``, ``header``)
    in the user's language; the names in it (sheets, cases) are kept as they are."""
    if not text:
        return ""
    if text == "header":
        return gettext("header")

    def word(found: re.Match[str]) -> str:
        return gettext(_LOCATION_WORDS[found.group(1)]) % {"n": found.group(2)}

    return re.sub(r"\b(line|row|trace|event) (\d+)\b", word, text)


def name_of(value: object) -> str:
    """A name or code from data or code (a path, role, status, sector, organisation…) in the
    user's language where the catalogue has it, else as it is.

    Unlike the templates' ``_()``, whose result Jinja treats as safe markup, this returns plain
    text, so the template escapes it: a name a user gave (a path in an upload, an
    organisation) can never become markup.
    """
    text = "" if value is None else str(value)
    return gettext(text) if text else ""
