"""Which leg is working in a stretch that alternates sides (prone hip IR): MediaPipe moves a
resting shin with the turning one, so the side that entered the position can stay past its exit
line through the other side's rep. The other side reading past the entry line and ahead by the
entry-exit gap for a second has taken over (``phases._TAKEOVER_S``).

Synthetic position values (the checker's phase logic alone), frames 100 ms apart, with and
without frames dropped, and the dev recording where it was found (r0052), replayed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from posecheck.coaching.checker import MeasureValue
from posecheck.coaching.checker.phases import _TAKEOVER_S, Phases
from posecheck.specs.schema import StretchSpec, load_by_id

CLIPS = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "clips"


def _values(spec: StretchSpec, left: float, right: float) -> dict:
    """Every measure unknown but the position's, whose left and right values are given."""
    values = {}
    for name in spec.measures:
        for side in ("left", "right") if spec.sided[name] else (None,):
            values[(name, side)] = MeasureValue(name, side, float("nan"))
    for side, v in (("left", left), ("right", right)):
        values[(spec.active.measure, side)] = MeasureValue(spec.active.measure, side, v)
    return values


def _run(spec: StretchSpec, frames: list[tuple[float, float]], keep=lambda i: True):
    """Reps per side and the working side at each kept frame (by frame index)."""
    phases = Phases(spec)
    working = {}
    for i, (left, right) in enumerate(frames):
        if not keep(i):
            continue
        t = i * 100.0
        phases.close_leaving(t)
        phases.update(_values(spec, left, right), t)
        working[i] = phases.working
    phases.end(len(frames) * 100.0)
    phases.close_leaving()
    return dict(phases.reps), working


def _prone_frames(lead_frames: int) -> list[tuple[float, float]]:
    """Rest, a right rep (30), then the right shin held at 18 (past the exit line, MediaPipe
    moving it with the left) while the left turns to 18 + gap + 2 for ``lead_frames``, then 40,
    then rest."""
    spec = load_by_id("prone_internal_rotation")
    gap = spec.active.enter - spec.active.exit
    rest, right_in = (0.0, 0.0), (0.0, 30.0)
    left_leads = (18.0 + gap + 2.0, 18.0)
    return [rest] * 10 + [right_in] * 30 + [left_leads] * lead_frames + [rest] * 20


@pytest.mark.parametrize(
    "keep",
    [lambda i: True, lambda i: i % 2 == 0, lambda i: i % 4 != 3],
    ids=["all", "half", "3of4"],
)
def test_the_other_side_leading_for_half_a_second_takes_over(keep) -> None:
    spec = load_by_id("prone_internal_rotation")
    assert spec.dose.sides == "alternating"
    reps, working = _run(spec, _prone_frames(30), keep)
    assert reps == {"left": 1, "right": 1}
    assert working[60] == "left"  # the left rep's frames are the left's
    assert working[30] == "right"


def test_a_lead_shorter_than_the_takeover_time_is_not_a_handover() -> None:
    spec = load_by_id("prone_internal_rotation")
    short = round(_TAKEOVER_S * 10) - 1  # frames 100 ms apart: the lead is under the time
    reps, working = _run(spec, _prone_frames(short))
    assert reps == {"left": 0, "right": 1}
    assert "left" not in working.values()
    # a lead just long enough, and then a left rep long enough to count: taken over
    reps, _ = _run(spec, _prone_frames(round(_TAKEOVER_S * 10) + 10))
    assert reps == {"left": 1, "right": 1}


def test_a_lead_inside_the_gap_is_not_a_handover() -> None:
    """Both legs past the entry line, the other one ahead by less than the entry-exit gap."""
    spec = load_by_id("prone_internal_rotation")
    gap = spec.active.enter - spec.active.exit
    frames = [(0.0, 0.0)] * 10 + [(0.0, 30.0)] * 30 + [(30.0 + gap - 1.0, 30.0)] * 30
    reps, working = _run(spec, frames + [(0.0, 0.0)] * 20)
    assert reps == {"left": 0, "right": 1}
    assert "left" not in working.values()


def test_a_stretch_held_one_side_at_a_time_keeps_its_side() -> None:
    """Not for ``sides: each`` (a cross-ankle hold's legs read swapped: the same hold)."""
    spec = load_by_id("seated_internal_rotation_twist")
    assert spec.dose.sides == "each" and spec.active.direction == "up"
    e, x = spec.active.enter, spec.active.exit
    frames = [(0.0, 0.0)] * 10 + [(0.0, e + 10)] * 30 + [(e + 30, e + 10)] * 30 + [(0.0, 0.0)] * 20
    _, working = _run(spec, frames)
    assert x < e  # the lead of 20 is the entry-exit gap: enough for an alternating stretch
    assert "left" not in working.values()


@pytest.mark.skipif(not CLIPS.is_dir(), reason="benchmark recordings not present")
def test_prone_r0052_the_left_rep_is_the_left_s() -> None:
    """Dev r0052 (camera about 40 degrees round): through the left rep MediaPipe moves the
    resting right shin with the turning left one (the right reads 26 at rest). The left rep
    was counted on the right and its frames scored on the right (16.6 off on average)."""
    from posecheck.coaching.pipeline import Pipeline
    from posecheck.pose.recording import RecordedEstimator, load_recording
    from posecheck.review.truth import load_truth

    clip = "r0052_prone_internal_rotation_good_b05"
    truth = load_truth(CLIPS / f"{clip}.truth.json.gz")
    estimator = RecordedEstimator(load_recording(CLIPS / f"{clip}.pose.json.gz"))
    pipeline = Pipeline(load_by_id(truth.stretch), estimator)
    sides = []
    for frame in estimator.frames():
        step = pipeline.process_pose(frame)
        tl = truth.rom_deg[frame.index][0]
        if step.result.state == "active" and tl is not None and tl >= 30.0:
            sides.append(step.result.working_side)  # the left turned 30 or more
    summary = pipeline.checker.summary()
    assert dict(summary.reps) == dict(truth.reps) == {"left": 1, "right": 1}
    # the takeover waits 1 s (phases._TAKEOVER_S): 4 of the 36 frames are still the right's
    assert sides and sides.count("left") >= 0.85 * len(sides)
