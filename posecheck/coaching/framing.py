"""Framing advice: how to move the camera (or yourself) when the body is not properly in view.

Pure functions of one frame's pose and check result, so they are easy to test. Directions are
given in *picture* terms (the left of the picture is the camera's left), because the person
is looking at the picture and the picture is not mirrored.

- Landmarks the stretch needs lie beyond an edge of the frame: say which edge, and what to do
  (turn the camera that way, tilt it, lower it, or step back).
- The person fills only a small part of the picture: come closer.
- The shoulders look wrong for the spec's camera view (seen edge-on when the spec wants a
  front view, or square-on when it wants a side view): say where the camera should be.
- A fault due now cannot be seen from where the camera stands (the checker's
  ``unseen_faults``, from each fault's ``seen_when``): :func:`unseen_advice` says it is not
  checked from this view, and how to move the camera to have it checked. It is kept apart
  from :func:`framing_advice` on purpose: the set can go on (the other checks still work),
  so it must not hold the session back the way a cut-off body does.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from posecheck.body import synthetic
from posecheck.body.camera import CameraEstimate, posture_from_position
from posecheck.body.camera_words import CameraGuide, advice
from posecheck.body.geometry import head_cut_edges, read_from_behind
from posecheck.coaching.checker import CheckResult
from posecheck.coaching.checker.core import faces_camera
from posecheck.pose.landmarks import PoseFrame, index_of
from posecheck.specs.schema import StretchSpec

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
    "The camera looks about {now:.0f} m away: bring it closer, to about {d:.1f} m, so your "
    "body fills more of the picture."
)
#: Say "closer" only when the body looks this much smaller than it does from the guide's
#: distance through a 60 degree lens (a wider webcam lens makes everyone look smaller).
TOO_SMALL_SHARE = 0.45
_VIEW_WANTED = {
    "side": "The camera should see you from the side: move it level with your hips, "
    "to one side of you.",
    "front": "The camera should face you: move it in front of you.",
    "feet_end": "The camera should be beyond your feet, looking along your body.",
}


@dataclass(frozen=True)
class FramingAdvice:
    text: str
    kind: str  # cut_off | too_far | wrong_view | not_seen
    edges: tuple[str, ...] = ()  # for cut_off: left / right / top / bottom


def cut_edges(
    pose_frame: PoseFrame,
    names: tuple[str, ...] = CORE_LANDMARKS,
    margin_frac: float = 0.01,
    *,
    head: bool = True,
) -> tuple[str, ...]:
    """Edges of the frame that the named landmarks lie beyond (MediaPipe extrapolates landmarks
    outside the picture, with low visibility), in the order left, right, top, bottom. With
    ``head`` and the nose among them, the top of the head too (``geometry.head_cut_edges``:
    MediaPipe may keep a face it cannot see inside the picture, at full visibility);
    :func:`framing_advice` asks for it only where the head matters (:func:`head_matters`)."""
    pose = pose_frame.pose
    if pose is None:
        return ()
    w, h = pose_frame.width, pose_frame.height
    mx, my = margin_frac * w, margin_frac * h
    xy = np.array([pose.image_xy[index_of(n)] for n in names])
    xy = xy[np.isfinite(xy).all(axis=1)]
    if xy.size == 0:
        return ()
    head_edges = head_cut_edges(pose, w, h) if head and "nose" in names else ()
    found = {
        "left": bool((xy[:, 0] < mx).any()),
        "right": bool((xy[:, 0] > w - mx).any()),
        "top": bool((xy[:, 1] < my).any()),
        "bottom": bool((xy[:, 1] > h - my).any()),
    }
    return tuple(e for e in ("left", "right", "top", "bottom") if found[e] or e in head_edges)


def head_matters(spec: StretchSpec, pose_frame: PoseFrame) -> bool:
    """Whether the top of the head must be in the picture: in an upright front-view stretch
    (``checker.core.faces_camera``) standing, or seated with the trunk read from behind
    (``geometry.read_from_behind``), where without the face MediaPipe swaps left for right
    (dev r2067, standing band rotation: 51 swaps, 12 false faults). Elsewhere the head out
    of the picture costs nothing: side and lying views, and seated butterflies read from
    the front (dev r2035, r2064 butterfly, r2047 reclined hero), which with the head's top
    counted everywhere never reached coaching (before: 5.6 s and 16.3 s)."""
    if pose_frame.pose is None or not faces_camera(spec):
        return False
    if posture_from_position(spec.position) == "standing":
        return True
    return read_from_behind(pose_frame.pose)


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


def expected_body_fraction(spec: StretchSpec) -> float:
    """How much of the picture the body fills (as :func:`body_fraction`) when the camera
    stands where the spec's guide says, through a 60 degree lens: the synthetic body in the
    spec's starting posture, projected by that camera."""
    cam = spec.camera
    return _expected_fraction(
        expected_posture_name(spec), cam.view, cam.distance_m, cam.height_m, cam.azimuth_deg
    )


def expected_posture_name(spec: StretchSpec) -> str:
    """The synthetic body's posture for the spec's starting position."""
    p = spec.position.lower()
    if "hands and knees" in p:
        return "quadruped"
    if "face down" in p:
        return "prone"
    if "side" in p and "lying" in p:
        return "side_lying"
    if "back" in p:
        return "supine"
    if "kneel" in p:
        return "kneeling"
    if "sit" in p:
        return "seated"
    return "standing"


def starting_body(posture: str) -> synthetic.Body:
    """A plain starting body for the posture: sitting with the legs forward, kneeling sitting
    on the heels, otherwise straight legs."""
    if posture == "seated":
        leg = synthetic.Leg(hip_flexion_deg=90)
    elif posture == "kneeling":
        leg = synthetic.Leg(knee_flexion_deg=150)
    else:
        leg = synthetic.Leg()
    return synthetic.Body(posture=posture, left=leg, right=leg)  # type: ignore[arg-type]


def guide_camera(spec: StretchSpec, focal_px: float = 560.0) -> synthetic.Camera:
    """A 640x480 synthetic camera where the spec's placement guide puts it (560 px focal
    length: a 60 degree lens)."""
    cam = spec.camera
    return _guide_camera(
        expected_posture_name(spec),
        cam.view,
        cam.distance_m,
        cam.height_m,
        cam.azimuth_deg,
        focal_px,
    )


def _guide_camera(
    posture: str,
    view: str,
    distance_m: float,
    height_m: float,
    azimuth_deg: float,
    focal_px: float,
) -> synthetic.Camera:
    if view == "side":
        camera = synthetic.Camera.side_view(distance_m, height_m, posture)
    elif view == "front":
        camera = synthetic.Camera.front_view(distance_m, height_m, posture)
    else:
        az = azimuth_deg if view == "feet_end_diagonal" else 0.0
        lying = posture in ("supine", "prone", "side_lying", "quadruped")
        camera = synthetic.Camera.looking_at_feet(
            distance_m, height_m, az, posture if lying else "supine"
        )
    return synthetic.Camera(camera.position, camera.target, focal_px=focal_px)


@functools.lru_cache(maxsize=64)
def _expected_fraction(
    posture: str, view: str, distance_m: float, height_m: float, azimuth_deg: float
) -> float:
    camera = _guide_camera(posture, view, distance_m, height_m, azimuth_deg, 560.0)
    pose = synthetic.render(starting_body(posture), camera)
    frac = body_fraction(PoseFrame(0, 0.0, camera.width, camera.height, pose))
    return frac if frac == frac else 0.3


def unseen_advice(result: CheckResult) -> FramingAdvice | None:
    """How to move the camera so that a fault due now, which this view cannot see, is
    checked (None when every due fault is in view). A note, not a reason to stop."""
    if not result.unseen_faults:
        return None
    return FramingAdvice(result.unseen_faults[0].reason, "not_seen")


def not_seen_text(entry: dict) -> str:
    """One line for a report's ``not_checked_from_view`` entry: what was not checked, on
    which side, for how long, and how to move the camera."""
    side = entry["side"] if entry["side"] in ("left", "right") else ""
    where = f"{side} side, " if side else ""
    return (
        f"Not checked from this view ({where}{entry['seconds']:.1f} s): "
        f'"{entry["message"]}" {entry["reason"]}'
    )


def framing_advice(
    result: CheckResult,
    pose_frame: PoseFrame,
    spec: StretchSpec,
    *,
    side_view_max_ratio: float = 0.6,
    square_view_min_ratio: float = 0.2,
) -> FramingAdvice | None:
    """What to change about the framing, or None when the framing looks fine (or nobody is in
    view: the checker's own "step into view" says it then)."""
    if pose_frame.pose is None or result.state == "no_person":
        return None
    needed = tuple(dict.fromkeys((*result.missing, *CORE_LANDMARKS)))
    edges = cut_edges(pose_frame, needed, head=head_matters(spec, pose_frame))
    distance_m = spec.camera.distance_m
    if len(edges) >= 2:  # cut off on two sides: only more distance helps
        return FramingAdvice(_STEP_BACK.format(d=distance_m + 0.5), "cut_off", edges)
    if edges:
        return FramingAdvice(_EDGE_ADVICE[edges[0]], "cut_off", edges)
    ratio = shoulder_ratio(pose_frame, spec.min_visibility)
    view = spec.camera.view
    if ratio == ratio:
        if view == "side" and ratio > side_view_max_ratio:
            return FramingAdvice(_VIEW_WANTED["side"], "wrong_view")
        if view in ("front", "feet_end") and ratio < square_view_min_ratio:
            return FramingAdvice(_VIEW_WANTED[view], "wrong_view")
    # The view first: from the wrong side, how big the body looks says nothing.
    frac = body_fraction(pose_frame, spec.min_visibility)
    expected = expected_body_fraction(spec)
    if frac == frac and frac < TOO_SMALL_SHARE * expected:
        now_m = distance_m * expected / max(frac, 1e-6)  # size in the picture ~ 1 / distance
        return FramingAdvice(_COME_CLOSER.format(now=now_m, d=distance_m), "too_far")
    return None


def camera_guide(spec: StretchSpec) -> CameraGuide:
    """The spec's camera guidance in the camera estimate's terms."""
    return spec.camera_guide


def camera_advice(estimate: CameraEstimate, spec: StretchSpec) -> str | None:
    """How to move the camera, in plain words, when the view estimated from the body is outside
    what the stretch's measures tolerate; None when it is fine or not known yet."""
    return advice(estimate, camera_guide(spec))
