"""One Euro smoothing: less jitter when still, little lag when moving, no stale values."""

import numpy as np

from posecheck.pose.landmarks import NUM_LANDMARKS, Pose, PoseFrame
from posecheck.pose.smoothing import OneEuroFilter, OneEuroParams, PoseSmoother


def test_jitter_is_reduced_on_a_still_point():
    rng = np.random.default_rng(0)
    f = OneEuroFilter(OneEuroParams())
    raw = 100 + rng.normal(0, 2.0, (300, 1, 2))
    out = np.array([f(x, i / 30) for i, x in enumerate(raw)])
    assert out[50:].std() < 0.6 * raw[50:].std()


def test_a_moving_point_is_followed_with_little_lag():
    f = OneEuroFilter(OneEuroParams())
    xs = [np.array([[i * 10.0, 0.0]]) for i in range(60)]  # 300 px/s at 30 fps
    out = [f(x, i / 30)[0, 0] for i, x in enumerate(xs)]
    assert abs(out[-1] - xs[-1][0, 0]) < 25  # under 3 frames of lag


def test_hidden_landmarks_pass_through_and_people_leaving_reset():
    sm = PoseSmoother()
    vis = np.ones(NUM_LANDMARKS)
    a = Pose(np.zeros((NUM_LANDMARKS, 2)), vis)
    sm(PoseFrame(0, 0.0, 640, 480, a))
    vis_b = vis.copy()
    vis_b[25] = 0.0
    b = Pose(np.full((NUM_LANDMARKS, 2), 100.0), vis_b)
    out = sm(PoseFrame(1, 33.0, 640, 480, b)).pose
    assert out.image_xy[25, 0] == 100.0  # not visible: not dragged toward the old value
    assert out.image_xy[0, 0] < 100.0  # visible: smoothed
    assert sm(PoseFrame(2, 66.0, 640, 480, None)).pose is None
    c = sm(PoseFrame(3, 99.0, 640, 480, b)).pose
    assert c.image_xy[0, 0] == 100.0  # fresh start after nobody was in view
