"""A file (video, still image or recording) run through the per-frame pipeline.

``analyze_video`` decodes a file and runs :class:`~posecheck.coaching.pipeline.Pipeline` over it,
returning an :class:`Analysis` (the per-frame records and the checker's summary) for the report,
the Replay page and the history. An annotated copy of the video is drawn by a face (the CLI or
the app passes :func:`posecheck.overlay.annotate_step` as ``draw``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from posecheck.body.camera import UNKNOWN_CAMERA, CameraEstimate
from posecheck.coaching.checker import Summary
from posecheck.coaching.framing import camera_advice
from posecheck.coaching.pacing import FrameSampler, analysis_rate_hz, read_ahead
from posecheck.coaching.pipeline import FrameRecord, Pipeline, Step
from posecheck.media.source import SourceInfo, VideoSource
from posecheck.media.video_out import Mp4Writer
from posecheck.pose.estimator import MediaPipePoseEstimator, PoseEstimator
from posecheck.pose.people import PeopleTally
from posecheck.pose.recording import RecordedEstimator, load_recording
from posecheck.specs.schema import StretchSpec

Progress = Callable[[int, int], None]  # (frames done, frames in all; 0 when unknown)
#: Draws one step on its picture for the annotated video (``posecheck.overlay.annotate_step``).
Draw = Callable[[np.ndarray, Step, StretchSpec], np.ndarray]


@dataclass(frozen=True)
class Analysis:
    source: SourceInfo
    spec: StretchSpec
    records: tuple[FrameRecord, ...]
    summary: Summary
    camera: CameraEstimate = UNKNOWN_CAMERA  # estimated from the body, at the end


def analyze_video(
    path: str | Path,
    spec: StretchSpec,
    *,
    annotate_to: str | Path | None = None,
    draw: Draw | None = None,
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
    turns the pictures clockwise first (a camera that stood on its side). ``annotate_to``
    writes a copy of the video with each step drawn on it by ``draw``.
    """
    if annotate_to is not None and draw is None:
        raise ValueError("annotate_to needs draw (e.g. posecheck.overlay.annotate_step)")
    source = VideoSource(path, rotate_deg=rotate_deg)
    info = source.info
    pipeline = Pipeline(
        spec,
        estimator or MediaPipePoseEstimator(still_images=info.kind == "image", model=model),
        recorded=True,
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
            if writer is not None and draw is not None:
                writer.write(draw(frame.image, step, spec), frame.t_ms)
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
    pipeline = Pipeline(spec, estimator, recorded=True)
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


def replay_camera_message(analysis: Analysis) -> str | None:
    """The Replay page's camera note: how the camera should have stood for this recording (the
    estimate from the start hold), or None when it stood well or is unknown."""
    return camera_advice(analysis.camera, analysis.spec)
