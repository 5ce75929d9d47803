"""The jobs target and effects as JSON-ready data (the API's and the CLI's shape)."""

from __future__ import annotations

from typing import Any

from sujuva.impact import Effect
from sujuva.services.pilot_json import finite
from sujuva.services.records import frame_records
from sujuva.services.targets import TargetView


def effect_as_json(effect: Effect) -> dict[str, Any]:
    """An effect with every figure's formula and parameters."""
    return {
        "method": effect.method,
        "jobs": effect.jobs,
        "direct_eur": effect.direct_eur,
        "indirect_eur": effect.indirect_eur,
        "induced_eur": effect.induced_eur,
        "total_eur": effect.total_eur,
        "explanation": [
            {"name": e.name, "value": e.value, "formula": e.formula, "parameters": e.parameters}
            for e in effect.explanation
        ],
    }


def target_as_json(view: TargetView) -> dict[str, Any]:
    """Progress toward the target, the forecast, the (published) tables and the effect."""
    p = view.progress
    records = view.merged.records
    body: dict[str, Any] = finite(
        {
            "target": {
                "jobs": view.target.jobs,
                "share": view.target.share,
                "baseline_jobs": view.target.baseline_jobs,
                "start": view.target.start,
                "horizon": view.target.horizon,
            },
            "cumulative": p.cumulative,
            "expected_now": p.expected_now,
            "gap": p.gap,
            "on_track": p.on_track,
            "reached_date": p.reached_date,
            "pace_per_month": p.pace_per_month,
            "forecast": None
            if p.forecast is None
            else {
                "expected_at_horizon": p.forecast.expected_at_horizon,
                "low": p.forecast.low,
                "high": p.forecast.high,
                "level": p.forecast.level,
            },
            "monthly": frame_records(p.monthly),
            "by_sector": frame_records(p.by_sector),
            "by_organisation": frame_records(view.by_organisation),
            "by_path": frame_records(view.by_path),
            "by_pilot": frame_records(view.by_pilot),
            "records": {
                "imported": int((records["source"] == "imported").sum()),
                "derived": int((records["source"] == "derived").sum()),
                "counted_once": int(view.merged.dropped_total),
            },
            "effect": effect_as_json(view.effect),
        }
    )
    return body
