"""The seated cross-ankle's thigh opening read with the knee from the picture (issue #12).

MediaPipe's 3D knee follows a thigh turning out across the view only in part; the picture
shows it. ``thigh_opening`` with ``space: camera`` puts the knee on its camera ray at
MediaPipe's own depth for it (:func:`posecheck.body.legfit.at_depth`)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck.body import legfit
from posecheck.body import synthetic as syn
from posecheck.body.camera import PnPSolution
from posecheck.body.geometry import PoseGeometry
from posecheck.body.stage import BodyStage
from posecheck.body.synthetic import Body, Camera, Leg
from posecheck.pose.landmarks import Pose, PoseFrame, index_of
from posecheck.specs.metrics import ThighOpening
from posecheck.specs.schema import load_by_id
from tests.helpers import benchmark_rom_error_deg, with_measure

W, H = 640, 480


def test_at_depth_keeps_the_depth_and_takes_the_pixel() -> None:
    # A camera at (0, 0, 1) looking along +z, focal 100 px, picture 200 x 100: the pixel
    # (150, 50) is the ray (0.5, 0, 1). A point 4 m in front of the camera along the line of
    # sight, wherever it is sideways, gives the ray's point at that depth: (2, 0, 5).
    sol = PnPSolution(np.eye(3), np.array([0.0, 0.0, -1.0]), 100.0, 0.0, 19)
    got = legfit.at_depth(sol, np.array([150.0, 50.0]), np.array([-7.0, 3.0, 5.0]), 200, 100)
    assert got == pytest.approx([2.0, 0.0, 5.0])
    # turned camera: looking along world +x (camera z = world x), at the origin
    turned = np.array([[0.0, 0.0, -1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])  # world -> camera
    sol = PnPSolution(turned, np.zeros(3), 100.0, 0.0, 19)
    # pixel (100, 25): straight ahead and 0.25 up per metre; the point is 2 m ahead
    got = legfit.at_depth(sol, np.array([100.0, 25.0]), np.array([2.0, 9.0, 9.0]), 200, 100)
    assert got == pytest.approx([2.0, -0.5, 0.0])


def _crossed(abduction_deg: float) -> Body:
    return Body(
        posture="seated",
        left=Leg(hip_flexion_deg=100, hip_abduction_deg=abduction_deg, knee_flexion_deg=110),
        right=Leg(hip_flexion_deg=90),
    )


def _pulled_to_the_midline(pose: Pose, side: str, metres: float) -> Pose:
    """The 3D knee pulled toward the other hip (MediaPipe's depth missing the turn-out),
    the picture unchanged."""
    world = pose.world_xyz.copy()
    out = (
        world[index_of(f"{side}_hip")]
        - world[index_of("right_hip" if side == "left" else "left_hip")]
    )
    world[index_of(f"{side}_knee")] -= metres * out / float(np.linalg.norm(out))
    return Pose(pose.image_xy, pose.visibility, world)


def _turned_round(azimuth_deg: float) -> Camera:
    """The front camera turned ``azimuth_deg`` round the body (positive: the person's left)."""
    front = Camera.front_view(2.5, 0.6, body="seated")
    a = math.radians(azimuth_deg)
    target = np.array(front.target)
    off = np.array(front.position) - target
    turned = np.array(
        [
            off[0] * math.cos(a) + off[2] * math.sin(a),
            off[1],
            -off[0] * math.sin(a) + off[2] * math.cos(a),
        ]
    )
    return Camera(tuple(target + turned), front.target, focal_px=560.0)


@pytest.mark.parametrize("abduction_deg", [15.0, 30.0])
@pytest.mark.parametrize("azimuth_deg", [0.0, 20.0])
def test_the_picture_s_knee_reads_the_opening_the_3d_knee_misses(
    abduction_deg: float, azimuth_deg: float
) -> None:
    body = _crossed(abduction_deg)
    exact = syn.render(body, _turned_round(azimuth_deg))
    world_m, camera_m = (
        ThighOpening(metric="thigh_opening"),
        ThighOpening(metric="thigh_opening", space="camera"),
    )
    truth = world_m.compute(PoseGeometry(exact, 0.5), "left")  # exact 3D: the true opening
    assert truth > abduction_deg / 2  # the thigh opens out

    stage = BodyStage("seated", knee_rays=True)
    seen = _pulled_to_the_midline(exact, "left", 0.08)
    state = None
    for i in range(10):
        state = stage.update(PoseFrame(i, 100.0 * i, W, H, seen))
    assert state is not None
    g = PoseGeometry(seen, 0.5, state)
    # MediaPipe's 3D knee reads it short; the picture's knee at that knee's depth does not
    assert world_m.compute(g, "left") < truth - 8
    assert camera_m.compute(g, "left") == pytest.approx(truth, abs=3.0)
    # the same reading with the exact 3D knee
    exact_state = BodyStage("seated", knee_rays=True).update(PoseFrame(0, 0.0, W, H, exact))
    assert camera_m.compute(PoseGeometry(exact, 0.5, exact_state), "left") == pytest.approx(
        truth, abs=1.0
    )


@pytest.mark.parametrize(
    ("azimuth_deg", "left_seen", "right_seen"),
    [(20.0, False, True), (-20.0, True, False), (6.0, True, True), (0.0, True, True)],
)
def test_no_reading_from_a_camera_round_toward_the_crossed_leg(
    azimuth_deg: float, left_seen: bool, right_seen: bool
) -> None:
    """``unseen_toward_deg: 10``: a camera estimated 10 degrees or more round toward a leg
    gives that leg's opening no reading (NaN: not measured from this view); the other leg's
    reading, and both from nearly straight in front, stand (the exact 30-degree opening of
    the left thigh reads 30 through the camera wherever it stands)."""
    pose = syn.render(_crossed(30), _turned_round(azimuth_deg))
    stage = BodyStage("seated", knee_rays=True)
    state = None
    for i in range(10):
        state = stage.update(PoseFrame(i, 100.0 * i, W, H, pose))
    assert state is not None and state.camera.known
    assert abs(state.camera.azimuth_deg - azimuth_deg) < 4.0  # the body's camera
    g = PoseGeometry(pose, 0.5, state)
    plain = ThighOpening(metric="thigh_opening", space="camera")
    limited = ThighOpening(metric="thigh_opening", space="camera", unseen_toward_deg=10)
    assert plain.compute(g, "left") == pytest.approx(30.0, abs=1.5)
    for side, seen in (("left", left_seen), ("right", right_seen)):
        got = limited.compute(g, side)
        assert math.isnan(got) != seen
        if seen:
            assert got == plain.compute(g, side)
    # the spec sets it
    assert load_by_id("seated_cross_ankle_rotation").measures["opening"].unseen_toward_deg == 10


def test_no_picture_knee_reads_the_3d_knee_and_a_hidden_knee_unknown() -> None:
    """Where the picture gives no knee (one photo: no body stage; a frame whose camera could
    not be solved) ``space: camera`` reads MediaPipe's 3D knee, as ``space: world`` does
    (session 13: before, NaN, and a butterfly photo read no opening). A knee hidden in the
    picture and in 3D stays unknown, never zero."""
    pose = syn.render(_crossed(30), Camera.front_view(2.5, 0.6, body="seated"))
    world_m = ThighOpening(metric="thigh_opening")
    camera_m = ThighOpening(metric="thigh_opening", space="camera")
    world = world_m.compute(PoseGeometry(pose, 0.5), "left")
    assert world > 15  # the thigh opens out
    assert camera_m.compute(PoseGeometry(pose, 0.5), "left") == world  # no body stage
    no_solve = BodyStage("seated", knee_rays=True).update(PoseFrame(0, 0.0, W, H, None))
    assert camera_m.compute(PoseGeometry(pose, 0.5, no_solve), "left") == world
    hidden = pose.hidden("left_knee")
    state = BodyStage("seated", knee_rays=True).update(PoseFrame(0, 0.0, W, H, hidden))
    assert state.knee("left") is None
    assert math.isnan(camera_m.compute(PoseGeometry(hidden, 0.5, state), "left"))


def test_cross_ankle_replay_reads_the_picture_s_knee() -> None:
    """Dev split, r0113 (body b02, camera 12 degrees round; rendered again in session 8 with
    a sampled amplitude, true peak 37.7): MediaPipe's 3D knee reads the crossed thigh 12.0
    degrees off on average over the frames in position, the picture's knee 5.5 (replayed
    from its recording; before the new render 15.4 and 10.4). Read from every view: since
    session 11 the camera estimated from the seated body stands 10.0 degrees round toward
    the crossed leg (the straight legs' start template; nearer the front before), where the
    spec gives no number."""
    clip = "r0113_seated_cross_ankle_rotation_near_back_rounded_b02"
    spec = load_by_id("seated_cross_ankle_rotation")
    assert spec.measures["opening"].space == "camera"
    every = with_measure(spec, "opening", unseen_toward_deg=None)
    world = with_measure(every, "opening", space="world")
    assert benchmark_rom_error_deg(every, clip, 21) == pytest.approx(5.5, abs=0.3)
    assert benchmark_rom_error_deg(world, clip, 21) == pytest.approx(12.0, abs=0.3)
    with pytest.raises(AssertionError):  # the spec as it is: no number from there
        benchmark_rom_error_deg(spec, clip, 1)
