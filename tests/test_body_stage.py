"""The body stage in the pipeline: the camera and the leg model carried across frames."""

from __future__ import annotations

import pytest

from posecheck.body.stage import BodyStage
from posecheck.body.synthetic import Body, Camera, Key, Leg, Proportions, animate
from posecheck.coaching.pipeline import Pipeline
from posecheck.specs.schema import load_by_id
from tests.helpers import NoEstimator

START = Body(posture="prone", left=Leg(knee_flexion_deg=90), right=Leg(knee_flexion_deg=90))
TURNED = Body(
    posture="prone", left=Leg(knee_flexion_deg=90, hip_rotation_deg=35), right=START.right
)
CAMERA = Camera.looking_at_feet(2.0, 0.8, 45, body="prone")
CAMERA = Camera(CAMERA.position, CAMERA.target, focal_px=512.0)
FRAMES = animate(
    [Key(0, START), Key(2.5, START), Key(4.5, TURNED), Key(7, TURNED)],
    CAMERA,
    fps=15,
    noise_px=1.0,
)

pytestmark = pytest.mark.usefixtures("exact_depth")  # synthetic bodies: exact depth


def _run(stage: BodyStage, frames: list) -> list:
    return [stage.update(f) for f in frames]


def test_dropped_frames_give_the_same_camera_and_leg_readings() -> None:
    every = _run(BodyStage("prone", fit_legs=True), FRAMES)
    sparse_frames = FRAMES[::3]  # a busy machine: two frames in three dropped
    sparse = _run(BodyStage("prone", fit_legs=True), sparse_frames)
    assert every[-1].camera.known and sparse[-1].camera.known
    assert sparse[-1].camera.azimuth_deg == pytest.approx(every[-1].camera.azimuth_deg, abs=1.5)
    assert every[-1].camera.span_s <= 2.0  # the start hold
    # the leg model reads the turned hip the same way on both
    assert every[-1].leg("left").hip_rotation_deg == pytest.approx(35, abs=4)
    assert sparse[-1].leg("left").hip_rotation_deg == pytest.approx(35, abs=4)
    assert every[-1].leg("right").hip_rotation_deg == pytest.approx(0, abs=4)


def test_without_the_leg_model_only_the_camera_is_carried() -> None:
    states = _run(BodyStage("prone"), FRAMES[:20])
    assert states[-1].camera.known and states[-1].legs == ()
    assert states[-1].leg("left") is None


def test_the_pipeline_carries_the_body_to_the_checker_and_the_step() -> None:
    # face down, the body in the proportions of the camera's start template
    # (posecheck/body/template.py PRONE_START), whose azimuth the camera takes
    shape = Proportions(hip_half_width=0.08, shoulder_half_width=0.15, shin=0.32)
    frames = animate(
        [Key(0, START), Key(2.5, START), Key(4.5, TURNED), Key(7, TURNED)],
        CAMERA,
        fps=15,
        proportions=shape,
        noise_px=1.0,
    )
    pipeline = Pipeline(load_by_id("prone_internal_rotation"), NoEstimator())
    steps = [pipeline.process_pose(f) for f in frames]
    assert steps[0].body.camera.known
    assert pipeline.body.posture == "prone"
    assert not pipeline.body.fit_legs  # no measure of this spec reads the model (yet)
    assert steps[-1].body.camera.azimuth_deg == pytest.approx(38.7, abs=3)  # from the hips


def test_on_screen_angles_can_take_the_camera_from_the_body() -> None:
    from posecheck.body.geometry import PoseGeometry
    from posecheck.body.stage import BodyState
    from posecheck.specs.metrics import HipInternalRotation

    est = BodyStage("prone").update(FRAMES[0]).camera
    fixed = HipInternalRotation(metric="hip_internal_rotation").seen_from(45, 0)
    moving = fixed.model_copy(update={"camera_from": "body"})
    as_estimated = fixed.seen_from(round(abs(est.azimuth_deg)), 0)
    g = PoseGeometry(FRAMES[0].pose, 0.5, BodyState(est))
    assert moving.foreshortening_ratio(g) == pytest.approx(
        as_estimated.foreshortening_ratio(), rel=0.02
    )
    assert moving.foreshortening_ratio(PoseGeometry(FRAMES[0].pose, 0.5)) == (
        fixed.foreshortening_ratio()  # not known yet: the advised view
    )


def test_the_camera_is_solved_a_few_times_a_second_of_frame_time() -> None:
    """Without the leg model the camera is solved at ``hold_hz`` during the start hold and
    ``after_hz`` after it, on frame time: 30 fps or 10 fps (frames dropped) solve about as
    often and give the same estimate."""
    fast = animate([Key(0, START), Key(6, START)], CAMERA, fps=30, noise_px=1.0)
    solved: dict[str, int] = {}
    states = {}
    for name, frames in (("every", fast), ("sparse", fast[::3])):
        stage = BodyStage("prone")
        views = 0
        for f in frames:
            before = stage.camera._last_ms  # the time of the last view folded in
            states[name] = stage.update(f)
            views += stage.camera._last_ms != before
        solved[name] = views
    hold, after = stage.camera.hold_hz, stage.camera.after_hz
    # 2 s of hold at hold_hz, 4 s after at after_hz (and a slot's edge either side)
    assert solved["every"] <= 2 * hold + 4 * after + 3
    assert abs(solved["every"] - solved["sparse"]) <= 2
    a, b = states["every"].camera, states["sparse"].camera
    assert a.known and b.known
    assert b.azimuth_deg == pytest.approx(a.azimuth_deg, abs=1.5)
    assert b.elevation_deg == pytest.approx(a.elevation_deg, abs=1.5)
