"""The live session's flow on top of the checker: get into position, hold still, 3-2-1, coaching.

:class:`Coach` is a pure function of the pipeline's steps (time comes from the frames), so the
whole flow is tested without a camera or Streamlit. The checker itself runs on every frame
whatever the flow's phase, so a set counts the same live as in replay.

Phases:
- ``position``: nobody in view, a body part not visible, or the framing is off: the cue says
  what to fix (framing advice is consistent with the stretch's placement guide).
- ``still``: in view and framed: "hold still" for ``still_s``.
- ``countdown``: 3-2-1 (the headline shows the number); framing lost sends it back.
- ``coaching``: the checker's calm cue; "switch sides now" (headline, and said aloud on the
  ``switch_sides`` event) after a completed hold on a stretch that alternates sides; the
  seconds left in the last ``hold_countdown_s`` of a hold; a ``chime`` event when a hold
  completes; "this does not look like <stretch>" after
  ``wrong_after_s`` of a posture that clearly does not fit the stretch.

Each frame gives a :class:`Coaching`: phase, the cue (shown and spoken; it stays at least
``min_show_s``), a big headline (countdown number or hold timer), and the events of this
frame (``countdown``, ``go``, ``tick``, ``chime``, ``switch_sides``, ``wrong_exercise``) for
the page to turn into sounds.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace

from posecheck.analysis import Step
from posecheck.checker import CheckResult
from posecheck.feedback import Cue, CueSelector, candidate_cue
from posecheck.framing import FramingAdvice, framing_advice
from posecheck.pose.landmarks import other_side
from posecheck.posture import contradicts, read_posture
from posecheck.specs.schema import StretchSpec

PHASES = ("position", "still", "countdown", "coaching")
STILL_TEXT = "You are in view. Hold still: we start in 3, 2, 1."
GO_TEXT = "Go: ease into the stretch slowly."


@dataclass(frozen=True)
class Coaching:
    """What the session shows and says at one frame."""

    t_ms: float
    phase: str  # position | still | countdown | coaching
    cue: Cue
    headline: str  # big text: "3", "Hold 12 / 30 s", "5 s left", "" when nothing to show
    hold_s: float
    hold_target_s: float | None
    countdown: int | None  # 3, 2, 1 during the countdown; seconds left near a hold's end
    events: tuple[str, ...]  # countdown | go | tick | chime | switch_sides | wrong_exercise
    wrong_exercise: bool


class _AdviceHold:
    """Debounces framing advice: new advice must persist ``min_onset_s`` before it is shown
    (one odd frame is not a reason to move the camera), and shown advice stays at least
    ``min_show_s`` so it does not flicker."""

    def __init__(self, min_show_s: float = 2.5, min_onset_s: float = 1.0) -> None:
        self.min_show_s = min_show_s
        self.min_onset_s = min_onset_s
        self._shown: FramingAdvice | None = None
        self._shown_since_ms = 0.0
        self._waiting = False  # is some advice (or its absence) waiting to be shown?
        self._candidate: str | None = None  # its text (None: no advice)
        self._candidate_since_ms = 0.0

    @staticmethod
    def _text(advice: FramingAdvice | None) -> str | None:
        return None if advice is None else advice.text

    def update(self, advice: FramingAdvice | None, t_ms: float) -> FramingAdvice | None:
        text = self._text(advice)
        if text == self._text(self._shown):
            self._waiting = False
            return self._shown
        if not self._waiting or text != self._candidate:
            self._waiting, self._candidate, self._candidate_since_ms = True, text, t_ms
        settled = (t_ms - self._candidate_since_ms) / 1000.0 >= self.min_onset_s
        shown_long_enough = (t_ms - self._shown_since_ms) / 1000.0 >= self.min_show_s
        if settled and (self._shown is None or shown_long_enough):
            self._shown, self._shown_since_ms = advice, t_ms
            self._waiting = False
        return self._shown


def framed_cue(cue: Cue, state: str, advice: FramingAdvice | None) -> Cue:
    """The cue, or framing advice when the advice should win: always while the checker
    cannot see what it needs, and at rest for any advice; never during an active stretch
    (fault cues matter more then)."""
    if advice is None:
        return cue
    if state == "unknown" or (state in ("rest", "settling") and cue.kind != "fault"):
        return Cue(advice.text, "unknown", 4, None, cue.since_ms)
    return cue


def with_framing(step: Step, advice: FramingAdvice | None) -> Step:
    """The step with its cue replaced by framing advice when the advice should win."""
    cue = framed_cue(step.cue, step.result.state, advice)
    return step if cue is step.cue else replace(step, cue=cue)


class _PostureWatch:
    """Is the body, over the last ``window_s``, clearly not in the stretch's position?"""

    def __init__(self, spec: StretchSpec, window_s: float, share: float = 0.8) -> None:
        self.spec = spec
        self.window_s = window_s
        self.share = share
        self._seen: deque[tuple[float, bool | None]] = deque()

    def update(self, step: Step) -> bool:
        t = step.result.t_ms
        pose = step.pose_frame.pose
        reading = read_posture(pose, self.spec.min_visibility)
        sure = None if reading.body == "unsure" else contradicts(self.spec, reading)
        self._seen.append((t, sure))
        while self._seen and t - self._seen[0][0] > self.window_s * 1000.0:
            self._seen.popleft()
        if t - self._seen[0][0] < 0.9 * self.window_s * 1000.0:
            return False  # not watched long enough yet
        verdicts = [s for _, s in self._seen if s is not None]
        if len(verdicts) < 3 or len(verdicts) < 0.5 * len(self._seen):
            return False
        return sum(verdicts) >= self.share * len(verdicts)


def wrong_exercise_text(spec: StretchSpec) -> str:
    """ "This does not look like <stretch>" and what to do instead."""
    return (
        f"This does not look like the {spec.name.lower()}. Start {spec.position}, "
        "or choose the stretch you are doing."
    )


class Coach:
    """The session flow for one set (feed it every processed step, in time order)."""

    def __init__(
        self,
        spec: StretchSpec,
        *,
        still_s: float = 1.0,
        countdown_s: int = 3,
        hold_countdown_s: int = 5,
        wrong_after_s: float = 5.0,
        min_show_s: float = 2.5,
    ) -> None:
        self.spec = spec
        self.still_s = still_s
        self.countdown_s = countdown_s
        self.hold_countdown_s = hold_countdown_s
        self.min_show_s = min_show_s
        self._phase = "position"
        self._phase_since_ms: float | None = None
        self._cues = CueSelector(spec, min_show_s=min_show_s)
        self._advice = _AdviceHold(min_show_s=min_show_s)
        self._posture = _PostureWatch(spec, wrong_after_s)
        self._holds_completed = 0
        self._last_tick: int | None = None
        self._last_count: int | None = None
        self._switch_until_ms: float | None = None
        self._switch_text = ""
        self._wrong = False
        self._shown_text = ""
        self._go_ms: float | None = None

    @property
    def phase(self) -> str:
        return self._phase

    def _enter(self, phase: str, t_ms: float) -> None:
        self._phase, self._phase_since_ms = phase, t_ms

    def update(self, step: Step) -> Coaching:
        r = step.result
        t = r.t_ms
        if self._phase_since_ms is None:
            self._phase_since_ms = t
        events: list[str] = []
        advice = self._advice.update(framing_advice(r, step.pose_frame, self.spec), t)
        framed = r.state in ("rest", "active") and advice is None
        in_phase_s = (t - self._phase_since_ms) / 1000.0

        # -- the flow into the set ---------------------------------------------------------
        if self._phase == "position" and framed:
            self._enter("still", t)
        elif self._phase in ("still", "countdown") and not framed:
            self._enter("position", t)
        elif (
            self._phase == "still"
            and in_phase_s >= self.still_s
            and self._shown_text == STILL_TEXT  # the 3-2-1 starts once it has been said
        ):
            self._enter("countdown", t)
        elif self._phase == "countdown" and in_phase_s >= self.countdown_s:
            self._enter("coaching", t)
            self._go_ms = t
            events.append("go")
        in_phase_s = (t - self._phase_since_ms) / 1000.0

        # -- the hold: countdown in its last seconds, chime and side switch at its end -----
        target = self.spec.dose.hold_s if self.spec.dose.kind == "hold" else None
        count: int | None = None
        headline = ""
        if self._phase == "countdown":
            count = max(1, self.countdown_s - int(in_phase_s))
            headline = str(count)
            if count != self._last_count:
                events.append("countdown")
        self._last_count = count if self._phase == "countdown" else None
        done = self._completed(r)
        if done > self._holds_completed:
            self._holds_completed = done
            events.append("chime")
            side = r.last_completed_side
            if self.spec.dose.sides == "alternating" and side in ("left", "right"):
                nxt = other_side(side)  # type: ignore[arg-type]
                self._switch_text = f"Switch sides now: your {nxt} side."
                self._switch_until_ms = t + 4000.0
                events.append("switch_sides")
        switching = self._switch_until_ms is not None and t <= self._switch_until_ms
        if self._phase == "countdown":
            pass  # the countdown number is the headline
        elif switching and r.state != "active":
            headline = self._switch_text.removesuffix(".")
        elif target is not None and r.state == "active":
            left_s = target - r.hold_s
            if 0 < left_s <= self.hold_countdown_s:
                count = math.ceil(left_s)
                headline = f"{count} s left"
                if count != self._last_tick:
                    events.append("tick")
                self._last_tick = count
            elif left_s <= 0:
                headline = "Hold complete"
            else:
                headline = f"{r.hold_s:.0f} / {target:.0f} s"
        elif self._phase == "coaching" and target is not None and not headline:
            headline = f"0 / {target:.0f} s"

        # -- wrong exercise -----------------------------------------------------------------
        wrong = self._posture.update(step) if r.state != "no_person" else False
        if wrong and not self._wrong:
            events.append("wrong_exercise")
        self._wrong = wrong

        if wrong:
            headline = ""  # no timer for a stretch that is not being done
        # -- the cue ------------------------------------------------------------------------
        best = self._best_cue(step, advice, t)
        cue = self._cues.choose(best, t, r.state)
        self._shown_text = cue.text
        return Coaching(
            t_ms=t,
            phase=self._phase,
            cue=cue,
            headline=headline,
            hold_s=r.hold_s,
            hold_target_s=target,
            countdown=count,
            events=tuple(events),
            wrong_exercise=wrong,
        )

    def _completed(self, r: CheckResult) -> int:
        """Holds completed; for a stretch done in repetitions, sides whose repetitions are
        all done (a chime for each repetition would be noise)."""
        if self.spec.dose.kind == "hold":
            return r.holds_completed
        return sum(1 for _, n in r.reps if n >= self.spec.dose.reps_per_side)

    @property
    def switch_text(self) -> str:
        """What to say aloud on a ``switch_sides`` event."""
        return self._switch_text

    def _best_cue(self, step: Step, advice: FramingAdvice | None, t: float) -> Cue:
        r = step.result
        checker_cue = candidate_cue(r, self.spec)  # the steadying is done once, here
        framed = framed_cue(checker_cue, r.state, advice)
        if r.state in ("no_person", "unknown") or framed is not checker_cue:
            return framed
        if self._wrong:
            return Cue(wrong_exercise_text(self.spec), "fault", 4, "wrong_exercise")
        if self._phase == "position":
            return Cue(f"Get into the starting position, {self.spec.position}.", "step", 1)
        if self._phase in ("still", "countdown"):
            return Cue(STILL_TEXT, "step", 2)
        going = self._go_ms is not None and t - self._go_ms < 1000.0 * self.min_show_s
        if going and r.state == "rest":
            return Cue(GO_TEXT, "step", 2)
        return checker_cue
