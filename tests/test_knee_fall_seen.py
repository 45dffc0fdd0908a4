"""The knee drop's other knee read through the camera (`knee_fall_seen`, session 14).

Exact synthetic bodies, the camera estimate set to the true view: a roll of the knee about
its hip-ankle line reads along the way the camera draws it; a knee point moved across and up
the picture (MediaPipe copying the working knee onto the resting one, dev r2013 and r2063)
reads against it, where the on-screen `drop` read it as a fall.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from posecheck.body.camera import UNKNOWN_CAMERA, CameraEstimate
from posecheck.body.geometry import PoseGeometry
from posecheck.body.stage import BodyState
from posecheck.body.synthetic import Body, Camera, Leg, render
from posecheck.pose.landmarks import index_of
from posecheck.specs.metrics import KneeFallSeen
from posecheck.specs.schema import load_by_id

SPEC = load_by_id("supine_knee_drop")
LINE = next(f for f in SPEC.faults if f.id == "other_knee_falls").above
FALL = KneeFallSeen(metric="knee_fall_seen")
BENT = {"hip_flexion_deg": 45.0, "knee_flexion_deg": 90.0}


def _camera(azimuth_deg: float) -> tuple[Camera, CameraEstimate]:
    """A camera beyond the feet, ``azimuth_deg`` round toward the person's left, and the
    body's camera estimate of it, exact."""
    cam = Camera.looking_at_feet(2.3, 1.0, azimuth_deg)
    d = np.array(cam.position) - np.array(cam.target)
    el = math.degrees(math.atan2(d[1], math.hypot(d[0], d[2])))
    est = CameraEstimate(
        azimuth_deg, el, float(np.linalg.norm(d)), 0.0, cam.focal_px, 0.0, 0.0, 1, 0.0
    )
    return cam, est


def _geometry(azimuth_deg: float, left_roll: float = 0.0, right_roll: float = 0.0):
    cam, est = _camera(azimuth_deg)
    body = Body(
        "supine",
        left=Leg(**BENT, roll_deg=left_roll),
        right=Leg(**BENT, roll_deg=right_roll),
    )
    pose = render(body, cam)
    return PoseGeometry(pose, 0.5, BodyState(est, width=cam.width, height=cam.height))


def _rolled(azimuth_deg: float, side: str, roll_deg: float) -> PoseGeometry:
    return _geometry(azimuth_deg, **{f"{side}_roll": roll_deg})


def _change(metric, g0: PoseGeometry, g1: PoseGeometry, side: str) -> float:
    return metric.compute(g1, side) - metric.compute(g0, side)


@pytest.mark.parametrize("azimuth_deg", [-60.0, -45.0, 45.0, 60.0])
@pytest.mark.parametrize("side", ["left", "right"])
def test_a_roll_outward_reads_positive_and_grows_from_either_side(
    azimuth_deg: float, side: str
) -> None:
    # the synthetic leg's roll is inward positive: outward is negative
    rest = _rolled(azimuth_deg, side, 0.0)
    outward = [_change(FALL, rest, _rolled(azimuth_deg, side, -r), side) for r in (10, 20, 30)]
    inward = _change(FALL, rest, _rolled(azimuth_deg, side, 10.0), side)
    assert 0 < outward[0] < outward[1] < outward[2], outward
    assert inward < 0
    # a 30-degree fall is past the spec's line from either side, near knee or far
    assert outward[2] > LINE + 0.1, outward


def _moved(g: PoseGeometry, part: str, by_px: np.ndarray) -> PoseGeometry:
    xy = np.array(g.pose.image_xy)
    xy[index_of(part)] += by_px
    return PoseGeometry(replace(g.pose, image_xy=xy), g.min_visibility, g.body)


@pytest.mark.parametrize(("azimuth_deg", "side"), [(45.0, "left"), (-45.0, "right")])
def test_a_knee_copied_across_and_up_the_picture_is_not_a_fall(
    azimuth_deg: float, side: str
) -> None:
    """Dev r2013 (43 degrees round, the left knee at rest, near the camera): MediaPipe moved
    the resting knee across the picture and a little up as the other knee dropped, where the
    falls of r0261 and r0313 (the same view) moved across and down. Emulated: the knee point
    moved as far as a true 25-degree fall moves it, turned 50 degrees up the picture."""
    rest = _rolled(azimuth_deg, side, 0.0)
    fall = _rolled(azimuth_deg, side, -25.0)
    knee = f"{side}_knee"
    step = fall.image(knee) - rest.image(knee)
    up = math.radians(50.0) * (1.0 if step[0] > 0 else -1.0)  # toward -y on screen
    c, s = math.cos(up), math.sin(up)
    turned = np.array([c * step[0] + s * step[1], -s * step[0] + c * step[1]])
    assert turned[1] < step[1]  # up the picture from the fall's way
    copied = _moved(rest, knee, turned)
    drop = SPEC.measures["drop"]
    assert _change(drop, rest, copied, side) < -12  # the old rule's fault
    assert _change(FALL, rest, copied, side) < LINE  # not a fall now
    assert _change(FALL, rest, fall, side) > LINE  # the true fall still is


def test_unknown_until_the_body_camera_is_known() -> None:
    g = _geometry(45.0)
    bare = PoseGeometry(g.pose, 0.5)
    assert math.isnan(FALL.compute(bare, "left"))
    assert FALL.needs_body_camera
    # the first frames: a body stage whose camera is not known yet
    unknown = PoseGeometry(g.pose, 0.5, replace(g.body, camera=UNKNOWN_CAMERA))
    assert math.isnan(FALL.compute(unknown, "left"))
    assert math.isfinite(FALL.compute(g, "left"))  # the same frame with its camera


def test_the_rise_counts_against_the_move_to_the_side() -> None:
    """The same knee point moved straight up the picture: no rise weight reads it by its
    move along the side alone; the spec's weight (2) reads it lower."""
    rest = _geometry(45.0)
    up = _moved(rest, "left_knee", np.array([0.0, -15.0]))
    plain = KneeFallSeen(metric="knee_fall_seen", rise_weight=0.0)
    assert _change(FALL, rest, up, "left") < _change(plain, rest, up, "left")
    inward = KneeFallSeen(metric="knee_fall_seen", direction="inward", rise_weight=0.0)
    assert _change(inward, rest, up, "left") == pytest.approx(-_change(plain, rest, up, "left"))


def _seen_short(true_azimuth_deg: float, seen_azimuth_deg: float, right_roll: float):
    """The body rendered from ``true_azimuth_deg`` round, its camera estimated at
    ``seen_azimuth_deg`` (the estimate's elevation and distance the true camera's)."""
    g = _geometry(true_azimuth_deg, right_roll=right_roll)
    est = replace(g.body.camera, azimuth_deg=seen_azimuth_deg)
    return PoseGeometry(g.pose, 0.5, replace(g.body, camera=est))


@pytest.mark.parametrize("seen_azimuth_deg", [60.0, 53.0, 48.0])
def test_the_far_knee_fall_reads_down_so_the_rise_term_adds_to_it(
    seen_azimuth_deg: float,
) -> None:
    """Session 14 follow-up (docs/measurement.md 20.8): the far knee's fall reads short, and
    the body's camera stands short of its true azimuth (53 for the advised 60 on an exact
    body, 48 on the far-leg sample clip). Counting the rise less for the far knee does not
    help: its fall goes down the picture of the floor's up, so the rise term adds to it
    (dev and the sample clip agree: a lower weight read the sample's far fall 0.07 at 0, 0.13
    at 2)."""
    rest = _seen_short(60.0, seen_azimuth_deg, 0.0)
    fall = _seen_short(60.0, seen_azimuth_deg, -25.0)
    plain = KneeFallSeen(metric="knee_fall_seen", rise_weight=0.0)
    heavy = KneeFallSeen(metric="knee_fall_seen", rise_weight=3.0)
    without = _change(plain, rest, fall, "right")
    spec_weight = _change(FALL, rest, fall, "right")
    assert 0 < without < spec_weight < _change(heavy, rest, fall, "right")
