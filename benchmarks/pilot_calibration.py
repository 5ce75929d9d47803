"""Calibration of the pilot evaluation by simulation: ``python -m benchmarks.pilot_calibration``.

Runs ``--runs`` simulated null pilots (no effect) and as many known-effect pilots (every pilot
case 21 days faster, log-normal times around 130 days, censoring at a data cut, ~15 % competing
outcomes; see ``sujuva.stats.simulate``) through ``sujuva.stats.evaluate_pilot`` and reports:

* the false-claim rate: share of null pilots whose verdict claims an effect (should be ≤ 5 %);
* the coverage: share of known-effect pilots whose 95 % CI of the median difference holds −21;
* the power: share of known-effect pilots whose verdict says "shorter";
* the time of one evaluation with 1,000 bootstrap resamples on 900 pilot vs 2,000 comparison
  cases (balanced covariates, and imbalanced ones, which adds the IPW refits).

Options::

    python -m benchmarks.pilot_calibration                      # 200 + 200 runs, 1,000 resamples
    python -m benchmarks.pilot_calibration --runs 50 --bootstrap 200      # a quick look
    python -m benchmarks.pilot_calibration --n-pilot 900 --n-comparison 2000 --workers 2

Results are printed and written to ``benchmarks/results/pilot-calibration.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"
COVARIATES = ("age_band", "office")
EFFECT = -21.0


def _chunk(args: tuple[dict[str, Any], int, int, int]) -> pd.DataFrame:
    from sujuva.stats.simulate import Scenario, calibrate

    fields, first, runs, bootstrap = args
    return calibrate(
        scenario=Scenario(**fields),
        runs=runs,
        first_seed=first,
        bootstrap=bootstrap,
        covariates=COVARIATES,
    )


def run_calibration(
    *, effect: float, runs: int, n_pilot: int, n_comparison: int, bootstrap: int, workers: int
) -> pd.DataFrame:
    """``runs`` simulated pilots with ``effect`` days, spread over ``workers`` processes."""
    from sujuva.stats.simulate import Scenario

    scenario = Scenario(n_pilot=n_pilot, n_comparison=n_comparison, effect_days=effect)
    fields = asdict(scenario)
    first_seed = 100_000 if effect else 0
    size = -(-runs // workers)
    jobs = [
        (fields, first_seed + start, min(size, runs - start), bootstrap)
        for start in range(0, runs, size)
    ]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return pd.concat(pool.map(_chunk, jobs), ignore_index=True)


def share(hits: int, total: int) -> dict[str, float]:
    """A share with its exact (Clopper–Pearson) 95 % interval."""
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(hits, total, alpha=0.05, method="beta")
    return {"share": hits / total, "low": float(low), "high": float(high), "n": total}


def time_one(*, imbalance: float, bootstrap: int = 1000) -> dict[str, float]:
    """Seconds for one evaluation on 900 pilot vs 2,000 comparison cases (best of two)."""
    from sujuva.stats import Scenario, evaluate_pilot, simulate_pilot

    scenario = replace(Scenario(), imbalance=imbalance, n_pre_pilot=400, n_pre_comparison=900)
    data = simulate_pilot(scenario=scenario, seed=7)
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        found = evaluate_pilot(
            data, outcome=("start", "outcome"), covariates=COVARIATES, bootstrap=bootstrap
        )
        best = min(best, time.perf_counter() - started)
    imbalanced = found.balance is not None and found.balance.imbalanced
    return {"seconds": best, "imbalance": imbalance, "ipw_refits": float(imbalanced)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pilot_calibration")
    parser.add_argument("--runs", type=int, default=200, help="pilots per scenario (200)")
    parser.add_argument("--n-pilot", type=int, default=300, help="pilot cases (300)")
    parser.add_argument("--n-comparison", type=int, default=600, help="comparison cases (600)")
    parser.add_argument("--bootstrap", type=int, default=1000, help="resamples (1000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    options = parser.parse_args()
    common = {
        "runs": options.runs,
        "n_pilot": options.n_pilot,
        "n_comparison": options.n_comparison,
        "bootstrap": options.bootstrap,
        "workers": options.workers,
    }
    started = time.perf_counter()
    null = run_calibration(effect=0.0, **common)
    known = run_calibration(effect=EFFECT, **common)
    wall = time.perf_counter() - started
    found = {
        "settings": common | {"effect_days": EFFECT, "covariates": list(COVARIATES)},
        "false_claim_rate": share(int(null["claimed"].sum()), len(null)),
        "null_ci_covers_zero": share(int(null["covered"].sum()), len(null)),
        "coverage": share(int(known["covered"].sum()), len(known)),
        "power_shorter": share(int((known["kind"] == "shorter").sum()), len(known)),
        "mean_estimate_days": float(known["estimate"].mean()),
        "seconds_per_evaluation": float(pd.concat([null, known])["seconds"].mean()),
        "wall_seconds": wall,
        "timing_900_vs_2000": [time_one(imbalance=0.0), time_one(imbalance=0.2)],
        "cores": os.cpu_count(),
    }
    _print(found)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pilot-calibration.json").write_text(json.dumps(found, indent=2))


def _print(found: dict[str, Any]) -> None:
    def pct(entry: dict[str, float]) -> str:
        return (
            f"{100 * entry['share']:5.1f} % (95 % CI {100 * entry['low']:.1f}–"
            f"{100 * entry['high']:.1f}, n = {entry['n']})"
        )

    settings = found["settings"]
    print(
        f"\nPilot evaluation calibration: {settings['n_pilot']} pilot vs "
        f"{settings['n_comparison']} comparison cases, {settings['bootstrap']} resamples"
    )
    print(f"false-claim rate (null pilots)       {pct(found['false_claim_rate'])}")
    print(f"CI coverage of {EFFECT:+.0f} days (effect)   {pct(found['coverage'])}")
    print(f"power: verdict 'shorter' (effect)    {pct(found['power_shorter'])}")
    print(f"mean estimate (effect)               {found['mean_estimate_days']:+.1f} days")
    print(f"time per evaluation                  {found['seconds_per_evaluation']:.2f} s")
    print(f"wall time                            {found['wall_seconds']:.0f} s")
    for timing in found["timing_900_vs_2000"]:
        print(
            f"one evaluation, 900 vs 2000 cases, 1000 resamples, imbalance "
            f"{timing['imbalance']:.1f}: {timing['seconds']:.2f} s"
        )


if __name__ == "__main__":
    main()
