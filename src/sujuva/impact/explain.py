"""Figures that carry their own derivation, and the number formatting used in those texts.

Every effect and progress figure in :mod:`sujuva.impact` is shown to people who must be able to
check it by hand (a regional council, an evaluator), so each comes with the formula it was
computed from, the formula with the numbers filled in, and the parameters used.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Explained:
    """One computed figure and how it was computed.

    ``name`` identifies the figure (``"direct"``, ``"total"``, ``"direct[bioeconomy]"``...);
    ``value`` is the number in ``unit`` (``"€/year"``, ``"jobs"``, ``"FTE"``, ``""``);
    ``formula`` is the formula with the numbers filled in, e.g. ``"direct = jobs × €/job/year =
    1 000 × 150 000 € = 150 000 000 €"``; ``parameters`` holds the inputs by name.
    """

    name: str
    value: float
    formula: str
    parameters: dict[str, float | str] = field(default_factory=dict)
    unit: str = ""


def num(value: float, *, decimals: int = 2) -> str:
    """``value`` with spaces between thousands and at most ``decimals`` decimals.

    Trailing zeros are dropped so that whole numbers read as whole numbers
    (``1000.0`` → ``"1 000"``, ``1.4700`` → ``"1.47"``, ``-0.0`` → ``"0"``).
    """
    if not math.isfinite(value):
        return str(value)
    text = f"{value:,.{decimals}f}".replace(",", " ")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def eur(value: float) -> str:
    """A euro amount rounded to whole euros: ``150000000.0`` → ``"150 000 000 €"``."""
    return f"{num(value, decimals=0)} €"


def plus(terms: Iterable[str]) -> str:
    """Terms joined with `` + `` (one term stays as it is)."""
    return " + ".join(terms)


def find(explanation: Iterable[Explained], name: str) -> Explained:
    """The figure called ``name``; ``KeyError`` when there is none (a programming error)."""
    for item in explanation:
        if item.name == name:
            return item
    raise KeyError(name)
