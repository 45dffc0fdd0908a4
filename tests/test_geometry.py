"""Geometry against values computed by hand."""

import math

import numpy as np
import pytest

from posecheck.body import geometry as geo
from posecheck.body.geometry import PoseGeometry, resolve_part
from posecheck.pose.landmarks import NUM_LANDMARKS, Pose, index_of


def test_joint_angle_right_angle_and_straight():
    assert geo.joint_angle_deg(np.array([0, 1]), np.array([0, 0]), np.array([1, 0])) == (
        pytest.approx(90.0)
    )
    assert geo.joint_angle_deg(np.array([-1, 0]), np.array([0, 0]), np.array([2, 0])) == (
        pytest.approx(180.0)
    )
    # 3-4-5 triangle: angle at the origin between (3,0) and (3,4) is atan(4/3) = 53.13 deg.
    assert geo.joint_angle_deg(np.array([3, 0]), np.array([0, 0]), np.array([3, 4])) == (
        pytest.approx(53.130, abs=1e-3)
    )


def test_flexion_is_180_minus_joint_angle():
    hip, knee, ankle = np.array([0, 0, 0]), np.array([0, -1, 0]), np.array([0, -1, -1])
    assert geo.flexion_deg(hip, knee, ankle) == pytest.approx(90.0)
    assert geo.flexion_deg(hip, knee, np.array([0, -2, 0])) == pytest.approx(0.0)


def test_angle_from_image_up_uses_y_down_pixels():
    # A segment pointing up the screen (y decreasing) is 0; pointing right is 90.
    assert geo.angle_from_image_up_deg(np.array([5, 5]), np.array([5, 0])) == pytest.approx(0.0)
    assert geo.angle_from_image_up_deg(np.array([0, 0]), np.array([3, 0])) == pytest.approx(90)
    assert geo.angle_from_image_up_deg(np.array([0, 0]), np.array([1, -1])) == pytest.approx(45)


def test_incline_sign_and_symmetry():
    # Rising to the right on screen (y smaller on the right) is positive, whichever end first.
    a, b = np.array([0, 10]), np.array([10, 0])
    assert geo.incline_deg(a, b) == pytest.approx(45.0)
    assert geo.incline_deg(b, a) == pytest.approx(45.0)
    assert geo.incline_deg(np.array([0, 0]), np.array([10, 10])) == pytest.approx(-45.0)


def test_signed_distance_and_perpendicular_offset():
    a, b = np.array([0.0, 0.0]), np.array([10.0, 0.0])
    # With y down, screen-left of a->b (pointing right) is up the screen, i.e. y < 0.
    assert geo.signed_distance_from_line(np.array([5.0, -3.0]), a, b) == pytest.approx(3.0)
    assert geo.signed_distance_from_line(np.array([5.0, 2.0]), a, b) == pytest.approx(-2.0)
    off = geo.perpendicular_offset(np.array([2.0, 0.0, 4.0]), np.zeros(3), np.array([1.0, 0, 0]))
    assert off == pytest.approx([0.0, 0.0, 4.0])


def test_nan_propagates_never_zero():
    nan2 = np.array([math.nan, math.nan])
    assert math.isnan(geo.joint_angle_deg(nan2, np.zeros(2), np.ones(2)))
    assert math.isnan(geo.incline_deg(nan2, np.ones(2)))
    assert math.isnan(geo.angle_between_deg(np.zeros(2), np.ones(2)))  # zero-length segment


def _pose_with(points: dict[str, tuple[float, float]], hidden: tuple[str, ...] = ()) -> Pose:
    xy = np.zeros((NUM_LANDMARKS, 2))
    vis = np.ones(NUM_LANDMARKS)
    for name, p in points.items():
        xy[index_of(name)] = p
    for name in hidden:
        vis[index_of(name)] = 0.1
    return Pose(xy, vis)


def test_pose_geometry_midpoints_sides_and_unknown():
    pose = _pose_with(
        {"left_hip": (100, 200), "right_hip": (140, 220), "left_knee": (90, 300)},
        hidden=("right_knee",),
    )
    g = PoseGeometry(pose, min_visibility=0.5)
    assert g.image("mid_hip") == pytest.approx([120, 210])
    assert g.image("knee", "left") == pytest.approx([90, 300])
    assert g.image("other_hip", "left") == pytest.approx([140, 220])
    assert np.isnan(g.image("knee", "right")).all()
    assert g.missing(("hip", "knee"), "right") == ("right_knee",)
    assert g.missing(("hip", "knee"), "left") == ()


def test_near_parts_follow_the_side_the_camera_sees_better():
    # Side view from the right: the left leg hides behind the right one.
    points = {"right_hip": (300, 200), "right_knee": (250, 260), "right_ankle": (330, 300)}
    far = ("left_shoulder", "left_hip", "left_knee", "left_ankle")
    g = PoseGeometry(_pose_with(points, hidden=far), min_visibility=0.5)
    assert g.near_side() == "right"
    assert g.image("near_knee") == pytest.approx([250, 260])
    assert g.missing(("near_hip", "near_knee", "near_ankle")) == ()
    # Hide one right landmark only: the right side is still the better seen one.
    g = PoseGeometry(_pose_with(points, hidden=(*far, "right_ankle")), min_visibility=0.5)
    assert g.near_side() == "right"
    assert g.missing(("near_knee", "near_ankle")) == ("right_ankle",)
    # Without a pose (fault highlights), a near part stands for both sides.
    assert resolve_part("near_knee") == ("left_knee", "right_knee")


def test_resolve_part():
    assert resolve_part("knee", "left") == ("left_knee",)
    assert resolve_part("other_ankle", "left") == ("right_ankle",)
    assert resolve_part("mid_shoulder") == ("left_shoulder", "right_shoulder")
    with pytest.raises(ValueError, match="needs a side"):
        resolve_part("knee")


def test_pose_arrays_are_read_only_and_shape_checked():
    pose = _pose_with({})
    with pytest.raises(ValueError):
        pose.image_xy[0, 0] = 1.0
    with pytest.raises(ValueError, match="shape"):
        Pose(np.zeros((10, 2)), np.ones(10))
