"""The lying knee rolls' reported number (issue #12): the on-screen reading averaged with the
knee's swing plane through the body's camera (``KneeRoll.swing_until_deg``).

The knee drop, supine hip rotation and knee fall-out report ``<measure>_rom``: the on-screen
``knee_roll`` their position and faults read, averaged with the same knee read through the
camera estimated from the body (``space: camera``), up to 80 degrees round from the feet end.
Further round the swing plane is seen nearly edge-on and the on-screen reading stands alone.
"""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from posecheck.body import synthetic as syn
from posecheck.body.geometry import PoseGeometry
from posecheck.body.synthetic import Body, Camera, Leg
from posecheck.specs.metrics import KneeRoll
from posecheck.specs.schema import load_by_id
from tests.test_body_swing import _true_camera

BENT = {"hip_flexion_deg": 45.0, "knee_flexion_deg": 90.0}
SCREEN = {"space": "image", "camera_from": "body", "elevation_from": "body"}


def _seen(azimuth_deg: float, roll_deg: float) -> tuple[PoseGeometry, PoseGeometry]:
    """A supine body, left knee rolled ``roll_deg`` inward, the camera placed ``azimuth_deg``
    round (aimed past the feet: seen from the hips it stands 8-9 degrees less round): its
    geometry with the body stage's camera, and without any camera."""
    body = Body(posture="supine", left=Leg(roll_deg=roll_deg, **BENT), right=Leg(**BENT))
    c = Camera.looking_at_feet(2.3, 1.0, azimuth_deg, body="supine")
    pose = syn.render(body, c)
    return PoseGeometry(pose, 0.5, _true_camera(body, c)), PoseGeometry(pose, 0.5)


@pytest.mark.parametrize("azimuth_deg", [-60.0, 0.0, 30.0])
@pytest.mark.parametrize("roll_deg", [0.0, 30.0])
def test_the_number_is_the_mean_of_the_two_readings_within_the_azimuth(
    azimuth_deg: float, roll_deg: float
) -> None:
    g, _ = _seen(azimuth_deg, roll_deg)
    blend = KneeRoll(metric="knee_roll", swing_until_deg=80, **SCREEN)
    screen = KneeRoll(metric="knee_roll", **SCREEN).compute(g, "left")
    plane = KneeRoll(metric="knee_roll", space="camera", camera_from="body").compute(g, "left")
    assert not math.isnan(screen) and not math.isnan(plane)
    assert blend.compute(g, "left") == pytest.approx((screen + plane) / 2)
    # on an exact body both read the roll (within the knee's circle's offset, see
    # test_body_swing), so their mean does too
    assert blend.compute(g, "left") == pytest.approx(roll_deg, abs=3.5)
    outward = KneeRoll(metric="knee_roll", swing_until_deg=80, direction="outward", **SCREEN)
    assert outward.compute(g, "left") == pytest.approx(-blend.compute(g, "left"))


@pytest.mark.parametrize("azimuth_deg", [70.0, -75.0])
def test_from_further_round_the_screen_reading_falls_short_and_the_swing_plane_does_not(
    azimuth_deg: float,
) -> None:
    """Counted from the start, as the specs count: on an exact body with the camera 62-67
    degrees round from the hips, the on-screen reading takes a 30 degree roll for 22-24, the
    swing plane through the camera for 30-31, and the number lies between. The same
    under-reading shows on the benchmark (dev: the fall-out reads 6.3 degrees short on
    average)."""
    rolled, _ = _seen(azimuth_deg, 30.0)
    rest, _ = _seen(azimuth_deg, 0.0)
    modes = {
        "screen": KneeRoll(metric="knee_roll", **SCREEN),
        "plane": KneeRoll(metric="knee_roll", space="camera", camera_from="body"),
        "number": KneeRoll(metric="knee_roll", swing_until_deg=80, **SCREEN),
    }
    moved = {k: m.compute(rolled, "left") - m.compute(rest, "left") for k, m in modes.items()}
    assert 20.0 < moved["screen"] < 25.5
    assert moved["plane"] == pytest.approx(30.0, abs=1.5)
    assert moved["screen"] + 2.5 < moved["number"] < moved["plane"] - 2.5


def test_further_round_or_without_a_camera_the_screen_reading_stands_alone() -> None:
    blend = KneeRoll(metric="knee_roll", swing_until_deg=80, **SCREEN)
    screen = KneeRoll(metric="knee_roll", **SCREEN)
    near_side_on, no_camera = _seen(90.0, 30.0)  # 81 degrees round from the hips
    within, _ = _seen(70.0, 30.0)  # 62 from the hips
    assert near_side_on.body is not None and within.body is not None
    assert near_side_on.body.camera.azimuth_deg > 80 > within.body.camera.azimuth_deg > 55
    plane = KneeRoll(metric="knee_roll", space="camera", camera_from="body")
    # 86 degrees round: the swing plane reads something else, and is left out
    assert plane.compute(near_side_on, "left") != pytest.approx(
        screen.compute(near_side_on, "left")
    )
    assert blend.compute(near_side_on, "left") == screen.compute(near_side_on, "left")
    # no camera from the body yet: the on-screen reading, through the fixed angles
    assert blend.compute(no_camera, "left") == screen.compute(no_camera, "left")
    # a tighter limit leaves out a view the default takes
    tight = KneeRoll(metric="knee_roll", swing_until_deg=55, **SCREEN)
    assert tight.compute(within, "left") == screen.compute(within, "left")
    assert blend.compute(within, "left") != screen.compute(within, "left")


def test_the_setting_needs_the_on_screen_reading() -> None:
    with pytest.raises(ValidationError, match="swing_until_deg"):
        KneeRoll(metric="knee_roll", space="world", swing_until_deg=80)


@pytest.mark.parametrize(
    "stretch", ["supine_knee_drop", "supine_hip_rotation", "supine_knee_fallout"]
)
def test_only_the_number_reads_the_blend(stretch: str) -> None:
    """Position and faults keep the on-screen measure; the reported number is the same
    measure with the swing plane averaged in."""
    spec = load_by_id(stretch)
    assert spec.rom is not None
    base = spec.rom.measure.removesuffix("_rom")
    # the knee drop's position reads its own copy with the far knee scaled (drop_in)
    assert spec.rom.measure == f"{base}_rom" and spec.active.measure in (base, f"{base}_in")
    number, screen = spec.measures[spec.rom.measure], spec.measures[base]
    assert number.swing_until_deg == 80 and screen.swing_until_deg is None
    assert spec.measures[spec.active.measure].swing_until_deg is None
    # supine hip rotation's number also reads both knees, the knee drop's scales each knee
    # (tests/test_knee_roll_together.py)
    plain = {
        "swing_until_deg": None,
        "description": "",
        "knees_together": False,
        "far_knee_scale": 1.0,
        "near_knee_scale": 1.0,
    }
    assert number.model_copy(update=plain) == (screen.model_copy(update={"description": ""}))
