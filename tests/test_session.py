"""The session flow on synthetic sequences: into position, 3-2-1, coaching, holds that end with a
chime and a side switch, calm cues, wrong-exercise notice, and framing advice that agrees with
the placement guide. Time comes from the frames; no camera, no Streamlit."""

from __future__ import annotations

import itertools

import pytest

from posecheck.body.synthetic import Body, Camera, Key, animate, render, with_body
from posecheck.coaching.framing import (
    expected_body_fraction,
    expected_posture_name,
    framing_advice,
    guide_camera,
)
from posecheck.coaching.live import available_specs
from posecheck.coaching.pipeline import Pipeline
from posecheck.coaching.posture import (
    UNSURE,
    PostureReading,
    contradicts,
    mostly_contradicts,
    posture_verdict,
    read_posture,
    suggest_stretches,
)
from posecheck.coaching.session import RESTLESS_TEXT, STILL_MAX, Coach, Coaching, Stillness
from posecheck.media.source import VideoSource
from posecheck.pose.estimator import MediaPipePoseEstimator
from posecheck.pose.landmarks import PoseFrame
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
    # No 3-2-1 ticks or "go" sound beside the notice (the flow may still be counting down).
    noisy = {"countdown", "go", "tick"}
    assert not any(noisy & set(c.events) for c in run if c.wrong_exercise)


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
    assert matches[0].spec_id == "supine_knee_drop"
    share = {m.spec_id: m.share for m in matches}
    assert share["supine_knee_drop"] == 1.0 and share["band_walk"] == 0.0
    # Lying on the side the knees are never up: only the 3 frames with the legs unsure fit.
    assert share["clamshell"] == pytest.approx(3 / 11)
    # The 3 frames lying with the legs unsure can't tell the face-down stretch either way: of
    # the 8 that can, none fits (it was 3/11 when they counted as fitting).
    assert share["prone_internal_rotation"] == 0.0
    assert suggest_stretches(["lying"] * 4, specs)[1][0].share == 1.0  # nothing contradicts
    assert suggest_stretches(["unsure"], specs) == ("", [])


def test_lying_with_the_legs_unsure_neither_fits_nor_contradicts_a_legs_stretch() -> None:
    lying = PostureReading("lying", "unsure")
    assert posture_verdict(PRONE, lying) is None  # the prone stretch needs the feet up
    assert posture_verdict(PRONE, PostureReading("lying", "knees_up")) is True
    assert posture_verdict(PRONE, PostureReading("lying", "feet_up")) is False
    assert posture_verdict(PRONE, PostureReading("upright", "unsure")) is True
    assert posture_verdict(PRONE, UNSURE) is None
    # Two in three frames read "knees up" (a bridge), the rest cannot tell: clearly wrong.
    assert mostly_contradicts([True, True, None] * 10)
    assert not mostly_contradicts([True, True, False, False, True] * 10)
    assert not mostly_contradicts([True, None, None, None] * 10)  # too unsure to say


@pytest.mark.parametrize("stretch_id", ["pigeon", "reclined_hero"])
def test_a_stretch_held_lying_or_upright_takes_either_body_but_not_every_pair_of_legs(
    stretch_id: str,
) -> None:
    """Pigeon (folded or sitting up) and reclined hero (upright or reclined) take either body:
    neither reading may stop the counting. Their knees fold under or beside the body, so the
    legs of lying on the back (knees up), face down (feet up) or on the side are clearly not
    them (a still of the face-down stretch was offered as the reclined hero). Kneeling up tall
    reads "standing", so standing legs are no contradiction."""
    spec = load_by_id(stretch_id)
    hero = stretch_id == "reclined_hero"
    for body in ("lying", "upright"):
        for legs in ("unsure", "sitting", "standing"):
            assert posture_verdict(spec, PostureReading(body, legs)) is False
        for legs in ("knees_up", "on_side"):
            assert posture_verdict(spec, PostureReading(body, legs)) is True
            assert contradicts(spec, PostureReading(body, legs))
        # The pigeon's back knee bent (its fault back_leg_bent) lifts the foot: feet up.
        assert posture_verdict(spec, PostureReading(body, "feet_up")) is hero
    # Folded over the front leg the pigeon lies face down; reclined, the hero lies face up.
    assert posture_verdict(spec, PostureReading("lying", "face_down")) is hero


def test_lying_on_the_side_and_face_down_against_the_lying_stretches() -> None:
    on_side = PostureReading("lying", "on_side")
    face_down = PostureReading("lying", "face_down")
    clamshell = load_by_id("clamshell")
    assert posture_verdict(clamshell, on_side) is False
    assert posture_verdict(clamshell, face_down) is False  # a side-lying body rolls forward
    assert posture_verdict(clamshell, PostureReading("lying", "knees_up")) is True
    assert posture_verdict(clamshell, PostureReading("lying", "feet_up")) is True
    assert posture_verdict(DROP, on_side) is True and posture_verdict(DROP, face_down) is True
    # Face down with the legs unsure is the face-down stretch's body, not yet its feet up.
    assert posture_verdict(PRONE, face_down) is None
    assert posture_verdict(PRONE, on_side) is True
    assert on_side.words == "lying on your side" and face_down.words == "lying face down"
    assert PostureReading.from_key(on_side.key) == on_side


@pytest.fixture(scope="module")
def bridge_poses(media) -> list[PoseFrame]:
    """../shared/media/bridging.mp4 (3 s: a bridge, lying on the back with the knees up)."""
    with MediaPipePoseEstimator() as est:
        return [est.estimate(f) for f in VideoSource(media / "bridging.mp4").frames()]


def looped(poses: list[PoseFrame], seconds: float, keep_every: int = 1) -> list[PoseFrame]:
    """The clip looped with continuous time, as the browser's fake camera plays it;
    ``keep_every`` > 1 drops frames as a busy machine does."""
    step_ms = poses[1].t_ms - poses[0].t_ms
    n = int(seconds * 1000 / step_ms)
    return [
        PoseFrame(i, i * step_ms, poses[0].width, poses[0].height, poses[i % len(poses)].pose)
        for i in range(0, n, keep_every)
    ]


@pytest.mark.mediapipe
@pytest.mark.parametrize("keep_every", [1, 3])
def test_a_bridge_under_the_face_down_stretch_counts_and_times_nothing(
    bridge_poses: list[PoseFrame], keep_every: int
) -> None:
    """Last session a bridge, looped in the browser under the prone stretch, counted L1 R2
    while "this does not look like" showed. Nothing is counted or timed in another posture."""
    frames = looped(bridge_poses, 30.0, keep_every)
    pipeline = Pipeline(PRONE, estimator=NoEstimator())
    coach = Coach(PRONE)
    run = [coach.update(pipeline.process_pose(f)) for f in frames]
    summary = pipeline.checker.summary()
    assert dict(summary.reps) == {"left": 0, "right": 0}, summary.holds
    assert summary.holds == () and summary.holds_completed == 0
    later = [c for c in run if c.t_ms >= 6000]
    assert all(c.wrong_exercise for c in later)
    assert all(c.hold_s == 0 and c.headline == "" for c in later)
    assert any("does not look like the prone" in c.cue.text for c in later)


@pytest.mark.mediapipe
def test_a_replayed_bridge_under_the_face_down_stretch_is_no_rep(
    bridge_poses: list[PoseFrame],
) -> None:
    """Replay of the 3 s clip alone (too short for the notice): the episode it reads as a rep
    was done lying on the back with the knees up, so it is not one."""
    pipeline = Pipeline(PRONE, estimator=NoEstimator())
    for f in bridge_poses:
        pipeline.process_pose(f)
    assert dict(pipeline.checker.summary().reps) == {"left": 0, "right": 0}


def fidgeting_session(fidget_s: float = 10.0) -> list[PoseFrame]:
    """Lying in the start position but waving the arms for ``fidget_s``, then still."""
    wave = with_body(REST, arm_raise_deg=70.0)
    keys = [Key(0, REST)]
    t = 0.0
    while t < fidget_s - 1:
        t += 1.0
        keys.append(Key(t, wave if len(keys) % 2 else REST))
    keys += [Key(fidget_s, REST), Key(fidget_s + 10, REST)]
    return animate(keys, CAMERA, fps=30, noise_px=0.5, seed=3)


@pytest.mark.parametrize("keep", ["all", "every third", "uneven"])
def test_hold_still_waits_for_stillness_measured_over_time(keep: str) -> None:
    """The 3-2-1 starts only once the body has been still for a second, whatever frames a
    busy machine drops; someone who keeps moving is told calmly to settle."""
    frames = fidgeting_session(10.0)
    if keep == "every third":
        frames = frames[::3]
    elif keep == "uneven":  # bursts and gaps of up to 0.4 s
        frames = [f for i, f in enumerate(frames) if (i * 7) % 19 < 8 or i % 13 == 0]
    run = coach_run(DROP, frames)
    countdown = next(c for c in run if c.phase == "countdown")
    assert 10_500 <= countdown.t_ms <= 14_000, countdown.t_ms
    still = [c for c in run if c.phase == "still"]
    assert still and still[0].t_ms < 3000  # framed early, then kept waiting
    assert any(c.cue.text == RESTLESS_TEXT for c in run if c.t_ms < 10_500)
    assert not any(c.cue.text == RESTLESS_TEXT for c in run if c.t_ms > countdown.t_ms)


def test_stillness_reads_the_same_with_dropped_frames() -> None:
    frames = fidgeting_session(4.0)
    full, sparse = Stillness(), Stillness()
    a = {f.t_ms: full.update(f.pose, f.t_ms) for f in frames}
    b = {f.t_ms: sparse.update(f.pose, f.t_ms) for f in frames[::4]}
    for t_ms, v in b.items():
        if t_ms > 5500:  # still again since 4 s: both read next to nothing
            assert v < STILL_MAX / 4 and a[t_ms] < STILL_MAX / 4
        elif 1500 <= t_ms <= 3500:  # waving the arms
            assert v > STILL_MAX and a[t_ms] > STILL_MAX


def test_a_change_of_person_restarts_the_set_flow_and_says_so_calmly() -> None:
    """Mid-hold the estimator changes to someone else: the hold under way ends (counted for
    the first person if it counts), the checker settles again and takes new starting values,
    and the flow goes back to the starting position with a calm cue naming whom it follows."""
    from dataclasses import replace

    from posecheck.coaching.session import NEW_PERSON_S, new_person_text

    frames = drop_session(hold_s=8.0)
    at = next(i for i, f in enumerate(frames) if f.t_ms >= 11_000)  # in the left hold
    frames[at] = replace(frames[at], switched=True, followed="on the left of the picture")
    pipeline = Pipeline(DROP, estimator=NoEstimator())
    coach = Coach(DROP)
    steps, runs = [], []
    for f in frames:
        steps.append(pipeline.process_pose(f))
        runs.append(coach.update(steps[-1]))
    before, switched, after = steps[at - 1], steps[at], steps[at + 1]
    assert before.result.state == "active"
    assert switched.result.state == "settling" and after.result.state == "settling"
    assert runs[at].phase == "position" and "new_person" in runs[at].events
    words = new_person_text("on the left of the picture")
    assert words == (
        "Coaching now follows the person on the left of the picture. Get into the starting "
        "position, then hold still."
    )
    shown = [c for c in runs if c.cue.text == words]
    assert shown and shown[0].t_ms - frames[at].t_ms <= 2500  # once the cue before has had its time
    assert (shown[-1].t_ms - shown[0].t_ms) / 1000 >= 2.5  # calm: it stays
    assert all(c.t_ms <= frames[at].t_ms + 1000 * (NEW_PERSON_S + 2.5) for c in shown)
    assert "go" in [e for c in runs[at:] for e in c.events]  # the flow starts again
    # Without the switch the same frames keep the hold going.
    plain = Pipeline(DROP, estimator=NoEstimator())
    unswitched = [plain.process_pose(f) for f in drop_session(hold_s=8.0)]
    assert unswitched[at].result.state == "active"


def test_the_frame_table_takes_the_checkers_posture_reading() -> None:
    """Posture is read once a frame (by the checker's posture watch); the per-frame record
    carries that reading."""
    from posecheck.coaching.pipeline import FrameRecord

    pipeline = Pipeline(DROP, estimator=NoEstimator())
    for f in drop_session()[:20]:
        step = pipeline.process_pose(f)
    assert step.posture == pipeline.checker.posture.key != "unsure"
    assert FrameRecord.from_step(step).posture == step.posture
