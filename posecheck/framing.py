"""Framing advice: how to move the camera (or yourself) when the body is not properly in view.

Pure functions of one frame's pose and check result, so they are easy to test. Directions are
given in *picture* terms (the left of the picture is the camera's left), because the person
is looking at the picture and the picture is not mirrored.

- Landmarks the stretch needs lie beyond an edge of the frame: say which edge, and what to do
  (turn the camera that way, tilt it, lower it, or step back).
- The person fills only a small part of the picture: come closer.
- The shoulders look wrong for the spec's camera view (seen edge-on when the spec wants a
  front view, or square-on when it wants a side view): say where the camera should be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posecheck.checker import CheckResult
from posecheck.landmarks import PoseFrame, index_of
from posecheck.spec import StretchSpec

#: Landmarks every stretch in this app needs in the picture (face and hands are optional).
CORE_LANDMARKS: tuple[str, ...] = (
    "nose",
    "left_shoulder",
    "right_shoulder",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)

_EDGE_ADVICE = {
    "left": "You are cut off at the left of the picture: turn the camera a little to the left, "
    "or step back.",
    "right": "You are cut off at the right of the picture: turn the camera a little to the "
    "right, or step back.",
    "top": "You are cut off at the top of the picture: tilt the camera up a little, or step back.",
    "bottom": "You are cut off at the bottom of the picture: tilt the camera down or lower it "
    "a little.",
}
_STEP_BACK = (
    "Your whole body does not fit in the picture: move the camera further away (about {d:.1f} m)."
)
_COME_CLOSER = (
    "You look small in the picture: move the camera closer (about {d:.1f} m away) so your "
    "body fills it."
)
_VIEW_WANTED = {
    "side": "The camera should see you from the side: move it level with your hips, "
    "to one side of you.",
    "front": "The camera should face you: move it in front of you.",
    "feet_end": "The camera should be beyond your feet, looking along your body.",
}


@dataclass(frozen=True)
class FramingAdvice:
    text: str
    kind: str  # cut_off | too_far | wrong_view
    edges: tuple[str, ...] = ()  # for cut_off: left / right / top / bottom


def cut_edges(
    pose_frame: PoseFrame, names: tuple[str, ...] = CORE_LANDMARKS, margin_frac: float = 0.01
) -> tuple[str, ...]:
    """Edges of the frame that the named landmarks lie beyond (MediaPipe extrapolates landmarks
    outside the picture, with low visibility), in the order left, right, top, bottom."""
    pose = pose_frame.pose
    if pose is None:
        return ()
    w, h = pose_frame.width, pose_frame.height
    mx, my = margin_frac * w, margin_frac * h
    xy = np.array([pose.image_xy[index_of(n)] for n in names])
    xy = xy[np.isfinite(xy).all(axis=1)]
    if xy.size == 0:
        return ()
    found = {
        "left": bool((xy[:, 0] < mx).any()),
        "right": bool((xy[:, 0] > w - mx).any()),
        "top": bool((xy[:, 1] < my).any()),
        "bottom": bool((xy[:, 1] > h - my).any()),
    }
    return tuple(e for e in ("left", "right", "top", "bottom") if found[e])


def body_fraction(pose_frame: PoseFrame, min_visibility: float = 0.5) -> float:
    """The larger of (body width / frame width, body height / frame height), from the visible
    core landmarks; NaN when fewer than four are visible."""
    pose = pose_frame.pose
    if pose is None:
        return math.nan
    idx = [index_of(n) for n in CORE_LANDMARKS]
    vis = pose.visibility[idx] >= min_visibility
    if vis.sum() < 4:
        return math.nan
    xy = pose.image_xy[idx][vis]
    span = xy.max(axis=0) - xy.min(axis=0)
    return float(max(span[0] / pose_frame.width, span[1] / pose_frame.height))


def shoulder_ratio(pose_frame: PoseFrame, min_visibility: float = 0.5) -> float:
    """Shoulder width / torso length in the picture: near 0 seen from the side, 0.6-0.9 seen
    square-on. NaN when a shoulder or hip is not visible."""
    pose = pose_frame.pose
    if pose is None:
        return math.nan
    names = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    if not all(pose.is_visible(n, min_visibility) for n in names):
        return math.nan
    ls, rs, lh, rh = (pose.image_xy[index_of(n)] for n in names)
    torso = float(np.linalg.norm((ls + rs) / 2 - (lh + rh) / 2))
    if torso <= 0:
        return math.nan
    return float(np.linalg.norm(ls - rs)) / torso


def framing_advice(
    result: CheckResult,
    pose_frame: PoseFrame,
    spec: StretchSpec,
    *,
    min_body_frac: float = 0.3,
    side_view_max_ratio: float = 0.6,
    square_view_min_ratio: float = 0.2,
) -> FramingAdvice | None:
    """What to change about the framing, or None when the framing looks fine (or nobody is in
    view: the checker's own "step into view" says it then)."""
    if pose_frame.pose is None or result.state == "no_person":
        return None
    needed = tuple(dict.fromkeys((*result.missing, *CORE_LANDMARKS)))
    edges = cut_edges(pose_frame, needed)
    distance_m = spec.camera.distance_m
    if len(edges) >= 2:  # cut off on two sides: only more distance helps
        return FramingAdvice(_STEP_BACK.format(d=distance_m + 0.5), "cut_off", edges)
    if edges:
        return FramingAdvice(_EDGE_ADVICE[edges[0]], "cut_off", edges)
    frac = body_fraction(pose_frame, spec.min_visibility)
    if frac == frac and frac < min_body_frac:
        return FramingAdvice(_COME_CLOSER.format(d=distance_m), "too_far")
    ratio = shoulder_ratio(pose_frame, spec.min_visibility)
    view = spec.camera.view
    if ratio == ratio:
        if view == "side" and ratio > side_view_max_ratio:
            return FramingAdvice(_VIEW_WANTED["side"], "wrong_view")
        if view in ("front", "feet_end") and ratio < square_view_min_ratio:
            return FramingAdvice(_VIEW_WANTED[view], "wrong_view")
    return None
