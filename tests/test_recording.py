"""Recordings: the format round-trips, bad files are refused clearly, and replaying one gives
the analysis that running the estimator on its video gives."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from posecheck.cli import main
from posecheck.errors import SourceError
from posecheck.media.source import Frame, SourceInfo
from posecheck.pose.landmarks import NUM_LANDMARKS, Pose, PoseFrame
from posecheck.pose.recording import (
    RecordedEstimator,
    is_recording,
    load_recording,
    record_video,
    save_recording,
)
from posecheck.review.analysis import analyze_recording, analyze_video
from posecheck.specs.schema import load_by_id

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
INFO = SourceInfo("clip.mp4", "video", 640, 480, 10.0, 3)
WHO = {"name": "test", "package": "none", "package_version": None, "settings": {}}


def frames() -> list[PoseFrame]:
    rng = np.random.default_rng(1)
    pose = Pose(
        rng.uniform(0, 640, (NUM_LANDMARKS, 2)),
        rng.uniform(0, 1, NUM_LANDMARKS),
        rng.uniform(-1, 1, (NUM_LANDMARKS, 3)),
    )
    no_world = Pose(pose.image_xy + 1.0, pose.visibility, None)
    return [
        PoseFrame(0, 0.0, 640, 480, pose),
        PoseFrame(1, 100.0, 640, 480, None),
        PoseFrame(2, 200.0, 640, 480, no_world),
    ]


def test_round_trip_keeps_every_value_within_its_rounding(tmp_path: Path):
    path = save_recording(tmp_path / "a.pose.json.gz", frames(), INFO, WHO, "abc")
    rec = load_recording(path)
    assert is_recording(path)
    assert rec.estimator == WHO
    assert rec.source["sha256"] == "abc"
    assert rec.info.width == 640 and rec.info.fps == 10.0 and rec.info.frame_count == 3
    want = frames()
    assert [f.t_ms for f in rec.frames] == [0.0, 100.0, 200.0]
    assert rec.frames[1].pose is None
    assert rec.frames[2].pose.world_xyz is None
    got = rec.frames[0].pose
    assert np.abs(got.image_xy - want[0].pose.image_xy).max() <= 0.005 + 1e-9
    assert np.abs(got.visibility - want[0].pose.visibility).max() <= 0.0005 + 1e-9
    assert np.abs(got.world_xyz - want[0].pose.world_xyz).max() <= 0.00005 + 1e-9


def test_people_are_recorded_and_version_1_still_reads(tmp_path: Path):
    """Version 2 keeps who was followed among how many; a version 1 file (no people columns)
    reads as one person, never switched."""
    two = frames()
    two[2] = replace(two[2], others_in_view=1, followed="on the left of the picture")
    two[0] = replace(two[0], switched=True)
    path = save_recording(tmp_path / "a.pose.json.gz", two, INFO, WHO)
    rec = load_recording(path)
    assert [(f.others_in_view, f.followed, f.switched) for f in rec.frames] == [
        (0, "", True),
        (0, "", False),
        (1, "on the left of the picture", False),
    ]
    with gzip.open(path, "rt") as fh:
        doc = json.load(fh)
    assert doc["version"] == 2
    for column in ("others", "followed", "switched"):
        del doc["frames"][column]
    old = load_recording(_write(tmp_path / "v1.pose.json.gz", {**doc, "version": 1}))
    assert [(f.others_in_view, f.followed, f.switched) for f in old.frames] == [(0, "", False)] * 3
    assert old.frames[0].pose is not None


def test_recorded_estimator_answers_per_frame_index(tmp_path: Path):
    rec = load_recording(save_recording(tmp_path / "a.pose.json.gz", frames(), INFO, WHO))
    est = RecordedEstimator(rec)
    image = np.zeros((480, 640, 3), np.uint8)
    assert est.estimate(Frame(1, 100.0, image)).pose is None
    assert est.estimate(Frame(0, 0.0, image)).pose is not None
    with pytest.raises(SourceError, match="another video"):
        est.estimate(Frame(7, 700.0, image))


def _write(path: Path, doc: object) -> Path:
    with gzip.open(path, "wt") as fh:
        json.dump(doc, fh)
    return path


def test_bad_files_are_refused_with_what_to_do(tmp_path: Path):
    good = save_recording(tmp_path / "a.pose.json.gz", frames(), INFO, WHO)
    with gzip.open(good, "rt") as fh:
        doc = json.load(fh)
    with pytest.raises(SourceError, match="no such file"):
        load_recording(tmp_path / "missing.pose.json.gz")
    (tmp_path / "text.pose.json.gz").write_text("not gzip")
    with pytest.raises(SourceError, match="Record the video again"):
        load_recording(tmp_path / "text.pose.json.gz")
    with pytest.raises(SourceError, match="not a posecheck recording"):
        load_recording(_write(tmp_path / "other.pose.json.gz", {"format": "x"}))
    with pytest.raises(SourceError, match="version 3"):
        load_recording(_write(tmp_path / "new.pose.json.gz", {**doc, "version": 3}))
    lost = {**doc, "frames": {**doc["frames"], "switched": [0]}}
    with pytest.raises(SourceError, match="people columns"):
        load_recording(_write(tmp_path / "lost.pose.json.gz", lost))
    cut = {**doc, "frames": {**doc["frames"], "visibility": doc["frames"]["visibility"][:1]}}
    with pytest.raises(SourceError, match="damaged recording"):
        load_recording(_write(tmp_path / "cut.pose.json.gz", cut))


def test_cli_refuses_annotating_a_recording(tmp_path: Path, capsys):
    good = save_recording(tmp_path / "a.pose.json.gz", frames(), INFO, WHO)
    code = main(
        [
            "analyze",
            str(good),
            "--stretch",
            "prone_internal_rotation",
            "--annotate",
            str(tmp_path / "x.mp4"),
        ]
    )
    assert code == 2
    assert "needs the video" in capsys.readouterr().err


@pytest.mark.mediapipe
def test_replaying_a_recording_gives_the_estimators_analysis(tmp_path: Path, capsys):
    clip = SAMPLES / "supine_knee_drop_too_fast_male.mp4"
    spec = load_by_id("supine_knee_drop")
    rec_path = tmp_path / "clip.pose.json.gz"
    rec = record_video(clip, rec_path)
    assert rec.estimator["package"] == "mediapipe"
    assert rec.estimator["package_version"]
    assert rec_path.stat().st_size < 50_000
    live = analyze_video(clip, spec)
    replay = analyze_recording(rec_path, spec)
    assert len(replay.records) == len(live.records)
    said = {r.cue for r in live.records} | {r.cue for r in replay.records}
    assert not any("Hold still" in c for c in said)  # a recorded person can't be asked to act
    for a, b in zip(live.records, replay.records, strict=True):
        assert (a.index, a.t_ms, a.state, a.working_side, a.faults) == (
            b.index,
            b.t_ms,
            b.state,
            b.working_side,
            b.faults,
        )
        for x, y in ((a.rom_left_deg, b.rom_left_deg), (a.rom_right_deg, b.rom_right_deg)):
            assert (x is None) == (y is None)
            if x is not None:
                assert abs(x - y) < 0.05
    s, r = live.summary, replay.summary
    assert [(e.fault_id, e.side, e.start_ms, e.end_ms) for e in s.faults] == [
        (e.fault_id, e.side, e.start_ms, e.end_ms) for e in r.faults
    ]
    assert s.reps == r.reps
    assert [(h.side, h.start_ms, h.end_ms) for h in s.holds] == [
        (h.side, h.start_ms, h.end_ms) for h in r.holds
    ]
    # and the command line replays it the same way
    assert main(["analyze", str(rec_path), "--stretch", "supine_knee_drop", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["reps"] == dict(s.reps)
    assert len(report["faults"]) == len(s.faults)
