"""The body stage of the pipeline: the camera and the fitted legs, frame by frame.

Between smoothing and the checker. It keeps state across frames (the camera's running
estimate, the segment lengths of the start hold) on frame timestamps only, so live (frames
dropped on a busy machine) and replay give the same answer. Its output, :class:`BodyState`,
travels with the frame to the checker, where ``space: model`` measures read it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecheck.body.camera import (
    FOCAL_FRACTIONS,
    UNKNOWN_CAMERA,
    BodyPosture,
    CameraEstimate,
    CameraTracker,
    solve_pnp,
    view_from_solution,
    with_posture_template,
)
from posecheck.body.geometry import labels_unsure
from posecheck.body.legfit import LegFit, SegmentLengths, fit_leg, knee_at_depth
from posecheck.pose.landmarks import PoseFrame, Side


@dataclass(frozen=True)
class BodyState:
    """What the body stage made of one frame."""

    camera: CameraEstimate
    legs: tuple[LegFit, ...] = ()
    width: int = 0  # the picture's size in pixels (0: unknown), for camera rays
    height: int = 0
    #: Per side, the knee where the picture shows it at MediaPipe's depth
    #: (:func:`posecheck.body.legfit.knee_at_depth`, world-landmark frame), with ``knee_rays``.
    knees: tuple[tuple[Side, np.ndarray], ...] = ()

    def leg(self, side: Side) -> LegFit | None:
        return next((fit for fit in self.legs if fit.side == side), None)

    def knee(self, side: Side) -> np.ndarray | None:
        return next((k for s, k in self.knees if s == side), None)


EMPTY_BODY = BodyState(UNKNOWN_CAMERA)


class BodyStage:
    """Camera tracking, (with ``fit_legs``) the leg model and (with ``knee_rays``) the knees
    from the picture at MediaPipe's depth, for one posture.

    The camera is solved a few times a second of frame time (:meth:`CameraTracker.due`),
    not every frame: it stands still, and the solve (four focal lengths during the start
    hold) was most of a replay's time. The leg model and the knee rays need the frame's own
    solve, so with ``fit_legs`` or ``knee_rays`` every frame is still solved (the tracker
    takes the due ones).

    With ``faces_camera`` (a stretch done upright facing the camera), a frame with the top of
    the head beyond the picture and the shoulders or the hips labelled as seen from behind
    gives the camera no view (:meth:`trusts_labels`)."""

    def __init__(
        self,
        posture: BodyPosture,
        fit_legs: bool = False,
        min_visibility: float = 0.5,
        knee_rays: bool = False,
        faces_camera: bool = False,
    ) -> None:
        self.posture = posture
        self.faces_camera = faces_camera
        self.fit_legs = fit_legs
        self.knee_rays = knee_rays
        self.min_visibility = min_visibility
        self.camera = CameraTracker(posture, min_visibility=min_visibility)
        self.lengths = SegmentLengths(min_visibility=min_visibility)

    def trusts_labels(self, frame: PoseFrame) -> bool:
        """Whether the frame's left and right can feed the camera. Facing the camera with the
        head's top beyond the picture (``geometry.head_cut_edges``), MediaPipe cannot tell the
        person's front from their back; a frame whose shoulders or hips it labels as seen from
        behind then solves a camera behind the person (dev, standing band rotation: r2067,
        b25, every start-hold frame, 148 degrees off; r2032, b22, 131 off). Such a frame
        gives the camera no view, so the start hold begins with the first frame read from
        the front (the checker leaves the same frames unknown)."""
        pose = frame.pose
        if not self.faces_camera or pose is None:
            return True
        return not labels_unsure(pose, frame.width, frame.height)

    def update(self, frame: PoseFrame) -> BodyState:
        pose = frame.pose
        if pose is None or pose.world_xyz is None:
            return BodyState(self.camera.add(None, frame.t_ms), (), frame.width, frame.height)
        due = self.camera.due(frame.t_ms) and self.trusts_labels(frame)
        per_frame = self.fit_legs or self.knee_rays  # these need the frame's own solve
        if not due and not per_frame:
            return BodyState(self.camera.estimate, (), frame.width, frame.height)
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
            if sol is None or not due
            else with_posture_template(
                view_from_solution(sol, pose.world_xyz, self.posture),
                pose,
                frame.width,
                frame.height,
                self.posture,
                self.min_visibility,
            )
        )
        estimate = self.camera.add(view, frame.t_ms) if due else self.camera.estimate
        if sol is None:
            return BodyState(estimate, (), frame.width, frame.height)
        knees = (
            tuple(
                (side, k)
                for side in ("left", "right")
                if (
                    k := knee_at_depth(
                        pose, sol, side, frame.width, frame.height, self.min_visibility
                    )
                )
                is not None
            )
            if self.knee_rays
            else ()
        )
        if not self.fit_legs:
            return BodyState(estimate, (), frame.width, frame.height, knees)
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
        return BodyState(estimate, legs, frame.width, frame.height, knees)
