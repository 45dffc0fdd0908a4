"""The checker itself: one spec over a stream of pose frames (see the package's docstring)."""

from __future__ import annotations

import dataclasses
import math
from collections import deque

from posecheck.body.camera import posture_from_position
from posecheck.body.geometry import (
    PoseGeometry,
    head_cut_edges,
    labels_unsure,
    read_from_behind,
    wrap_deg,
)
from posecheck.body.stage import BodyState
from posecheck.coaching.checker.faults import FaultWatch
from posecheck.coaching.checker.looks import position_values, raw_value, variant_of
from posecheck.coaching.checker.movetime import MoveTimer
from posecheck.coaching.checker.phases import Phases
from posecheck.coaching.checker.results import (
    CheckResult,
    MeasureValue,
    SideKey,
    Summary,
    Values,
    missing_reason,
)
from posecheck.coaching.checker.starts import StartValues
from posecheck.coaching.posture import PostureReading, PostureWatch
from posecheck.pose.landmarks import SIDES, PoseFrame, Side
from posecheck.pose.smoothing import SETTLE_S
from posecheck.specs.metrics import (
    KneeRoll,
    LowerOf,
    MetricBase,
    MoveTime,
    OfMeasure,
    SeparationRatio,
    Speed,
    StartOr,
)
from posecheck.specs.schema import StretchSpec

#: Episodes shorter than this after ``no_person`` restart the settling period.
_REDETECT_GAP_S = 1.0
#: What the frame says when the face is cut off in a front view (:meth:`_face_cut_off`).
HEAD_CUT_REASON = "I can't see your head, so I can't tell your left from your right"
#: The landmarks named missing then.
HEAD_LANDMARKS: tuple[str, ...] = ("nose", "left_eye", "right_eye")


def faces_camera(spec: StretchSpec) -> bool:
    """Whether the stretch is done upright and facing the camera (the spec's view ``front``,
    standing or seated): there, without the face, MediaPipe may read the trunk from behind
    and swap left for right (``StretchChecker._face_cut_off``)."""
    return spec.camera.view == "front" and posture_from_position(spec.position) in (
        "standing",
        "seated",
    )


#: A speed over a longer span than this (frames stopped coming) is unknown, not slow.
_SPEED_MAX_SPAN_S = 1.0


class StretchChecker:
    """Stateful, frame-by-frame checker for one spec. Feed frames in time order."""

    def __init__(self, spec: StretchSpec) -> None:
        self.spec = spec
        self._order = self._measure_order()
        self._first_seen_ms: float | None = None
        self._last_seen_ms: float | None = None
        self._prev_t_ms: float | None = None
        self._start_ms: float | None = None
        self._starts = StartValues(spec)
        self._history: dict[tuple[str, SideKey], deque] = {}
        self._move_timers: dict[tuple[str, SideKey], MoveTimer] = {}
        self._phases = Phases(spec)
        self._faults = FaultWatch(spec)
        self._no_person_s = 0.0
        self._unknown_s = 0.0
        self._near: Side | None = None  # the side nearer the camera, this frame
        self._posture = PostureWatch(spec)
        self._wrong_posture = False
        self._faces_camera = faces_camera(spec)
        #: some measure may be read without trusting left and right (``read_from_behind``)
        self._reads_from_behind = any(m.read_from_behind for m in spec.measures.values())
        #: the trunk read from behind, last frame: (the shoulders or the hips, both)
        self._trunk: tuple[bool, bool] | None = None
        self._trunk_turned_ms: float | None = None  # when it last changed, the head out

    def _face_cut_off(self, frame: PoseFrame) -> bool:
        """Whether this frame's left and right cannot be trusted: a stretch done upright and
        facing the camera (the spec's view ``front``), the top of the head beyond the picture
        (``geometry.head_cut_edges``) and the shoulders or the hips labelled as seen from
        behind. Without the face MediaPipe cannot tell the person's front from their back:
        dev r2067 (band rotation, b25, the head above the picture) read the trunk from
        behind in 111 of 205 frames and swapped left and right 51 times at full visibility,
        12 false faults. Such a frame is unknown: no fault is checked on a measure that needs
        the labels. Only the measures marked ``read_from_behind`` (whole-body, reading the
        same with the labels swapped) are read in it, and only when the shoulders and the
        hips are both read from behind (:meth:`_read_without_labels`); a spec with none
        leaves the frame wholly unknown. The head out alone is not enough: seated butterflies
        with the head out, read from the front throughout (dev r2035, r2008), score as
        before."""
        if not self._faces_camera or frame.pose is None:
            return False
        return labels_unsure(frame.pose, frame.width, frame.height)

    def _read_without_labels(
        self, frame: PoseFrame, body: BodyState | None
    ) -> tuple[bool, PoseGeometry | None]:
        """(whether this frame's left and right cannot be trusted (:meth:`_face_cut_off`),
        the frame with its labels swapped when its marked measures can still be read). With
        no marked measure, or halfway through a swap (the shoulders read from behind and the
        hips not, or the reverse: the trunk read nearly edge-on), there is nothing to read:
        (True, None), the frame is wholly unknown."""
        if not self._face_cut_off(frame):
            return False, None
        if not self._reads_from_behind or not read_from_behind(frame.pose, both=True):
            return True, None
        return True, PoseGeometry(frame.pose.labels_swapped(), self.spec.min_visibility, body)

    def _labels_settling(self, frame: PoseFrame, t: float) -> bool:
        """Whether the smoothed landmarks may still blend left with right: less than
        ``smoothing.SETTLE_S`` since the trunk's read from behind changed (the shoulders, the
        hips, both or neither) with the head out of the picture. The smoother follows each
        landmark by its name, so when MediaPipe swaps the labels its ankles and hips are mixes
        of both sides until it settles: dev r2087 (band walk, b25) at 10 fps read the feet's
        gap +8.07 in the first frame read from behind (about +3.7 unsmoothed), and with every
        other frame kept, -0.63 at 4.6 s, a feet_together the whole replay does not flag. The
        marked measures are unknown meanwhile (the others are unknown in such frames anyway,
        or read as before). By timestamps, so frames dropped give the same answer."""
        if not (self._faces_camera and self._reads_from_behind) or frame.pose is None:
            self._trunk = self._trunk_turned_ms = None  # the smoother starts again
            return False
        trunk = (read_from_behind(frame.pose), read_from_behind(frame.pose, both=True))
        if (
            self._trunk is not None
            and trunk != self._trunk
            and head_cut_edges(frame.pose, frame.width, frame.height)
        ):
            self._trunk_turned_ms = t
        self._trunk = trunk
        turned = self._trunk_turned_ms
        return turned is not None and t - turned < SETTLE_S * 1000.0

    def _measure_order(self) -> list[str]:
        plain = [n for n, m in self.spec.measures.items() if not isinstance(m, OfMeasure)]
        return plain + [n for n in self.spec.measures if n not in plain]

    def _sides_of(self, name: str) -> tuple[SideKey, ...]:
        return SIDES if self.spec.sided[name] else (None,)

    @property
    def posture(self) -> PostureReading:
        """The newest frame's posture, as the posture watch read it (once a frame)."""
        return self._posture.reading

    @property
    def fault_readings(self) -> tuple[tuple[str, SideKey, float], ...]:
        """The newest frame's fault readings: (fault id, side, the value compared with the
        fault's line), for every fault due, seen, read and free to be flagged that frame."""
        return self._faults.readings_now

    def new_person(self) -> None:
        """Someone else is followed from the next frame on: the stretch under way ends where
        the last frame left it (counted if it counts), and the next frame settles and takes new
        starting values, as when a person is found again."""
        if self._phases.episode is not None and self._prev_t_ms is not None:
            self._phases.end(self._prev_t_ms)
        self._phases.close_leaving()
        self._faults.new_person()
        self._last_seen_ms = None
        self._phases.forget_looks()
        self._trunk = self._trunk_turned_ms = None  # the smoother starts again

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
        phases = self._phases
        phases.close_leaving(t)

        settling = self._labels_settling(frame, t)
        if frame.pose is None:
            self._no_person_s += dt_s
            self._advance_faults(t, {}, None)
            return self._result(
                frame, "no_person", "I can't see anyone. Step into the view.", (), ()
            )

        was_wrong = self._wrong_posture
        self._wrong_posture = self._posture.update(frame.pose, t)
        if self._wrong_posture and phases.episode is not None:
            phases.end(t)  # not the stretch: nothing more is timed
        if (
            self._last_seen_ms is None
            or (t - self._last_seen_ms) / 1000.0 > _REDETECT_GAP_S
            or (was_wrong and not self._wrong_posture)
        ):
            # Found (again), or back from another posture: settle, then take new starting
            # values (they may have moved). A time in position under way when the person was
            # lost ended where they were last seen: with no starting values it could neither
            # go on being judged nor end (dev r0169: the hold ran on, unknown, to the end).
            if phases.episode is not None and self._last_seen_ms is not None:
                phases.end(self._last_seen_ms)
            self._first_seen_ms = t
            self._starts.retake()
        self._last_seen_ms = t
        unsure, swapped = self._read_without_labels(frame, body)
        geometry = PoseGeometry(frame.pose, self.spec.min_visibility, body)
        # the near side is a label: not from a frame whose labels cannot be trusted
        self._near = geometry.near_side() if self._faults.needs_near and not unsure else None
        if unsure and swapped is None:  # nothing to read: unknown as a whole
            self._unknown_s += dt_s
            self._advance_faults(t, {}, None)
            return self._result(frame, "unknown", HEAD_CUT_REASON, HEAD_LANDMARKS, ())
        values = self._measure(geometry, t, swapped, settling)
        rom = self._reported_rom(values)

        if self._first_seen_ms is None or (t - self._first_seen_ms) / 1000.0 < self.spec.settle_s:
            return self._result(frame, "settling", None, (), tuple(values.values()), rom)

        position = position_values(self.spec, values)
        unknown = [v for v in position if not v.known and v.missing]
        baseline_pending = [v for v in position if not v.known and not v.missing]
        working = phases.working
        if unknown and (
            phases.episode is None
            or working in (None, "both")
            or any(v.side == working for v in unknown)
        ):
            self._unknown_s += dt_s
            missing = tuple(dict.fromkeys(n for v in unknown for n in v.missing))
            # Position unknown: only faults checked whatever the phase ("always") are due.
            self._advance_faults(t, values, None if self._wrong_posture else "unknown")
            reason = HEAD_CUT_REASON if unsure or settling else missing_reason(missing)
            return self._result(frame, "unknown", reason, missing, tuple(values.values()), rom)

        if not self._wrong_posture:
            from_look = (
                phases.episode.from_look if phases.episode is not None else bool(baseline_pending)
            )
            if from_look:
                phases.update_from_look(values, t)  # no start yet: the body's own look
                if phases.episode is not None and phases.episode.start_ms == t:
                    self._starts.drop_pending()  # those samples were on the way in
            elif not baseline_pending:
                phases.update(values, t)
        episode = phases.episode
        if episode is not None:
            episode.posture.append(self._posture.last)
            self._starts.collect_in_position(values, t, episode)
        else:
            self._starts.check_taken_mid_stretch(values, t)
            self._starts.collect_at_rest(values, t)
        blocking = self._advance_faults(t, values, None if self._wrong_posture else self._phase())
        if episode is not None and not blocking:
            # Only fault-free time counts, toward the hold and toward the best ROM.
            episode.held_s += dt_s
            phases.track_rom(rom, t)
        return self._result(frame, self._phase(), None, (), tuple(values.values()), rom)

    def _phase(self) -> str:
        return "active" if self._phases.episode is not None else "rest"

    def _advance_faults(self, t: float, values: Values, phase: str | None) -> bool:
        return self._faults.advance(t, values, phase, self._phases.episode, self._near)

    def _measure(
        self,
        g: PoseGeometry,
        t: float,
        swapped: PoseGeometry | None = None,
        settling: bool = False,
    ) -> Values:
        """Every measure of the frame. ``swapped``: the frame's left and right cannot be
        trusted (:meth:`_face_cut_off`) and this is it with the labels swapped; a measure
        is read then only if it does not need the labels (:func:`_needs_labels`), else it is
        unknown with the head named missing. ``settling``: the smoother may still blend the
        two sides after a swap (:meth:`_labels_settling`); the marked measures are unknown
        so too."""
        out: Values = {}
        for name in self._order:
            metric = self.spec.measures[name]
            for side in self._sides_of(name):
                if isinstance(metric, MoveTime):
                    timer = self._move_timers.setdefault((name, side), MoveTimer(metric))
                    src = out[(metric.of, side)]
                    out[(name, side)] = MeasureValue(
                        name, side, timer.update(t, src.value), src.missing
                    )
                    continue
                if isinstance(metric, Speed):
                    out[(name, side)] = self._speed(name, metric, side, out, t)
                    continue
                if isinstance(metric, LowerOf):
                    both = [out[(metric.of, s)] for s in SIDES]
                    missing = tuple(dict.fromkeys(n for mv in both for n in mv.missing))
                    known = all(mv.known for mv in both)
                    lower = min(mv.value for mv in both) if known else math.nan
                    out[(name, side)] = MeasureValue(name, side, lower, missing)
                    continue
                if isinstance(metric, StartOr):
                    src = _start_or(
                        metric, out[(metric.of, side)], out[(metric.before_start, side)]
                    )
                    out[(name, side)] = dataclasses.replace(src, name=name)
                    continue
                if isinstance(metric, KneeRoll) and metric.knees_together:
                    # each knee from its own start, paired afterwards (_pair_knees): read
                    # this knee alone, not the pair compute() would read and throw away
                    missing = metric.missing(g, side)
                    raw = math.nan if missing else metric.alone(g, side)
                else:
                    missing, raw = raw_value(metric, g, side)
                if (settling and metric.read_from_behind) or (
                    swapped is not None and _needs_labels(metric, swapped, side, raw)
                ):
                    out[(name, side)] = MeasureValue(name, side, math.nan, HEAD_LANDMARKS)
                    continue
                value = raw
                scale = math.nan
                if metric.relative_to_start and not missing:
                    base = self._starts.of(name, side, metric, self._phases.episode)
                    value = math.nan if base is None else raw - base
                    if isinstance(metric, SeparationRatio) and metric.divide_by == "start":
                        # (a-b now - a-b at the start) / the reference length at the start
                        scale = metric.ref_length(g, side)
                        scale0 = self._starts.scale_of(name, side)
                        value = (
                            math.nan
                            if base is None or not scale0
                            else (raw * scale / scale0 - base)
                        )
                    if metric.unit == "deg" and value == value:
                        value = wrap_deg(value)
                out[(name, side)] = MeasureValue(name, side, value, missing, raw, scale)
            if isinstance(metric, KneeRoll) and metric.knees_together:
                _pair_knees(out, name)
        return out

    def _speed(
        self, name: str, metric: Speed, side: SideKey, values: Values, t: float
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

    # -- output ----------------------------------------------------------------------------
    def _reported_rom(self, values: Values) -> dict[Side, float]:
        """This frame's reported number per side (the spec's ``rom`` measure through its
        correction; NaN where unknown), worked out once: the frame's result and the hold's
        peak samples both read it. Empty without a ``rom`` or without measures."""
        rom = self.spec.rom
        if rom is None or not values:
            return {}
        # frames before the start keep rom.correction.scale: its scale_before_start (a photo's)
        # read the dev twist's no-start frames high (docs/measurement.md section 20.3)
        return {
            s: rom.reported(mv.value) if mv is not None else math.nan
            for s in SIDES
            for mv in (values.get((rom.measure, s)),)
        }

    def _result(
        self,
        frame: PoseFrame,
        state: str,
        reason: str | None,
        missing: tuple[str, ...],
        measures: tuple[MeasureValue, ...],
        rom: dict[Side, float] | None = None,
    ) -> CheckResult:
        rom_vals: tuple[tuple[Side, float], ...] = tuple((rom or {}).items())
        ep = self._phases.episode
        if ep is not None and ep.legs_swapped:  # the other leg's angle, not this side's
            rom_vals = tuple((s, math.nan) for s, _ in rom_vals)
        unchecked = tuple(
            f.id
            for f in self.spec.faults
            if any(m.name == f.measure and not m.known and m.missing for m in measures)
        )
        phases = self._phases
        return CheckResult(
            index=frame.index,
            t_ms=frame.t_ms,
            state=state,
            working_side=phases.working,
            reason=reason,
            missing=missing,
            measures=measures,
            rom_deg=rom_vals,
            active_faults=self._faults.active(),
            unchecked_faults=unchecked,
            hold_s=phases.episode.held_s if phases.episode else 0.0,
            reps=phases.reps,
            holds_completed=phases.holds_completed,
            last_completed_side=phases.last_completed,
            unseen_faults=self._faults.unseen_now if state in ("rest", "active") else (),
            variant=self._variant(measures, state),
            wrong_posture=self._wrong_posture and state != "no_person",
        )

    def _variant(self, measures: tuple[MeasureValue, ...], state: str) -> str | None:
        if state != "active" or not self.spec.variants:
            return None
        found = variant_of(self.spec, {(m.name, m.side): m for m in measures}, self._phases.working)
        return found.id if found else None

    def summary(self) -> Summary:
        """Everything so far; faults still active are closed at the last frame."""
        end = self._prev_t_ms or 0.0
        holds, reps, best = self._phases.totals(end)
        return Summary(
            stretch_id=self.spec.id,
            duration_s=(end - (self._start_ms or 0.0)) / 1000.0,
            no_person_s=self._no_person_s,
            unknown_s=self._unknown_s,
            faults=self._faults.events(),
            holds=holds,
            reps=tuple(reps.items()),
            holds_completed=sum(1 for h in holds if h.completed),
            best_rom_deg=tuple((s, best.get(s)) for s in SIDES),
            not_seen=self._faults.not_seen(),
        )


def _needs_labels(metric: MetricBase, swapped: PoseGeometry, side: SideKey, raw: float) -> bool:
    """Whether a measure cannot be read in a frame whose left and right cannot be trusted:
    every measure but a whole-body one marked ``read_from_behind`` that reads the same with
    the labels swapped (``swapped``: the frame so). The band walk's feet gap (dev r2087, b25,
    the head above the picture: feet_together read through the frames read from behind)."""
    if not metric.read_from_behind or side is not None:
        return True
    if math.isnan(raw):
        return False  # unknown either way, with its own missing landmarks
    _, other = raw_value(metric, swapped, side)
    return not math.isclose(raw, other, rel_tol=1e-9, abs_tol=1e-9)


def _start_or(metric: StartOr, since: MeasureValue, before: MeasureValue) -> MeasureValue:
    """A ``start_or`` reading from its two measures: ``since`` (``of``, counted from the
    start) and ``before`` (``before_start``): ``before`` while no start is taken; once it is,
    ``since``, or with ``once_started: larger`` the larger of the two known."""
    if not since.known and not since.missing:  # no start yet
        return before
    if (
        metric.once_started == "larger"
        and before.known
        and (not since.known or before.value > since.value)
    ):
        return before  # the larger of the two
    return since


def _pair_knees(values: Values, name: str) -> None:
    """A ``knees_together`` knee roll: each knee was counted from its own start; each side's
    value becomes the pair (:meth:`KneeRoll.together`). A frame without the other knee then
    reads this knee's change from this knee's own start, the same turn the pair reads."""
    left, right = values[(name, "left")], values[(name, "right")]
    for mine, other in ((left, right), (right, left)):
        values[(name, mine.side)] = dataclasses.replace(
            mine, value=KneeRoll.together(mine.value, other.value)
        )
