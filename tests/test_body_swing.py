"""The swing angle read through the camera (``space: camera``): hand-computed cases and
synthetic bodies seen by known cameras."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck.body import swing
from posecheck.body import synthetic as syn
from posecheck.body.camera import CameraEstimate
from posecheck.body.geometry import PoseGeometry
from posecheck.body.stage import BodyState
from posecheck.body.synthetic import Body, Camera, Leg
from posecheck.pose.landmarks import index_of
from posecheck.specs.metrics import HipInternalRotation, KneeRoll

CENTRE = np.array([320.0, 240.0])


def test_orthographic_from_the_feet_is_the_screen_angle():
    # Face down, the camera level beyond the feet: image-right is the person's right, so a
    # left shin leaning up and to the left on screen by 45 degrees has swung 45 outward.
    rot = swing.camera_rotation(0.0, 0.0, 0.0, "prone")
    out_left = swing.left_axis("prone")
    angle, _ = swing.swing_angle_deg(
        np.array([100.0, 100.0]), np.array([90.0, 90.0]), swing.UP, out_left, rot
    )
    assert angle == pytest.approx(45.0)
    # the same shin straight up reads 0, and leaning the other way (inward) negative
    up, _ = swing.swing_angle_deg(
        np.array([0.0, 0.0]), np.array([0.0, -10.0]), swing.UP, out_left, rot
    )
    inward, _ = swing.swing_angle_deg(
        np.array([0.0, 0.0]), np.array([3.0, -10.0]), swing.UP, out_left, rot
    )
    assert up == pytest.approx(0.0, abs=1e-9)
    assert inward == pytest.approx(-math.degrees(math.atan(0.3)))


def test_orthographic_elevation_stretches_the_sideways_part():
    # Lying on the back, the camera beyond the feet 30 degrees up: the floor's up shows
    # shortened by cos(30) while the left-right axis keeps its length, so a knee offset of
    # (1, -cos 30) on screen is 45 degrees. Image-right is the person's left lying supine.
    rot = swing.camera_rotation(0.0, 30.0, 0.0, "supine")
    inward_right = swing.left_axis("supine")  # for the right leg, inward is the person's left
    c = math.cos(math.radians(30.0))
    angle, _ = swing.swing_angle_deg(
        np.array([0.0, 0.0]), np.array([1.0, -c]), swing.UP, inward_right, rot
    )
    assert angle == pytest.approx(45.0)


def test_roll_turns_the_picture():
    # A picture turned 10 degrees (the floor's up leaning right on screen): a shin that is
    # straight up in the world shows leaning 10 degrees right, and reads 0.
    rot = swing.camera_rotation(0.0, 0.0, 10.0, "prone")
    lean = np.array([math.sin(math.radians(10.0)), -math.cos(math.radians(10.0))])
    angle, _ = swing.swing_angle_deg(
        np.zeros(2), lean * 50, swing.UP, swing.left_axis("prone"), rot
    )
    assert angle == pytest.approx(0.0, abs=1e-9)


def _true_camera(body: Body, c: Camera) -> BodyState:
    """The synthetic camera as the body stage would report it (az, el from the hips)."""
    pts = syn.body_points(body)
    hip = (pts[index_of("left_hip")] + pts[index_of("right_hip")]) / 2
    d = np.asarray(c.position, float) - hip
    left, sup, ant = (np.array(v, float) for v in syn._POSTURES[body.posture][:3])
    up, ref = {
        "prone": (-ant, -sup),
        "supine": (ant, -sup),
    }.get(body.posture, (sup, ant))
    el = math.degrees(math.asin(float(d @ up) / float(np.linalg.norm(d))))
    az = math.degrees(math.atan2(float(d @ left), float(d @ ref)))
    est = CameraEstimate(az, el, float(np.linalg.norm(d)), 0.0, c.focal_px, 0.0, 0.0, 1, 0.0)
    return BodyState(est, (), c.width, c.height)


@pytest.mark.parametrize("azimuth_deg", [-70.0, -45.0, 0.0, 30.0, 60.0])
@pytest.mark.parametrize("rotation_deg", [0.0, 25.0, 45.0])
def test_prone_hip_rotation_through_a_known_camera(azimuth_deg: float, rotation_deg: float):
    body = Body(
        posture="prone",
        left=Leg(knee_flexion_deg=90, hip_rotation_deg=rotation_deg),
        right=Leg(knee_flexion_deg=90, hip_rotation_deg=-10.0),
    )
    c = Camera.looking_at_feet(2.0, 0.8, azimuth_deg, body="prone")
    g = PoseGeometry(syn.render(body, c), 0.5, _true_camera(body, c))
    m = HipInternalRotation(metric="hip_internal_rotation", space="camera", camera_from="body")
    assert m.compute(g, "left") == pytest.approx(rotation_deg, abs=0.3)
    assert m.compute(g, "right") == pytest.approx(-10.0, abs=0.3)


@pytest.mark.parametrize("azimuth_deg", [-60.0, 20.0, 60.0])
@pytest.mark.parametrize("roll_deg", [0.0, 30.0])
def test_supine_knee_roll_through_a_known_camera(azimuth_deg: float, roll_deg: float):
    bent = {"hip_flexion_deg": 45.0, "knee_flexion_deg": 90.0}
    body = Body(posture="supine", left=Leg(roll_deg=roll_deg, **bent), right=Leg(**bent))
    c = Camera.looking_at_feet(2.3, 1.0, azimuth_deg, body="supine")
    g = PoseGeometry(syn.render(body, c), 0.5, _true_camera(body, c))
    m = KneeRoll(metric="knee_roll", space="camera", camera_from="body")
    # the knee circles a point a little past the hip-ankle midpoint (the thigh is 5 % longer
    # than the shin: 1.4 cm along a 0.3 m radius) and the hip-ankle line rises a little
    # toward the hip, so the reading is within 3.5 degrees, not exact
    assert m.compute(g, "left") == pytest.approx(roll_deg, abs=3.5)
    assert m.compute(g, "right") == pytest.approx(0.0, abs=3.5)
    outward = KneeRoll(metric="knee_roll", space="camera", camera_from="body", direction="outward")
    assert outward.compute(g, "left") == pytest.approx(-m.compute(g, "left"))


def test_unknown_until_the_camera_is_known_and_uncertainty_grows_toward_the_side():
    body = Body(posture="prone", left=Leg(knee_flexion_deg=90, hip_rotation_deg=30.0))
    c = Camera.looking_at_feet(2.0, 0.8, 0.0, body="prone")
    m = HipInternalRotation(metric="hip_internal_rotation", space="camera", camera_from="body")
    assert math.isnan(m.compute(PoseGeometry(syn.render(body, c), 0.5), "left"))
    spreads = []
    for az in (0.0, 80.0):
        c = Camera.looking_at_feet(2.0, 0.8, az, body="prone")
        pose = syn.render(body, c)
        state = _true_camera(body, c)
        cam = state.camera
        rot = swing.aimed(
            swing.camera_rotation(cam.azimuth_deg, cam.elevation_deg, 0.0, "prone"),
            (pose.image_xy[index_of("left_hip")] + pose.image_xy[index_of("right_hip")]) / 2,
            c.focal_px,
            CENTRE,
        )
        angle, spread = swing.swing_angle_deg(
            pose.image_xy[index_of("left_knee")],
            pose.image_xy[index_of("left_ankle")],
            swing.UP,
            swing.left_axis("prone"),
            rot,
            c.focal_px,
            CENTRE,
        )
        assert angle == pytest.approx(30.0, abs=0.3)
        spreads.append(spread)
    assert 0.5 < spreads[0] < 5.0
    assert spreads[1] > 2 * spreads[0]  # nearly side-on, the swing is seen edge-on


def test_an_unknown_point_reads_unknown():
    rot = swing.camera_rotation(0.0, 0.0, 0.0, "prone")
    angle, spread = swing.swing_angle_deg(
        np.array([math.nan, 0.0]), np.zeros(2), swing.UP, swing.left_axis("prone"), rot
    )
    assert math.isnan(angle) and math.isnan(spread)
