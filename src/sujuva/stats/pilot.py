"""Evaluating a pilot (kokeilu) honestly: one call from a case table to a verdict.

The comparison is pilot-post against comparison-post; pre-period rows, when both groups have
enough of them, add a difference-in-differences and a look at the pre-period trends. Every
estimate says what it rests on, and the verdict says plainly when the data cannot answer
(domain brief §6).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sujuva.stats import cox, did, survival
from sujuva.stats.balance import balance as covariate_balance
from sujuva.stats.inputs import Prepared, check_options, prepare
from sujuva.stats.power import power_summary
from sujuva.stats.results import DidResult, PilotEvaluation
from sujuva.stats.verdict import Evidence, decide


def evaluate_pilot(
    data: pd.DataFrame,
    *,
    outcome: tuple[str, str],
    covariates: Sequence[str] = (),
    min_effect_days: float | None = None,
    alpha: float = 0.05,
    bootstrap: int = 1000,
    seed: int = 2017,
) -> PilotEvaluation:
    """Compare the pilot group's time to the outcome with the comparison group's.

    ``data`` has one row per case: group ("pilot" | "comparison"), period ("pre" | "post"),
    start (tz-aware datetime of the clock start), days (≥ 0, to the outcome or to censoring),
    event (0 open, 1 the primary outcome, 2, 3… competing outcomes), event_name, optionally
    case_id, and the ``covariates`` (categorical; missing values are a level of their own).
    ``outcome`` names the path: (from step, to step). ``bootstrap`` resamples (within each
    group, seeded by ``seed``) give the CIs of the median and restricted-mean differences.
    Raises :class:`~sujuva.errors.UsageError` for input that cannot be evaluated.
    """
    check_options(
        outcome=outcome, alpha=alpha, bootstrap=bootstrap, min_effect_days=min_effect_days
    )
    prepared = prepare(data, covariates=covariates)
    evidence, notes = _evidence(
        prepared,
        outcome=(outcome[0], outcome[1]),
        min_effect_days=min_effect_days,
        alpha=alpha,
        bootstrap=bootstrap,
        seed=seed,
    )
    post = prepared.post
    return PilotEvaluation(
        outcome=evidence.outcome,
        alpha=alpha,
        bootstrap=bootstrap,
        horizon_days=evidence.horizon,
        pilot=evidence.pilot,
        comparison=evidence.comparison,
        median_difference=evidence.median,
        rmst_difference=evidence.rmst,
        curves=survival.curves(post, alpha=alpha),
        logrank=evidence.logrank,
        cox=evidence.cox,
        incidence=survival.cumulative_incidence(post, names=prepared.outcome_names, seed=seed),
        did=evidence.did,
        balance=evidence.balance,
        power=evidence.power,
        verdict=decide(evidence),
        notes=notes,
    )


def _evidence(
    prepared: Prepared,
    *,
    outcome: tuple[str, str],
    min_effect_days: float | None,
    alpha: float,
    bootstrap: int,
    seed: int,
) -> tuple[Evidence, tuple[str, ...]]:
    """Every estimate the verdict weighs, and notes on what could not be estimated."""
    post = prepared.post
    horizon = float(post.groupby("group")["days"].max().min())
    pilot = survival.summarise_group(post, group="pilot", alpha=alpha, horizon=horizon)
    comparison = survival.summarise_group(post, group="comparison", alpha=alpha, horizon=horizon)
    counts, medians, rmsts = _bootstrap(post, bootstrap=bootstrap, seed=seed, horizon=horizon)
    cox_result = cox.pilot_effect(post, prepared.covariates, alpha=alpha)
    did_result, notes = _did(prepared, alpha=alpha, bootstrap=bootstrap, seed=seed)
    evidence = Evidence(
        outcome=outcome,
        alpha=alpha,
        horizon=horizon,
        pilot=pilot,
        comparison=comparison,
        median=survival.difference(
            pilot.median_days - comparison.median_days, *medians, alpha=alpha
        ),
        rmst=survival.difference(pilot.rmst_days - comparison.rmst_days, *rmsts, alpha=alpha),
        logrank=survival.logrank(post, alpha=alpha),
        cox=cox_result,
        did=did_result,
        balance=covariate_balance(
            post, prepared.covariates, alpha=alpha, counts=counts, pilot_medians=medians[0]
        ),
        power=power_summary(pilot, comparison, alpha=alpha, min_effect_days=min_effect_days),
        competing_names=_competing_names(prepared),
    )
    return evidence, (*notes, *_model_notes(prepared, cox_result.dropped, cox_result.penalised))


Pair = tuple[np.ndarray, np.ndarray]


def _bootstrap(
    post: pd.DataFrame, *, bootstrap: int, seed: int, horizon: float
) -> tuple[Pair, Pair, Pair]:
    """Resample each group's cases; return the counts, replicate medians and RMSTs.

    Each tuple is (pilot, comparison); counts follow the post frame's row order per group.
    """
    counts, medians, rmsts = [], [], []
    for index, flag in enumerate((1, 0)):
        rows = post[post["pilot"] == flag]
        rng = np.random.default_rng([seed, 1, index])
        drawn = survival.resample_counts(len(rows), bootstrap=bootstrap, rng=rng)
        median, rmst = survival.replicate_stats(
            rows["days"].to_numpy(), rows["primary"].to_numpy(), drawn, horizon=horizon
        )
        counts.append(drawn)
        medians.append(median)
        rmsts.append(rmst)
    return (counts[0], counts[1]), (medians[0], medians[1]), (rmsts[0], rmsts[1])


def _did(
    prepared: Prepared, *, alpha: float, bootstrap: int, seed: int
) -> tuple[DidResult | None, tuple[str, ...]]:
    if prepared.pre.empty:
        return None, ("no pre-period rows: no difference-in-differences",)
    reason = did.why_not(prepared.frame)
    if reason is not None:
        return None, (reason,)
    found = did.difference_in_differences(
        prepared.frame, prepared.covariates, alpha=alpha, bootstrap=bootstrap, seed=seed
    )
    if found.parallel_p is None:
        return found, ("pre-period trends could not be tested (pre period too short)",)
    return found, ()


def _model_notes(prepared: Prepared, dropped: tuple[str, ...], penalised: bool) -> list[str]:
    notes = []
    if dropped:
        notes.append(f"covariates not used in the Cox model: {', '.join(dropped)}")
    if penalised:
        notes.append("the Cox model needed a small ridge penalty (0.01) to converge")
    if not prepared.covariates:
        notes.append("no covariates: balance between the groups was not checked")
    return notes


def _competing_names(prepared: Prepared) -> tuple[str, ...]:
    post = prepared.post
    codes = sorted(int(c) for c in post.loc[post["event"] >= 2, "event"].unique())
    return tuple(prepared.outcome_names[c] for c in codes)
