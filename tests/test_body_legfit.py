"""The leg model fitted through the camera, on synthetic bodies whose hip rotation is known."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.body import camera as cam
from posecheck.body import legfit
from posecheck.body import synthetic as syn
from posecheck.body.synthetic import Body, Camera, Leg

W, H = 640, 480


def _fit(body: Body, c: Camera, side: str = "left") -> legfit.LegFit:
    pose = syn.render(body, c)
    sol = cam.solve_pnp(pose, W, H)
    assert sol is not None
    lengths = legfit.SegmentLengths().update(pose, 0.0)
    fit = legfit.fit_leg(pose, sol, side, lengths, body.posture, W, H)  # type: ignore[arg-type]
    assert fit is not None
    return fit


@pytest.mark.parametrize("azimuth_deg", [-45.0, 45.0, 70.0])
@pytest.mark.parametrize("rotation_deg", [0.0, 20.0, 40.0])
def test_prone_hip_rotation_read_through_the_camera(azimuth_deg: float, rotation_deg: float):
    body = Body(
        posture="prone",
        left=Leg(knee_flexion_deg=90, hip_rotation_deg=rotation_deg),
        right=Leg(knee_flexion_deg=90),
    )
    c = Camera.looking_at_feet(2.0, 0.8, azimuth_deg, body="prone")
    c = Camera(c.position, c.target, focal_px=512.0)
    left, right = _fit(body, c, "left"), _fit(body, c, "right")
    assert left.hip_rotation_deg == pytest.approx(rotation_deg, abs=1.0)
    assert right.hip_rotation_deg == pytest.approx(0.0, abs=1.0)  # the resting leg
    assert left.residual_m < 0.01
    assert 1.0 <= left.uncertainty_deg < 20.0
    # the fitted ankle is where the body's ankle is (same frame as the world landmarks)
    pose = syn.render(body, c)
    assert np.linalg.norm(left.ankle - pose.world_xyz[27]) < 0.02


def test_ray_meets_sphere_at_two_points_or_its_closest():
    near, far, miss = legfit.ray_sphere(
        np.zeros(3), np.array([0.0, 0.0, 1.0]), np.array([0.0, 0.0, 5.0]), 1.0
    )
    assert near == pytest.approx([0, 0, 4]) and far == pytest.approx([0, 0, 6]) and miss == 0
    near, far, miss = legfit.ray_sphere(
        np.zeros(3), np.array([0.0, 0.0, 1.0]), np.array([0.0, 2.0, 5.0]), 1.0
    )
    assert near == pytest.approx([0, 1, 5]) and miss == pytest.approx(1.0)


def test_segment_lengths_take_the_longer_leg_and_freeze_after_the_hold():
    pose = syn.render(Body(posture="standing"), Camera.front_view(2.5, 1.0))
    seg = legfit.SegmentLengths(hold_s=1.0)
    first = dict(seg.update(pose, 0.0))
    p = syn.Proportions()
    assert first["thigh"] == pytest.approx(p.thigh, abs=0.01)
    assert first["shin"] == pytest.approx(p.shin, abs=0.01)
    longer = syn.render(
        Body(posture="standing"), Camera.front_view(2.5, 1.0), syn.Proportions(shin=0.6)
    )
    assert seg.update(longer, 2000.0) == first  # after the hold: fixed
