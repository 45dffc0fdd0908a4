"""How long each movement of a measure takes (``move_time``), from its samples in time order.

A movement runs from one turn of the value to the next (a low to a high, or back), turns found
with hysteresis: a turn is seen once the value has come back ``min_change`` from its extreme.
Its time is the span between the interpolated crossings of ``low_share`` and ``high_share`` of
its way, on frame timestamps, so dropped frames move it by a fraction of a frame, not by one.

A value out of line with both its neighbours by half a movement (``min_change / 2``, the same
way) is a one-frame misread of the estimator, not a limb: once the next value shows it, the
timer is wound back to before it and it is taken again at its nearer neighbour's value. The
next value is then taken as it comes, so nothing waits a frame (dev r0278: MediaPipe read a
standing foot turned 43-56 degrees for one frame, timed as a 0.06 s snap back; a median of
three removed it but ran a frame late and missed a snap at a clip's last frames).

With ``jump_within_s``, a movement with no value inside its middle, passed between two frames
at most that far apart, is the reading of a still limb jumping between two levels, not timed
(dev r0211: a clamshell's resting knee read 15 degrees open, then its true 0 for two frames,
then 15 again: two 0.06 s "lifts"). A real movement that quick would show a frame inside.
"""

from __future__ import annotations

import math
from itertools import pairwise

from posecheck.specs.metrics import MoveTime

#: A movement still going after this long is no quick one: it is not timed, and the next one
#: is looked for afresh among the last ``_FRESH_S`` (keeps the samples few while at rest).
_LONGEST_S = 10.0
_FRESH_S = 2.0
#: A movement that stops and stays near its end this long is over (a lift held at the top).
_SETTLE_S = 0.3
#: A one-frame misread is out of line with both neighbours by this share of ``min_change``...
_SPIKE_SHARE = 0.5
#: ...and its neighbours are at most this far apart: at fewer than 5 frames a second a real
#: quick turn may show in one frame only, so nothing is taken for a misread there.
_SPIKE_SPAN_S = 0.4


#: A timer's state, to wind it back: the samples list and how many of its samples were taken
#: then, direction, last time, when it was seen. The list itself is not copied: a timer only
#: appends to its list in place (trimming or restarting makes a new list), so its first
#: samples stay as they were.
_State = tuple[list[tuple[float, float]], int, bool | None, float, float]


class MoveTimer:
    """One measure on one side: feed (t_ms, value) in time order, read the last movement's time."""

    def __init__(self, metric: MoveTime) -> None:
        self.metric = metric
        self._samples: list[tuple[float, float]] = []  # since the last turn, the turn first
        self._rising: bool | None = None  # direction of the movement under way
        self._time_s = math.nan
        self._seen_ms = -math.inf  # when the last movement's turn was seen
        self._before: tuple[float, float] | None = None  # the value before the last one
        self._last: tuple[float, float] | None = None  # the last value taken
        self._state_before_last: _State | None = None  # the timer before the last value

    def update(self, t_ms: float, value: float) -> float:
        """The last movement's time in seconds (NaN when none ended in the last ``keep_s``)."""
        if not math.isnan(value):
            self._take(t_ms, value)
        if (t_ms - self._seen_ms) / 1000.0 > self.metric.keep_s + 1e-6:
            return math.nan
        return self._time_s

    def _take(self, t_ms: float, value: float) -> None:
        """Add a value; first take the last one again at its neighbour's level if this value
        shows it was a one-frame misread (wound back, no waiting)."""
        before, last = self._before, self._last
        if before is not None and last is not None and self._state_before_last is not None:
            level = _misread_level(before, last, (t_ms, value), self.metric.min_change)
            if level is not None:
                self._restore(self._state_before_last)
                last = (last[0], level)
                self._add(*last)
        self._before, self._last = last, (t_ms, value)
        self._state_before_last = self._state()
        self._add(t_ms, value)

    def _state(self) -> _State:
        return (self._samples, len(self._samples), self._rising, self._time_s, self._seen_ms)

    def _restore(self, state: _State) -> None:
        samples, n, self._rising, self._time_s, self._seen_ms = state
        self._samples = samples[:n]

    def _add(self, t_ms: float, value: float) -> None:
        self._samples.append((t_ms, value))
        if (t_ms - self._samples[0][0]) / 1000.0 > _LONGEST_S:
            self._samples = [(t, v) for t, v in self._samples if (t_ms - t) / 1000.0 <= _FRESH_S]
            self._rising = None
        samples = self._samples
        values = [v for _, v in samples]
        lo, hi = min(values), max(values)
        change = self.metric.min_change
        if self._rising is None:  # the first movement: whichever way it goes first
            if value - lo >= change:
                self._restart_at(values.index(lo), rising=True)
            elif hi - value >= change:
                self._restart_at(values.index(hi), rising=False)
            return
        if self._rising and hi - value >= change:  # turned at the high: a lift ended there
            self._finish(values.index(hi))
        elif not self._rising and value - lo >= change:  # turned at the low: a lowering ended
            self._finish(values.index(lo))
        elif self._settled(t_ms, hi if self._rising else lo):
            self._finish(values.index(hi if self._rising else lo), turned=False)

    def _settled(self, t_ms: float, extreme: float) -> bool:
        """The movement under way has come to rest at ``extreme`` (held, not turned back):
        it went at least ``min_change`` and the last ``_SETTLE_S`` stayed near its end."""
        (t0, start), change = self._samples[0], self.metric.min_change
        if abs(extreme - start) < change or (t_ms - t0) / 1000.0 < _SETTLE_S:
            return False
        recent = [v for t, v in self._samples if (t_ms - t) / 1000.0 <= _SETTLE_S]
        return all(abs(v - extreme) <= change / 3.0 for v in recent)

    def _restart_at(self, i: int, rising: bool) -> None:
        self._samples = self._samples[i:]
        self._rising = rising

    def _finish(self, turn: int, turned: bool = True) -> None:
        """The movement from the first sample to ``turn`` is over: time it, start the next
        (back the other way after a turn; either way after a rest)."""
        move = self._samples[: turn + 1]
        rose = move[-1][1] >= move[0][1]
        m = self.metric
        jump = m.jump_within_s is not None and _jumped(
            move, m.low_share, m.high_share, m.jump_within_s
        )
        if not jump and (m.moves == "both" or rose == (m.moves == "up")):
            self._time_s = _span_ms(move, self.metric.low_share, self.metric.high_share) / 1000.0
            self._seen_ms = self._samples[-1][0]
        self._samples = self._samples[turn:]
        self._rising = (not self._rising) if turned else None


def _misread_level(
    before: tuple[float, float],
    value: tuple[float, float],
    after: tuple[float, float],
    change: float,
) -> float | None:
    """The nearer neighbour's value if ``value`` is out of line with both ``before`` and
    ``after`` by ``_SPIKE_SHARE`` of a movement the same way (a one-frame misread), else None."""
    (t0, v0), (_, v1), (t2, v2) = before, value, after
    if (t2 - t0) / 1000.0 > _SPIKE_SPAN_S + 1e-6:
        return None
    least = _SPIKE_SHARE * change
    if v1 - max(v0, v2) >= least:
        return max(v0, v2)
    if min(v0, v2) - v1 >= least:
        return min(v0, v2)
    return None


def _jumped(
    move: list[tuple[float, float]], low_share: float, high_share: float, within_s: float
) -> bool:
    """No value of ``move`` lies inside its middle (``low_share`` to ``high_share`` of its
    way), which it passed between two frames at most ``within_s`` apart: a jump between two
    readings, not a movement (dev r0211: a clamshell's resting knee read 15 degrees open,
    then its true 0 for two frames, then 15 again; each jump was timed as a 0.06 s lift)."""
    start, end = move[0][1], move[-1][1]
    lo = start + low_share * (end - start)
    hi = start + high_share * (end - start)
    lo, hi = min(lo, hi), max(lo, hi)
    if any(lo < v < hi for _, v in move):
        return False
    for (t0, v0), (t1, v1) in pairwise(move):
        if min(v0, v1) <= lo and max(v0, v1) >= hi:  # the frame pair the middle passed in
            return (t1 - t0) / 1000.0 <= within_s + 1e-6
    return False


def _span_ms(move: list[tuple[float, float]], low_share: float, high_share: float) -> float:
    """From the last time the value left ``low_share`` of the way from the movement's start
    to its end, to the first time it then reached ``high_share`` (interpolated, ms). The last
    leaving, not the first: a still limb's jitter about the start line is not the movement."""
    start, end = move[0][1], move[-1][1]
    sign = 1.0 if end >= start else -1.0
    low = sign * (start + low_share * (end - start))
    high = sign * (start + high_share * (end - start))
    pairs = [((t0, sign * v0), (t1, sign * v1)) for (t0, v0), (t1, v1) in pairwise(move)]
    t_low = move[0][0]
    for (t0, v0), (t1, v1) in pairs:
        if v0 <= low < v1:
            t_low = t0 + (low - v0) / (v1 - v0) * (t1 - t0)
        if v0 < high <= v1:
            return t0 + (high - v0) / (v1 - v0) * (t1 - t0) - t_low
    return move[-1][0] - t_low
