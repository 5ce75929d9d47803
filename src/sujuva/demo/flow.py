"""Vectorised building blocks of a path simulation.

A path is simulated slot by slot: a *slot* is one possible event of every case of the path (a
step, or a repetition of a step), with a mask saying which cases have it. The builder keeps, per
case, the completion time of its latest event, so each slot is placed after the previous one:
within a case, slot order is time order. Loops run over slots, never over cases.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sujuva.demo.cases import pick
from sujuva.demo.catalogue import ACT, NO_CHANNEL, ORG, step_of
from sujuva.demo.timekeeping import (
    DAY,
    I64,
    local_to_utc,
    place_after_working_days,
    place_office,
    place_online,
)

Bools = NDArray[np.bool_]
Codes = NDArray[np.int16]
Actor = str | Mapping[str, float] | Codes
Channel = tuple[float, float, float, float] | NDArray[np.int8] | None


@dataclass
class Slot:
    """One possible event of every case of a path (arrays over the path's cases)."""

    activity: int
    mask: Bools
    start: I64 | None  # local seconds; None for an instantaneous step
    end: I64  # local seconds of completion
    actor: Codes
    channel: NDArray[np.int8]  # -1 = no channel
    staffed: bool
    value_class: str
    start_utc: I64 | None = None
    end_utc: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def subset(self, index: NDArray[np.int64]) -> Slot:
        """The slot restricted to the cases at ``index`` (in that order)."""
        return Slot(
            self.activity,
            self.mask[index],
            None if self.start is None else self.start[index],
            self.end[index],
            self.actor[index],
            self.channel[index],
            self.staffed,
            self.value_class,
            None if self.start_utc is None else self.start_utc[index],
            self.end_utc[index],
        )


@dataclass
class Timeline:
    """The full (uncensored) simulated history of every case of one path."""

    path: str
    slots: list[Slot]
    outcome: NDArray[np.int8]
    shift: I64  # seconds removed by an effective pilot, per case
    shift_from: int  # first slot the shift applies to (len(slots) when none)

    def to_utc(self) -> None:
        """Fill ``start_utc`` / ``end_utc`` and apply the pilot shift (exact, in UTC)."""
        for number, slot in enumerate(self.slots):
            shift = self.shift if number >= self.shift_from else 0
            slot.end_utc = local_to_utc(slot.end) - shift
            if slot.start is not None:
                slot.start_utc = local_to_utc(slot.start) - shift

    def subset(self, index: NDArray[np.int64]) -> Timeline:
        """The timeline restricted to the cases at ``index`` (in that order)."""
        return Timeline(
            self.path,
            [slot.subset(index) for slot in self.slots],
            self.outcome[index],
            self.shift[index],
            self.shift_from,
        )

    def first_instant(self) -> I64:
        """UTC seconds of the earliest recorded instant of every case (start of its first step)."""
        first = self.slots[0]
        return first.end_utc if first.start_utc is None else first.start_utc

    def last_slot(self) -> NDArray[np.int64]:
        """Index of the last slot every case has (its outcome event)."""
        last = np.full(self.outcome.size, -1, dtype=np.int64)
        for number, slot in enumerate(self.slots):
            last[slot.mask] = number
        return last

    def last_instant(self) -> I64:
        """UTC seconds of the completion of every case's final (outcome) event."""
        result = np.zeros(self.outcome.size, dtype=np.int64)
        for slot in self.slots:  # slot order is time order within a case
            result = np.where(slot.mask, slot.end_utc, result)
        return result


class PathBuilder:
    """Adds slots to a path, case-vectorised, keeping each case's latest completion time."""

    def __init__(self, path: str, n: int, rng: np.random.Generator) -> None:
        self.path = path
        self.n = n
        self.rng = rng
        self.slots: list[Slot] = []
        self.last_end = np.zeros(n, dtype=np.int64)
        self.active = np.ones(n, dtype=np.bool_)
        self.outcome = np.full(n, -1, dtype=np.int8)
        self.shift = np.zeros(n, dtype=np.int64)
        self.shift_from: int | None = None

    # --- draws -----------------------------------------------------------------------------------

    def chance(self, p: float) -> Bools:
        """A Bernoulli(p) draw per case."""
        result: Bools = self.rng.random(self.n) < p
        return result

    def choose(self, probs: tuple[float, ...]) -> NDArray[np.int8]:
        """A categorical draw per case (codes 0..len(probs)-1)."""
        return pick(self.rng, probs, self.n)

    def channel(
        self, in_person: float, phone: float, online: float, letter: float
    ) -> NDArray[np.int8]:
        """A channel code per case."""
        return self.choose((in_person, phone, online, letter))

    def no_channel(self) -> NDArray[np.int8]:
        """No channel for any case."""
        return np.full(self.n, NO_CHANNEL, dtype=np.int8)

    def org(self, short_name: str) -> Codes:
        """The same organisation for every case."""
        return np.full(self.n, ORG[short_name], dtype=np.int16)

    def orgs(self, options: dict[str, float]) -> Codes:
        """An organisation per case, drawn with the given probabilities."""
        codes = np.array([ORG[name] for name in options], dtype=np.int16)
        return codes[self.choose(tuple(options.values()))]

    def lognormal_seconds(self, median_days: float, sigma: float) -> I64:
        """A lognormal duration per case with the given median (days) and log-sd."""
        draw = np.exp(sigma * self.rng.standard_normal(self.n))
        return (median_days * DAY * draw).astype(np.int64)

    # --- placement -------------------------------------------------------------------------------

    def after(
        self, median_days: float, sigma: float, *, online: bool = False, extra_days: int = 0
    ) -> I64:
        """Start times after each case's latest event: a lognormal wait (plus ``extra_days``),
        then the next office-hours (or online-hours) instant."""
        earliest = self.last_end + self.lognormal_seconds(median_days, sigma) + extra_days * DAY
        return place_online(earliest, self.rng) if online else place_office(earliest, self.rng)

    def after_working_days(self, working_days: I64) -> I64:
        """Start times exactly ``working_days`` Finnish working days after the latest event."""
        return place_after_working_days(self.last_end, working_days, self.rng)

    # --- slots -----------------------------------------------------------------------------------

    def _actor(self, actor: Actor) -> Codes:
        if isinstance(actor, str):
            return self.org(actor)
        if isinstance(actor, Mapping):
            return self.orgs(dict(actor))
        return actor

    def _channel(self, channel: Channel) -> NDArray[np.int8]:
        if channel is None:
            return self.no_channel()
        if isinstance(channel, tuple):
            return self.channel(*channel)
        return channel

    def step(
        self,
        activity: str,
        start: I64,
        *,
        actor: Actor,
        channel: Channel = None,
        present: Bools | None = None,
        touch: tuple[float, float] | None = None,
        staffed: bool = True,
        closing: bool = False,
    ) -> None:
        """Add a slot for the cases in ``present`` (default: all) that are still active (or not
        yet closed, for a ``closing`` slot). ``actor`` is a short name, a mapping short name ->
        probability or codes per case; ``channel`` is None (no channel), probabilities
        (in person, phone, online, letter) or codes per case. ``touch`` = (median minutes, log-sd)
        of the step's process time; None makes the step instantaneous (no start time)."""
        alive = (self.outcome < 0) if closing else self.active
        mask = alive.copy() if present is None else present & alive
        actors, channels = self._actor(actor), self._channel(channel)
        if touch is None:
            begin, end = None, start
        else:
            minutes = touch[0] * np.exp(touch[1] * self.rng.standard_normal(self.n))
            begin, end = start, start + (np.clip(minutes, 5.0, 360.0) * 60).astype(np.int64)
        value_class = step_of(self.path, activity).value_class
        self.slots.append(
            Slot(ACT[activity], mask, begin, end, actors, channels, staffed, value_class)
        )
        self.last_end = np.where(mask, end, self.last_end)

    def stop(self, mask: Bools) -> None:
        """The cases in ``mask`` take no further service steps (they still get a closing step)."""
        self.active &= ~mask

    def end_here(self, mask: Bools, outcome: NDArray[np.int8]) -> None:
        """Close the active cases in ``mask`` with ``outcome`` on their latest event."""
        closing = mask & self.active & (self.outcome < 0)
        self.outcome = np.where(closing, outcome, self.outcome).astype(np.int8)
        self.active &= ~closing

    def close(
        self,
        activity: str,
        start: I64,
        outcome: NDArray[np.int8],
        *,
        actor: Actor,
        channel: Channel,
        tie: Bools,
        present: Bools | None = None,
    ) -> None:
        """A final instantaneous step carrying the outcome, for every case not closed yet (within
        ``present``). Cases in ``tie`` get the exact completion time of their previous event."""
        mask = np.ones(self.n, dtype=np.bool_) if present is None else present
        start = np.where(tie, self.last_end, start)
        self.step(activity, start, actor=actor, channel=channel, present=mask, closing=True)
        closing = mask & (self.outcome < 0)
        self.outcome = np.where(closing, outcome, self.outcome).astype(np.int8)
        self.active &= ~closing

    def begin_shift(self, seconds: I64) -> None:
        """From the next slot on, remove ``seconds`` per case (an effective pilot)."""
        self.shift = seconds.astype(np.int64)
        self.shift_from = len(self.slots)

    def build(self) -> Timeline:
        """The finished timeline (every case must have been closed), converted to UTC."""
        if (self.outcome < 0).any():
            raise RuntimeError(f"{self.path}: cases left without an outcome")
        shift_from = len(self.slots) if self.shift_from is None else self.shift_from
        timeline = Timeline(self.path, self.slots, self.outcome, self.shift, shift_from)
        timeline.to_utc()
        return timeline
