"""The body stage of the pipeline: the camera and the fitted legs, frame by frame.

Between smoothing and the checker. It keeps state across frames (the camera's running
estimate, the segment lengths of the start hold) on frame timestamps only, so live (frames
dropped on a busy machine) and replay give the same answer. Its output, :class:`BodyState`,
travels with the frame to the checker, where ``space: model`` measures read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from posecheck.body.camera import (
    FOCAL_FRACTIONS,
    UNKNOWN_CAMERA,
    BodyPosture,
    CameraEstimate,
    CameraTracker,
    solve_pnp,
    view_from_solution,
    with_floor_elevation,
)
from posecheck.body.legfit import LegFit, SegmentLengths, fit_leg
from posecheck.pose.landmarks import PoseFrame, Side


@dataclass(frozen=True)
class BodyState:
    """What the body stage made of one frame."""

    camera: CameraEstimate
    legs: tuple[LegFit, ...] = ()
    width: int = 0  # the picture's size in pixels (0: unknown), for camera rays
    height: int = 0

    def leg(self, side: Side) -> LegFit | None:
        return next((fit for fit in self.legs if fit.side == side), None)


EMPTY_BODY = BodyState(UNKNOWN_CAMERA)


class BodyStage:
    """Camera tracking and (with ``fit_legs``) the leg model, for one posture."""

    def __init__(
        self, posture: BodyPosture, fit_legs: bool = False, min_visibility: float = 0.5
    ) -> None:
        self.posture = posture
        self.fit_legs = fit_legs
        self.min_visibility = min_visibility
        self.camera = CameraTracker(posture, min_visibility=min_visibility)
        self.lengths = SegmentLengths(min_visibility=min_visibility)

    def update(self, frame: PoseFrame) -> BodyState:
        pose = frame.pose
        if pose is None or pose.world_xyz is None:
            return BodyState(self.camera.add(None, frame.t_ms), (), frame.width, frame.height)
        held = self.camera.estimate
        # After the start hold, the held focal length only (one solve instead of four).
        focal = (
            (held.focal_px / frame.width,)
            if self.camera.held(frame.t_ms) and held.known
            else FOCAL_FRACTIONS
        )
        sol = solve_pnp(pose, frame.width, frame.height, self.min_visibility, focal)
        view = (
            None
            if sol is None
            else with_floor_elevation(
                view_from_solution(sol, pose.world_xyz, self.posture),
                pose,
                frame.width,
                frame.height,
                self.posture,
                self.min_visibility,
            )
        )
        estimate = self.camera.add(view, frame.t_ms)
        if not self.fit_legs or sol is None:
            return BodyState(estimate, (), frame.width, frame.height)
        lengths = self.lengths.update(pose, frame.t_ms)
        legs = tuple(
            fit
            for side in ("left", "right")
            if (
                fit := fit_leg(
                    pose,
                    sol,
                    side,
                    lengths,
                    self.posture,
                    frame.width,
                    frame.height,
                    min_visibility=self.min_visibility,
                )
            )
            is not None
        )
        return BodyState(estimate, legs, frame.width, frame.height)
