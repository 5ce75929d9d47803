"""Checking shared keys: personal identity codes, business IDs, agreed numbers.

Valid codes are built here from the published rules (DVV for the henkilötunnus, PRH for the
Y-tunnus), independently of python-stdnum, and must be accepted; codes one character off must be
refused with the right reason, and no reason may ever show any of the value.
"""

from __future__ import annotations

import datetime

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sujuva.errors import UsageError
from sujuva.privacy import identity
from sujuva.privacy.identity import KEY_KINDS, REASONS, check_keys, looks_like_identity_codes
from sujuva.privacy.pseudonym import pseudonym

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_SIGNS = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}
KEY = b"k" * 32


def hetu_check(digits: str) -> str:
    """DVV: the nine digits DDMMYYZZZ as one number, modulo 31, index the check characters."""
    return CHECK_CHARACTERS[int(digits) % 31]


@st.composite
def hetus(draw: st.DrawFn) -> str:
    """A valid personal identity code: any date 1800–2099, any sign of its century, any
    individual number 002–999 (900–999: the temporary range)."""
    born = draw(st.dates(datetime.date(1800, 1, 1), datetime.date(2099, 12, 31)))
    sign = draw(st.sampled_from(CENTURY_SIGNS[born.year // 100 * 100]))
    individual = draw(st.integers(2, 999))
    ddmmyy = born.strftime("%d%m") + f"{born.year % 100:02d}"
    return f"{ddmmyy}{sign}{individual:03d}{hetu_check(ddmmyy + f'{individual:03d}')}"


def spelled(code: str, draw: st.DrawFn) -> str:
    """The same code as someone might have typed it: lower case, spaces around."""
    text = code.lower() if draw(st.booleans()) else code
    return draw(st.sampled_from(["", " ", "  ", "\t"])) + text + draw(st.sampled_from(["", " "]))


def ytunnus_check(digits: str) -> int | None:
    """PRH: weights 7 9 10 5 8 4 2, modulo 11; remainder 0 gives 0, 1 is never used, else 11 − r."""
    remainder = sum(w * int(d) for w, d in zip((7, 9, 10, 5, 8, 4, 2), digits, strict=True)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


seven_digits = st.text("0123456789", min_size=7, max_size=7)


def one(value: str | None, kind: str) -> tuple[str | None, str | None]:
    check = check_keys(pa.array([value], pa.string()), kind=kind)
    return check.normalised[0].as_py(), check.reason[0].as_py()


@given(code=hetus(), data=st.data())
def test_valid_identity_codes_are_accepted_and_normalised(code: str, data: st.DataObject) -> None:
    typed = spelled(code, data.draw)
    assert one(typed, "person") == (code, None)


@given(code=hetus(), data=st.data())
def test_a_wrong_check_character_is_refused(code: str, data: st.DataObject) -> None:
    wrong = data.draw(st.sampled_from([c for c in CHECK_CHARACTERS + "GIOQZ" if c != code[-1]]))
    assert one(code[:-1] + wrong, "person") == (None, identity.HETU_CHECK)


@given(
    day=st.integers(0, 99),
    month=st.integers(0, 99),
    year=st.integers(0, 99),
    century=st.sampled_from([1800, 1900, 2000]),
    individual=st.integers(2, 999),
    data=st.data(),
)
def test_impossible_dates_of_birth_are_refused(
    day: int, month: int, year: int, century: int, individual: int, data: st.DataObject
) -> None:
    try:
        datetime.date(century + year, month, day)
    except ValueError:
        pass
    else:
        return  # a real date: covered by the valid codes
    sign = data.draw(st.sampled_from(CENTURY_SIGNS[century]))
    digits = f"{day:02d}{month:02d}{year:02d}"
    code = f"{digits}{sign}{individual:03d}{hetu_check(digits + f'{individual:03d}')}"
    assert one(code, "person") == (None, identity.HETU_DATE)


@pytest.mark.parametrize(
    ("code", "normalised"),
    [
        ("131052-308T", "131052-308T"),
        (" 131052-308t ", "131052-308T"),
        ("010594Y9032", "010594Y9032"),  # a 2023 sign, temporary individual number
        ("010594y9032", "010594Y9032"),
        ("020516C903K", "020516C903K"),
        ("010100+002H", "010100+002H"),  # 1800s
        ("290200A002C", "290200A002C"),  # 2000 was a leap year
    ],
)
def test_known_codes(code: str, normalised: str) -> None:
    digits = normalised[:6] + normalised[7:10]
    assert normalised[-1] == hetu_check(digits)
    assert one(code, "person") == (normalised, None)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("131052-308U", identity.HETU_CHECK),
        ("131052-308", identity.HETU_LENGTH),
        ("131052-308TT", identity.HETU_LENGTH),
        ("131052", identity.HETU_LENGTH),
        ("131052G308T", identity.HETU_CENTURY),
        ("131052Z308T", identity.HETU_CENTURY),
        ("131052 308T", identity.HETU_CENTURY),
        ("1310523308T", identity.HETU_CENTURY),
        ("290200-002X", identity.HETU_DATE),  # 1900 was not a leap year
        ("310252-308Y", identity.HETU_DATE),
        ("132052-308T", identity.HETU_DATE),  # month 20: stdnum's pattern refuses it
        ("131052-000R", identity.HETU_INDIVIDUAL),
        ("131052-001S", identity.HETU_INDIVIDUAL),
        ("13105X-308T", identity.HETU_FORMAT),
        ("1\u06631052-308T", identity.HETU_FORMAT),  # an Arabic-Indic digit
    ],
)
def test_invalid_codes_get_the_right_reason(code: str, reason: str) -> None:
    assert one(code, "person") == (None, reason)


@given(digits=seven_digits, data=st.data())
def test_business_ids_are_accepted_in_their_spellings(digits: str, data: st.DataObject) -> None:
    check = ytunnus_check(digits)
    if check is None:
        return
    typed = data.draw(
        st.sampled_from(
            [f"{digits}-{check}", f"{digits}{check}", f" {digits} - {check} ", f"{digits}-{check} "]
        )
    )
    assert one(typed, "firm") == (f"{digits}-{check}", None)


@given(digits=seven_digits, offset=st.integers(1, 9))
def test_business_ids_with_a_wrong_check_digit_are_refused(digits: str, offset: int) -> None:
    check = ytunnus_check(digits)
    wrong = ((check if check is not None else 0) + offset) % 10
    if check is None:  # remainder 1: no check digit can make it valid
        wrong = offset
    assert one(f"{digits}-{wrong}", "firm") == (None, identity.YTUNNUS_CHECK)


@pytest.mark.parametrize("value", ["123456-7", "1234567", "12345678-9", "abcdefg-h", "1234567-X"])
def test_business_ids_of_the_wrong_shape_are_refused(value: str) -> None:
    assert one(value, "firm") == (None, identity.YTUNNUS_FORMAT)


CODE_CHARACTERS = "0123456789-+ABCDEFYXWVUHJKLNPRST"


@given(value=st.one_of(st.text(), st.text(CODE_CHARACTERS, min_size=4, max_size=14)))
def test_no_reason_ever_shows_the_value(value: str) -> None:
    values = pa.array([value, value.lower(), f" {value} "], pa.string())
    for kind in KEY_KINDS:
        for reason in check_keys(values, kind=kind).reason.to_pylist():
            if reason is None:
                continue
            assert reason in REASONS  # fixed sentences, never built from the value
            core = value.strip()
            if set(core) <= set(CODE_CHARACTERS):
                windows = {core[i : i + 4] for i in range(max(len(core) - 3, 0))}
                assert not any(window in reason for window in windows)


@given(code=hetus(), digits=seven_digits)
def test_pseudonyms_pass_through_for_every_kind(code: str, digits: str) -> None:
    already = pseudonym(KEY, code)
    for kind in KEY_KINDS:
        assert one(already, kind) == (already, None)
    assert one(pseudonym(KEY, digits), "firm")[0] == pseudonym(KEY, digits)


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_blank_and_null_give_null_without_reason(kind: str) -> None:
    check = check_keys(pa.array([None, "", "   ", "\t"], pa.string()), kind=kind)
    assert check.normalised.to_pylist() == [None] * 4
    assert check.reason.to_pylist() == [None] * 4


def test_plain_keys_are_trimmed_text() -> None:
    check = check_keys(pa.array([" A-17 ", "x", "", None, "131052-308U"]), kind="customer")
    assert check.normalised.to_pylist() == ["A-17", "x", None, None, "131052-308U"]
    assert check.reason.null_count == 5


def test_columns_of_many_rows_chunks_and_other_types() -> None:
    rows = ["131052-308T", " 131052-308t", "131052-308U", None] * 50_000
    check = check_keys(pa.chunked_array([rows[:100_001], rows[100_001:]]), kind="person")
    assert len(check.normalised) == len(rows)
    assert check.normalised[:4].to_pylist() == ["131052-308T", "131052-308T", None, None]
    assert check.reason[:4].to_pylist() == [None, None, identity.HETU_CHECK, None]
    assert check.reason.null_count == 150_000
    numbers = check_keys(pa.array([12345671, None], pa.int64()), kind="firm")
    assert numbers.normalised.to_pylist() == ["1234567-1", None]
    encoded = check_keys(pa.array(["131052-308T", "x"]).dictionary_encode(), kind="person")
    assert encoded.normalised.to_pylist() == ["131052-308T", None]


def test_unknown_kind_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown key kind"):
        check_keys(pa.array(["x"]), kind="hetu")


@given(codes=st.lists(hetus(), min_size=1, max_size=30, unique=True))
def test_a_column_of_identity_codes_is_recognised(codes: list[str]) -> None:
    assert looks_like_identity_codes(pa.array(codes))
    assert looks_like_identity_codes(pa.array([c.lower() for c in codes] + [None, ""]))


def test_identity_code_guard_thresholds() -> None:
    valid = ["131052-308T", "010594Y9032", "020516C903K", "010100+002H"]
    assert looks_like_identity_codes(pa.array([*valid, "a", "b", "c", "d"]))  # exactly half
    assert not looks_like_identity_codes(pa.array([*valid, "a", "b", "c", "d", "e"]))
    assert not looks_like_identity_codes(pa.array(["Register", "Interview"] * 100))
    assert not looks_like_identity_codes(pa.array([None, "", " "], pa.string()))
    assert not looks_like_identity_codes(pa.array([], pa.string()))
    assert not looks_like_identity_codes(pa.array([pseudonym(KEY, c) for c in valid]))
    # a few valid codes repeated many times still count once each
    assert not looks_like_identity_codes(pa.array(valid * 1000 + [str(i) for i in range(10)]))


def test_identity_code_guard_samples_large_columns() -> None:
    born = datetime.date(1960, 1, 1)
    codes = []
    for n in range(3000):
        day = born + datetime.timedelta(days=n)
        digits = day.strftime("%d%m%y") + "123"
        codes.append(f"{digits[:6]}-123{hetu_check(digits)}")
    noise = [f"note {i}" for i in range(1000)]
    assert looks_like_identity_codes(pa.chunked_array([codes[:1500], codes[1500:], noise]))
    assert not looks_like_identity_codes(pa.array(noise * 2 + codes[:500] + noise))
