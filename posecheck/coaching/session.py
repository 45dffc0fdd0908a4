"""The live session's flow on top of the checker: get into position, hold still, 3-2-1, coaching.

:class:`Coach` is a pure function of the pipeline's steps (time comes from the frames), so the
whole flow is tested without a camera or Streamlit. The checker itself runs on every frame
whatever the flow's phase, so a set counts the same live as in replay.

Phases:
- ``position``: nobody in view, a body part not visible, or the framing is off: the cue says
  what to fix (framing advice is consistent with the stretch's placement guide).
- ``still``: in view and framed: "hold still" until the body has moved less than
  ``STILL_MAX`` of its size over the last ``still_s`` (:class:`Stillness`, measured
  from the landmarks over frame times, so dropped frames change nothing); someone who keeps
  moving for ``restless_s`` is told calmly to take their time and settle.
- ``countdown``: 3-2-1 (the headline shows the number); framing lost sends it back.
- ``coaching``: the checker's calm cue; "switch sides now" (headline, and said aloud on the
  ``switch_sides`` event) after a completed hold on a stretch that alternates sides; the
  seconds left in the last ``hold_countdown_s`` of a hold; a ``chime`` event when a hold
  completes; "this does not look like <stretch>" while the checker reads a posture that
  clearly does not fit the stretch (``CheckResult.wrong_posture``: a few seconds of it;
  nothing is counted or timed then, live and in replay alike).

Each frame gives a :class:`Coaching`: phase, the cue (shown and spoken; it stays at least
``min_show_s``), a big headline (countdown number or hold timer), and the events of this
frame (``countdown``, ``go``, ``tick``, ``chime``, ``switch_sides``, ``wrong_exercise``,
``new_person``) for the page to turn into sounds. When the estimator changes to another person
(``PoseFrame.switched``) the flow goes back to ``position`` and says so calmly for
``NEW_PERSON_S``; the checker starts the stretch's state again (``StretchChecker.new_person``).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from posecheck.coaching.checker import CheckResult
from posecheck.coaching.feedback import Cue, CueSelector, candidate_cue
from posecheck.coaching.framing import FramingAdvice, framing_advice
from posecheck.coaching.pipeline import Step
from posecheck.pose.landmarks import Pose, index_of, other_side
from posecheck.specs.schema import StretchSpec

PHASES = ("position", "still", "countdown", "coaching")
STILL_TEXT = "You are in view. Hold still: we start in 3, 2, 1."
GO_TEXT = "Go: ease into the stretch slowly."
#: Said for ``NEW_PERSON_S`` when the estimator changes to another person (the set's flow
#: starts again from the starting position: nothing of one person is counted for the other).
NEW_PERSON_S = 5.0
RESTLESS_TEXT = "Take your time. Settle into the starting position, then stay still for a moment."
#: Still: over the last ``still_s`` the body moved less than this share of its size. On the 52
#: rendered sample clips (real MediaPipe, smoothed, 1 s), frames where the true body was still
#: read 0.007 (median) and 0.064 (95th percentile), 3.8 % above this line; frames where it
#: moved more than 0.1 read 0.18 (median), 2.4 % at or below it. Every clip (all start still)
#: read still on its first measurable frame.
STILL_MAX = 0.08


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
    events: tuple[
        str, ...
    ]  # countdown | go | tick | chime | switch_sides | wrong_exercise | new_person
    wrong_exercise: bool

    @property
    def hold_progress(self) -> float | None:
        """How far the hold under way is toward its target, 0 to 1; None while no hold is
        timed (before the 3-2-1 ends, while the wrong-exercise notice shows, a stretch done
        in repetitions). The page's bar and the bar drawn on the video both show this one
        value of the same frame, so they never disagree."""
        if self.phase != "coaching" or self.wrong_exercise or not self.hold_target_s:
            return None
        return min(1.0, max(0.0, self.hold_s / self.hold_target_s))


class AdviceHold:
    """Debounces framing (or camera) advice: new advice must persist ``min_onset_s`` before it
    is shown (one odd frame is not a reason to move the camera), and shown advice stays at
    least ``min_show_s`` so it does not flicker."""

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


#: Landmarks whose movement says whether the body is still (the face and hands are left out:
#: a glance or a finger is not moving out of position).
_STILL_POINTS = tuple(
    index_of(f"{s}_{j}")
    for s in ("left", "right")
    for j in ("shoulder", "elbow", "hip", "knee", "ankle")
)


class Stillness:
    """How far the body has moved over the last ``window_s``, in body sizes: the largest
    distance between where the landmarks are now and where they were in any frame of the
    window, by frame times, so a busy machine that drops frames reads the same (no frame
    ``window_s`` old, or a stalled stream with none in ``max_span_s``, gives no reading). The
    body size is the diagonal of the box around the visible points; a frame's distance is its
    second farthest point's, so one jittery landmark does not count as moving and one limb
    moving (two points) does."""

    def __init__(
        self, window_s: float = 1.0, max_span_s: float = 2.0, min_visibility: float = 0.5
    ) -> None:
        self.window_s = window_s
        self.max_span_s = max_span_s
        self.min_visibility = min_visibility
        self._seen: deque[tuple[float, np.ndarray, np.ndarray]] = deque()

    def update(self, pose: Pose | None, t_ms: float) -> float:
        """The movement over the window (body sizes), NaN when it cannot be told."""
        if pose is None:
            self._seen.clear()
            return math.nan
        xy = np.asarray(pose.image_xy, float)[list(_STILL_POINTS)]
        vis = np.asarray(pose.visibility, float)[list(_STILL_POINTS)] >= self.min_visibility
        self._seen.append((t_ms, xy, vis))
        window_ms = self.window_s * 1000.0
        while len(self._seen) >= 2 and t_ms - self._seen[1][0] >= window_ms - 1e-6:
            self._seen.popleft()  # keep one frame at or beyond the window's start
        span_s = (t_ms - self._seen[0][0]) / 1000.0
        if span_s < self.window_s - 1e-6 or span_s > self.max_span_s or vis.sum() < 4:
            return math.nan
        size = float(np.linalg.norm(xy[vis].max(axis=0) - xy[vis].min(axis=0)))
        if not size > 0:
            return math.nan
        moved = 0.0
        for _, xy0, vis0 in self._seen:
            both = vis & vis0
            if both.sum() >= 2:
                far = np.sort(np.linalg.norm(xy[both] - xy0[both], axis=1))[-2]
                moved = max(moved, float(far))
        return moved / size


def new_person_text(followed: str) -> str:
    """What is said, calmly, when coaching changes to another person."""
    who = f"the person {followed}" if followed else "another person"
    return f"Coaching now follows {who}. Get into the starting position, then hold still."


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
        restless_s: float = 6.0,
        countdown_s: int = 3,
        hold_countdown_s: int = 5,
        min_show_s: float = 2.5,
    ) -> None:
        self.spec = spec
        self.still_s = still_s
        self.restless_s = restless_s
        self._stillness = Stillness(window_s=still_s, min_visibility=spec.min_visibility)
        self._motion = math.nan
        self.countdown_s = countdown_s
        self.hold_countdown_s = hold_countdown_s
        self.min_show_s = min_show_s
        self._phase = "position"
        self._phase_since_ms: float | None = None
        self._cues = CueSelector(spec, min_show_s=min_show_s)
        self._advice = AdviceHold(min_show_s=min_show_s)
        self._holds_completed = 0
        self._last_tick: int | None = None
        self._last_count: int | None = None
        self._switch_until_ms: float | None = None
        self._switch_text = ""
        self._wrong = False
        self._shown_text = ""
        self._go_ms: float | None = None
        self._new_person: tuple[float, str] | None = None  # (until t_ms, words)

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
        if step.pose_frame.switched:  # someone else: the flow starts again, said calmly
            self._enter("position", t)
            self._new_person = (
                t + 1000.0 * NEW_PERSON_S,
                new_person_text(step.pose_frame.followed),
            )
            events.append("new_person")
        advice = self._advice.update(framing_advice(r, step.pose_frame, self.spec), t)
        framed = r.state in ("rest", "active") and advice is None
        in_phase_s = (t - self._phase_since_ms) / 1000.0
        self._motion = self._stillness.update(step.pose_frame.pose, t)

        # -- the flow into the set ---------------------------------------------------------
        if self._phase == "position" and framed:
            self._enter("still", t)
        elif self._phase in ("still", "countdown") and not framed:
            self._enter("position", t)
        elif (
            self._phase == "still"
            and in_phase_s >= self.still_s
            and self.still  # measured over the last still_s
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
        wrong = r.wrong_posture
        if wrong and not self._wrong:
            events.append("wrong_exercise")
        self._wrong = wrong

        if wrong:
            headline = ""  # no timer for a stretch that is not being done
            # nor its sounds: no 3-2-1 ticks beside "this does not look like ..."
            events = [e for e in events if e not in ("countdown", "go", "tick")]
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
    def still(self) -> bool:
        """Has the body moved less than ``STILL_MAX`` of its size over the last ``still_s``?"""
        return self._motion <= STILL_MAX  # NaN (cannot tell yet) is not still

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
        if self._new_person is not None and t <= self._new_person[0]:
            return Cue(self._new_person[1], "step", 3)
        if self._wrong:
            return Cue(wrong_exercise_text(self.spec), "fault", 4, "wrong_exercise")
        if self._phase == "position":
            return Cue(f"Get into the starting position, {self.spec.position}.", "step", 1)
        restless = t - (self._phase_since_ms or t) >= 1000.0 * self.restless_s
        if self._phase == "still" and restless and not self.still:
            return Cue(RESTLESS_TEXT, "step", 2)
        if self._phase in ("still", "countdown"):
            return Cue(STILL_TEXT, "step", 2)
        going = self._go_ms is not None and t - self._go_ms < 1000.0 * self.min_show_s
        if going and r.state == "rest":
            return Cue(GO_TEXT, "step", 2)
        return checker_cue
