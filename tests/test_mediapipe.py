"""Real MediaPipe on real footage, against MediaPipe's own published reference values."""

import json

import numpy as np
import pytest

from posecheck.body.geometry import PoseGeometry
from posecheck.media.source import VideoSource
from posecheck.pose.estimator import MediaPipePoseEstimator
from posecheck.pose.landmarks import index_of
from posecheck.specs.metrics import PelvisHeight

pytestmark = pytest.mark.mediapipe
LEGS = [index_of(f"{s}_{p}") for p in ("hip", "knee", "ankle") for s in ("left", "right")]


def test_squat_clip_matches_mediapipes_reference(media):
    """MediaPipe's reference allows 15 px per coordinate. This clip is 5 fps with large moves
    between frames, where the Tasks graph's tracker and landmark smoother differ from the
    legacy solution's: on hips, knees and ankles the legacy API stayed within 13.8 px (median
    6.2), the Tasks API with the same full model within 17.5 px (median 8.1). Frame by frame
    (IMAGE mode) the two give identical landmarks (max 20.9 px, median 8.9)."""
    reference = np.array(json.loads((media / "pose_squats.full.json").read_text()))
    with MediaPipePoseEstimator() as estimator:
        errors = []
        for frame in VideoSource(media / "pose_squats.mp4").frames():
            pose = estimator.estimate(frame).pose
            assert pose is not None, f"no person in frame {frame.index}"
            errors.append(np.abs(pose.image_xy[LEGS] - reference[frame.index][LEGS, :2]).max())
    assert len(errors) == 65
    assert max(errors) <= 18.0, f"worst frame {int(np.argmax(errors))}: {max(errors):.1f} px"
    assert np.median(errors) <= 10.0, f"median {np.median(errors):.1f} px"


def test_still_image_matches_the_expected_landmarks(media):
    expected = json.loads((media / "pose.expected.json").read_text())
    frame = next(VideoSource(media / "pose.jpg").frames())
    with MediaPipePoseEstimator(still_images=True) as estimator:
        pose = estimator.estimate(frame).pose
    assert pose is not None
    image_err = np.abs(pose.image_xy - np.array(expected["image_px"])).max()
    world_err = np.abs(pose.world_xyz - np.array(expected["world_m"])).max()
    assert image_err <= expected["image_tolerance_px"]
    assert world_err <= expected["world_tolerance_m"]


def test_bridge_clip_pelvis_height_is_low_high_low(media):
    metric = PelvisHeight(metric="pelvis_height")
    heights = []
    with MediaPipePoseEstimator() as estimator:
        for frame in VideoSource(media / "bridging.mp4").frames():
            g = PoseGeometry(estimator.estimate(frame).pose, 0.5)
            assert metric.missing(g, None) == (), f"frame {frame.index}"
            heights.append(metric.compute(g, None))
    h = np.array(heights)  # 91 frames at 30 fps: flat, bridge, flat
    start, middle, end = np.median(h[:10]), np.median(h[30:60]), np.median(h[-6:])
    assert start < 0.05 and end < 0.05
    assert middle > 0.18
    assert middle - max(start, end) > 0.15


def test_no_person_in_an_empty_frame():
    from posecheck.media.source import Frame

    blank = Frame(0, 0.0, np.full((480, 640, 3), 200, np.uint8))
    with MediaPipePoseEstimator(still_images=True) as estimator:
        result = estimator.estimate(blank)
    assert result.pose is None and (result.width, result.height) == (640, 480)


def test_video_mode_takes_repeated_and_backward_timestamps(media):
    """A camera can repeat or step back a timestamp (a restart, a clock change); VIDEO mode
    needs increasing ones, so the estimator keeps them increasing instead of failing."""
    from posecheck.media.source import Frame

    image = next(VideoSource(media / "pose.jpg").frames()).image
    with MediaPipePoseEstimator() as estimator:
        poses = [estimator.estimate(Frame(i, t, image)) for i, t in enumerate([0, 0, 33.4, 20])]
    assert all(p.pose is not None for p in poses)
    assert [p.t_ms for p in poses] == [0, 0, 33.4, 20]  # the frames' own times are kept


def test_a_small_lying_person_is_found_by_looking_closer():
    """A prone sample frame shrunk to 0.6 of its size in the middle of a plain picture: the
    person detector misses it (as it missed the benchmark's far prone clips r0169 and r0182);
    the closer look at the middle (``zoom``) finds it, and its landmarks land where the full
    size frame's landmarks, shrunk the same way, say (median within 6 px)."""
    from pathlib import Path

    import cv2

    from posecheck.media.source import Frame

    video = (
        Path(__file__).resolve().parents[1] / "sample_videos" / "prone_ir_back_arches_female.mp4"
    )
    frame = next(f for f in VideoSource(video).frames() if f.index == 10)
    h, w = frame.image.shape[:2]
    small = cv2.resize(frame.image, (int(w * 0.6), int(h * 0.6)), interpolation=cv2.INTER_AREA)
    canvas = np.full_like(frame.image, frame.image[2, 2])
    y0, x0 = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    canvas[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
    shrunk = Frame(0, 0.0, canvas)
    with MediaPipePoseEstimator(still_images=True, people_probe_s=None, zoom=None) as plain:
        assert plain.estimate(shrunk).pose is None
        full = plain.estimate(Frame(0, 0.0, frame.image)).pose
    assert full is not None
    with MediaPipePoseEstimator(still_images=True, people_probe_s=None) as closer:
        found = closer.estimate(shrunk).pose
        assert closer.describe()["settings"]["zoom_when_nobody"] == [1.5, 2.0]
    assert found is not None
    expected = full.image_xy * 0.6 + np.array([x0, y0])
    assert np.median(np.linalg.norm(found.image_xy - expected, axis=1)) < 6.0
