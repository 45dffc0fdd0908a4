"""Starting values: what a measure taken relative to the start counts from.

Most relative measures start from the person's rest position (the first ``baseline_s`` at
rest after settling); ``start_in: position`` measures from the first ``baseline_s`` of each
time in position.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from posecheck.coaching.checker.episodes import Episode
from posecheck.coaching.checker.looks import position_values
from posecheck.coaching.checker.results import SideKey, Values
from posecheck.specs.metrics import MetricBase
from posecheck.specs.schema import StretchSpec

#: The position measure's starting value: this quantile of the start window's samples, toward
#: the resting end (dev split: a first movement inside the window made the median a value
#: already in the stretch).
_START_QUANTILE = 0.2
#: With ``start_still_within``: after this long in position without a window that still, the
#: start is the latest window (a person who never holds that still still gets the check, rather
#: than a fault left unknown for the whole hold).
_STILL_WAIT_S = 5.0


class StartValues:
    """The starting values of one spec's relative measures, per (measure, side)."""

    def __init__(self, spec: StretchSpec) -> None:
        self.spec = spec
        #: taken at rest, frozen once taken
        self.baselines: dict[tuple[str, SideKey], float] = {}
        #: the reference length of a ``divide_by: start`` ratio in the same start window
        self._scales: dict[tuple[str, SideKey], float] = {}
        self._baseline_samples: dict[tuple[str, SideKey], deque] = {}
        # Starting values of ``start_in: position`` measures, for the episode they were taken in.
        self._position_starts: dict[tuple[str, SideKey], float] = {}
        self._position_samples: dict[tuple[str, SideKey], deque] = {}
        self._position_episode: Episode | None = None
        self._position_since_ms = 0.0  # when the episode's start values began to be collected
        self._backwards_since_ms: float | None = None

    def retake(self) -> None:
        """Take the rest values again (found again, or back from another posture)."""
        self.baselines.clear()
        self._baseline_samples.clear()
        self._scales.clear()

    def drop_pending(self) -> None:
        """Forget the samples of rest values not taken yet: the person has been seen in the
        stretch (by its own reading), so those samples were on the way into it, and the start
        is the rest that follows. Values already taken stay."""
        self._baseline_samples.clear()

    def of(
        self, name: str, side: SideKey, metric: MetricBase, episode: Episode | None
    ) -> float | None:
        """The starting value a relative measure is counted from (None: not taken yet)."""
        if not metric.from_position:
            return self.baselines.get((name, side))
        if episode is None or self._position_episode is not episode:
            return None
        return self._position_starts.get((name, side))

    def scale_of(self, name: str, side: SideKey) -> float | None:
        """The reference length a ``divide_by: start`` ratio had when its start was taken."""
        return self._scales.get((name, side))

    def collect_in_position(self, values: Values, t: float, episode: Episode) -> None:
        """Starting values of ``start_in: position`` measures: the median of the first
        ``baseline_s`` of each time in position (a new episode takes them again)."""
        if self._position_episode is not episode:
            self._position_episode = episode
            self._position_since_ms = t
            self._position_starts.clear()
            self._position_samples.clear()
        self._take(values, t, True, self._position_starts, self._position_samples)

    def collect_at_rest(self, values: Values, t: float) -> None:
        """Starting values: the median of the first ``baseline_s`` at rest after settling.
        Frozen once taken, so a slow movement is never mistaken for the start position."""
        self._take(values, t, False, self.baselines, self._baseline_samples)

    def _take(
        self,
        values: Values,
        t: float,
        in_position: bool,
        starts: dict[tuple[str, SideKey], float],
        samples_of: dict[tuple[str, SideKey], deque],
    ) -> None:
        """Median of the first ``baseline_s`` of raw values of the relative measures taken
        at rest (``in_position`` False) or in position (True), into ``starts``; with
        ``start_still_within``, of the first ``baseline_s`` in which the value holds that
        still (or the latest after ``_STILL_WAIT_S``)."""
        for (name, side), mv in values.items():
            metric = self.spec.measures[name]
            if (
                not metric.relative_to_start
                or metric.from_position != in_position
                or math.isnan(mv.raw)
                or (name, side) in starts
            ):
                continue
            samples = samples_of.setdefault((name, side), deque())
            samples.append((t, mv.raw, mv.scale))
            if t - samples[0][0] >= self.spec.baseline_s * 1000.0 - 1e-6:
                raw = [v for _, v, _ in samples]
                waited_s = (t - self._position_since_ms) / 1000.0
                if (
                    in_position
                    and _unsettled(metric.start_still_within, raw)
                    and waited_s < _STILL_WAIT_S
                ):
                    samples.popleft()  # still settling in: the window slides on
                    continue
                starts[(name, side)] = (
                    float(np.median(raw)) if in_position else self._start_value(name, raw)
                )
                scales = [s for _, _, s in samples if not math.isnan(s)]
                if scales:
                    self._scales[(name, side)] = float(np.median(scales))

    def _start_value(self, name: str, raw: list[float]) -> float:
        """The starting value from the samples of the start window: their median. For the
        position's own measure, when it moved in the window by more than the gap between the
        entry and exit lines, the value near its resting end (``_START_QUANTILE``) instead:
        the start position is the least stretched one, and a first movement may begin inside
        the window (a clip whose movement starts 0.8 s after the person appears)."""
        pos = self.spec.active
        lo, mid, hi = np.quantile(raw, [_START_QUANTILE, 0.5, 1.0 - _START_QUANTILE])
        if name != pos.measure or hi - lo <= abs(pos.enter - pos.exit):
            return float(mid)
        return float(lo if pos.direction == "up" else hi)

    def check_taken_mid_stretch(self, values: Values, t: float) -> None:
        """The start position is the least stretched one. If the starting values were taken
        in the stretch (the camera started mid-hold), coming out of it reads as a stretch the
        other way, past the entry line; once that has lasted ``baseline_s`` at rest, the
        starting values are taken again. Not while another side reads in the stretch past
        the exit line: one knee going in while the other goes the other way is the other
        knee falling with the pelvis (the knee drop's ``other_knee_falls``: dev r0352, the
        far knee's drop read short, under the entry line, and the start was taken again
        mid-hold, with the fallen knee, so the fault was never seen and the return read as
        the other knee dropping)."""
        pos = self.spec.active
        if not self.spec.measures[pos.measure].relative_to_start:
            return
        sign = 1.0 if pos.direction == "up" else -1.0
        own = position_values(self.spec, values)
        stretching = any(mv.known and sign * mv.value > sign * pos.exit for mv in own)
        backwards = not stretching and any(
            mv.known and sign * mv.value < -sign * pos.enter for mv in own
        )
        if not backwards:
            self._backwards_since_ms = None
            return
        if self._backwards_since_ms is None:
            self._backwards_since_ms = t
        elif (t - self._backwards_since_ms) / 1000.0 >= self.spec.baseline_s:
            self.retake()
            self._backwards_since_ms = None


def _unsettled(still_within: float | None, raw: list[float]) -> bool:
    """Whether a start window moved more than ``start_still_within`` (None: no such rule)."""
    return still_within is not None and max(raw) - min(raw) > still_within
