"""Pilots and their evaluations as JSON-ready data (the API's and the CLI's shape)."""

from __future__ import annotations

import math
from typing import Any

from sujuva.services.pilot_records import Pilot
from sujuva.services.pilots import PilotResult
from sujuva.services.records import frame_records


def pilot_as_json(pilot: Pilot) -> dict[str, Any]:
    """A stored pilot as JSON-ready data."""
    d = pilot.definition
    return {
        "id": pilot.id,
        "name": d.name,
        "path": d.path,
        "start": d.start,
        "end": d.end,
        "hypothesis": d.hypothesis,
        "change": d.change,
        "steps_affected": list(d.steps_affected),
        "organisations": list(d.organisations),
        "group": {
            "organisations": list(d.group.organisations),
            "where": {k: list(v) for k, v in d.group.where.items()},
            "case_ids": list(d.group.case_ids),
        },
        "comparison": d.comparison,
        "outcome_from": d.outcome_from,
        "outcome_to": d.outcome_to,
        "competing": list(d.competing),
        "min_effect_days": d.min_effect_days,
        "created_at": pilot.created_at,
        "updated_at": pilot.updated_at,
    }


def evaluation_as_json(result: PilotResult) -> dict[str, Any]:
    """A pilot's published evaluation, NaN-free."""
    e = result.evaluation
    body: dict[str, Any] = finite(
        {
            "pilot": pilot_as_json(result.pilot),
            "data_cut": result.data_cut,
            "verdict": {
                "kind": e.verdict.kind,
                "strength": e.verdict.strength,
                "caveats": list(e.verdict.caveats),
                "text": e.verdict.text,
            },
            "groups": [vars(e.pilot), vars(e.comparison)],
            "median_difference": vars(e.median_difference),
            "rmst_difference": vars(e.rmst_difference),
            "horizon_days": e.horizon_days,
            "logrank": vars(e.logrank),
            "cox": {
                "hazard_ratio": e.cox.hazard_ratio,
                "low": e.cox.low,
                "high": e.cox.high,
                "p": e.cox.p,
                "ph_p": e.cox.ph_p,
                "ph_violated": e.cox.ph_violated,
                "covariates": list(e.cox.covariates),
            },
            "did": None
            if e.did is None
            else {
                "hazard_ratio": e.did.hazard_ratio,
                "low": e.did.low,
                "high": e.did.high,
                "p": e.did.p,
                "median_did": vars(e.did.median_did),
                "parallel": e.did.parallel,
            },
            "balance": None
            if e.balance is None
            else {
                "max_smd_before": e.balance.max_smd_before,
                "max_smd_after": e.balance.max_smd_after,
                "imbalanced": e.balance.imbalanced,
            },
            "power": vars(e.power),
            "curves": frame_records(result.curves),
            "secondary": frame_records(result.secondary),
            "map_change": frame_records(result.map_change.arcs),
            "notes": list(e.notes),
        }
    )
    return body


def finite(value: Any) -> Any:
    """JSON has no NaN or infinity: such numbers (a median never reached) become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value
