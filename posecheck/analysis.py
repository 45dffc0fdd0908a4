"""The whole pipeline, frame by frame (live) or over a file (offline).

source -> estimator -> smoothing -> body (camera, leg model) -> checker -> feedback -> overlay,
with a per-frame record
kept for the report. ``Pipeline`` serves the live app one frame at a time;
``analyze_video`` runs a file and returns an :class:`Analysis`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from posecheck.body.camera import UNKNOWN_CAMERA, CameraEstimate, posture_from_position
from posecheck.body.stage import EMPTY_BODY, BodyStage, BodyState
from posecheck.coaching.checker import CheckResult, StretchChecker, Summary
from posecheck.coaching.feedback import Cue, CueSelector
from posecheck.coaching.pacing import FrameSampler, analysis_rate_hz, read_ahead
from posecheck.coaching.posture import read_posture
from posecheck.media.source import Frame, SourceInfo, VideoSource
from posecheck.media.video_out import Mp4Writer
from posecheck.overlay import annotate
from posecheck.pose.estimator import MediaPipePoseEstimator, PoseEstimator
from posecheck.pose.landmarks import PoseFrame
from posecheck.pose.people import PeopleTally
from posecheck.pose.recording import RecordedEstimator, load_recording
from posecheck.pose.smoothing import OneEuroParams, PoseSmoother
from posecheck.specs.schema import StretchSpec

Progress = Callable[[int, int], None]  # (frames done, frames in all; 0 when unknown)


@dataclass(frozen=True)
class Step:
    """What the pipeline made of one frame."""

    pose_frame: PoseFrame
    result: CheckResult
    cue: Cue
    body: BodyState = EMPTY_BODY  # the camera and the fitted legs


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
    posture: str = "unsure"  # posture.PostureReading.key: "upright", "lying/knees_up", ...

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
            read_posture(step.pose_frame.pose).key,
        )


@dataclass(frozen=True)
class Analysis:
    source: SourceInfo
    spec: StretchSpec
    records: tuple[FrameRecord, ...]
    summary: Summary
    camera: CameraEstimate = UNKNOWN_CAMERA  # estimated from the body, at the end


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
        self.body = BodyStage(
            posture_from_position(spec.position),
            fit_legs=any(getattr(m, "space", None) == "model" for m in spec.measures.values()),
            min_visibility=spec.min_visibility,
        )
        self.checker = StretchChecker(spec)
        self.cues = CueSelector(spec)

    def process(self, frame: Frame) -> Step:
        return self.process_pose(self.estimator.estimate(frame))

    def process_pose(self, pose_frame: PoseFrame) -> Step:
        """The stages after the estimator (for recorded or synthetic landmarks)."""
        if self.smoother is not None:
            pose_frame = self.smoother(pose_frame)
        body = self.body.update(pose_frame)
        result = self.checker.update(pose_frame, body)
        return Step(pose_frame, result, self.cues.update(result), body)

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
    model: str | Path | None = None,
    rate_hz: float | None = None,
    rotate_deg: int = 0,
) -> Analysis:
    """Run a whole video (or still image) through the pipeline.

    Frames are decoded ahead in a thread. The pose model sees ``rate_hz`` frames a second
    (default: the spec's own rate, :func:`posecheck.coaching.pacing.analysis_rate_hz`; ``math.inf``:
    every frame); frames in between repeat the last result in the records and the annotated
    video. ``model`` picks the pose model (see :class:`TasksPoseEstimator`); ``rotate_deg``
    turns the pictures clockwise first (a camera that stood on its side).
    """
    source = VideoSource(path, rotate_deg=rotate_deg)
    info = source.info
    pipeline = Pipeline(
        spec,
        estimator or MediaPipePoseEstimator(still_images=info.kind == "image", model=model),
    )
    writer = (
        Mp4Writer(annotate_to, info.width, info.height, info.fps or 10) if annotate_to else None
    )
    sample = FrameSampler(analysis_rate_hz(spec) if rate_hz is None else rate_hz, info.fps)
    records: list[FrameRecord] = []
    step: Step | None = None
    people = PeopleTally()
    finished = False
    try:
        for frame in read_ahead(source.frames()):
            if sample(frame.t_ms) or step is None:
                step = pipeline.process(frame)
                people.update(step.pose_frame)
                records.append(FrameRecord.from_step(step))
            else:
                records.append(replace(records[-1], index=frame.index, t_ms=frame.t_ms))
            if writer is not None:
                writer.write(pipeline.draw(frame.image, step), frame.t_ms)
            if progress is not None:
                progress(frame.index + 1, info.frame_count)
        finished = True
    finally:
        pipeline.close()
        if writer is not None:  # a failed or interrupted run leaves no partial video
            writer.close() if finished else writer.discard()
    info = source.decoded_info()
    if (crowd := people.warning()) is not None:
        info = replace(info, warnings=(*info.warnings, crowd))
    return Analysis(
        info, spec, tuple(records), pipeline.checker.summary(), pipeline.body.camera.estimate
    )


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
    return Analysis(
        recording.info,
        spec,
        tuple(records),
        pipeline.checker.summary(),
        pipeline.body.camera.estimate,
    )
