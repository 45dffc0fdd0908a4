"""In position or not, frame by frame, and what that adds up to: holds, reps and the best ROM.

An episode starts when the position's measure passes its entry line with every look of the
position right (:func:`.looks.entering_side`) and ends when it falls back past the exit line
or a look is clearly gone. A hold is closed only once the person has stayed out for
``_REENTRY_MERGE_S`` (a moment's dip under the line is not a new hold).
"""

from __future__ import annotations

import math
from dataclasses import replace

from posecheck.coaching.checker.episodes import Episode, add_peaks
from posecheck.coaching.checker.looks import (
    clear_past,
    clear_side,
    entering_side,
    entry_looks_holding,
    look_measures,
    looks_gone,
    position_values,
)
from posecheck.coaching.checker.results import Hold, SideKey, Values
from posecheck.coaching.posture import mostly_contradicts
from posecheck.pose.landmarks import SIDES, Side, other_side
from posecheck.specs.schema import StretchSpec

#: Leaving the position and coming back on the same side within this is one repetition
#: (the knee dipped under the line for a moment), however many frames were dropped; so is
#: coming back on the other side while the estimator had the legs swapped
#: (:meth:`Phases._still_swapped`).
_REENTRY_MERGE_S = 1.0
#: An entry-only look (a pigeon's front knee drawn forward) that held this recently still
#: counts toward entering: the estimator can lose a far front leg in the very moment the back
#: leg settles (dev split, r0049 and r0010: the second side's front knee read drawn forward
#: 0.5-1 s before the back thigh was low, never together).
_ENTRY_MEMORY_S = 1.0
#: In a stretch that alternates sides one leg at a time, the other leg past the entry line and
#: further in than the working leg by the entry-exit gap for this long has taken over: the
#: working side follows the leg that moves most (dev split, r0052: MediaPipe moved the resting
#: right shin with the turning left one, so the right leg never read back under the exit line
#: and the left rep was counted as more of the right hold). Dev split, 22 prone and 22 knee
#: drop clips: 0.5 and 1 s mend r0052 alone (prone hold error 0.50 -> 0.45, rep error 0.68 ->
#: 0.64); 0.3 s also split a hold of r0247 in three. At 1 s the first 4 of r0052's 36 frames
#: with the left turned 30 or more are still the right's (0 at 0.5 s), but a lead of 0.8 s
#: (a misread) takes over at 0.5 s (tests/test_phase_counts.py): 1 s.
_TAKEOVER_S = 1.0
#: A hold ends (where its reading went out) once this many readings in a moment are out of
#: position: one misread frame is not the end of it (``Phases._went_out``).
_OUT_READINGS = 2


class Phases:
    """The episode under way, the holds and reps so far and the best ROM per side."""

    def __init__(self, spec: StretchSpec) -> None:
        self.spec = spec
        self.episode: Episode | None = None
        self._leaving: tuple[Episode, float] | None = None  # left the position at (ms)
        self._holds: list[Hold] = []
        self._reps: dict[str, int] = self._empty_reps()
        self._best_rom: dict[Side, float] = {}
        self.last_completed: Side | str | None = None
        #: when each entry-only look of the position last held, per (measure, working side)
        self._entry_seen_ms: dict[tuple[str, SideKey | str], float] = {}
        #: lowest position value per side since a rep ended on its way back (rep_return)
        self._valley: dict[SideKey, float] | None = None
        #: since when (ms) the other leg has read further in than the working one (_TAKEOVER_S)
        self._other_ahead_ms: float | None = None

    def _empty_reps(self) -> dict[str, int]:
        sides = self.spec.dose.sides
        if sides in ("alternating", "each"):
            return {"left": 0, "right": 0}
        return {"both" if sides == "both" else "all": 0}

    @property
    def working(self) -> Side | str | None:
        """The working side: the current episode's side, if any."""
        return self.episode.side if self.episode is not None else None

    @property
    def reps(self) -> tuple[tuple[str, int], ...]:
        return tuple(self._reps.items())

    @property
    def holds_completed(self) -> int:
        return sum(1 for h in self._holds if h.completed)

    def forget_looks(self) -> None:
        """What the last person's legs looked like is not the next one's."""
        self._entry_seen_ms.clear()

    # -- per frame -------------------------------------------------------------------------
    def update(self, values: Values, t: float) -> None:
        """Enter or leave the position on this frame's values (every one of the position's
        values has its starting value)."""
        pos = self.spec.active
        sign = 1.0 if pos.direction == "up" else -1.0
        vals = {mv.side: sign * mv.value for mv in position_values(self.spec, values)}
        leave = sign * pos.exit
        if self.episode is None:
            self._other_ahead_ms = None
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
                if left is not None and (
                    left[0].side == working or self._still_swapped(left, working)
                ):
                    self.episode, self._leaving = left[0], None  # back within a moment
                else:
                    self.close_leaving()
                    self.episode = Episode(working, t)
            return
        ep = self.episode
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
        taker = self._taking_over(vals, current, t)
        if taker is not None:
            self.end(t)  # the other leg took over: this side's time in position is over
            self.close_leaving()
            self.episode = Episode(taker, t)
            return
        ep.legs_swapped = self._swapped_legs(vals, leave)
        if ep.legs_swapped:
            ep.swapped_ms = t
            if ep.out_since_ms is not None:  # a reading in position, not a gap (r0048)
                ep.back_readings += 1
            return  # the estimator swapped the legs for a moment: still the same hold
        stays = current < leave and self._still_set_up(values, ep.side)
        if not stays:
            ep.stayed_since_ms = None
        elif ep.stayed_since_ms is None:
            ep.stayed_since_ms = t
        out_ms = self._went_out(ep, current < leave, stays, current >= leave, t)
        if out_ms is None and looks_gone(self.spec, values, ep.side):
            out_ms = t if ep.out_since_ms is None else ep.out_since_ms
        if out_ms is not None:
            if out_ms < t:  # the time since the reading went out was not in position
                ep.held_s = ep.held_at_out_s
                ep.discard_rom_since(out_ms)
            self.end(out_ms)
            if leave > sign * pos.exit:  # ended by rep_return: the next rep rises from a low
                self._valley = dict(vals)
            elif out_ms < t and self.spec.dose.kind == "hold":
                # out since an earlier frame: this one may already be the other side's entry
                # (dev r0234: the right hold began on the frame that ended the left one)
                self.update(values, t)

    def _went_out(
        self, ep: Episode, under: bool, stays: bool, back_in: bool, t: float
    ) -> float | None:
        """When this time in position ended (ms), if it has; else None; ``under``: this
        frame's reading is under the exit line, ``stays``: but the set-up keeps it in
        position (``active.stays_while``), ``back_in``: over the line. Times are frame
        times, so dropped frames do not change them. An unknown reading neither ends the
        time in position, nor brings it back, nor counts.

        - A rep ended on its way back (``rep_return``) ends on its first frame out: quick
          reps, whose rest is short by design.
        - A rep ended at the exit line ends where its reading went under it, once it has
          been under it for the stretch's own ``min_episode_s``, reckoned up to the newest
          frame or the first frame back over the line; back over it sooner, the moment under
          is forgotten. A moment out as short as the shortest time in position that counts
          is a misread, not the rest between two reps (dev split, r0084: one frame of the
          left knee's reading at 7.4 under the exit line of 8, for a true 17.6 held steady,
          made one rep two).
        - A hold ends where its reading went out once ``_OUT_READINGS`` readings within
          ``min_episode_s`` of the first are under the line (set up or not, once the first
          was out), or once the first has stood for ``min_episode_s`` with no reading back
          over the line (frames dropped or unknown meanwhile): one misread frame, the
          readings back over the line for the rest of that moment, does not end it (nor make
          two holds of it when the reading comes back between the lines). Holds also have
          their re-entry merge (``_REENTRY_MERGE_S``)."""
        kind, pos = self.spec.dose.kind, self.spec.active
        out = under and not stays
        if kind == "reps" and pos.rep_return > 0:
            return t if out else None
        since = ep.out_since_ms
        if kind == "reps":
            if out and since is None:
                ep.went_out(t)
                since = t
            if since is None or not (out or back_in):
                return None
            if back_in:
                ep.came_back()
            return since if (t - since) / 1000.0 >= pos.min_episode_s - 1e-9 else None
        if since is None:
            if out:
                ep.went_out(t)
            return None
        if not (under or back_in):
            return None
        moment_over = (t - since) / 1000.0 >= pos.min_episode_s - 1e-9
        if under:
            if moment_over and ep.back_readings:  # that one was a misread: a new moment out
                ep.went_out(t)
                return None
            ep.out_readings += 1
            return since if ep.out_readings >= _OUT_READINGS else None
        if not moment_over:
            ep.back_readings += 1
            return None
        ended = ep.leaving  # out since, with no reading back in between
        ep.came_back()
        return since if ended else None

    def update_from_look(self, values: Values, t: float) -> None:
        """Before the position measure's starting value exists (the first seconds, or a
        person found already in the stretch): in position only on a side whose own reading
        is past every resting reading (``active.clear_past``); such a time in position lasts
        while the reading stays clear (eased by the entry-exit gap). No starting value is
        taken meanwhile, so the start is the rest that follows, never the stretch."""
        ep = self.episode
        if ep is None:
            side = clear_side(self.spec, values)
            if side is None:
                return
            left = self._leaving
            if left is not None and left[0].side == side:
                self.episode, self._leaving = left[0], None  # back within a moment
            else:
                self.close_leaving()
                self.episode = Episode(side, t, from_look=True)
            return
        if ep.side in SIDES and clear_past(self.spec, values, ep.side, staying=True) is False:  # type: ignore[arg-type]
            self.end(t)

    def _still_set_up(self, values: Values, side: Side | str | None) -> bool:
        """The position's ``stays_while`` look still holds for the working side: past the
        exit line, the set-up is still there and has gone wrong (figure four: the crossed
        ankle slid off the knee reads past the exit line, but is still up off the floor, so
        the slip is a fault of the hold, not the end of it). Unknown is not proof."""
        look = self.spec.active.stays_while
        if look is None:
            return False
        return all(
            look.holds(mv.value) is True for mv in look_measures(self.spec, values, look, side)
        )

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

    def _taking_over(self, vals: dict[SideKey, float], current: float, t: float) -> Side | None:
        """The other leg, once it has read past the entry line and further in than the
        working leg by the entry-exit gap for ``_TAKEOVER_S`` (frame times, so dropped frames
        do not change it), in a stretch done one leg at a time on alternating sides; else
        None. Not for ``sides_together`` (the other knee's reading is this one's, turned
        round) nor for sides done one whole set at a time (``sides: each``, where the other
        leg reading in means the estimator swapped the legs: :meth:`_swapped_legs`)."""
        pos, side = self.spec.active, self.working
        if self.spec.dose.sides != "alternating" or pos.sides_together or side not in SIDES:
            self._other_ahead_ms = None
            return None
        other = other_side(side)  # type: ignore[arg-type]
        there = vals.get(other, math.nan)
        sign = 1.0 if pos.direction == "up" else -1.0
        gap = abs(pos.enter - pos.exit)
        if not (there > sign * pos.enter and there > current + gap):
            self._other_ahead_ms = None  # NaN compares False: an unseen leg does not take over
            return None
        if self._other_ahead_ms is None:
            self._other_ahead_ms = t
        if (t - self._other_ahead_ms) / 1000.0 < _TAKEOVER_S:
            return None
        self._other_ahead_ms = None
        return other

    def _swapped_legs(self, vals: dict[SideKey, float], leave: float) -> bool:
        """In a hold done on one side at a time (``sides: each``), the working side out and
        the other side in at the very same frame: nobody switches sides that fast (they come
        out of the stretch and set up the other side first), so the estimator swapped the legs
        (dev split, r0048: a rounded back swapped them for 4 s, which made one hold three).
        Not for stretches that alternate sides, where one leg can go down as the other goes
        up (prone IR, r0026)."""
        side = self.working
        if self.spec.dose.kind != "hold" or self.spec.dose.sides != "each" or side not in SIDES:
            return False
        here, there = vals.get(side, math.nan), vals.get(other_side(side), math.nan)  # type: ignore[arg-type]
        return here < leave and there >= leave

    def _still_swapped(self, left: tuple[Episode, float], working: Side | str | None) -> bool:
        """Entering on the other side a moment after a hold on one side at a time ended while
        the estimator had the legs swapped (:meth:`_swapped_legs`, within
        ``_REENTRY_MERGE_S`` before it ended): the legs are still swapped and it is still the
        same hold, not the other side's (dev split, r0048: both legs read out of position
        for two frames in a 14 s swap, and the rest of the right hold was counted on the
        left)."""
        ep, left_ms = left  # left_ms is at most _REENTRY_MERGE_S ago (close_leaving)
        return (
            ep.side in SIDES
            and working == other_side(ep.side)  # type: ignore[arg-type]
            and ep.swapped_ms is not None
            and (left_ms - ep.swapped_ms) / 1000.0 <= _REENTRY_MERGE_S
        )

    def track_rom(self, rom: dict[Side, float], t: float) -> None:
        """Keep this frame's reported ROM value(s) (per side, as the frame's result gives
        them) as samples of the episode (fault-free time only)."""
        ep = self.episode
        if not rom or ep is None or ep.legs_swapped:
            return  # a swapped leg's angle is not this side's record
        for side in SIDES if ep.side in ("both", None) else (ep.side,):
            v = rom[side]
            if not math.isnan(v):
                ep.rom_samples.append((t, side, v))

    # -- leaving ---------------------------------------------------------------------------
    def end(self, t: float) -> None:
        """Leave the position. A hold is closed only once the person has stayed out for
        ``_REENTRY_MERGE_S`` (a moment's dip under the line is not a new hold)."""
        ep = self.episode
        self.episode = None
        if ep is None:
            return
        ep.came_back()  # if it comes back, it is back in
        if self.spec.dose.kind == "hold":
            self._leaving = (ep, t)
        else:
            self._close_episode(ep, t)

    def close_leaving(self, t: float | None = None) -> None:
        """Close the episode being left, if any (only once ``_REENTRY_MERGE_S`` has passed
        when ``t`` is given)."""
        if self._leaving is None:
            return
        ep, left_ms = self._leaving
        if t is not None and (t - left_ms) / 1000.0 < _REENTRY_MERGE_S:
            return
        self._leaving = None
        self._close_episode(ep, left_ms)

    def _as_hold(self, ep: Episode, t: float) -> Hold | None:
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

    def _close_episode(self, ep: Episode, t: float) -> None:
        hold = self._as_hold(ep, t)
        if hold is None:
            return
        self._holds.append(hold)
        add_peaks(self._best_rom, ep)
        self._reps[self._rep_key(ep.side)] += 1
        if hold.completed:
            self.last_completed = ep.side

    # -- the set so far --------------------------------------------------------------------
    def totals(self, end: float) -> tuple[tuple[Hold, ...], dict[str, int], dict[Side, float]]:
        """Holds, reps per side and best ROM per side of the set ending at ``end``: an episode
        being left a moment ago counts, and so does one still under way."""
        holds = list(self._holds)
        best = dict(self._best_rom)
        reps = dict(self._reps)
        if self._leaving is not None:  # left the position a moment ago: that rep counts
            ep, left_ms = self._leaving
            hold = self._as_hold(ep, left_ms)
            if hold is not None:
                holds.append(hold)
                reps[self._rep_key(ep.side)] += 1
                add_peaks(best, ep)
        if self.episode is not None and not mostly_contradicts(self.episode.posture):
            ep = self.episode  # still in position when the set ended: a rep too
            held_s = ep.held_s
            if ep.leaving and ep.out_since_ms is not None:  # on its way out: it ended there,
                until = ep.out_since_ms  # and the ROM read since was read out of position
                samples = [s for s in ep.rom_samples if s[0] < until]
                ep = replace(ep, held_s=ep.held_at_out_s, rom_samples=samples)
                end, held_s = until, ep.held_s
            hold = self._as_hold(ep, end)
            if hold is not None:
                reps[self._rep_key(ep.side)] += 1
            holds.append(
                Hold(
                    ep.side,
                    ep.start_ms,
                    end,
                    held_s,
                    self.spec.dose.kind == "hold" and held_s >= self.spec.dose.hold_s,
                    ep.peak(),
                )
            )
            add_peaks(best, ep)
        return tuple(holds), reps, best
