"""XES in and out: the safe streaming reader and the streamed writer."""

from sujuva.eventlog.xes_read import LIFECYCLE, PROBLEM, REFUSED, UNMATCHED_START, iter_xes_batches
from sujuva.eventlog.xes_write import write_xes

__all__ = ["LIFECYCLE", "PROBLEM", "REFUSED", "UNMATCHED_START", "iter_xes_batches", "write_xes"]
