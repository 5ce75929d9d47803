"""TOL 2008 industry codes and the region's focus sectors.

TOL 2008 is Statistics Finland's Standard Industrial Classification, the Finnish version of
NACE Rev. 2 (identical down to the 4-digit class; TOL adds a 5th digit). A code has a section
letter (A–U) and digits: division (2), group (3), class (4), sub-class (5), written e.g.
``C``, ``25``, ``25.1``, ``25.11``, ``25110``. Job records carry at least a division.

The source names three focus sectors (bioeconomy, technology industry, wellbeing); everything
else is ``other``. The default mapping (override it with your own :class:`SectorTarget` list):

- **bioeconomy**: 01 crop and animal production, 02 forestry and logging, 03 fishing and
  aquaculture, 10 food, 11 beverages, 16 wood products, 17 paper and paper products, 35
  electricity, gas, steam (in the strict definition only bioenergy counts: refine with a
  group or class code where the data allow);
- **technology industry** (the manufacturing scope of Technology Industries of Finland): 24
  basic metals, 25 fabricated metal products, 26 computers and electronics, 27 electrical
  equipment, 28 machinery, 29 motor vehicles, 30 other transport equipment, 33 repair and
  installation of machinery;
- **wellbeing**: 86 human health, 87 residential care, 88 social work without accommodation;
- **other**: every other valid code.

A code maps to the sector whose listed prefix is the longest match (so a sector may claim a
group such as ``3511`` while another claims the division ``35``); the one sector with no codes
takes every code that no prefix matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sujuva.errors import UsageError

#: TOL 2008 sections: letter → (English name, first division, last division).
SECTIONS: dict[str, tuple[str, int, int]] = {
    "A": ("Agriculture, forestry and fishing", 1, 3),
    "B": ("Mining and quarrying", 5, 9),
    "C": ("Manufacturing", 10, 33),
    "D": ("Electricity, gas, steam and air conditioning supply", 35, 35),
    "E": ("Water supply; sewerage, waste management and remediation", 36, 39),
    "F": ("Construction", 41, 43),
    "G": ("Wholesale and retail trade; repair of motor vehicles", 45, 47),
    "H": ("Transportation and storage", 49, 53),
    "I": ("Accommodation and food service activities", 55, 56),
    "J": ("Information and communication", 58, 63),
    "K": ("Financial and insurance activities", 64, 66),
    "L": ("Real estate activities", 68, 68),
    "M": ("Professional, scientific and technical activities", 69, 75),
    "N": ("Administrative and support service activities", 77, 82),
    "O": ("Public administration and defence; compulsory social security", 84, 84),
    "P": ("Education", 85, 85),
    "Q": ("Human health and social work activities", 86, 88),
    "R": ("Arts, entertainment and recreation", 90, 93),
    "S": ("Other service activities", 94, 96),
    "T": ("Activities of households as employers", 97, 98),
    "U": ("Activities of extraterritorial organisations and bodies", 99, 99),
}

#: Division numbers that TOL 2008 leaves unused inside a section's range.
_UNUSED = {4, 34, 40, 44, 48, 54, 57, 67, 76, 83, 89}

#: Every valid division ("01" … "99") with its section letter.
DIVISIONS: dict[str, str] = {
    f"{division:02d}": letter
    for letter, (_, first, last) in SECTIONS.items()
    for division in range(first, last + 1)
    if division not in _UNUSED
}

_CODE = re.compile(r"^(?P<letter>[A-Za-z])?\s*(?P<digits>[0-9][0-9. ]*)?$")


def normalise_tol_code(code: object) -> str:
    """A TOL 2008 code as its digits (``"C 25.11"`` → ``"2511"``), or a :class:`UsageError`.

    At least a division (2 digits) is needed, at most a sub-class (5); the division must exist
    and agree with the section letter when one is given.
    """
    text = str(code).strip()
    match = _CODE.match(text)
    digits = (match.group("digits") or "").replace(".", "").replace(" ", "") if match else ""
    if match is None or not digits:
        raise UsageError(
            f"'{text}' is not a TOL 2008 code; give a division or finer, e.g. 25, C25 or 25.11"
        )
    if len(digits) < 2:
        raise UsageError(
            f"TOL code '{text}' has 1 digit; a code starts with a 2-digit division (e.g. 02, "
            "not 2: a spreadsheet may have dropped the leading zero)"
        )
    if len(digits) > 5:
        raise UsageError(f"TOL code '{text}' has {len(digits)} digits; at most 5 (sub-class)")
    division = digits[:2]
    if division not in DIVISIONS:
        raise UsageError(f"TOL code '{text}': division {division} does not exist in TOL 2008")
    letter = (match.group("letter") or "").upper()
    if letter and DIVISIONS[division] != letter:
        raise UsageError(
            f"TOL code '{text}': division {division} belongs to section "
            f"{DIVISIONS[division]}, not {letter}"
        )
    return digits


def expand_prefix(code: str) -> tuple[str, ...]:
    """A mapping prefix as digit prefixes: a section letter becomes all its divisions."""
    text = str(code).strip().upper()
    if len(text) == 1 and text in SECTIONS:
        return tuple(division for division, letter in DIVISIONS.items() if letter == text)
    return (normalise_tol_code(text),)


@dataclass(frozen=True)
class SectorTarget:
    """A focus sector: its ``name``, its TOL 2008 code prefixes (a section letter, a division or
    finer; empty for the catch-all sector) and an optional sub-target of new jobs (FTE)."""

    name: str
    tol_codes: tuple[str, ...] = ()
    jobs: float | None = None


DEFAULT_SECTORS: tuple[SectorTarget, ...] = (
    SectorTarget("bioeconomy", ("01", "02", "03", "10", "11", "16", "17", "35")),
    SectorTarget("technology industry", ("24", "25", "26", "27", "28", "29", "30", "33")),
    SectorTarget("wellbeing", ("86", "87", "88")),
    SectorTarget("other"),
)


@dataclass(frozen=True)
class SectorMap:
    """Which focus sector a TOL code belongs to (built by :func:`sector_map`)."""

    names: tuple[str, ...]
    prefixes: dict[str, str]
    catch_all: str | None

    def sector_of(self, code: object) -> str:
        """The focus sector of a TOL code (longest matching prefix, else the catch-all)."""
        digits = normalise_tol_code(code)
        for length in range(len(digits), 1, -1):
            sector = self.prefixes.get(digits[:length])
            if sector is not None:
                return sector
        if self.catch_all is None:
            raise UsageError(
                f"TOL code '{code}' belongs to no focus sector and no sector takes the rest"
            )
        return self.catch_all


def sector_map(sectors: Sequence[SectorTarget] = DEFAULT_SECTORS) -> SectorMap:
    """The lookup for ``sectors``; errors for duplicate names or codes and several catch-alls."""
    names = tuple(sector.name for sector in sectors)
    if not names or any(not name.strip() for name in names):
        raise UsageError("every focus sector needs a name")
    if len(set(names)) != len(names):
        raise UsageError(f"focus sector names must be unique: {', '.join(names)}")
    catch_alls = [sector.name for sector in sectors if not sector.tol_codes]
    if len(catch_alls) > 1:
        raise UsageError(
            f"only one sector may take the codes no other sector lists; "
            f"{', '.join(catch_alls)} all have no TOL codes"
        )
    prefixes: dict[str, str] = {}
    for sector in sectors:
        for code in sector.tol_codes:
            for prefix in expand_prefix(code):
                if prefixes.get(prefix, sector.name) != sector.name:
                    raise UsageError(
                        f"TOL code {prefix} is listed for both '{prefixes[prefix]}' and "
                        f"'{sector.name}'"
                    )
                prefixes[prefix] = sector.name
    return SectorMap(
        names=names, prefixes=prefixes, catch_all=catch_alls[0] if catch_alls else None
    )
