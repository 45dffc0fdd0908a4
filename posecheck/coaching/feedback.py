"""From a check result to one cue for the person: the most important thing, said calmly.

Ranking: nobody in view > can't see a needed body part > the most severe active fault >
getting into position / switching sides > a positive cue when form is good (in a variant the
spec names, its calm tip toward the spec's form instead: "Upright pigeon: ..."). A cue stays
up for at least ``min_show_s`` (2.5 s), and a change must last before it is shown, so good
form gets a handful of cue changes a minute, not a running commentary.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from posecheck.coaching.checker import CheckResult
from posecheck.coaching.wording import variant_cue_text
from posecheck.pose.landmarks import other_side
from posecheck.specs.schema import StretchSpec


@dataclass(frozen=True)
class Cue:
    text: str
    kind: str  # no_person | unknown | fault | step | info | positive (step: the session flow)
    severity: int  # 0..5, higher first; faults carry their spec severity + 1
    fault_id: str | None = None
    since_ms: float = 0.0


def _side_prefix(side: str | None) -> str:
    return f"{side.capitalize()} side: " if side in ("left", "right") else ""


def candidate_cue(result: CheckResult, spec: StretchSpec, recorded: bool = False) -> Cue:
    """The single best cue for this frame, before any rate limiting. ``recorded``: a video
    being reviewed, whose person cannot be asked to do anything now."""
    if result.state == "no_person":
        return Cue(result.reason or "Step into view.", "no_person", 5)
    if result.state == "unknown":
        text = (result.reason or "I can't see you well") + ". Move so your whole body is in view."
        return Cue(text, "unknown", 4)
    if result.state == "settling":
        if recorded:
            return Cue("Found you. Reading your starting position.", "info", 1)
        return Cue("Found you. Hold still for a moment.", "info", 1)
    if result.active_faults:
        f = result.active_faults[0]
        return Cue(_side_prefix(f.side) + f.message, "fault", f.severity + 1, f.fault_id)
    if result.state == "active":
        target = spec.dose.hold_s
        if spec.dose.kind == "hold" and result.hold_s >= target:
            return Cue("Hold complete. Ease back slowly.", "positive", 0)
        variant = next((v for v in spec.variants if v.id == result.variant), None)
        if variant is not None and (tip := variant_cue_text(variant)):
            return Cue(tip, "positive", 0)  # the form recognised, cued toward the spec's
        return Cue(spec.good_cue, "positive", 0)
    if spec.dose.sides == "alternating" and result.last_completed_side in ("left", "right"):
        nxt = other_side(result.last_completed_side)  # type: ignore[arg-type]
        return Cue(f"Rest, then switch to your {nxt} side.", "info", 1)
    return Cue("Ready when you are: ease into the stretch slowly.", "info", 1)


class CueSelector:
    """Keeps the cue calm. A new best cue replaces the shown one only when the shown one has
    been up for ``min_show_s`` and the new one has been the best for a while: ``onset_s`` for
    most cues, ``unseen_onset_s`` for a body part out of sight, ``info_onset_s`` for
    information at rest, ``quiet_rest_s`` when good form is
    followed by a rest (the good-form cue still holds while resting between holds), at once
    for a step of the session flow or a more severe fault. One exception to the minimum:
    "I can't see anyone" goes the moment someone is in view again, so it is never shown over
    a drawn skeleton."""

    def __init__(
        self,
        spec: StretchSpec,
        min_show_s: float = 2.5,
        onset_s: float = 1.0,
        info_onset_s: float = 3.0,
        quiet_rest_s: float = 15.0,
        unseen_onset_s: float = 2.5,
        positive_onset_s: float = 2.0,
        recorded: bool = False,
    ) -> None:
        self.spec = spec
        self.recorded = recorded  # a video being reviewed: see candidate_cue
        self.min_show_s = min_show_s
        self.onset_s = onset_s
        self.info_onset_s = info_onset_s
        self.quiet_rest_s = quiet_rest_s
        self.unseen_onset_s = unseen_onset_s
        self.positive_onset_s = positive_onset_s
        self._shown: Cue | None = None
        self._candidate: str | None = None
        self._candidate_since_ms = 0.0

    def update(self, result: CheckResult) -> Cue:
        best = candidate_cue(result, self.spec, self.recorded)
        return self.choose(best, result.t_ms, result.state)

    def choose(self, best: Cue, t_ms: float, state: str) -> Cue:
        """The cue to show at ``t_ms`` when ``best`` is the best one now."""
        shown = self._shown
        if shown is None or (shown.kind == "no_person" and state != "no_person"):
            return self._show(best, t_ms)
        if best.text == shown.text:
            self._candidate = None
            return shown
        if best.text != self._candidate:
            self._candidate, self._candidate_since_ms = best.text, t_ms
        waited_s = (t_ms - self._candidate_since_ms) / 1000.0
        age_s = (t_ms - shown.since_ms) / 1000.0
        if best.kind == "info" and shown.kind == "positive" and state == "rest":
            onset_s = self.quiet_rest_s  # good form, resting between holds: nothing to add
        elif best.kind == "info":
            onset_s = self.info_onset_s
        elif best.kind == "step" or (best.kind == "fault" and best.severity > shown.severity):
            onset_s = 0.0
        elif best.kind == "positive":
            onset_s = self.positive_onset_s  # a fault at the start of a hold comes first
        elif best.kind == "unknown":
            onset_s = self.unseen_onset_s  # a part hidden for a moment as you move: no words
        else:
            onset_s = self.onset_s
        if age_s >= self.min_show_s and waited_s >= onset_s:
            return self._show(best, t_ms)
        return shown

    def _show(self, cue: Cue, t_ms: float) -> Cue:
        self._shown = replace(cue, since_ms=t_ms)
        self._candidate = None
        return self._shown
