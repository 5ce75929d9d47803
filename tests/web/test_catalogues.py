"""The dashboard's message catalogues: complete, consistent and covering every visible text.

English message ids are the source language; ``src/sujuva/web/locale/<lang>/LC_MESSAGES/
messages.po`` holds the Finnish (required), English (required) and Swedish (welcome)
translations, read at run time by ``sujuva.web.i18n``.

Refresh the catalogues after adding or changing texts (from the repository root)::

    .venv/bin/pybabel extract -F babel.cfg -k _noop -k gettext --no-wrap \\
        --project=Sujuva --copyright-holder="Sujuva developers" \\
        -o src/sujuva/web/locale/messages.pot .
    .venv/bin/pybabel update -i src/sujuva/web/locale/messages.pot \\
        -d src/sujuva/web/locale --no-wrap --ignore-obsolete --no-fuzzy-matching
    # translate the new (empty) entries in fi, en and sv; check any entry that update marked
    # "#, fuzzy" and delete the flag (fuzzy entries are not used)
    .venv/bin/pytest tests/web/test_catalogues.py -q

A new language: ``pybabel init -i src/sujuva/web/locale/messages.pot -d src/sujuva/web/locale
-l <code>`` and add it to ``sujuva.services.principal.Language``.

In templates every visible text is ``{{ _('Text with %(name)s', name=value) }}`` (newstyle
gettext always %-formats, so a literal percent sign is ``%%``). Texts that come from code or
data and are shown translated are marked in Python with ``_noop('...')``.
"""

from __future__ import annotations

import contextvars
import re
import warnings
from collections.abc import Callable
from datetime import date
from functools import cache, partial
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from sujuva.web import i18n
from sujuva.web.render import ENV, TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "sujuva" / "web" / "locale"
REQUIRED = ("fi", "en")
WELCOME = ("sv",)
KEYWORDS = {**DEFAULT_KEYWORDS, "_noop": None}  # as `pybabel extract -k _noop -k gettext`

#: Brand and other words allowed as literal template text; each exception is named here.
ALLOWED_WORDS: dict[str, set[str]] = {
    "*": {"Sujuva"},
}
#: Attributes whose values people see (tooltips, screen readers, image texts, input hints).
VISIBLE_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")
MARK = "\x00"  # stands for a Jinja2 expression or statement between pieces of template data

PLACEHOLDER = re.compile(r"%(?:%|\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifgeExXoc]|.?)")


# ---------------------------------------------------------------------------------------------
# helpers


@cache
def extracted() -> dict[str, set[str]]:
    """Message id → the files it comes from, extracted now exactly as ``babel.cfg`` says."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, set[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        ids = (message,) if isinstance(message, str) else tuple(m for m in message if m)
        for msgid in ids:
            found.setdefault(msgid, set()).add(filename.replace("\\", "/"))
    return found


def from_template(msgid: str) -> bool:
    return any(name.endswith(".html") for name in extracted()[msgid])


@cache
def catalogue(language: str) -> Catalog:
    path = LOCALE / language / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"missing catalogue {path.relative_to(ROOT)}"
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def translations(language: str) -> dict[str, str]:
    """Message id → translation; fuzzy and empty entries are left out (as the app does)."""
    return {
        str(m.id): str(m.string)
        for m in catalogue(language)
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def placeholders(text: str) -> tuple[set[str], int, list[str]]:
    """Named placeholders, the number of ``%%``, and any stray ``%`` sequences."""
    names: set[str] = set()
    literal = 0
    stray: list[str] = []
    for match in PLACEHOLDER.finditer(text):
        if match.group(0) == "%%":
            literal += 1
        elif match.group(1):
            names.add(match.group(1))
        else:
            stray.append(match.group(0))
    return names, literal, stray


def in_language(language: str, function: Callable[[], Any]) -> Any:
    """Run ``function`` with ``language`` as the current language, leaving ours untouched."""

    def run() -> Any:
        i18n.set_language(language)
        return function()

    return contextvars.copy_context().run(run)


def template_data(name: str) -> str:
    """The template's literal HTML, with every Jinja2 expression/statement replaced by MARK."""
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    parts: list[str] = []
    for _lineno, kind, value in ENV.lex(source, name):
        if kind == "data":
            parts.append(value)
        elif not parts or parts[-1] != MARK:
            parts.append(MARK)
    return "".join(parts)


def visible_text(html: str) -> str:
    """What a reader sees of literal template HTML: no comments, scripts, tags or entities."""
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    html = re.sub(r"<(script|style)\b[^>]*>.*?</\1\s*>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<[!/?]?[A-Za-z][^<>]*>", " ", html)
    html = re.sub(r"&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);", " ", html)
    return html.replace(MARK, " ")


TEMPLATE_NAMES = sorted(p.name for p in TEMPLATES.glob("*.html"))


# ---------------------------------------------------------------------------------------------
# (a) every message is translated


def test_extraction_finds_templates_and_python() -> None:
    sources = {name for files in extracted().values() for name in files}
    assert any(name.endswith(".html") for name in sources)
    assert "src/sujuva/web/i18n.py" in sources
    assert {"entrepreneur", "coordinator", "queued", "Sign in"} <= set(extracted())


@pytest.mark.parametrize("language", REQUIRED)
def test_every_message_is_translated(language: str) -> None:
    done = translations(language)
    missing = sorted(msgid for msgid in extracted() if not done.get(msgid, "").strip())
    assert not missing, (
        f"{len(missing)} message(s) without a {language} translation (refresh the catalogues:"
        f" see this file's docstring): {missing}"
    )


@pytest.mark.parametrize("language", REQUIRED + WELCOME)
def test_no_fuzzy_entries(language: str) -> None:
    fuzzy = [m.id for m in catalogue(language) if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries in {language} (check them, then drop the flag): {fuzzy}"


@pytest.mark.parametrize("language", WELCOME)
def test_welcome_languages_report_missing(language: str) -> None:
    done = translations(language)
    missing = sorted(msgid for msgid in extracted() if not done.get(msgid, "").strip())
    if missing:
        warnings.warn(
            f"{len(missing)} message(s) without a {language} translation: {missing}",
            UserWarning,
            stacklevel=1,
        )


# ---------------------------------------------------------------------------------------------
# (b) translations keep the placeholders


@pytest.mark.parametrize("language", REQUIRED + WELCOME)
def test_placeholders_match(language: str) -> None:
    wrong = []
    for msgid, text in translations(language).items():
        names, literal, stray = placeholders(msgid)
        assert not stray, f"stray % in the message id {msgid!r}"
        if placeholders(text) != (names, literal, []):
            wrong.append((msgid, text))
    assert not wrong, f"{language}: placeholders differ from the message id: {wrong}"


@pytest.mark.parametrize("language", REQUIRED + WELCOME)
def test_template_messages_render(language: str) -> None:
    """Newstyle gettext %-formats every template message: the translation must format."""
    template = ENV.from_string("{{ _(msgid, **values) }}")
    for msgid in extracted():
        if not from_template(msgid):
            continue
        values = {name: "<7>" for name in placeholders(msgid)[0]}
        rendered = in_language(language, partial(template.render, msgid=msgid, values=values))
        expected = translations(language).get(msgid, msgid)
        for name in values:
            expected = expected.replace(f"%({name})s", "&lt;7&gt;")
        assert rendered == expected.replace("%%", "%"), (language, msgid)


def test_catalogue_is_what_the_app_reads() -> None:
    assert in_language("fi", lambda: i18n.gettext("Sign in")) == translations("fi")["Sign in"]
    assert in_language("en", lambda: i18n.gettext("job_search")) == "Job seeker"
    assert in_language("fi", lambda: i18n.gettext("job_search")) == "Työnhakija"


# ---------------------------------------------------------------------------------------------
# (c) no hard-coded visible text in templates


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_templates_have_no_literal_text(name: str) -> None:
    allowed = ALLOWED_WORDS["*"] | ALLOWED_WORDS.get(name, set())
    words = re.findall(r"[^\W\d_]+", visible_text(template_data(name)))
    literal = sorted({word for word in words if word not in allowed})
    assert not literal, f"{name}: literal text outside _(): {literal}"


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_visible_attributes_are_translated(name: str) -> None:
    html = template_data(name)
    pattern = r"""\b({})\s*=\s*(?:"([^"]*)"|'([^']*)')""".format("|".join(VISIBLE_ATTRIBUTES))
    literal = []
    for match in re.finditer(pattern, html, flags=re.I):
        value = (match.group(2) or match.group(3) or "").replace(MARK, " ")
        value = re.sub(r"&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);", " ", value)
        if re.search(r"[^\W\d_]", value):
            literal.append(match.group(0))
    assert not literal, f"{name}: visible attributes with literal text: {literal}"


def test_literal_text_check_catches_text() -> None:
    """The checks above see text between tags, inside tags split by Jinja2, and attributes."""
    source = (
        '<p class="{{ c }}">{{ x }} Hello</p><option {% if y %}selected{% endif %}>– 1 %</option>'
        '<span title="Tip">·</span><script>var a = "ok";</script>'
    )
    parts = [value if kind == "data" else MARK for _lineno, kind, value in ENV.lex(source)]
    html = "".join(parts)
    assert re.findall(r"[^\W\d_]+", visible_text(html)) == ["Hello"]
    assert 'title="Tip"' in html


# ---------------------------------------------------------------------------------------------
# (d) numbers and dates per language


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize(
    ("language", "expected"), [("fi", "1 234,5"), ("en", "1,234.5"), ("sv", "1 234,5")]
)
def test_number_format(language: str, expected: str) -> None:
    assert plain(in_language(language, lambda: i18n.number(1234.5, 1))) == expected


def test_number_missing_and_whole() -> None:
    assert in_language("fi", lambda: i18n.number(None)) == "–"
    assert plain(in_language("fi", lambda: i18n.number(1000))) == "1 000"


def test_day_format() -> None:
    assert in_language("fi", lambda: i18n.day(date(2017, 4, 12))) == "12.4.2017"
    assert "2017" in in_language("en", lambda: i18n.day(date(2017, 4, 12)))
    assert in_language("fi", lambda: i18n.day(None)) == "–"


def test_language_does_not_leak() -> None:
    before = i18n.current_language()
    in_language("en", i18n.current_language)
    assert i18n.current_language() == before
