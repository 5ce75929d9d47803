"""Input–output (Leontief) model of a regional economy.

From an inter-industry flow table ``Z`` (``Z[i, j]``: what sector ``j`` buys from sector ``i``
in a year) and total outputs ``x``, the model derives

- technical coefficients ``A = Z · diag(x)⁻¹`` (inputs from ``i`` per unit of ``j``'s output),
- the Leontief inverse ``L = (I − A)⁻¹`` (output of ``i`` needed, directly and indirectly, for
  one unit of final demand for ``j``),
- Type I output multipliers (column sums of ``L``),
- with employment per sector: employment coefficients ``w_j = e_j / x_j``, simple employment
  multipliers ``Σ_i w_i L_ij`` (jobs per unit of final demand) and Type I employment
  multipliers in ratio form ``Σ_i w_i L_ij / w_j`` (jobs in all sectors per direct job),
- with a household row (labour income paid by each sector) and column (household purchases
  from each sector): the closed model ``L̄ = (I − Ā)⁻¹`` with households as sector ``n + 1``,
  whose sector block gives Type II output and employment multipliers (direct + indirect +
  induced by household spending).

Reference: Miller & Blair, *Input-Output Analysis: Foundations and Extensions*, 2nd ed.,
Cambridge University Press 2009, chapters 2 and 6. Values are in the table's own unit
(``euro_per_unit`` euros, e.g. ``1e6`` for a table in M€); employment in persons or FTE.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sujuva.errors import UsageError

FloatArray = NDArray[np.float64]

#: I − A with a condition number above this is treated as singular.
MAX_CONDITION = 1e12


def _frozen(values: ArrayLike) -> FloatArray:
    array = np.array(values, dtype=np.float64)
    array.setflags(write=False)
    return array


def _vector(name: str, values: ArrayLike | None, sectors: tuple[str, ...]) -> FloatArray | None:
    """``values`` as a read-only float vector of one value per sector, or an error."""
    if values is None:
        return None
    try:
        array = _frozen(values)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{name} must be numbers, one per sector: {exc}") from exc
    if array.ndim != 1 or array.shape[0] != len(sectors):
        raise UsageError(
            f"{name} has {array.size} value(s) for {len(sectors)} sector(s); "
            "give one value per sector, in the order of the sector names"
        )
    bad = [sectors[i] for i in np.flatnonzero(~np.isfinite(array))]
    if bad:
        raise UsageError(f"{name} is not a finite number for sector(s) {', '.join(bad)}")
    return array


def _sector_names(sectors: Sequence[str]) -> tuple[str, ...]:
    names = tuple(str(name).strip() for name in sectors)
    if not names:
        raise UsageError("an input–output table needs at least one sector")
    if any(not name for name in names):
        raise UsageError("every sector needs a non-empty name")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise UsageError(f"sector name(s) given twice: {', '.join(duplicates)}")
    return names


def _flow_matrix(flows: ArrayLike, sectors: tuple[str, ...]) -> FloatArray:
    try:
        z = _frozen(flows)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"the flow table Z must be a rectangular table of numbers: {exc}") from exc
    if z.ndim != 2 or z.shape[0] != z.shape[1]:
        shape = " × ".join(str(size) for size in z.shape) or "a single number"
        raise UsageError(f"the flow table Z must be square (n × n sectors); got {shape}")
    if z.shape[0] != len(sectors):
        raise UsageError(
            f"{len(sectors)} sector name(s) for a {z.shape[0]} × {z.shape[0]} flow table; "
            "give one name per row and column"
        )
    bad = np.argwhere(~np.isfinite(z) | (z < 0))
    if bad.size:
        i, j = (int(k) for k in bad[0])
        what = "not a finite number" if not math.isfinite(z[i, j]) else "negative"
        raise UsageError(
            f"flow from '{sectors[i]}' to '{sectors[j]}' is {what} ({z[i, j]}); "
            "flows must be finite and ≥ 0"
        )
    return z


@dataclass(frozen=True)
class IoTable:
    """An input–output table for ``n`` named sectors (validated on construction).

    - ``flows`` (n × n): ``flows[i, j]`` = sales of sector ``i`` to sector ``j`` (row sells,
      column buys), ≥ 0.
    - ``total_output`` (n): each sector's gross output, > 0.
    - ``final_demand`` (n, optional): sales to final users (may be negative: stock changes).
    - ``employment`` (n, optional): persons or FTE per sector, ≥ 0.
    - ``household_row`` (n, optional): labour income each sector pays to households.
    - ``household_column`` (n, optional): household purchases from each sector.
    - ``household_self``: households' purchases from households (usually 0).
    - ``household_output``: total household income (the households' "output"), needed with
      the household row and column.
    - ``euro_per_unit``: euros per table unit (``1e6`` for a table in M€).
    - ``source``: where the table came from (file name), for messages.

    Construct with :meth:`build` from lists or arrays.
    """

    sectors: tuple[str, ...]
    flows: FloatArray
    total_output: FloatArray
    final_demand: FloatArray | None = None
    employment: FloatArray | None = None
    household_row: FloatArray | None = None
    household_column: FloatArray | None = None
    household_self: float = 0.0
    household_output: float | None = None
    euro_per_unit: float = 1.0
    source: str = ""

    def __post_init__(self) -> None:
        sectors = _sector_names(self.sectors)
        set_ = object.__setattr__
        set_(self, "sectors", sectors)
        set_(self, "flows", _flow_matrix(self.flows, sectors))
        for name in ("total_output", "final_demand", "employment"):
            set_(self, name, _vector(name.replace("_", " "), getattr(self, name), sectors))
        for name in ("household_row", "household_column"):
            set_(self, name, _vector(name.replace("_", " "), getattr(self, name), sectors))
        _check_outputs(self)
        _check_households(self)
        if not (math.isfinite(self.euro_per_unit) and self.euro_per_unit > 0):
            raise UsageError(f"euro_per_unit must be > 0 (got {self.euro_per_unit})")

    @classmethod
    def build(
        cls,
        *,
        sectors: Sequence[str],
        flows: ArrayLike,
        total_output: ArrayLike,
        final_demand: ArrayLike | None = None,
        employment: ArrayLike | None = None,
        household_row: ArrayLike | None = None,
        household_column: ArrayLike | None = None,
        household_self: float = 0.0,
        household_output: float | None = None,
        euro_per_unit: float = 1.0,
        source: str = "",
    ) -> IoTable:
        """A validated table from plain lists or arrays (see the class for the fields)."""
        return cls(
            sectors=tuple(sectors),
            flows=_frozen(flows),
            total_output=_frozen(total_output),
            final_demand=None if final_demand is None else _frozen(final_demand),
            employment=None if employment is None else _frozen(employment),
            household_row=None if household_row is None else _frozen(household_row),
            household_column=None if household_column is None else _frozen(household_column),
            household_self=float(household_self),
            household_output=None if household_output is None else float(household_output),
            euro_per_unit=float(euro_per_unit),
            source=source,
        )

    @property
    def has_households(self) -> bool:
        """True when the table can be closed with respect to households (Type II)."""
        return self.household_row is not None


def _check_outputs(table: IoTable) -> None:
    x = table.total_output
    assert x is not None  # a required field; _vector returns None only for None
    for j, value in enumerate(x):
        if value <= 0:
            raise UsageError(
                f"sector '{table.sectors[j]}' has {'zero' if value == 0 else 'negative'} "
                f"total output ({value}); technical coefficients divide by total output, "
                "so every sector needs an output > 0"
            )
    if table.employment is not None and (table.employment < 0).any():
        j = int(np.flatnonzero(table.employment < 0)[0])
        raise UsageError(f"sector '{table.sectors[j]}' has negative employment")


def _check_households(table: IoTable) -> None:
    row, column = table.household_row, table.household_column
    if (row is None) != (column is None):
        given = "row" if row is not None else "column"
        raise UsageError(
            f"the table has a household {given} but not the other; closing the model "
            "(Type II) needs both the household row (labour income) and column (consumption)"
        )
    if row is None or column is None:
        return
    if table.household_output is None or not table.household_output > 0:
        raise UsageError(
            "the households need a total output (total household income) > 0 "
            f"(got {table.household_output})"
        )
    for name, values in (("household row", row), ("household column", column)):
        if (values < 0).any():
            j = int(np.flatnonzero(values < 0)[0])
            raise UsageError(f"{name} is negative for sector '{table.sectors[j]}'")
    if not (math.isfinite(table.household_self) and table.household_self >= 0):
        raise UsageError(f"households → households must be ≥ 0 (got {table.household_self})")


@dataclass(frozen=True)
class IoModel:
    """The Leontief model derived from a table (or from regionalised coefficients).

    Arrays are indexed by ``sectors``. ``coefficients`` is ``A``, ``leontief`` is ``L``;
    ``output_multipliers`` are Type I (column sums of ``L``). ``employment_coefficients``
    (jobs per table unit of output), ``employment_multipliers`` (simple: jobs per unit of final
    demand) and ``employment_ratio_multipliers`` (Type I, jobs in all sectors per direct job;
    NaN where a sector has no employment) need employment. ``closed_leontief`` is the
    (n + 1) × (n + 1) inverse with households last; ``type_ii_output_multipliers`` sum its
    sector rows only (households' income excluded) and ``type_ii_employment_ratio_multipliers``
    are the Type II ratio multipliers; all three need the household row and column.
    """

    sectors: tuple[str, ...]
    coefficients: FloatArray
    leontief: FloatArray
    output_multipliers: FloatArray
    employment_coefficients: FloatArray | None = None
    employment_multipliers: FloatArray | None = None
    employment_ratio_multipliers: FloatArray | None = None
    closed_leontief: FloatArray | None = None
    type_ii_output_multipliers: FloatArray | None = None
    type_ii_employment_ratio_multipliers: FloatArray | None = None
    euro_per_unit: float = 1.0

    @property
    def has_type_ii(self) -> bool:
        """True when the closed (Type II) model is available."""
        return self.closed_leontief is not None

    def index(self, sector: str) -> int:
        """Position of ``sector``; a :class:`UsageError` naming the known sectors otherwise."""
        try:
            return self.sectors.index(sector)
        except ValueError:
            raise UsageError(
                f"unknown sector '{sector}' for this input–output table; "
                f"known sectors: {', '.join(self.sectors)}"
            ) from None


def technical_coefficients(table: IoTable) -> FloatArray:
    """``A = Z · diag(x)⁻¹``: what each sector buys from each other per unit of its output."""
    return _frozen(table.flows / table.total_output[np.newaxis, :])


def leontief_inverse(
    *, coefficients: ArrayLike, sectors: Sequence[str], what: str = "I − A"
) -> FloatArray:
    """``(I − A)⁻¹`` after checking that it exists and that the economy is productive.

    A singular or ill-conditioned ``I − A`` (condition number above :data:`MAX_CONDITION`),
    or a column of ``A`` summing to 1 or more (a sector whose inputs cost at least its output:
    no value added, the model is not productive), raises a :class:`UsageError`; ``what``
    names the matrix in the message (``"I − Ā"`` for the closed model).
    """
    a = np.asarray(coefficients, dtype=np.float64)
    names = tuple(sectors)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] != len(names):
        raise UsageError(f"the coefficient matrix must be {len(names)} × {len(names)}")
    system = np.eye(a.shape[0]) - a
    condition = float(np.linalg.cond(system))
    sums = a.sum(axis=0)
    shown = ", ".join(f"{name} {value:.3f}" for name, value in zip(names, sums, strict=True))
    if not math.isfinite(condition) or condition > MAX_CONDITION:
        raise UsageError(
            f"{what} is singular (condition number {condition:.3g}): the Leontief inverse "
            f"does not exist; column sums of the coefficients are {shown}"
        )
    unproductive = np.flatnonzero(sums >= 1.0)
    if unproductive.size:
        j = int(unproductive[0])
        raise UsageError(
            f"the model is not productive ({what}): sector '{names[j]}' uses inputs worth "
            f"{sums[j]:.3f} per unit of its output (column sum of the coefficients ≥ 1)"
        )
    try:
        return _frozen(np.linalg.inv(system))
    except np.linalg.LinAlgError as exc:  # pragma: no cover - caught by the condition number
        raise UsageError(f"{what} cannot be inverted: {exc}") from exc


def io_model(table: IoTable) -> IoModel:
    """The full model (Type I, and Type II when the table has households) of ``table``."""
    x = table.total_output
    households = None
    if table.household_row is not None and table.household_column is not None:
        assert table.household_output is not None  # checked by IoTable
        households = (
            table.household_row / x,
            table.household_column / table.household_output,
            table.household_self / table.household_output,
        )
    return model_from_coefficients(
        sectors=table.sectors,
        coefficients=technical_coefficients(table),
        employment_coefficients=None if table.employment is None else table.employment / x,
        households=households,
        euro_per_unit=table.euro_per_unit,
    )


def model_from_coefficients(
    *,
    sectors: Sequence[str],
    coefficients: ArrayLike,
    employment_coefficients: ArrayLike | None = None,
    households: tuple[ArrayLike, ArrayLike, float] | None = None,
    euro_per_unit: float = 1.0,
) -> IoModel:
    """The model of a coefficient matrix ``A`` (e.g. one regionalised with FLQ).

    ``households`` is (labour income per unit of each sector's output, household purchases
    from each sector per unit of household income, households' own share) for Type II.
    """
    names = _sector_names(sectors)
    a = _frozen(coefficients)
    leontief = leontief_inverse(coefficients=a, sectors=names)
    w = _vector("employment coefficients", employment_coefficients, names)
    closed = None if households is None else _closed_inverse(a, households, names)
    return IoModel(
        sectors=names,
        coefficients=a,
        leontief=leontief,
        output_multipliers=_frozen(leontief.sum(axis=0)),
        employment_coefficients=w,
        employment_multipliers=None if w is None else _frozen(w @ leontief),
        employment_ratio_multipliers=None if w is None else _ratio(w, leontief),
        closed_leontief=closed,
        type_ii_output_multipliers=None if closed is None else _frozen(closed[:-1, :-1].sum(0)),
        type_ii_employment_ratio_multipliers=(
            None if closed is None or w is None else _ratio(w, closed[:-1, :-1])
        ),
        euro_per_unit=euro_per_unit,
    )


def _ratio(w: FloatArray, inverse: FloatArray) -> FloatArray:
    """``Σ_i w_i L_ij / w_j``: jobs in all sectors per direct job (NaN where ``w_j = 0``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(w > 0, (w @ inverse) / np.where(w > 0, w, 1.0), np.nan)
    return _frozen(ratio)


def _closed_inverse(
    a: FloatArray, households: tuple[ArrayLike, ArrayLike, float], names: tuple[str, ...]
) -> FloatArray:
    """``(I − Ā)⁻¹`` of ``Ā = [[A, h_c], [h_r, h]]`` (households endogenous, last)."""
    labour = _vector("household row coefficients", households[0], names)
    consumption = _vector("household column coefficients", households[1], names)
    assert labour is not None and consumption is not None
    closed = np.zeros((len(names) + 1, len(names) + 1))
    closed[:-1, :-1] = a
    closed[:-1, -1] = consumption
    closed[-1, :-1] = labour
    closed[-1, -1] = float(households[2])
    return leontief_inverse(coefficients=closed, sectors=(*names, "households"), what="I − Ā")
