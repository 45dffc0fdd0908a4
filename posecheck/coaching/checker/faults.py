"""Fault checking over time: each fault's debounce per side, what the view cannot see, and the
fault intervals of a set.

A fault is flagged once its condition has held for ``min_duration_s`` and cleared once it has
been gone for ``release_s`` (no flicker). A fault the camera cannot see from where it stands
(its ``seen_when``) is not checked: it reads as not violated (a flag already raised clears
after its ``release_s``) and the time is kept as not seen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from posecheck.body.geometry import resolve_part
from posecheck.coaching.checker.episodes import Episode
from posecheck.coaching.checker.looks import fault_sides
from posecheck.coaching.checker.results import (
    ActiveFault,
    FaultEvent,
    SideKey,
    UnseenFault,
    UnseenSpan,
    Values,
)
from posecheck.pose.landmarks import SIDES, Side
from posecheck.specs.schema import Fault, StretchSpec

#: Past the position's exit line and kept in it by ``active.stays_while``, a fault on the
#: position's measure waits this long before it is said. Figure four: a leg uncrossed slowly
#: (a 2 s synthetic ease-out) is past the exit line with its ankle still up for 0.6 s on its
#: way down; the dev slips stay there 3-5 s (r0017, r0121).
_STAY_GRACE_S = 1.0


@dataclass
class _FaultTrack:
    """Debounce state of one fault on one side."""

    onset_ms: float | None = None  # condition true since
    clear_since_ms: float | None = None  # condition false since (while active)
    event_start_ms: float | None = None
    flagged_ms: float | None = None
    worst: float = math.nan


class FaultWatch:
    """Every fault of one spec, on every side, frame by frame."""

    def __init__(self, spec: StretchSpec) -> None:
        self.spec = spec
        self._tracks: dict[tuple[str, SideKey], _FaultTrack] = {}
        self._events: list[FaultEvent] = []
        self._unseen_now: list[UnseenFault] = []
        self._readings_now: list[tuple[str, SideKey, float]] = []
        self._unseen_open: dict[tuple[str, SideKey], tuple[float, float, str]] = {}
        self._unseen_spans: list[UnseenSpan] = []
        #: the side of the last time in position that counted (faults checked at rest too)
        self._last_working: Side | str | None = None

    def new_person(self) -> None:
        """Someone else is followed: the side the last person worked is not theirs."""
        self._last_working = None

    @property
    def needs_near(self) -> bool:
        """Some fault is seen only on the side nearer the camera."""
        return any(
            f.seen_when is not None and f.seen_when.applies_to == "far_side"
            for f in self.spec.faults
        )

    @property
    def unseen_now(self) -> tuple[UnseenFault, ...]:
        """Faults due in the last frame that the view could not see."""
        return tuple(self._unseen_now)

    @property
    def readings_now(self) -> tuple[tuple[str, SideKey, float], ...]:
        """What each fault compared with its line in the last frame: (fault id, side, value)
        for every fault due, seen and read on that side and free to be flagged (not in its
        grace past the position's exit line), for ``benchmarks/margins.py``."""
        return tuple(self._readings_now)

    def advance(
        self,
        t: float,
        values: Values,
        phase: str | None,
        episode: Episode | None,
        near: Side | None,
    ) -> bool:
        """Update every fault's debounce state for the frame at ``t`` (``phase`` None: no
        fault is due; "unknown", the position cannot be read: only ``during: always`` faults
        are); True if a hold-blocking fault is active. ``episode`` is the time in
        position under way (its working side; its ROM samples are dropped from a blocking
        fault's onset), ``near`` the side nearer the camera."""
        blocking = False
        self._unseen_now = []
        self._readings_now = []
        working = episode.side if episode is not None else None
        if working is not None and episode is not None and self._counts(episode, t):
            self._last_working = working
        swapped = episode is not None and episode.legs_swapped
        # a hold whose reading went out a frame ago may be over (it is, from that frame, once
        # a second reading is out: ``Phases._went_out``): no flag is raised meanwhile
        going = self.spec.dose.kind == "hold" and episode is not None and episode.leaving
        for fault in self.spec.faults:
            in_phase = phase is not None and fault.during in (phase, "always")
            # Checked at rest too: the working side is the one that last worked (a band
            # rotation's snap back out is seen as the foot comes to rest, after the position).
            side_now = working if fault.during == "active" else working or self._last_working
            sides = fault_sides(fault, side_now) if in_phase else ()
            for side in (*SIDES, None):
                key = (fault.id, side)
                track = self._tracks.setdefault(key, _FaultTrack())
                mv = values.get((fault.measure, side)) if side in sides else None
                if swapped and side in SIDES:
                    mv = None  # the estimator has the legs the wrong way round: not this leg
                seen = mv is None or self._view_sees(fault, side, values, near)
                self._note_unseen(fault, side, t, seen)
                bad = seen and mv is not None and mv.known and fault.violated_by(mv.value)
                value = mv.value if bad and mv is not None else math.nan
                wait = going or self._waiting_past_exit(fault, episode, t)
                if seen and mv is not None and mv.known and not wait:
                    self._readings_now.append((fault.id, side, mv.value))
                self._step_track(fault, side, track, bad, value, t, episode, wait)
                if track.flagged_ms is not None and fault.blocks_hold:
                    blocking = True
        return blocking

    def _counts(self, episode: Episode, t: float) -> bool:
        """The time in position has lasted long enough to count (``active.min_episode_s``):
        a one-frame misread of the position does not change the side that last worked."""
        return (t - episode.start_ms) / 1000.0 >= self.spec.active.min_episode_s

    def _waiting_past_exit(self, fault: Fault, episode: Episode | None, t: float) -> bool:
        """A fault on the position's own measure is not said in the first
        ``_STAY_GRACE_S`` past the exit line while ``active.stays_while`` keeps the position:
        a leg uncrossed slowly passes there on its way down, a slipped ankle stays."""
        return (
            episode is not None
            and episode.stayed_since_ms is not None
            and fault.measure == self.spec.active.measure
            and (t - episode.stayed_since_ms) / 1000.0 < _STAY_GRACE_S
        )

    def _view_sees(self, fault: Fault, side: SideKey, values: Values, near: Side | None) -> bool:
        """Whether the camera can see ``fault`` on ``side`` this frame (its ``seen_when``). An
        unknown view measure does not hide the fault: the fault's own landmarks decide."""
        need = fault.seen_when
        if need is None:
            return True
        if need.applies_to == "far_side" and (side is None or side == near):
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
        self,
        fault: Fault,
        side: SideKey,
        track: _FaultTrack,
        bad: bool,
        value: float,
        t: float,
        episode: Episode | None,
        wait: bool = False,
    ) -> None:
        """One frame of one fault's debounce; ``wait``: do not raise the flag yet (the
        onset is kept, so the flag, once raised, starts where the fault did)."""
        if bad:
            track.clear_since_ms = None
            if track.onset_ms is None:
                track.onset_ms = t
            if track.flagged_ms is None:
                track.worst = value
            else:  # the value furthest past its threshold
                track.worst = max(track.worst, value, key=lambda v: _excess(fault, v))
            due = (t - track.onset_ms) / 1000.0 >= fault.min_duration_s
            if track.flagged_ms is None and due and not wait:
                track.flagged_ms = t
                track.event_start_ms = track.onset_ms
                if episode is not None and fault.blocks_hold:
                    episode.discard_rom_since(track.onset_ms)
            return
        if track.flagged_ms is None:
            track.onset_ms = None
            return
        if track.clear_since_ms is None:
            track.clear_since_ms = t
        if (t - track.clear_since_ms) / 1000.0 >= fault.release_s:
            self._events.append(_event(fault, side, track, track.clear_since_ms))
            self._tracks[(fault.id, side)] = _FaultTrack()

    def active(self) -> tuple[ActiveFault, ...]:
        """The faults flagged now, most severe first, with the landmarks to draw in red."""
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

    def events(self) -> tuple[FaultEvent, ...]:
        """Every fault flagged so far, in order of onset; those still active are open."""
        events = list(self._events)
        for (fid, side), track in self._tracks.items():
            if track.flagged_ms is not None:
                fault = next(f for f in self.spec.faults if f.id == fid)
                events.append(_event(fault, side, track, None))
        return tuple(sorted(events, key=lambda e: e.start_ms))

    def not_seen(self) -> tuple[UnseenSpan, ...]:
        """When faults went unchecked because the view could not see them, in order."""
        still_open = (
            UnseenSpan(fid, side, reason, start, end)
            for (fid, side), (start, end, reason) in self._unseen_open.items()
        )
        return tuple(sorted([*self._unseen_spans, *still_open], key=lambda u: u.start_ms))


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


def _excess(fault: Fault, value: float) -> float:
    """How far ``value`` is past the fault's threshold(s)."""
    over = value - fault.above if fault.above is not None else -math.inf
    under = fault.below - value if fault.below is not None else -math.inf
    return max(over, under)
