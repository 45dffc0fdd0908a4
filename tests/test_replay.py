"""Recorded landmarks replayed: MediaPipe's reference landmarks for the squat clip, read from
../shared/media, go through geometry as if they came from the estimator."""

import json

import numpy as np

from posecheck.body.geometry import PoseGeometry
from posecheck.pose.landmarks import NUM_LANDMARKS, Pose, PoseFrame
from posecheck.specs.metrics import JointFlexion


def recorded_frames(media) -> list[PoseFrame]:
    data = np.array(json.loads((media / "pose_squats.full.json").read_text()))
    ones = np.ones(NUM_LANDMARKS)
    return [PoseFrame(i, i * 200.0, 720, 1280, Pose(xy[:, :2], ones)) for i, xy in enumerate(data)]


def count_cycles(values: np.ndarray, high: float, low: float) -> int:
    """Rises above ``high`` after having been below ``low``: one squat each."""
    count, armed = 0, True
    for v in values:
        if armed and v > high:
            count, armed = count + 1, False
        elif v < low:
            armed = True
    return count


def test_recorded_squats_show_deep_knee_bends_on_both_sides(media):
    frames = recorded_frames(media)
    knee = JointFlexion(metric="joint_flexion", joint="knee", space="image")
    for side in ("left", "right"):
        flex = np.array([knee.compute(PoseGeometry(f.pose, 0.5), side) for f in frames])
        assert np.nanmin(flex) < 10  # standing
        assert np.nanmax(flex) > 80  # deep squat (seen from the front, so foreshortened)
        assert count_cycles(flex, high=70, low=30) == 3  # the clip holds three squats
