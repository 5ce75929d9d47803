"""The case population: which path each case walks, when it starts and its case attributes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from sujuva.demo.catalogue import ENTREPRENEUR, GRADUATE, JOB_SEARCH, PATHS, WORK_TO_WORK
from sujuva.demo.timekeeping import business_calendar, date_days

FIRST_START: Final = dt.date(2016, 1, 1)
LAST_START: Final = dt.date(2018, 10, 31)

AGE_GROUPS: Final = ("under 25", "25-29", "30-49", "50+")
EDUCATIONS: Final = ("basic", "vocational", "bachelor", "master")
SECTORS: Final = ("bioeconomy", "technology industry", "wellbeing", "other")
MUNICIPALITIES: Final = (
    "Joensuu",
    "Kontiolahti",
    "Liperi",
    "Lieksa",
    "Kitee",
    "Nurmes",
    "Outokumpu",
    "Ilomantsi",
    "Juuka",
    "Polvijärvi",
    "Tohmajärvi",
    "Valtimo",
    "Rääkkylä",
)
MUNICIPALITY_WEIGHTS: Final = (
    0.50,
    0.09,
    0.07,
    0.07,
    0.055,
    0.05,
    0.045,
    0.025,
    0.025,
    0.022,
    0.022,
    0.018,
    0.008,
)
MUNI: Final = {name: code for code, name in enumerate(MUNICIPALITIES)}
#: Municipalities of the Pielinen area, served by the Town of Lieksa's interviews.
PIELINEN: Final = (MUNI["Lieksa"], MUNI["Nurmes"], MUNI["Juuka"])

#: Shares of the cases by path, in proportion to the region's yearly flows (North Karelia,
#: about 163,000 inhabitants and 58,800 jobs): some 400 starting entrepreneurs a year beside
#: thousands of job seekers, so that the jobs target (1,000 new jobs 2017–2020) is on its way,
#: neither met twice over by 2018 nor out of reach.
PATH_SHARES: Final = {ENTREPRENEUR: 0.06, GRADUATE: 0.23, JOB_SEARCH: 0.515, WORK_TO_WORK: 0.195}

AGE_P: Final = {
    ENTREPRENEUR: (0.08, 0.20, 0.55, 0.17),
    GRADUATE: (0.55, 0.40, 0.05, 0.0),
    JOB_SEARCH: (0.18, 0.14, 0.40, 0.28),
    WORK_TO_WORK: (0.05, 0.12, 0.50, 0.33),
}
EDUCATION_P: Final = {
    ENTREPRENEUR: (0.10, 0.45, 0.30, 0.15),
    GRADUATE: (0.0, 0.42, 0.36, 0.22),
    JOB_SEARCH: (0.25, 0.50, 0.15, 0.10),
    WORK_TO_WORK: (0.15, 0.50, 0.22, 0.13),
}
SECTOR_P: Final = {
    ENTREPRENEUR: (0.22, 0.14, 0.30, 0.34),
    GRADUATE: (0.18, 0.22, 0.30, 0.30),
    JOB_SEARCH: (0.15, 0.18, 0.25, 0.42),
    WORK_TO_WORK: (0.25, 0.35, 0.15, 0.25),
}
#: Relative case starts per calendar month (Jan..Dec); graduates cluster in June.
MONTH_WEIGHTS: Final = {
    ENTREPRENEUR: (1.4, 1.2, 1.1, 1.0, 0.9, 0.8, 0.5, 1.1, 1.2, 1.1, 1.0, 0.6),
    GRADUATE: (0.6, 0.4, 0.4, 0.5, 1.5, 4.0, 0.6, 0.6, 0.5, 0.4, 0.4, 1.2),
    JOB_SEARCH: (1.3, 1.1, 1.0, 1.0, 0.95, 0.9, 0.6, 1.2, 1.1, 1.05, 1.0, 0.7),
    WORK_TO_WORK: (1.1, 1.0, 1.0, 1.1, 1.0, 0.9, 0.5, 1.0, 1.2, 1.2, 1.1, 0.8),
}
#: Relative case starts on a non-working day (job seekers may register online at weekends).
OFF_DAY_WEIGHT: Final = {ENTREPRENEUR: 0.0, GRADUATE: 0.0, JOB_SEARCH: 0.25, WORK_TO_WORK: 0.0}
YEAR_WEIGHTS: Final = {2016: 1.0, 2017: 1.0, 2018: 0.95}


@dataclass(frozen=True)
class Population:
    """Case-level arrays, one element per case (integer codes into the tuples above)."""

    path: NDArray[np.int8]
    start_day: NDArray[np.int64]  # local date of the first step, days since 1970-01-01
    age: NDArray[np.int8]
    education: NDArray[np.int8]
    municipality: NDArray[np.int8]
    sector: NDArray[np.int8]

    def subset(self, index: NDArray[np.int64]) -> Population:
        """The cases at ``index``."""
        return Population(
            self.path[index],
            self.start_day[index],
            self.age[index],
            self.education[index],
            self.municipality[index],
            self.sector[index],
        )

    @property
    def size(self) -> int:
        """Number of cases."""
        return int(self.path.size)


def pick(rng: np.random.Generator, probs: tuple[float, ...], n: int) -> NDArray[np.int8]:
    """``n`` codes drawn with the given (unnormalised) probabilities."""
    p = np.asarray(probs, dtype=np.float64)
    return rng.choice(len(probs), size=n, p=p / p.sum()).astype(np.int8)


def _day_weights(path: str) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    first, last = date_days(FIRST_START), date_days(LAST_START)
    days = np.arange(first, last + 1, dtype=np.int64)
    dates = days.astype("datetime64[D]")
    months = dates.astype("datetime64[M]").astype(np.int64) % 12
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    weights = np.asarray(MONTH_WEIGHTS[path])[months]
    weights = weights * np.vectorize(YEAR_WEIGHTS.__getitem__, otypes=[float])(years)
    working = np.is_busday(dates, busdaycal=business_calendar())
    weights = weights * np.where(working, 1.0, OFF_DAY_WEIGHT[path])
    return days, weights / weights.sum()


def sample_population(n: int, rng: np.random.Generator) -> Population:
    """``n`` independent cases: path, start date (with seasonality) and case attributes."""
    path = pick(rng, tuple(PATH_SHARES[p] for p in PATHS), n)
    start_day = np.zeros(n, dtype=np.int64)
    age = np.zeros(n, dtype=np.int8)
    education = np.zeros(n, dtype=np.int8)
    sector = np.zeros(n, dtype=np.int8)
    for code, name in enumerate(PATHS):
        idx = np.flatnonzero(path == code)
        days, p = _day_weights(name)
        start_day[idx] = rng.choice(days, size=idx.size, p=p)
        age[idx] = pick(rng, AGE_P[name], idx.size)
        education[idx] = pick(rng, EDUCATION_P[name], idx.size)
        sector[idx] = pick(rng, SECTOR_P[name], idx.size)
    municipality = pick(rng, MUNICIPALITY_WEIGHTS, n)
    return Population(path, start_day, age, education, municipality, sector)
