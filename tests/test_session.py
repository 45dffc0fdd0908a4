"""The session flow on synthetic sequences: into position, 3-2-1, coaching, holds that end with a
chime and a side switch, calm cues, wrong-exercise notice, and framing advice that agrees with
the placement guide. Time comes from the frames; no camera, no Streamlit."""

from __future__ import annotations

import itertools

import pytest

from posecheck.analysis import Pipeline
from posecheck.body.synthetic import Body, Camera, Key, animate, render
from posecheck.framing import (
    expected_body_fraction,
    expected_posture_name,
    framing_advice,
    guide_camera,
)
from posecheck.live import available_specs
from posecheck.pose.landmarks import PoseFrame
from posecheck.posture import contradicts, read_posture, suggest_stretches
from posecheck.session import Coach, Coaching
from posecheck.specs.schema import load_by_id
from tests.helpers import NoEstimator, run_checker
from tests.test_checker_foundation import (
    DROP_CAMERA,
    DROP_LEFT,
    DROP_REST,
    DROP_RIGHT,
    DROP_SPEC,
)

DROP = DROP_SPEC
PRONE = load_by_id("prone_internal_rotation")
CAMERA, REST, LEFT, RIGHT = DROP_CAMERA, DROP_REST, DROP_LEFT, DROP_RIGHT


def coach_run(spec, frames: list[PoseFrame]) -> list[Coaching]:
    pipeline = Pipeline(spec, estimator=NoEstimator())
    coach = Coach(spec)
    return [coach.update(pipeline.process_pose(f)) for f in frames]


def short_hold(hold_s: float = 4.0):
    return DROP.model_copy(update={"dose": DROP.dose.model_copy(update={"hold_s": hold_s})})


def drop_session(hold_s: float = 6.0) -> list[PoseFrame]:
    """Rest 6 s, left knee down and held, back up, rest, right knee, back up, rest."""
    keys = [
        Key(0, REST),
        Key(6, REST),
        Key(8, LEFT),
        Key(8 + hold_s, LEFT),
        Key(10 + hold_s, REST),
        Key(13 + hold_s, REST),
        Key(15 + hold_s, RIGHT),
        Key(15 + 2 * hold_s, RIGHT),
        Key(17 + 2 * hold_s, REST),
        Key(20 + 2 * hold_s, REST),
    ]
    return animate(keys, CAMERA, fps=10, noise_px=0.5, seed=2)


def first(coachings: list[Coaching], event: str) -> Coaching:
    return next(c for c in coachings if event in c.events)


def test_the_flow_goes_position_still_countdown_coaching() -> None:
    run = coach_run(DROP, drop_session())
    phases = [p for p, _ in itertools.groupby(c.phase for c in run)]
    assert phases == ["position", "still", "countdown", "coaching"], phases
    counts = [c.countdown for c in run if "countdown" in c.events]
    assert counts == [3, 2, 1]
    go = first(run, "go")
    countdown = [c for c in run if c.phase == "countdown"]
    assert go.t_ms - countdown[0].t_ms == pytest.approx(3000, abs=150)
    assert {c.headline for c in countdown} == {"3", "2", "1"}


def test_a_completed_hold_chimes_counts_down_and_says_switch_sides() -> None:
    spec = short_hold(4.0)
    run = coach_run(spec, drop_session(hold_s=6.0))
    ticks = [c.countdown for c in run if "tick" in c.events]
    assert ticks[:4] == [4, 3, 2, 1], ticks  # the last seconds of the first hold
    chime = first(run, "chime")
    assert "switch_sides" in chime.events
    later = [c for c in run if chime.t_ms <= c.t_ms <= chime.t_ms + 4000]
    assert any(c.headline == "Switch sides now: your right side" for c in later)
    assert sum("chime" in c.events for c in run) == 2  # both holds completed
    assert any(c.headline.endswith("s left") for c in run)


def test_every_cue_stays_at_least_two_and_a_half_seconds() -> None:
    run = coach_run(short_hold(4.0), drop_session())
    shown = [(c.t_ms, c.cue.text) for c in run]
    starts = [t for (t, text), (_, prev) in zip(shown[1:], shown, strict=False) if text != prev]
    starts = [shown[0][0], *starts]
    for a, b in itertools.pairwise(starts):
        assert b - a >= 2500 - 1e-6, (a, b)


def test_a_clean_session_is_calm() -> None:
    run = coach_run(DROP, drop_session(hold_s=20))
    changes = sum(1 for a, b in itertools.pairwise(run) if a.cue.text != b.cue.text)
    minutes = (run[-1].t_ms - run[0].t_ms) / 60000
    assert changes / minutes <= 6, [c.cue.text for c in run]


def test_the_wrong_exercise_is_named_with_what_to_do() -> None:
    """Lying on the back with knees up while the face-down stretch is chosen."""
    run = coach_run(PRONE, drop_session())
    wrong = first(run, "wrong_exercise")
    assert 4000 <= wrong.t_ms <= 9000
    later = [c.cue.text for c in run if c.t_ms >= wrong.t_ms + 2500]
    assert any("does not look like the prone" in t and "lying face down" in t for t in later)
    assert not any(c.wrong_exercise for c in coach_run(DROP, drop_session()))


def test_posture_readings() -> None:
    supine = render(REST, CAMERA)
    assert read_posture(supine).body == "lying" and read_posture(supine).legs == "knees_up"
    standing = render(Body("standing"), Camera((0, 1, 3), (0, 0.9, 0)))
    assert read_posture(standing).body == "upright"
    assert contradicts(PRONE, read_posture(supine))
    assert not contradicts(DROP, read_posture(supine))
    assert contradicts(DROP, read_posture(standing))
    assert not contradicts(load_by_id("standing_band_rotation"), read_posture(standing))


@pytest.mark.parametrize("focal_px", [400.0, 560.0, 700.0], ids=["78deg", "60deg", "49deg"])
def test_at_the_guides_distance_nobody_is_told_to_come_closer(focal_px: float) -> None:
    """Every stretch filmed where its placement guide says, through a wide or a narrow lens."""
    for spec in available_specs()[0].values():
        cam = guide_camera(spec, focal_px)
        frame = PoseFrame(0, 0.0, 640, 480, render(Body(expected_posture_name(spec)), cam))
        result = run_checker(spec, [frame]).results[0]
        advice = framing_advice(result, frame, spec)
        assert advice is None or advice.kind != "too_far", (spec.id, advice)


def test_far_away_is_told_the_distance_the_guide_gives() -> None:
    far = Camera.looking_at_feet(3 * DROP.camera.distance_m, 1.0, 60, "supine")
    frame = PoseFrame(0, 0.0, 640, 480, render(REST, far))
    result = run_checker(DROP, [frame]).results[0]
    advice = framing_advice(result, frame, DROP)
    assert advice is not None and advice.kind == "too_far"
    assert f"about {DROP.camera.distance_m:.1f} m" in advice.text
    assert "about 7 m away" in advice.text
    assert 0.3 < expected_body_fraction(DROP) < 0.9


def test_replay_suggests_the_stretches_that_fit_what_it_saw() -> None:
    specs = {s.id: s for s in (DROP, PRONE, load_by_id("clamshell"), load_by_id("band_walk"))}
    keys = ["lying/knees_up"] * 8 + ["lying"] * 3 + ["unsure"] * 5
    words, matches = suggest_stretches(keys, specs)
    assert words == "lying with your knees up"
    assert [m.spec_id for m in matches][:2] == ["supine_knee_drop", "clamshell"]
    share = {m.spec_id: m.share for m in matches}
    assert share["supine_knee_drop"] == 1.0 and share["band_walk"] == 0.0
    assert share["prone_internal_rotation"] == pytest.approx(3 / 11)
    assert suggest_stretches(["unsure"], specs) == ("", [])
