"""The per-frame pipeline: estimator -> smoothing -> body (camera, leg model) -> checker ->
feedback, one frame at a time, with the per-frame record a report or a history keeps.

Nothing is drawn here: whoever shows the frames (the app's pages, the CLI's annotated video)
draws the overlay (:mod:`posecheck.overlay`) from a :class:`Step`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from posecheck.body.camera import posture_from_position
from posecheck.body.stage import EMPTY_BODY, BodyStage, BodyState
from posecheck.coaching.checker import CheckResult, StretchChecker
from posecheck.coaching.checker.core import faces_camera
from posecheck.coaching.feedback import Cue, CueSelector
from posecheck.media.source import Frame
from posecheck.pose.estimator import MediaPipePoseEstimator, PoseEstimator
from posecheck.pose.landmarks import PoseFrame
from posecheck.pose.smoothing import OneEuroParams, PoseSmoother
from posecheck.specs.schema import StretchSpec


@dataclass(frozen=True)
class Step:
    """What the pipeline made of one frame."""

    pose_frame: PoseFrame
    result: CheckResult
    cue: Cue
    body: BodyState = EMPTY_BODY  # the camera and the fitted legs
    posture: str = "unsure"  # posture.PostureReading.key, as the checker read it


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
            step.posture,
        )


class Pipeline:
    """Estimator + smoothing + checker + cue selection for one stretch, one frame at a time."""

    def __init__(
        self,
        spec: StretchSpec,
        estimator: PoseEstimator | None = None,
        smoothing: OneEuroParams | None = None,
        smooth: bool = True,
        recorded: bool = False,
    ) -> None:
        """``recorded``: a video or recording under review (the cues speak of the person in
        it rather than asking them to do something now)."""
        self.spec = spec
        self.estimator = estimator or MediaPipePoseEstimator()
        self.smoother = PoseSmoother(smoothing) if smooth else None
        self.body = self._body_stage()
        self.checker = StretchChecker(spec)
        self.cues = CueSelector(spec, recorded=recorded)
        self._last_pose: PoseFrame | None = None  # the last smoothed pose (for ``repeat``)

    def _body_stage(self) -> BodyStage:
        spec = self.spec
        return BodyStage(
            posture_from_position(spec.position),
            fit_legs=any(m.needs_leg_fit for m in spec.measures.values()),
            min_visibility=spec.min_visibility,
            knee_rays=any(m.needs_knee_rays for m in spec.measures.values()),
            faces_camera=faces_camera(spec),
        )

    def process(self, frame: Frame) -> Step:
        return self.process_pose(self.estimator.estimate(frame))

    def process_pose(self, pose_frame: PoseFrame) -> Step:
        """The stages after the estimator (for recorded or synthetic landmarks)."""
        if self.smoother is not None:
            pose_frame = self.smoother(pose_frame)  # restarts on a change of person
        if pose_frame.switched:  # another person: their own start, camera view and legs
            self.checker.new_person()
            self.body = self._body_stage()
        return self._check(pose_frame)

    def repeat(self, index: int, t_ms: float) -> Step | None:
        """The camera delivered the last picture again (a 30 fps camera fed from a 10 fps
        clip, a webcam repeating frames in dim light): the same moment, held. The pose model
        and the smoother do not see it again; the last smoothed pose stands for it at its own
        time, so holds and timers still run. None before any frame was processed.

        Shown the same picture three times, MediaPipe's tracking reads it differently from
        once (on sample_videos/supine_knee_drop_good_male the 0.3 s overshoot read 37.6-39.9
        degrees instead of 43), so a live set fed that way lost up to 5.5 degrees of its best
        range of motion against the replay of the same clip; with repeats passed over it gives
        the replay's numbers exactly (tests/test_live_parity.py)."""
        if self._last_pose is None:
            return None
        return self._check(replace(self._last_pose, index=index, t_ms=t_ms, switched=False))

    def _check(self, pose_frame: PoseFrame) -> Step:
        """Body, checker and cue for a smoothed pose."""
        self._last_pose = pose_frame
        body = self.body.update(pose_frame)
        result = self.checker.update(pose_frame, body)
        posture = self.checker.posture.key if pose_frame.pose is not None else "unsure"
        return Step(pose_frame, result, self.cues.update(result), body, posture)

    def close(self) -> None:
        self.estimator.close()
