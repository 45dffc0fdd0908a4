"""The whole pipeline, frame by frame (live) or over a file (offline).

source -> estimator -> smoothing -> checker -> feedback -> overlay, with a per-frame record
kept for the report. ``Pipeline`` serves the live app one frame at a time;
``analyze_video`` runs a file and returns an :class:`Analysis`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posecheck.checker import CheckResult, StretchChecker, Summary
from posecheck.estimator import MediaPipePoseEstimator, PoseEstimator
from posecheck.feedback import Cue, CueSelector
from posecheck.landmarks import PoseFrame
from posecheck.overlay import annotate
from posecheck.recording import RecordedEstimator, load_recording
from posecheck.smoothing import OneEuroParams, PoseSmoother
from posecheck.source import Frame, SourceInfo, VideoSource
from posecheck.spec import StretchSpec
from posecheck.video_out import Mp4Writer

Progress = Callable[[int, int], None]  # (frames done, frames in all; 0 when unknown)


@dataclass(frozen=True)
class Step:
    """What the pipeline made of one frame."""

    pose_frame: PoseFrame
    result: CheckResult
    cue: Cue


@dataclass(frozen=True)
class FrameRecord:
    """One frame of the per-frame table (JSON / CSV export, charts)."""

    index: int
    t_ms: float
    state: str
    working_side: str | None
    rom_left_deg: float | None
    rom_right_deg: float | None
    hold_s: float
    faults: tuple[str, ...]  # "fault_id:side"
    cue: str

    @staticmethod
    def from_step(step: Step) -> FrameRecord:
        r = step.result

        def clean(v: float) -> float | None:
            return None if math.isnan(v) else round(v, 2)

        return FrameRecord(
            r.index,
            r.t_ms,
            r.state,
            r.working_side,
            clean(r.rom("left")),
            clean(r.rom("right")),
            round(r.hold_s, 2),
            tuple(f"{f.fault_id}:{f.side or 'none'}" for f in r.active_faults),
            step.cue.text,
        )


@dataclass(frozen=True)
class Analysis:
    source: SourceInfo
    spec: StretchSpec
    records: tuple[FrameRecord, ...]
    summary: Summary


class Pipeline:
    """Estimator + smoothing + checker + cue selection for one stretch, one frame at a time."""

    def __init__(
        self,
        spec: StretchSpec,
        estimator: PoseEstimator | None = None,
        smoothing: OneEuroParams | None = None,
        smooth: bool = True,
    ) -> None:
        self.spec = spec
        self.estimator = estimator or MediaPipePoseEstimator()
        self.smoother = PoseSmoother(smoothing) if smooth else None
        self.checker = StretchChecker(spec)
        self.cues = CueSelector(spec)

    def process(self, frame: Frame) -> Step:
        return self.process_pose(self.estimator.estimate(frame))

    def process_pose(self, pose_frame: PoseFrame) -> Step:
        """The stages after the estimator (for recorded or synthetic landmarks)."""
        if self.smoother is not None:
            pose_frame = self.smoother(pose_frame)
        result = self.checker.update(pose_frame)
        return Step(pose_frame, result, self.cues.update(result))

    def draw(self, image: np.ndarray, step: Step) -> np.ndarray:
        return annotate(image, step.pose_frame, self.spec, step.result, step.cue)

    def close(self) -> None:
        self.estimator.close()


def analyze_video(
    path: str | Path,
    spec: StretchSpec,
    *,
    annotate_to: str | Path | None = None,
    progress: Progress | None = None,
    estimator: PoseEstimator | None = None,
) -> Analysis:
    """Run a whole video (or still image) through the pipeline."""
    source = VideoSource(path)
    info = source.info
    pipeline = Pipeline(
        spec, estimator or MediaPipePoseEstimator(still_images=info.kind == "image")
    )
    writer = (
        Mp4Writer(annotate_to, info.width, info.height, info.fps or 10) if annotate_to else None
    )
    records: list[FrameRecord] = []
    try:
        for frame in source.frames():
            step = pipeline.process(frame)
            records.append(FrameRecord.from_step(step))
            if writer is not None:
                writer.write(pipeline.draw(frame.image, step))
            if progress is not None:
                progress(frame.index + 1, info.frame_count)
    finally:
        pipeline.close()
        if writer is not None:
            writer.close()
    return Analysis(info, spec, tuple(records), pipeline.checker.summary())


def analyze_recording(
    path: str | Path, spec: StretchSpec, *, progress: Progress | None = None
) -> Analysis:
    """Replay a recording (``*.pose.json.gz``) through the pipeline: no video, no estimator."""
    recording = load_recording(path)
    estimator = RecordedEstimator(recording)
    pipeline = Pipeline(spec, estimator)
    records: list[FrameRecord] = []
    frames = estimator.frames()
    for pose_frame in frames:
        records.append(FrameRecord.from_step(pipeline.process_pose(pose_frame)))
        if progress is not None:
            progress(pose_frame.index + 1, len(frames))
    return Analysis(recording.info, spec, tuple(records), pipeline.checker.summary())
