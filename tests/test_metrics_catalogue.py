"""The metrics added for the catalogue, on synthetic bodies with exactly known angles."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck.body.geometry import PoseGeometry
from posecheck.body.synthetic import Body, Camera, Leg, render, with_body
from posecheck.pose.landmarks import NUM_LANDMARKS, Pose, index_of
from posecheck.specs.metrics import (
    FootTurn,
    KneeRoll,
    LeanTowardCamera,
    ThighOpening,
    TrunkTwist,
    WorldRise,
)

FRONT_SEATED = Camera.front_view(2.2, 0.6, "seated")
SEATED = Body("seated", left=Leg(hip_flexion_deg=90), right=Leg(hip_flexion_deg=90))
SUPINE = Body(
    "supine",
    left=Leg(hip_flexion_deg=45, knee_flexion_deg=90),
    right=Leg(hip_flexion_deg=45, knee_flexion_deg=90),
)
DIAGONAL = Camera.looking_at_feet(2.3, 1.0, 60)


def _g(body: Body, camera: Camera) -> PoseGeometry:
    return PoseGeometry(render(body, camera), 0.5)


@pytest.mark.parametrize("turn_deg", [-40.0, -15.0, 0.0, 20.0, 45.0])
def test_trunk_twist_is_the_chest_turn_toward_each_side(turn_deg: float) -> None:
    g = _g(with_body(SEATED, trunk_twist_deg=turn_deg), FRONT_SEATED)
    same = TrunkTwist(metric="trunk_twist")
    other = TrunkTwist(metric="trunk_twist", toward="other")
    assert same.compute(g, "left") == pytest.approx(turn_deg, abs=1e-6)
    assert same.compute(g, "right") == pytest.approx(-turn_deg, abs=1e-6)
    assert other.compute(g, "left") == pytest.approx(-turn_deg, abs=1e-6)
    assert same.sided


def test_trunk_twist_reads_the_pelvis_turning_under_flat_shoulders() -> None:
    # Lying down, knees and pelvis rolled toward the left while the shoulders stay flat.
    body = with_body(SUPINE, body_roll_deg=30, trunk_twist_deg=-30)
    g = _g(body, DIAGONAL)
    m = TrunkTwist(metric="trunk_twist", toward="other")
    assert m.compute(g, "left") == pytest.approx(30.0, abs=1e-6)
    assert m.compute(g, "right") == pytest.approx(-30.0, abs=1e-6)


@pytest.mark.parametrize("round_deg", [0.0, 20.0, 40.0])
def test_lean_toward_camera_follows_a_slump(round_deg: float) -> None:
    m = LeanTowardCamera(metric="lean_toward_camera", start="mid_hip", end="mid_shoulder")
    level = Camera((0.0, 0.45, 2.45), (0.0, 0.45, 0.25))  # level camera in front
    g = _g(with_body(SEATED, spine_round_deg=round_deg), level)
    # Half of the curl in each half of the trunk: the chord tilts by atan of the summed halves.
    r = math.radians(round_deg)
    chord_deg = math.degrees(
        math.atan2(math.sin(r / 2) + math.sin(r), math.cos(r / 2) + math.cos(r))
    )
    assert m.compute(g, None) == pytest.approx(chord_deg, abs=1e-6)
    assert not m.sided


@pytest.mark.parametrize("abduction_deg", [0.0, 30.0, 55.0])
def test_thigh_opening_is_the_hip_abduction_whatever_the_flexion(abduction_deg: float) -> None:
    m = ThighOpening(metric="thigh_opening")
    for flexion_deg in (45.0, 90.0, 120.0):
        body = with_body(
            SEATED, left={"hip_flexion_deg": flexion_deg, "hip_abduction_deg": abduction_deg}
        )
        g = _g(body, FRONT_SEATED)
        assert m.compute(g, "left") == pytest.approx(abduction_deg, abs=1e-6)
        assert m.compute(g, "right") == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("rotation_deg", [-20.0, 0.0, 25.0, 40.0])
def test_foot_turn_is_hip_rotation_with_a_straight_knee(rotation_deg: float) -> None:
    m = FootTurn(metric="foot_turn")
    body = with_body(Body("standing"), right={"hip_rotation_deg": rotation_deg})
    g = _g(body, Camera.front_view(2.8, 1.0))
    assert m.compute(g, "right") == pytest.approx(rotation_deg, abs=1e-6)
    assert m.compute(g, "left") == pytest.approx(0.0, abs=1e-6)


def _screen_pose(points: dict[str, tuple[float, float]]) -> PoseGeometry:
    xy = np.zeros((NUM_LANDMARKS, 2))
    for name, p in points.items():
        xy[index_of(name)] = p
    return PoseGeometry(Pose(xy, np.ones(NUM_LANDMARKS)), 0.5)


# Right leg straight down the screen, shin 60 px, so the foot is 0.5 x 60 = 30 px long.
# The toes sit 15 px toward the other hip from the heel: sin(angle) = 15 / 30.
_RIGHT_LEG = {
    "right_hip": (300, 240),
    "left_hip": (340, 240),
    "right_knee": (300, 300),
    "right_ankle": (300, 360),
    "right_heel": (298, 368),
    "right_foot_index": (313, 380),
}


def test_foot_turn_on_screen_is_the_toes_sideways_shift_over_the_foot_length() -> None:
    g = _screen_pose(
        {
            **_RIGHT_LEG,
            "left_knee": (340, 300),
            "left_ankle": (340, 360),
            "left_heel": (338, 368),  # left foot: toes 6 px outward (away from the right hip)
            "left_foot_index": (344, 380),
        }
    )
    m = FootTurn(metric="foot_turn", space="image", foot_to_shin=0.5)
    assert m.compute(g, "right") == pytest.approx(30.0, abs=1e-9)
    assert m.compute(g, "left") == pytest.approx(-math.degrees(math.asin(6 / 30)), abs=1e-9)
    # A longer foot for the same shift reads a smaller turn.
    longer = FootTurn(metric="foot_turn", space="image", foot_to_shin=0.75)
    assert longer.compute(g, "right") == pytest.approx(math.degrees(math.asin(15 / 45)), abs=1e-9)


def test_foot_turn_on_screen_measures_across_the_leg_not_the_screen() -> None:
    # The same leg and foot turned 20 degrees on screen about the hip (a tilted camera or a
    # leg out to the side): the reading does not change.
    c, s = math.cos(math.radians(20)), math.sin(math.radians(20))

    def turn(p: tuple[float, float]) -> tuple[float, float]:
        x, y = p[0] - 300, p[1] - 240
        return (300 + c * x - s * y, 240 + s * x + c * y)

    m = FootTurn(metric="foot_turn", space="image", foot_to_shin=0.5)
    g = _screen_pose({k: turn(v) for k, v in _RIGHT_LEG.items()})
    assert m.compute(g, "right") == pytest.approx(30.0, abs=1e-9)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("rotation_deg", [15.0, 35.0])
def test_foot_turn_on_screen_follows_hip_rotation_from_the_front(
    side: str, rotation_deg: float
) -> None:
    # The synthetic foot runs 0.04 m behind to 0.15 m ahead of the ankle: 0.19 / 0.42 shins.
    m = FootTurn(metric="foot_turn", space="image", foot_to_shin=0.19 / 0.42)
    camera = Camera.front_view(2.8, 1.0)
    rest = m.compute(_g(Body("standing"), camera), side)
    turned = _g(with_body(Body("standing"), **{side: {"hip_rotation_deg": rotation_deg}}), camera)
    # Relative to the start, as the spec uses it; perspective adds a degree or two.
    assert m.compute(turned, side) - rest == pytest.approx(rotation_deg, abs=2.0)
    other = "left" if side == "right" else "right"
    assert m.compute(turned, other) == pytest.approx(rest, abs=1e-6)


def test_world_rise_sees_one_shoulder_come_up() -> None:
    m = WorldRise(metric="world_rise", point="shoulder")
    level = Camera((0.0, 0.11, 3.0), (0.0, 0.11, 0.0))  # level, beyond the feet
    flat, twisted = _g(SUPINE, level), _g(with_body(SUPINE, trunk_twist_deg=-30), level)
    # A 30 degree roll of the shoulder line lifts the left shoulder by half-width * sin 30.
    expected = 0.19 * math.sin(math.radians(30)) / 0.5
    assert m.compute(twisted, "left") - m.compute(flat, "left") == pytest.approx(expected, abs=1e-3)
    assert m.compute(twisted, "right") - m.compute(flat, "right") == pytest.approx(
        -expected, abs=1e-3
    )


def test_knee_roll_outward_is_the_clamshell_opening() -> None:
    lying = Body(
        "side_lying",
        left=Leg(hip_flexion_deg=45, knee_flexion_deg=90),
        right=Leg(hip_flexion_deg=45, knee_flexion_deg=90, roll_deg=-35),
    )
    g = _g(lying, Camera.front_view(2.0, 0.5, "side_lying"))
    outward = KneeRoll(metric="knee_roll", direction="outward")
    assert outward.compute(g, "right") == pytest.approx(35.0, abs=1e-6)
    assert KneeRoll(metric="knee_roll").compute(g, "right") == pytest.approx(-35.0, abs=1e-6)


@pytest.mark.parametrize(
    ("metric", "hidden", "side"),
    [
        (TrunkTwist(metric="trunk_twist"), "left_shoulder", "right"),
        (ThighOpening(metric="thigh_opening"), "left_knee", "left"),
        (FootTurn(metric="foot_turn"), "right_heel", "right"),
        (FootTurn(metric="foot_turn", space="image"), "right_knee", "right"),
        (WorldRise(metric="world_rise", point="shoulder"), "left_shoulder", "left"),
        (
            LeanTowardCamera(metric="lean_toward_camera", start="mid_hip", end="mid_shoulder"),
            "right_hip",
            None,
        ),
    ],
)
def test_new_metrics_are_nan_when_a_part_is_hidden(metric, hidden: str, side) -> None:
    g = PoseGeometry(render(SEATED, FRONT_SEATED).hidden(hidden), 0.5)
    assert math.isnan(metric.compute(g, side))
    assert hidden in g.missing(metric.parts(), side)


def test_new_postures_and_body_fields_keep_old_poses_unchanged() -> None:
    base = render(SEATED, FRONT_SEATED)
    same = render(with_body(SEATED, spine_round_deg=0.0, pelvis_height_m=None), FRONT_SEATED)
    assert (base.image_xy == same.image_xy).all()
    raised = render(with_body(SEATED, pelvis_height_m=0.5), FRONT_SEATED)
    assert raised.image_xy[23][1] < base.image_xy[23][1]  # the hips sit higher on screen
