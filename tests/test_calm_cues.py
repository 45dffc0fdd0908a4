"""Good form is coached calmly: on the good-form sample clips, played as a camera would loop
them for a minute (real MediaPipe once per frame, then the landmarks looped), the session's
cue changes at most 6 times a minute, every cue stays at least 2.5 s, and the good-form clips
never hear "this does not look like" their own stretch."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from posecheck.coaching.pipeline import Pipeline
from posecheck.coaching.session import Coach, Coaching
from posecheck.media.source import VideoSource
from posecheck.pose.estimator import MediaPipePoseEstimator
from posecheck.pose.landmarks import PoseFrame
from posecheck.review.truth import load_truth
from posecheck.specs.schema import load_by_id
from tests.helpers import NoEstimator

pytestmark = pytest.mark.mediapipe
SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
GOOD = sorted(SAMPLES.glob("*_good_*.truth.json"))
MAX_CHANGES_PER_MIN = 6
MIN_SHOW_S = 2.5
LOOP_S = 60.0


def looped_minute(clip: Path) -> list[PoseFrame]:
    """The clip's landmarks, looped with continuous time for a minute."""
    with MediaPipePoseEstimator() as est:
        poses = [est.estimate(f) for f in VideoSource(clip).frames()]
    step_ms = poses[1].t_ms - poses[0].t_ms
    out: list[PoseFrame] = []
    for i in itertools.count():
        pf = poses[i % len(poses)]
        t_ms = i * step_ms
        if t_ms > LOOP_S * 1000:
            return out
        out.append(PoseFrame(i, t_ms, pf.width, pf.height, pf.pose))
    return out  # pragma: no cover


def coach(spec_id: str, frames: list[PoseFrame]) -> list[Coaching]:
    spec = load_by_id(spec_id)
    pipeline = Pipeline(spec, estimator=NoEstimator())
    c = Coach(spec)
    return [c.update(pipeline.process_pose(f)) for f in frames]


@pytest.mark.parametrize("truth_path", GOOD, ids=[p.name.split(".")[0] for p in GOOD])
def test_good_form_gets_few_and_lasting_cues(truth_path: Path) -> None:
    truth = load_truth(truth_path)
    run = coach(
        truth.stretch, looped_minute(truth_path.with_name(truth_path.name.split(".")[0] + ".mp4"))
    )
    texts = [c.cue.text for c in run]
    starts = [0] + [i for i in range(1, len(run)) if texts[i] != texts[i - 1]]
    changes = len(starts) - 1
    minutes = (run[-1].t_ms - run[0].t_ms) / 60000
    said = [texts[i] for i in starts]
    print(f"{truth_path.name}: {changes} changes in {minutes:.1f} min: {said}")
    assert changes / minutes <= MAX_CHANGES_PER_MIN, said
    for a, b in itertools.pairwise(starts):
        if run[a].cue.kind != "no_person":
            assert run[b].t_ms - run[a].t_ms >= MIN_SHOW_S * 1000 - 1, (texts[a], texts[b])
    assert not any(c.wrong_exercise for c in run), said
