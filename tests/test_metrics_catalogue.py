"""The metrics added for the catalogue, on synthetic bodies with exactly known angles."""

from __future__ import annotations

import math

import pytest

from posecheck.geometry import PoseGeometry
from posecheck.metrics import (
    FootTurn,
    KneeRoll,
    LeanTowardCamera,
    ThighOpening,
    TrunkTwist,
    WorldRise,
)
from posecheck.synthetic import Body, Camera, Leg, render, with_body

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
