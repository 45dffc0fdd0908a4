"""Runs one stretch spec over a stream of pose frames and says what is happening.

Driven only by frame timestamps (``PoseFrame.t_ms``), never the wall clock, so it behaves the
same on a live camera, a recorded video and a synthetic sequence.

Per frame it reports a :class:`CheckResult`:
- ``state``: ``no_person``, ``settling`` (just found; the estimator needs a moment),
  ``unknown`` (a landmark the stretch needs is not visible, with a reason naming it),
  ``rest`` or ``active`` (in the stretch, with hysteresis);
- the working side, the measures, the range-of-motion value per side;
- faults that are active: a fault is flagged once its condition has held for
  ``min_duration_s`` and cleared once it has been gone for ``release_s`` (no flicker);
- the hold timer (counts only while active, known and free of blocking faults) and reps;
- ``wrong_posture``: the body has clearly not been in the stretch's posture over the last
  few seconds (:class:`posecheck.coaching.posture.PostureWatch`; a bridge with the face-down stretch
  chosen). Then nothing is counted or timed: no new episode starts, the current one ends, no
  fault is checked, and an episode whose frames mostly contradicted the posture is not a rep.

``summary()`` gives everything that happened: fault intervals, holds, reps, best ROM per side.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from posecheck.body.geometry import PoseGeometry, resolve_part
from posecheck.body.stage import BodyState
from posecheck.coaching.peaks import steady_peak
from posecheck.coaching.posture import PostureReading, PostureWatch, mostly_contradicts
from posecheck.pose.landmarks import SIDES, Pose, PoseFrame, Side, human_name, other_side
from posecheck.specs.metrics import MetricBase, Speed
from posecheck.specs.schema import Fault, Look, StretchSpec, Variant

SideKey = Side | None  # None: a whole-body value
#: Episodes shorter than this after ``no_person`` restart the settling period.
_REDETECT_GAP_S = 1.0
#: Rolling window for the "best" ROM, so one noisy frame is not a record.
_ROM_WINDOW_S = 1.0
#: A speed over a longer span than this (frames stopped coming) is unknown, not slow.
_SPEED_MAX_SPAN_S = 1.0
#: Leaving the position and coming back on the same side within this is one repetition
#: (the knee dipped under the line for a moment), however many frames were dropped.
_REENTRY_MERGE_S = 1.0
#: An entry-only look (a pigeon's front knee drawn forward) that held this recently still
#: counts toward entering: the estimator can lose a far front leg in the very moment the back
#: leg settles (dev split, r0049 and r0010: the second side's front knee read drawn forward
#: 0.5-1 s before the back thigh was low, never together).
_ENTRY_MEMORY_S = 1.0
#: The position measure's starting value: this quantile of the start window's samples, toward
#: the resting end (dev split: a first movement inside the window made the median a value
#: already in the stretch).
_START_QUANTILE = 0.2


@dataclass(frozen=True)
class MeasureValue:
    """One measure's value in one frame; NaN with ``missing`` landmark names when unknown."""

    name: str
    side: SideKey
    value: float
    missing: tuple[str, ...] = ()
    raw: float = math.nan  # before subtracting the starting value (relative measures)

    @property
    def known(self) -> bool:
        return not math.isnan(self.value)


@dataclass(frozen=True)
class ActiveFault:
    fault_id: str
    side: SideKey
    message: str
    severity: int
    since_ms: float  # when the condition began (the onset), not when it was flagged
    landmarks: tuple[str, ...]  # landmark names to draw in red


@dataclass(frozen=True)
class FaultEvent:
    """A flagged fault from onset to release (``end_ms`` None while still active)."""

    fault_id: str
    side: SideKey
    message: str
    severity: int
    start_ms: float
    flagged_ms: float
    end_ms: float | None
    worst_value: float


@dataclass(frozen=True)
class UnseenFault:
    """A fault the camera cannot see from where it stands: not checked from this view."""

    fault_id: str
    side: SideKey
    reason: str  # why, and how to move the camera (the spec's ``seen_when.reason``)


@dataclass(frozen=True)
class UnseenSpan:
    """A stretch of time a fault was not checked because the view could not see it."""

    fault_id: str
    side: SideKey
    reason: str
    start_ms: float
    end_ms: float

    @property
    def duration_s(self) -> float:
        return (self.end_ms - self.start_ms) / 1000.0


@dataclass(frozen=True)
class Hold:
    """One time in position (an episode): a rep; a hold if it lasted ``hold_s``."""

    side: Side | str | None  # "left", "right", "both" or None
    start_ms: float
    end_ms: float
    held_s: float  # time that counted toward the hold (free of blocking faults)
    completed: bool
    peak_rom_deg: float | None


@dataclass(frozen=True)
class CheckResult:
    index: int
    t_ms: float
    state: str  # no_person | settling | unknown | rest | active
    working_side: Side | str | None
    reason: str | None  # for unknown / no_person: what is wrong, in words for the person
    missing: tuple[str, ...]
    measures: tuple[MeasureValue, ...]
    rom_deg: tuple[tuple[Side, float], ...]  # current ROM value per side (NaN if unknown)
    active_faults: tuple[ActiveFault, ...]
    unchecked_faults: tuple[str, ...]  # fault ids that could not be evaluated this frame
    hold_s: float  # hold timer of the current episode
    reps: tuple[tuple[str, int], ...]  # ("left", n), ("right", n) or ("both"/"all", n)
    holds_completed: int
    last_completed_side: Side | str | None
    #: Faults due this frame that the camera cannot see from where it stands (never flagged).
    unseen_faults: tuple[UnseenFault, ...] = ()
    variant: str | None = None  # id of the spec's variant the person is in, while active
    wrong_posture: bool = False  # clearly not the stretch's posture: nothing counted or timed

    def measure(self, name: str, side: SideKey = None) -> float:
        for m in self.measures:
            if m.name == name and m.side == side:
                return m.value
        raise KeyError(f"no measure {name!r} for side {side!r}")

    def rom(self, side: Side) -> float:
        return dict(self.rom_deg).get(side, math.nan)


@dataclass(frozen=True)
class Summary:
    stretch_id: str
    duration_s: float
    no_person_s: float
    unknown_s: float
    faults: tuple[FaultEvent, ...]
    holds: tuple[Hold, ...]
    reps: tuple[tuple[str, int], ...]
    holds_completed: int
    best_rom_deg: tuple[tuple[Side, float | None], ...]
    #: When faults were not checked because the view could not see them.
    not_seen: tuple[UnseenSpan, ...] = ()

    def not_seen_s(self) -> dict[tuple[str, SideKey], float]:
        """Seconds each (fault, side) went unchecked for the view."""
        out: dict[tuple[str, SideKey], float] = {}
        for span in self.not_seen:
            key = (span.fault_id, span.side)
            out[key] = out.get(key, 0.0) + span.duration_s
        return out

    @property
    def rom_asymmetry_deg(self) -> float | None:
        best = dict(self.best_rom_deg)
        if best.get("left") is None or best.get("right") is None:
            return None
        return abs(best["left"] - best["right"])  # type: ignore[operator]


def missing_reason(missing: tuple[str, ...]) -> str:
    """``("left_knee", "left_ankle")`` -> "I can't see your left knee and left ankle"."""
    names: list[str] = []
    for n in missing:
        h = human_name(n)
        if h not in names:
            names.append(h)
    if len(names) > 3:
        names = [*names[:3], "more"]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"I can't see your {listed}"


Values = dict[tuple[str, SideKey], MeasureValue]


def look_measures(
    spec: StretchSpec, values: Values, look: Look, key: SideKey | str
) -> list[MeasureValue]:
    """The values a look judges for a working side ``key`` (a side, "both" or None): the
    working or other side's value of a per-side measure (every side's when no single side
    works), or the whole-body value."""
    if not spec.sided[look.measure]:
        return [values[(look.measure, None)]]
    if key in SIDES:
        side = key if look.side == "working" else other_side(key)  # type: ignore[arg-type]
        return [values[(look.measure, side)]]
    return [values[(look.measure, s)] for s in SIDES]


def looks_right(
    spec: StretchSpec,
    values: Values,
    looks: tuple[Look, ...],
    key: SideKey | str,
    seen_lately: frozenset[tuple[str, SideKey | str]] = frozenset(),
) -> bool:
    """Every look holds for working side ``key`` (an unknown value does not). An entry-only
    look whose (measure, key) is in ``seen_lately`` counts as holding: it held a moment ago."""
    return all(
        look.holds(mv.value) is True or (look.entry_only and (look.measure, key) in seen_lately)
        for look in looks
        for mv in look_measures(spec, values, look, key)
    )


def entry_looks_holding(spec: StretchSpec, values: Values) -> set[tuple[str, SideKey | str]]:
    """(measure, working side) of every entry-only look of the position that holds now."""
    keys: tuple[SideKey | str, ...] = (*SIDES, "both", None)
    return {
        (look.measure, key)
        for look in spec.active.looks
        if look.entry_only
        for key in keys
        if (spec.sided[look.measure] or key is None)
        and all(look.holds(mv.value) is True for mv in look_measures(spec, values, look, key))
    }


def looks_gone(spec: StretchSpec, values: Values, key: SideKey | str) -> bool:
    """A look of the position is past its line and margin: the person has left the shape (an
    unknown value is not proof of that)."""
    return any(
        look.holds(mv.value, staying=True) is False
        for look in spec.active.looks
        if not look.entry_only
        for mv in look_measures(spec, values, look, key)
    )


def entering_side(
    spec: StretchSpec,
    values: Values,
    seen_lately: frozenset[tuple[str, SideKey | str]] = frozenset(),
) -> tuple[bool, Side | str | None]:
    """Whether these values put the body in position, and on which working side: a side,
    "both", or None for a whole-body measure. The position's measure must pass its entry
    line and the body must have every look of the position (an entry-only look may have
    held a moment ago instead: ``seen_lately``, see :func:`looks_right`)."""
    pos = spec.active
    sign = 1.0 if pos.direction == "up" else -1.0
    name = pos.measure
    vals = {s: sign * values[(name, s)].value for s in (SIDES if spec.sided[name] else (None,))}
    enter = sign * pos.enter
    candidates: dict[Side | str | None, float]
    if None in vals:
        candidates = {None: vals[None]} if vals[None] > enter else {}
    elif pos.combine == "both":
        low = min(vals.values())
        candidates = {"both": low} if low > enter else {}
    else:
        candidates = {s: v for s, v in vals.items() if v > enter}
    # The shape must fit too: one number past its line is not yet the stretch.
    candidates = {
        s: v for s, v in candidates.items() if looks_right(spec, values, pos.looks, s, seen_lately)
    }
    if not candidates:
        return False, None
    working = max(candidates, key=lambda s: candidates[s])
    if working is None and spec.dose.sides == "both":
        working = "both"  # a whole-body measure of a stretch for both sides at once
    return True, working


def variant_of(spec: StretchSpec, values: Values, key: SideKey | str) -> Variant | None:
    """The first of the spec's variants the body looks like, for working side ``key``."""
    return next((v for v in spec.variants if looks_right(spec, values, v.looks, key)), None)


def fault_sides(fault: Fault, working: Side | str | None) -> tuple[SideKey, ...]:
    """The sides a fault is checked on while ``working`` is the working side."""
    if fault.side == "none":
        return (None,)
    if fault.side == "each":
        return SIDES
    if working not in SIDES:
        return ()
    return (working,) if fault.side == "working" else (other_side(working),)  # type: ignore[arg-type]


def _raw_value(metric: MetricBase, g: PoseGeometry, side: SideKey) -> tuple[tuple[str, ...], float]:
    """(landmarks it cannot see, the value before any starting value is subtracted)."""
    missing = metric.missing(g, side)
    return missing, math.nan if missing else metric.compute(g, side)


def measure_still(spec: StretchSpec, pose: Pose, min_visibility: float | None = None) -> Values:
    """Every measure of one picture, with no history: a measure taken relative to the start
    is unknown (its ``raw`` value is kept) and a speed is unknown, without missing landmarks."""
    g = PoseGeometry(pose, spec.min_visibility if min_visibility is None else min_visibility)
    out: Values = {}
    for name, metric in spec.measures.items():
        for side in SIDES if spec.sided[name] else (None,):
            if isinstance(metric, Speed):
                out[(name, side)] = MeasureValue(name, side, math.nan)
                continue
            missing, raw = _raw_value(metric, g, side)
            value = math.nan if metric.relative_to_start else raw
            out[(name, side)] = MeasureValue(name, side, value, missing, raw)
    return out


@dataclass
class _FaultTrack:
    """Debounce state of one fault on one side."""

    onset_ms: float | None = None  # condition true since
    clear_since_ms: float | None = None  # condition false since (while active)
    event_start_ms: float | None = None
    flagged_ms: float | None = None
    worst: float = math.nan


@dataclass
class _Episode:
    side: Side | str | None
    start_ms: float
    held_s: float = 0.0
    rom_samples: list[tuple[float, Side, float]] = field(default_factory=list)
    posture: list[bool | None] = field(default_factory=list)  # PostureWatch verdict per frame
    top: float = -math.inf  # the position measure's furthest value (toward "in") so far
    legs_swapped: bool = False  # this frame the estimator has the legs the wrong way round

    def discard_rom_since(self, t_ms: float) -> None:
        """Forget ROM samples from a fault's onset on: faulty form is not a record."""
        self.rom_samples = [s for s in self.rom_samples if s[0] < t_ms]

    def steady_peak(self, side: Side) -> float | None:
        """Highest median over time in any ``_ROM_WINDOW_S`` (one noisy frame is not a
        record), the same live, with frames dropped, as in replay (:mod:`.peaks`)."""
        return steady_peak([(t, v) for t, s, v in self.rom_samples if s == side], _ROM_WINDOW_S)

    def peak(self) -> float | None:
        peaks = [p for p in (self.steady_peak(s) for s in SIDES) if p is not None]
        return max(peaks) if peaks else None


def _add_peaks(best: dict[Side, float], ep: _Episode) -> None:
    """Raise ``best`` (per side) to the episode's steady peaks where they are higher."""
    for side in SIDES:
        peak = ep.steady_peak(side)
        if peak is not None:
            best[side] = max(best.get(side, -math.inf), peak)


class StretchChecker:
    """Stateful, frame-by-frame checker for one spec. Feed frames in time order."""

    def __init__(self, spec: StretchSpec) -> None:
        self.spec = spec
        self._order = self._measure_order()
        self._first_seen_ms: float | None = None
        self._last_seen_ms: float | None = None
        self._prev_t_ms: float | None = None
        self._start_ms: float | None = None
        self._baseline_samples: dict[tuple[str, SideKey], deque] = {}
        self._baselines: dict[tuple[str, SideKey], float] = {}
        # Starting values of ``start_in: position`` measures, for the episode they were taken in.
        self._position_starts: dict[tuple[str, SideKey], float] = {}
        self._position_samples: dict[tuple[str, SideKey], deque] = {}
        self._position_episode: _Episode | None = None
        self._backwards_since_ms: float | None = None
        self._history: dict[tuple[str, SideKey], deque] = {}
        self._episode: _Episode | None = None
        self._leaving: tuple[_Episode, float] | None = None  # left the position at (ms)
        self._tracks: dict[tuple[str, SideKey], _FaultTrack] = {}
        self._events: list[FaultEvent] = []
        self._holds: list[Hold] = []
        self._reps: dict[str, int] = self._empty_reps()
        self._best_rom: dict[Side, float] = {}
        self._no_person_s = 0.0
        self._unknown_s = 0.0
        self._last_completed: Side | str | None = None
        self._near: Side | None = None  # the side nearer the camera, this frame
        self._unseen_now: list[UnseenFault] = []
        self._unseen_open: dict[tuple[str, SideKey], tuple[float, float, str]] = {}
        self._unseen_spans: list[UnseenSpan] = []
        self._posture = PostureWatch(spec)
        self._wrong_posture = False
        #: when each entry-only look of the position last held, per (measure, working side)
        self._entry_seen_ms: dict[tuple[str, SideKey | str], float] = {}
        #: lowest position value per side since a rep ended on its way back (rep_return)
        self._valley: dict[SideKey, float] | None = None

    # -- set-up ----------------------------------------------------------------------------
    def _measure_order(self) -> list[str]:
        plain = [n for n, m in self.spec.measures.items() if not isinstance(m, Speed)]
        return plain + [n for n in self.spec.measures if n not in plain]

    def _empty_reps(self) -> dict[str, int]:
        sides = self.spec.dose.sides
        if sides in ("alternating", "each"):
            return {"left": 0, "right": 0}
        return {"both" if sides == "both" else "all": 0}

    @property
    def _needs_near(self) -> bool:
        return any(
            f.seen_when is not None and f.seen_when.applies_to == "far_side"
            for f in self.spec.faults
        )

    def _sides_of(self, name: str) -> tuple[SideKey, ...]:
        return SIDES if self.spec.sided[name] else (None,)

    @property
    def posture(self) -> PostureReading:
        """The newest frame's posture, as the posture watch read it (once a frame)."""
        return self._posture.reading

    def new_person(self) -> None:
        """Someone else is followed from the next frame on: the stretch under way ends where
        the last frame left it (counted if it counts), and the next frame settles and takes new
        starting values, as when a person is found again."""
        if self._episode is not None and self._prev_t_ms is not None:
            self._end_episode(self._prev_t_ms)
        self._close_leaving()
        self._last_seen_ms = None
        self._entry_seen_ms.clear()  # what the last person's legs looked like is not theirs

    # -- per frame -------------------------------------------------------------------------
    def update(self, frame: PoseFrame, body: BodyState | None = None) -> CheckResult:
        """One frame; ``body`` is the body stage's reading of it (for ``space: model``)."""
        t = frame.t_ms
        if self._prev_t_ms is not None and t < self._prev_t_ms:
            raise ValueError(f"frame {frame.index}: time went backwards ({t} < {self._prev_t_ms})")
        dt_s = 0.0 if self._prev_t_ms is None else (t - self._prev_t_ms) / 1000.0
        self._prev_t_ms = t
        if self._start_ms is None:
            self._start_ms = t
        self._close_leaving(t)

        if frame.pose is None:
            self._no_person_s += dt_s
            self._advance_faults(t, {}, None)
            return self._result(
                frame, "no_person", "I can't see anyone. Step into the view.", (), ()
            )

        was_wrong = self._wrong_posture
        self._wrong_posture = self._posture.update(frame.pose, t)
        if self._wrong_posture and self._episode is not None:
            self._end_episode(t)  # not the stretch: nothing more is timed
        if (
            self._last_seen_ms is None
            or (t - self._last_seen_ms) / 1000.0 > _REDETECT_GAP_S
            or (was_wrong and not self._wrong_posture)
        ):
            # Found (again), or back from another posture: settle, then take new starting
            # values (they may have moved).
            self._first_seen_ms = t
            self._baselines.clear()
            self._baseline_samples.clear()
        self._last_seen_ms = t
        geometry = PoseGeometry(frame.pose, self.spec.min_visibility, body)
        self._near = geometry.near_side() if self._needs_near else None
        values = self._measure(geometry, t)

        if self._first_seen_ms is None or (t - self._first_seen_ms) / 1000.0 < self.spec.settle_s:
            return self._result(frame, "settling", None, (), tuple(values.values()))

        position = self._position_values(values)
        unknown = [v for v in position if not v.known and v.missing]
        baseline_pending = [v for v in position if not v.known and not v.missing]
        if unknown and (
            not self._active
            or self._working in (None, "both")
            or any(v.side == self._working for v in unknown)
        ):
            self._unknown_s += dt_s
            missing = tuple(dict.fromkeys(n for v in unknown for n in v.missing))
            self._advance_faults(t, values, None)
            return self._result(
                frame, "unknown", missing_reason(missing), missing, tuple(values.values())
            )

        if not baseline_pending and not self._wrong_posture:
            self._update_phase(values, t)
        if self._episode is not None:
            self._episode.posture.append(self._posture.last)
        if not self._active:
            self._check_start_taken_mid_stretch(values, t)
            self._collect_baselines(values, t)
        else:
            self._collect_position_starts(values, t)
        blocking = self._advance_faults(t, values, None if self._wrong_posture else self._phase())
        if self._episode is not None and not blocking:
            # Only fault-free time counts, toward the hold and toward the best ROM.
            self._episode.held_s += dt_s
            self._track_rom(values, t)
        return self._result(frame, self._phase(), None, (), tuple(values.values()))

    @property
    def _active(self) -> bool:
        """In the stretch: an episode is under way."""
        return self._episode is not None

    @property
    def _working(self) -> Side | str | None:
        """The working side: the current episode's side, if any."""
        return self._episode.side if self._episode is not None else None

    def _phase(self) -> str:
        return "active" if self._active else "rest"

    def _measure(self, g: PoseGeometry, t: float) -> dict[tuple[str, SideKey], MeasureValue]:
        out: dict[tuple[str, SideKey], MeasureValue] = {}
        for name in self._order:
            metric = self.spec.measures[name]
            for side in self._sides_of(name):
                if isinstance(metric, Speed):
                    out[(name, side)] = self._speed(name, metric, side, out, t)
                    continue
                missing, raw = _raw_value(metric, g, side)
                value = raw
                if metric.relative_to_start and not missing:
                    base = self._start_of(name, side, metric)
                    value = math.nan if base is None else raw - base
                    if metric.unit == "deg" and value == value:
                        value = (value + 180.0) % 360.0 - 180.0  # 170 from -170 is -20
                out[(name, side)] = MeasureValue(name, side, value, missing, raw)
        return out

    def _speed(
        self,
        name: str,
        metric: Speed,
        side: SideKey,
        values: dict[tuple[str, SideKey], MeasureValue],
        t: float,
    ) -> MeasureValue:
        """The change over the last ``window_s`` by timestamps: from the newest sample at least
        ``window_s`` old to now. However many frames were dropped in between, the span is never
        shorter than the window, so a busy machine (fewer, unevenly spaced frames) reads the
        same speed as a recording; a gap longer than ``_SPEED_MAX_SPAN_S`` makes it unknown."""
        src = values[(metric.of, side)]
        hist = self._history.setdefault((metric.of, side), deque())
        if src.known:
            hist.append((t, src.value))
        window_ms = metric.window_s * 1000.0
        # Keep one sample at or beyond the window's start: the anchor.
        while len(hist) >= 2 and t - hist[1][0] >= window_ms - 1e-6:
            hist.popleft()
        if not src.known:
            return MeasureValue(name, side, math.nan, src.missing)
        if len(hist) < 2 or t - hist[0][0] < window_ms - 1e-6:
            return MeasureValue(name, side, math.nan)  # not enough history yet: unknown
        (t0, v0), (t1, v1) = hist[0], hist[-1]
        if (t1 - t0) / 1000.0 > max(_SPEED_MAX_SPAN_S, 2 * metric.window_s):
            return MeasureValue(name, side, math.nan)  # the stream stalled: no rate to give
        return MeasureValue(name, side, abs(v1 - v0) / ((t1 - t0) / 1000.0))

    def _start_of(self, name: str, side: SideKey, metric: MetricBase) -> float | None:
        """The starting value a relative measure is counted from (None: not taken yet)."""
        if not metric.from_position:
            return self._baselines.get((name, side))
        if self._episode is None or self._position_episode is not self._episode:
            return None
        return self._position_starts.get((name, side))

    def _collect_position_starts(
        self, values: dict[tuple[str, SideKey], MeasureValue], t: float
    ) -> None:
        """Starting values of ``start_in: position`` measures: the median of the first
        ``baseline_s`` of each time in position (a new episode takes them again)."""
        if self._position_episode is not self._episode:
            self._position_episode = self._episode
            self._position_starts.clear()
            self._position_samples.clear()
        self._take_starts(values, t, True, self._position_starts, self._position_samples)

    def _collect_baselines(self, values: dict[tuple[str, SideKey], MeasureValue], t: float) -> None:
        """Starting values: the median of the first ``baseline_s`` at rest after settling.
        Frozen once taken, so a slow movement is never mistaken for the start position."""
        self._take_starts(values, t, False, self._baselines, self._baseline_samples)

    def _take_starts(
        self,
        values: dict[tuple[str, SideKey], MeasureValue],
        t: float,
        in_position: bool,
        starts: dict[tuple[str, SideKey], float],
        samples_of: dict[tuple[str, SideKey], deque],
    ) -> None:
        """Median of the first ``baseline_s`` of raw values of the relative measures taken
        at rest (``in_position`` False) or in position (True), into ``starts``."""
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
            samples.append((t, mv.raw))
            if t - samples[0][0] >= self.spec.baseline_s * 1000.0 - 1e-6:
                raw = [v for _, v in samples]
                starts[(name, side)] = (
                    float(np.median(raw)) if in_position else self._start_value(name, raw)
                )

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

    def _check_start_taken_mid_stretch(
        self, values: dict[tuple[str, SideKey], MeasureValue], t: float
    ) -> None:
        """The start position is the least stretched one. If the starting values were taken
        in the stretch (the camera started mid-hold), coming out of it reads as a stretch the
        other way, past the entry line; once that has lasted ``baseline_s`` at rest, the
        starting values are taken again."""
        pos = self.spec.active
        if not self.spec.measures[pos.measure].relative_to_start:
            return
        sign = 1.0 if pos.direction == "up" else -1.0
        backwards = any(
            mv.known and sign * mv.value < -pos.enter for mv in self._position_values(values)
        )
        if not backwards:
            self._backwards_since_ms = None
            return
        if self._backwards_since_ms is None:
            self._backwards_since_ms = t
        elif (t - self._backwards_since_ms) / 1000.0 >= self.spec.baseline_s:
            self._baselines.clear()
            self._baseline_samples.clear()
            self._backwards_since_ms = None

    def _position_values(
        self, values: dict[tuple[str, SideKey], MeasureValue]
    ) -> list[MeasureValue]:
        name = self.spec.active.measure
        return [values[(name, s)] for s in self._sides_of(name)]

    def _update_phase(self, values: dict[tuple[str, SideKey], MeasureValue], t: float) -> None:
        pos = self.spec.active
        sign = 1.0 if pos.direction == "up" else -1.0
        vals = {mv.side: sign * mv.value for mv in self._position_values(values)}
        leave = sign * pos.exit
        if self._episode is None:
            for key in entry_looks_holding(self.spec, values):
                self._entry_seen_ms[key] = t
            lately = frozenset(
                k for k, seen in self._entry_seen_ms.items() if t - seen <= _ENTRY_MEMORY_S * 1000.0
            )
            found, working = entering_side(self.spec, values, lately)
            if found and not self._rose_from_valley(vals, working, leave):
                found = False  # still on the way down from a rep ended by rep_return
            if found:
                left = self._leaving
                if left is not None and left[0].side == working:
                    self._episode, self._leaving = left[0], None  # back within a moment
                else:
                    self._close_leaving()
                    self._episode = _Episode(working, t)
            return
        ep = self._episode
        if ep.side in SIDES:
            current = vals[ep.side]
        elif ep.side == "both":
            current = min(vals.values())
        else:
            current = vals[None]
        if not math.isnan(current):
            ep.top = max(ep.top, current)
            if pos.rep_return > 0 and self.spec.dose.kind == "reps":
                # come back far enough from this rep's peak: the rep is over
                leave = max(leave, ep.top - pos.rep_return * (ep.top - leave))
        ep.legs_swapped = self._swapped_legs(vals, leave)
        if ep.legs_swapped:
            return  # the estimator swapped the legs for a moment: still the same hold
        if current < leave or looks_gone(self.spec, values, ep.side):
            self._end_episode(t)
            if leave > sign * pos.exit:  # ended by rep_return: the next rep rises from a low
                self._valley = dict(vals)

    def _rose_from_valley(
        self, vals: dict[SideKey, float], working: Side | str | None, exit_line: float
    ) -> bool:
        """After a rep ended on its way back (``rep_return``), a new rep starts only once the
        value has risen again by the entry-exit gap from its lowest point since: on the way
        down, the value passes the entry line again without a new rep."""
        if self._valley is None:
            return True
        for side, v in vals.items():
            if not math.isnan(v):
                self._valley[side] = min(self._valley.get(side, v), v)
        if all(v < exit_line for v in vals.values() if not math.isnan(v)):
            self._valley = None  # all the way back: an ordinary start
            return True
        pos = self.spec.active
        gap = abs(pos.enter - pos.exit)
        side = working if working in vals else next(iter(vals))
        low = self._valley.get(side, math.nan)
        return math.isnan(low) or vals[side] >= low + gap

    def _swapped_legs(self, vals: dict[SideKey, float], leave: float) -> bool:
        """In a hold done on one side at a time (``sides: each``), the working side out and
        the other side in at the very same frame: nobody switches sides that fast (they come
        out of the stretch and set up the other side first), so the estimator swapped the legs
        (dev split, r0048: a rounded back swapped them for 4 s, which made one hold three).
        Not for stretches that alternate sides, where one leg can go down as the other goes
        up (prone IR, r0026)."""
        side = self._working
        if self.spec.dose.kind != "hold" or self.spec.dose.sides != "each" or side not in SIDES:
            return False
        here, there = vals.get(side, math.nan), vals.get(other_side(side), math.nan)  # type: ignore[arg-type]
        return here < leave and there >= leave

    def _end_episode(self, t: float) -> None:
        """Leave the position. A hold is closed only once the person has stayed out for
        ``_REENTRY_MERGE_S`` (a moment's dip under the line is not a new hold)."""
        ep = self._episode
        self._episode = None
        if ep is None:
            return
        if self.spec.dose.kind == "hold":
            self._leaving = (ep, t)
        else:
            self._close_episode(ep, t)

    def _close_leaving(self, t: float | None = None) -> None:
        """Close the episode being left, if any (only once ``_REENTRY_MERGE_S`` has passed
        when ``t`` is given)."""
        if self._leaving is None:
            return
        ep, left_ms = self._leaving
        if t is not None and (t - left_ms) / 1000.0 < _REENTRY_MERGE_S:
            return
        self._leaving = None
        self._close_episode(ep, left_ms)

    def _as_hold(self, ep: _Episode, t: float) -> Hold | None:
        """The episode ended at ``t`` as a hold, or None if it was too short to count or
        was done in another posture than the stretch's."""
        if (t - ep.start_ms) / 1000.0 < self.spec.active.min_episode_s:
            return None
        if mostly_contradicts(ep.posture):
            return None
        completed = self.spec.dose.kind == "reps" or ep.held_s >= self.spec.dose.hold_s - 1e-6
        return Hold(ep.side, ep.start_ms, t, ep.held_s, completed, ep.peak())

    def _rep_key(self, side: Side | str | None) -> str:
        return side if side in self._reps else next(iter(self._reps))  # type: ignore[return-value]

    def _close_episode(self, ep: _Episode, t: float) -> None:
        hold = self._as_hold(ep, t)
        if hold is None:
            return
        self._holds.append(hold)
        self._record_best(ep)
        self._reps[self._rep_key(ep.side)] += 1
        if hold.completed:
            self._last_completed = ep.side

    def _track_rom(self, values: dict[tuple[str, SideKey], MeasureValue], t: float) -> None:
        rom = self.spec.rom
        ep = self._episode
        if rom is None or ep is None or ep.legs_swapped:
            return  # a swapped leg's angle is not this side's record
        for side in SIDES if ep.side in ("both", None) else (ep.side,):
            v = values[(rom.measure, side)].value
            if not math.isnan(v):
                ep.rom_samples.append((t, side, v))

    def _record_best(self, ep: _Episode) -> None:
        _add_peaks(self._best_rom, ep)

    # -- faults ----------------------------------------------------------------------------
    def _advance_faults(
        self, t: float, values: dict[tuple[str, SideKey], MeasureValue], phase: str | None
    ) -> bool:
        """Update every fault's debounce state; True if a hold-blocking fault is active.
        A fault the view cannot see is not checked: it reads as not violated (a flag already
        raised clears after its ``release_s``) and the time is kept as not seen."""
        blocking = False
        self._unseen_now = []
        swapped = self._episode is not None and self._episode.legs_swapped
        for fault in self.spec.faults:
            in_phase = phase is not None and fault.during in (phase, "always")
            sides = fault_sides(fault, self._working) if in_phase else ()
            for side in (*SIDES, None):
                key = (fault.id, side)
                track = self._tracks.setdefault(key, _FaultTrack())
                mv = values.get((fault.measure, side)) if side in sides else None
                if swapped and side in SIDES:
                    mv = None  # the estimator has the legs the wrong way round: not this leg
                seen = mv is None or self._view_sees(fault, side, values)
                self._note_unseen(fault, side, t, seen)
                bad = seen and mv is not None and mv.known and fault.violated_by(mv.value)
                self._step_track(fault, side, track, bad, mv.value if bad else math.nan, t)
                if track.flagged_ms is not None and fault.blocks_hold:
                    blocking = True
        return blocking

    def _view_sees(
        self, fault: Fault, side: SideKey, values: dict[tuple[str, SideKey], MeasureValue]
    ) -> bool:
        """Whether the camera can see ``fault`` on ``side`` this frame (its ``seen_when``). An
        unknown view measure does not hide the fault: the fault's own landmarks decide."""
        need = fault.seen_when
        if need is None:
            return True
        if need.applies_to == "far_side" and (side is None or side == self._near):
            return True
        view = values.get((need.measure, None))
        return view is None or need.sees(view.value) is not False

    def _note_unseen(self, fault: Fault, side: SideKey, t: float, seen: bool) -> None:
        key = (fault.id, side)
        if not seen:
            reason = fault.seen_when.reason if fault.seen_when is not None else ""
            self._unseen_now.append(UnseenFault(fault.id, side, reason))
            start, _, _ = self._unseen_open.get(key, (t, t, reason))
            self._unseen_open[key] = (start, t, reason)
            return
        opened = self._unseen_open.pop(key, None)
        if opened is not None:
            start, _, reason = opened
            self._unseen_spans.append(UnseenSpan(fault.id, side, reason, start, t))

    def _step_track(
        self, fault: Fault, side: SideKey, track: _FaultTrack, bad: bool, value: float, t: float
    ) -> None:
        if bad:
            track.clear_since_ms = None
            if track.onset_ms is None:
                track.onset_ms = t
            if track.flagged_ms is None:
                track.worst = value
            else:  # the value furthest past its threshold
                track.worst = max(track.worst, value, key=lambda v: _excess(fault, v))
            if track.flagged_ms is None and (t - track.onset_ms) / 1000.0 >= fault.min_duration_s:
                track.flagged_ms = t
                track.event_start_ms = track.onset_ms
                if self._episode is not None and fault.blocks_hold:
                    self._episode.discard_rom_since(track.onset_ms)
            return
        if track.flagged_ms is None:
            track.onset_ms = None
            return
        if track.clear_since_ms is None:
            track.clear_since_ms = t
        if (t - track.clear_since_ms) / 1000.0 >= fault.release_s:
            self._events.append(self._event(fault, side, track, track.clear_since_ms))
            self._tracks[(fault.id, side)] = _FaultTrack()

    @staticmethod
    def _event(fault: Fault, side: SideKey, track: _FaultTrack, end: float | None) -> FaultEvent:
        return FaultEvent(
            fault.id,
            side,
            fault.message,
            fault.severity,
            track.event_start_ms or 0.0,
            track.flagged_ms or 0.0,
            end,
            track.worst,
        )

    def _active_faults(self) -> tuple[ActiveFault, ...]:
        out = []
        for fault in self.spec.faults:
            for side in (*SIDES, None):
                track = self._tracks.get((fault.id, side))
                if track is None or track.flagged_ms is None:
                    continue
                parts = fault.highlight or self.spec.measures[fault.measure].parts()
                geo_side = side if side in SIDES else "left"
                names = tuple(dict.fromkeys(n for p in parts for n in resolve_part(p, geo_side)))
                out.append(
                    ActiveFault(
                        fault.id,
                        side,
                        fault.message,
                        fault.severity,
                        track.event_start_ms or 0.0,
                        names,
                    )
                )
        return tuple(sorted(out, key=lambda f: -f.severity))

    # -- output ----------------------------------------------------------------------------
    def _result(
        self,
        frame: PoseFrame,
        state: str,
        reason: str | None,
        missing: tuple[str, ...],
        measures: tuple[MeasureValue, ...],
    ) -> CheckResult:
        rom_vals: tuple[tuple[Side, float], ...] = ()
        if self.spec.rom is not None and measures:
            by_key = {(m.name, m.side): m.value for m in measures}
            rom_vals = tuple((s, by_key.get((self.spec.rom.measure, s), math.nan)) for s in SIDES)
        unchecked = tuple(
            f.id
            for f in self.spec.faults
            if any(m.name == f.measure and not m.known and m.missing for m in measures)
        )
        return CheckResult(
            index=frame.index,
            t_ms=frame.t_ms,
            state=state,
            working_side=self._working,
            reason=reason,
            missing=missing,
            measures=measures,
            rom_deg=rom_vals,
            active_faults=self._active_faults(),
            unchecked_faults=unchecked,
            hold_s=self._episode.held_s if self._episode else 0.0,
            reps=tuple(self._reps.items()),
            holds_completed=sum(1 for h in self._holds if h.completed),
            last_completed_side=self._last_completed,
            unseen_faults=tuple(self._unseen_now) if state in ("rest", "active") else (),
            variant=self._variant(measures, state),
            wrong_posture=self._wrong_posture and state != "no_person",
        )

    def _variant(self, measures: tuple[MeasureValue, ...], state: str) -> str | None:
        if state != "active" or not self.spec.variants:
            return None
        found = variant_of(self.spec, {(m.name, m.side): m for m in measures}, self._working)
        return found.id if found else None

    def summary(self) -> Summary:
        """Everything so far; faults still active are closed at the last frame."""
        end = self._prev_t_ms or 0.0
        events = list(self._events)
        for (fid, side), track in self._tracks.items():
            if track.flagged_ms is not None:
                fault = next(f for f in self.spec.faults if f.id == fid)
                events.append(self._event(fault, side, track, None))
        holds = list(self._holds)
        best = dict(self._best_rom)
        reps = dict(self._reps)
        if self._leaving is not None:  # left the position a moment ago: that rep counts
            ep, left_ms = self._leaving
            hold = self._as_hold(ep, left_ms)
            if hold is not None:
                holds.append(hold)
                reps[self._rep_key(ep.side)] += 1
                _add_peaks(best, ep)
        if self._episode is not None and not mostly_contradicts(self._episode.posture):
            ep = self._episode  # still in position when the set ended: a rep too
            hold = self._as_hold(ep, end)
            if hold is not None:
                reps[self._rep_key(ep.side)] += 1
            holds.append(
                Hold(
                    ep.side,
                    ep.start_ms,
                    end,
                    ep.held_s,
                    self.spec.dose.kind == "hold" and ep.held_s >= self.spec.dose.hold_s,
                    ep.peak(),
                )
            )
            _add_peaks(best, ep)
        return Summary(
            stretch_id=self.spec.id,
            duration_s=(end - (self._start_ms or 0.0)) / 1000.0,
            no_person_s=self._no_person_s,
            unknown_s=self._unknown_s,
            faults=tuple(sorted(events, key=lambda e: e.start_ms)),
            holds=tuple(holds),
            reps=tuple(reps.items()),
            holds_completed=sum(1 for h in holds if h.completed),
            best_rom_deg=tuple((s, best.get(s)) for s in SIDES),
            not_seen=tuple(
                sorted(
                    [
                        *self._unseen_spans,
                        *(
                            UnseenSpan(fid, side, reason, start, end)
                            for (fid, side), (start, end, reason) in self._unseen_open.items()
                        ),
                    ],
                    key=lambda u: u.start_ms,
                )
            ),
        )


def _excess(fault: Fault, value: float) -> float:
    """How far ``value`` is past the fault's threshold(s)."""
    over = value - fault.above if fault.above is not None else -math.inf
    under = fault.below - value if fault.below is not None else -math.inf
    return max(over, under)
