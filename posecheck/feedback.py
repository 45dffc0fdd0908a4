"""From a check result to one cue for the person: the most important thing, said calmly.

Ranking: nobody in view > can't see a needed body part > the most severe active fault >
getting into position / switching sides > a positive cue when form is good. A cue stays up
for at least ``min_show_s`` unless something more severe replaces it, so it does not flicker.
"""

from __future__ import annotations

from dataclasses import dataclass

from posecheck.checker import CheckResult
from posecheck.landmarks import other_side
from posecheck.spec import StretchSpec


@dataclass(frozen=True)
class Cue:
    text: str
    kind: str  # no_person | unknown | fault | info | positive
    severity: int  # 0..5, higher first; faults carry their spec severity + 1
    fault_id: str | None = None
    since_ms: float = 0.0


def _side_prefix(side: str | None) -> str:
    return f"{side.capitalize()} side: " if side in ("left", "right") else ""


def candidate_cue(result: CheckResult, spec: StretchSpec) -> Cue:
    """The single best cue for this frame, before any rate limiting."""
    if result.state == "no_person":
        return Cue(result.reason or "Step into view.", "no_person", 5)
    if result.state == "unknown":
        text = (result.reason or "I can't see you well") + ". Move so your whole body is in view."
        return Cue(text, "unknown", 4)
    if result.state == "settling":
        return Cue("Found you. Hold still for a moment.", "info", 1)
    if result.active_faults:
        f = result.active_faults[0]
        return Cue(_side_prefix(f.side) + f.message, "fault", f.severity + 1, f.fault_id)
    if result.state == "active":
        target = spec.dose.hold_s
        if spec.dose.kind == "hold" and result.hold_s >= target:
            return Cue("Hold complete. Ease back slowly.", "positive", 0)
        return Cue(spec.good_cue, "positive", 0)
    if spec.dose.sides == "alternating" and result.last_completed_side in ("left", "right"):
        nxt = other_side(result.last_completed_side)  # type: ignore[arg-type]
        return Cue(f"Rest, then switch to your {nxt} side.", "info", 1)
    return Cue("Ready when you are: ease into the stretch slowly.", "info", 1)


class CueSelector:
    """Rate-limits cues: a new cue replaces the shown one only when it is more severe, or
    when the shown one has been up for ``min_show_s`` and is no longer the best."""

    def __init__(self, spec: StretchSpec, min_show_s: float = 1.5) -> None:
        self.spec = spec
        self.min_show_s = min_show_s
        self._shown: Cue | None = None

    def update(self, result: CheckResult) -> Cue:
        best = candidate_cue(result, self.spec)
        shown = self._shown
        if shown is None or best.text == shown.text:
            if shown is None:
                self._shown = Cue(best.text, best.kind, best.severity, best.fault_id, result.t_ms)
            return self._shown  # type: ignore[return-value]
        age_s = (result.t_ms - shown.since_ms) / 1000.0
        if best.severity > shown.severity or age_s >= self.min_show_s:
            self._shown = Cue(best.text, best.kind, best.severity, best.fault_id, result.t_ms)
        return self._shown
