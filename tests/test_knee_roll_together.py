"""Knees that roll as one (issue #12): supine hip rotation reports the mean of the working
knee's roll and the other knee's roll the other way (``KneeRoll.knees_together``), so a knee
that MediaPipe misreads counts half (dev split: 9.2 -> 7.3 degrees mean error)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck.body import synthetic as syn
from posecheck.body.geometry import PoseGeometry
from posecheck.body.synthetic import Body, Camera, Leg
from posecheck.pose.landmarks import Pose
from posecheck.specs.metrics import KneeRoll
from posecheck.specs.schema import load_by_id
from tests.test_body_swing import _true_camera

BENT = {"hip_flexion_deg": 45.0, "knee_flexion_deg": 90.0}
SCREEN = {"metric": "knee_roll", "space": "image"}


def _pose(left_deg: float, right_deg: float) -> Pose:
    """Supine, each knee rolled inward by its angle, seen from 30 degrees round the feet."""
    body = Body(
        posture="supine",
        left=Leg(roll_deg=left_deg, **BENT),
        right=Leg(roll_deg=right_deg, **BENT),
    )
    return syn.render(body, Camera.looking_at_feet(2.3, 1.0, 30.0))


def _rolled(left_deg: float, right_deg: float) -> PoseGeometry:
    return PoseGeometry(_pose(left_deg, right_deg), 0.5)


def test_the_pair_is_the_mean_of_this_knee_and_the_other_knee_the_other_way() -> None:
    # knees rolling together to the person's right: the left knee inward, the right outward
    g = _rolled(25.0, -25.0)
    alone = KneeRoll(**SCREEN).seen_from(30, 0)
    pair = KneeRoll(**SCREEN, knees_together=True).seen_from(30, 0)
    left, right = alone.compute(g, "left"), alone.compute(g, "right")
    assert left > 15 and right < -15  # each knee reads its own roll
    assert pair.compute(g, "left") == pytest.approx((left - right) / 2)
    assert pair.compute(g, "right") == pytest.approx((right - left) / 2)
    outward = KneeRoll(**SCREEN, knees_together=True, direction="outward").seen_from(30, 0)
    assert outward.compute(g, "left") == pytest.approx(-pair.compute(g, "left"))


def test_a_misread_knee_counts_half() -> None:
    """The right knee read 20 degrees short (MediaPipe's knee not following the roll): alone
    the working knee reads 5 for a turn of 25, read with the left knee about 15."""
    true = _rolled(-25.0, 25.0)
    misread = _rolled(-25.0, 5.0)
    alone = KneeRoll(**SCREEN).seen_from(30, 0)
    pair = KneeRoll(**SCREEN, knees_together=True).seen_from(30, 0)
    err_alone = alone.compute(misread, "right") - alone.compute(true, "right")
    err_pair = pair.compute(misread, "right") - pair.compute(true, "right")
    assert err_alone < -15
    assert err_pair == pytest.approx(err_alone / 2)


def test_the_other_knee_unseen_leaves_this_knee_alone() -> None:
    gh = PoseGeometry(_pose(-25.0, 25.0).hidden("left_knee"), 0.5)
    pair = KneeRoll(**SCREEN, knees_together=True).seen_from(30, 0)
    alone = KneeRoll(**SCREEN).seen_from(30, 0)
    assert not math.isnan(pair.compute(gh, "right"))
    assert pair.compute(gh, "right") == pytest.approx(alone.compute(gh, "right"))
    assert pair.missing(gh, "right") == ()  # the other knee is not required


def test_supine_hip_rotation_reports_both_knees_and_its_position_reads_one() -> None:
    spec = load_by_id("supine_hip_rotation")
    assert spec.rom is not None
    assert spec.measures[spec.rom.measure].knees_together is True
    assert spec.measures[spec.active.measure].knees_together is False
    assert np.isfinite(spec.measures[spec.rom.measure].compute(_rolled(20.0, -20.0), "left"))


# -- the knee drop's learned scale per knee: far from the camera, or on its side --------------


def _seen_from(azimuth_deg: float) -> PoseGeometry:
    """Both knees rolled 20 inward, the body's camera ``azimuth_deg`` round toward the left."""
    body = Body(posture="supine", left=Leg(roll_deg=20.0, **BENT), right=Leg(roll_deg=20.0, **BENT))
    c = Camera.looking_at_feet(2.3, 1.0, azimuth_deg)
    return PoseGeometry(syn.render(body, c), 0.5, _true_camera(body, c))


@pytest.mark.parametrize("azimuth_deg", [50.0, -50.0])
def test_the_far_knee_and_the_near_knee_take_their_own_scale(azimuth_deg: float) -> None:
    """With the camera round to the person's left (+50), the left knee is on its side (near)
    and the right knee far; from -50 the other way round."""
    g = _seen_from(azimuth_deg)
    plain = KneeRoll(**SCREEN, camera_from="body").seen_from(30, 0)
    scaled = KneeRoll(
        **SCREEN, camera_from="body", far_knee_scale=1.4, near_knee_scale=0.8
    ).seen_from(30, 0)
    near, far = ("left", "right") if azimuth_deg > 0 else ("right", "left")
    assert scaled.compute(g, near) == pytest.approx(0.8 * plain.compute(g, near))
    assert scaled.compute(g, far) == pytest.approx(1.4 * plain.compute(g, far))
    assert plain.compute(g, far) > 10  # a real reading, not a scaled zero


def test_until_the_camera_is_known_no_knee_is_scaled() -> None:
    g = _rolled(20.0, 20.0)  # no body stage: no camera
    plain = KneeRoll(**SCREEN).seen_from(30, 0)
    scaled = KneeRoll(**SCREEN, far_knee_scale=1.4, near_knee_scale=0.8).seen_from(30, 0)
    for side in ("left", "right"):
        assert scaled.compute(g, side) == pytest.approx(plain.compute(g, side))


def test_the_knee_drop_scales_its_number_only() -> None:
    spec = load_by_id("supine_knee_drop")
    assert spec.rom is not None
    number, position = spec.measures[spec.rom.measure], spec.measures[spec.active.measure]
    assert number.far_knee_scale > 1 > number.near_knee_scale
    assert position.far_knee_scale == position.near_knee_scale == 1.0
