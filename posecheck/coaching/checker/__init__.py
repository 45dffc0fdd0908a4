"""The checker: runs one stretch spec over a stream of pose frames and says what is happening.

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

The package, one concern a module: :mod:`.results` (what it says), :mod:`.looks` (how a body
looks against the spec, no history), :mod:`.starts` (starting values), :mod:`.episodes` and
:mod:`.phases` (in position, holds, reps, best ROM), :mod:`.faults` (debounce and what the view
cannot see) and :mod:`.core` (:class:`StretchChecker`, which feeds them frame by frame).
"""

from posecheck.coaching.checker.core import StretchChecker
from posecheck.coaching.checker.looks import (
    clear_side,
    entering_side,
    entry_looks_holding,
    fault_sides,
    look_measures,
    looks_gone,
    looks_right,
    measure_still,
    variant_of,
)
from posecheck.coaching.checker.results import (
    ActiveFault,
    CheckResult,
    FaultEvent,
    Hold,
    MeasureValue,
    SideKey,
    Summary,
    UnseenFault,
    UnseenSpan,
    Values,
    missing_reason,
)

__all__ = [
    "ActiveFault",
    "CheckResult",
    "FaultEvent",
    "Hold",
    "MeasureValue",
    "SideKey",
    "StretchChecker",
    "Summary",
    "UnseenFault",
    "UnseenSpan",
    "Values",
    "clear_side",
    "entering_side",
    "entry_looks_holding",
    "fault_sides",
    "look_measures",
    "looks_gone",
    "looks_right",
    "measure_still",
    "missing_reason",
    "variant_of",
]
