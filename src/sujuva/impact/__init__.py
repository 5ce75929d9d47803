"""Impact: the regional-economy effect of new jobs and progress towards the jobs target.

- :mod:`~sujuva.impact.economy` — :func:`jobs_effect` (multiplier or input–output method).
- :mod:`~sujuva.impact.io`, :mod:`~sujuva.impact.io_csv`, :mod:`~sujuva.impact.flq`,
  :mod:`~sujuva.impact.io_effect` — the input–output model, its CSV reader, regionalisation
  of a national table with FLQ, and the effect of jobs through the model.
- :mod:`~sujuva.impact.target`, :mod:`~sujuva.impact.jobs`, :mod:`~sujuva.impact.merge`,
  :mod:`~sujuva.impact.progress` — the jobs target, job records (import, derived, merged
  without double counting) and progress with a forecast.
"""

from sujuva.impact.economy import Effect, EffectConfig, io_effect, jobs_effect
from sujuva.impact.explain import Explained
from sujuva.impact.flq import Regionalisation, regionalise_flq
from sujuva.impact.forecast import Forecast
from sujuva.impact.io import IoModel, IoTable, io_model, leontief_inverse, technical_coefficients
from sujuva.impact.io_csv import read_io_table
from sujuva.impact.jobs import JOB_COLUMNS, JOB_TYPES, job_records_frame, read_job_records
from sujuva.impact.merge import MergeResult, merge_job_records
from sujuva.impact.progress import Progress, progress
from sujuva.impact.target import DEFAULT_SECTORS, SectorTarget, Target, make_target, source_target

__all__ = [
    "DEFAULT_SECTORS",
    "JOB_COLUMNS",
    "JOB_TYPES",
    "Effect",
    "EffectConfig",
    "Explained",
    "Forecast",
    "IoModel",
    "IoTable",
    "MergeResult",
    "Progress",
    "Regionalisation",
    "SectorTarget",
    "Target",
    "io_effect",
    "io_model",
    "job_records_frame",
    "jobs_effect",
    "leontief_inverse",
    "make_target",
    "merge_job_records",
    "progress",
    "read_io_table",
    "read_job_records",
    "regionalise_flq",
    "source_target",
    "technical_coefficients",
]
