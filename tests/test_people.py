"""More than one person in view (issue #10): follow one person, never switch silently, and say
so in the CLI, the report, the Replay page's warnings and the live notice."""

from __future__ import annotations

import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from posecheck.coaching.live import LiveProcessor
from posecheck.coaching.pipeline import Pipeline
from posecheck.media.source import VideoSource
from posecheck.pose.landmarks import Pose, PoseFrame
from posecheck.pose.people import MIN_FRAMES, Box, PeopleTally, PersonFollower, live_notice
from posecheck.pose.smoothing import PoseSmoother
from posecheck.review.analysis import analyze_video
from posecheck.specs.schema import load_by_id
from tests.clips import write_clip


def test_the_start_takes_the_largest_most_central_person():
    small_centre, large_side = Box(0.5, 0.5, 0.3), Box(0.15, 0.5, 0.6)
    choice = PersonFollower().choose([small_centre, large_side])
    assert choice.index == 1 and choice.others == 1
    assert choice.followed == "on the left of the picture" and not choice.switched
    # same size: the central one
    assert PersonFollower().choose([Box(0.1, 0.5, 0.5), Box(0.55, 0.5, 0.5)]).index == 1


def test_the_same_person_is_followed_whatever_order_the_model_lists_them():
    follower = PersonFollower()
    me, other = Box(0.7, 0.5, 0.4), Box(0.25, 0.5, 0.5)
    assert follower.choose([me, other]).index == 1  # the larger one, at the start
    follower = PersonFollower()
    follower.choose([Box(0.7, 0.5, 0.6)])  # alone first
    for step in range(5):
        moved = Box(0.7 - 0.01 * step, 0.5, 0.4)
        c = follower.choose([other, moved] if step % 2 else [moved, other])
        assert c.index == (1 if step % 2 else 0), step
        assert c.followed == "on the right of the picture" and not c.switched


def test_a_change_of_person_is_never_silent():
    follower = PersonFollower()
    me, other = Box(0.3, 0.5, 0.4), Box(0.75, 0.5, 0.4)
    follower.choose([me, other])
    c = follower.choose([other])  # the followed person left; only the other one remains
    assert c.switched and c.others == 0
    assert not follower.choose([other]).switched  # and then keeps to them
    # one person alone moving across the picture is not a change of person
    alone = PersonFollower()
    alone.choose([me])
    assert not alone.choose([other]).switched


def test_one_body_outlined_twice_is_one_person():
    c = PersonFollower().choose([Box(0.5, 0.5, 0.5), Box(0.52, 0.51, 0.45)])
    assert c.others == 0 and c.followed == ""


def _frame(i: int, others: int, switched: bool = False) -> PoseFrame:
    return PoseFrame(i, i * 100.0, 640, 480, None, others, "on the left of the picture", switched)


def test_the_warning_needs_a_few_frames_and_names_whom_it_follows():
    tally = PeopleTally()
    for i in range(MIN_FRAMES - 1):
        tally.update(_frame(i, 1))
    assert tally.warning() is None  # a ghost in a frame or two is not a second person
    tally.update(_frame(30, 1, switched=True))
    text = tally.warning()
    assert text.startswith("more than one person is in view (from 0.0 s to 3.0 s)")
    assert "follows the person on the left of the picture" in text
    assert "changed at 3.0 s" in text and "\n" not in text
    quiet = PeopleTally()
    for i in range(50):
        quiet.update(_frame(i, 0))
    assert quiet.warning() is None
    photo = PeopleTally()  # one frame is all a photo has
    photo.update(_frame(0, 1))
    assert photo.warning().startswith("more than one person is in the picture; the analysis is")


def test_live_notice_is_calm_and_says_whom_coaching_follows():
    assert live_notice(_frame(0, 0)) is None
    assert live_notice(_frame(0, 1)) == (
        "Someone else is in view. Coaching follows the person on the left of the picture."
    )
    assert live_notice(_frame(0, 2)).startswith("Other people are in view.")


def test_smoothing_keeps_the_people_fields_and_restarts_on_a_change_of_person():
    smoother = PoseSmoother()
    a = Pose(np.full((33, 2), 100.0), np.ones(33))
    b = Pose(np.full((33, 2), 500.0), np.ones(33))
    smoother(PoseFrame(0, 0.0, 640, 480, a, 1, "on the left of the picture"))
    out = smoother(PoseFrame(1, 100.0, 640, 480, b, 1, "on the left of the picture", True))
    assert out.others_in_view == 1 and out.switched
    assert np.allclose(out.pose.image_xy, 500.0)  # not blended with the other person


# -- real MediaPipe on clips made here from shared footage ------------------------------------


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "posecheck", *args], capture_output=True, text=True, timeout=300
    )


def _lines_about_people(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if "more than one person" in line]


@pytest.mark.mediapipe
def test_two_people_in_view_are_stated_and_one_person_is_not(media, tmp_path):
    """pose_squats.mp4 (one woman) beside a mirrored copy of itself: two people. The CLI prints
    one warning line and the report lists it; the clip alone prints no such warning."""
    frames = [f.image for f in VideoSource(media / "pose_squats.mp4").frames()]
    pair = write_clip(
        tmp_path / "two_people.mp4", [np.hstack([f, f[:, ::-1]]) for f in frames], fps=5
    )
    report = tmp_path / "report.json"
    proc = _run(
        "analyze", str(pair), "--stretch", "standing_band_rotation", "--report", str(report)
    )
    assert proc.returncode == 0, proc.stderr
    lines = _lines_about_people(proc.stdout)
    assert len(lines) == 1 and lines[0].strip().startswith("warning: more than one person")
    assert "follows the person on the" in lines[0]
    warnings = json.loads(report.read_text())["warnings"]
    assert any(w.startswith("more than one person is in view") for w in warnings)

    alone = _run("analyze", str(media / "pose_squats.mp4"), "--stretch", "standing_band_rotation")
    assert alone.returncode == 0, alone.stderr
    assert _lines_about_people(alone.stdout) == []
    assert "warning" not in alone.stdout


@pytest.mark.mediapipe
def test_live_coaching_notices_someone_else_in_view(media):
    """The live path (real MediaPipe, frames submitted as a camera would): a calm notice while
    two people are in view, none while one is."""
    frames = [f.image for f in VideoSource(media / "pose_squats.mp4").frames()][:12]
    spec = load_by_id("standing_band_rotation")
    for images, crowd in ((frames, False), ([np.hstack([f, f[:, ::-1]]) for f in frames], True)):
        proc = LiveProcessor(lambda: Pipeline(spec))
        notices = []
        for i, image in enumerate(images):
            out = proc.wait_for(proc.submit(image, capture_s=i * 0.2), timeout_s=60)
            notices.append(live_notice(out.step.pose_frame))
        proc.close()
        if crowd:
            assert all(n and n.startswith("Someone else is in view.") for n in notices), notices
        else:
            assert not any(notices), notices


@pytest.mark.mediapipe
def test_a_photo_of_two_people_says_so(media, tmp_path):
    image = cv2.imread(str(media / "pose.jpg"))
    photo = tmp_path / "two.jpg"
    cv2.imwrite(str(photo), np.hstack([image, image[:, ::-1]]))
    spec = load_by_id("standing_band_rotation")
    (warning,) = analyze_video(photo, spec).source.warnings
    assert warning.startswith("more than one person is in the picture; the analysis is about")
    assert analyze_video(media / "pose.jpg", spec).source.warnings == ()
