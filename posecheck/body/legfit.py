"""A leg model fitted through the camera: hip rotation from where the foot falls on screen.

MediaPipe's 3D landmarks barely follow a shin swinging in depth, but the picture does. With
the camera solved against the body (:mod:`posecheck.body.camera`), each image landmark is a
ray from the camera in the body's metric frame. The model is a pelvis (the two hip centres)
and, per leg, a thigh and a shin of fixed length (taken while the person holds the start
position): the knee is where the knee's ray meets the sphere of thigh length around the hip,
the ankle where the ankle's ray meets the sphere of shin length around the knee. Each meeting
has two answers (nearer and farther along the ray); the posture's priors choose: lying face
down the knee stays on the floor and the shin points up, away from the floor; sitting, the
shin hangs toward the floor. When noise makes a ray miss its sphere the closest point is
used and the miss is the fit's residual.

Hip internal rotation is then read from the fitted 3D leg: the shin's angle about the thigh
from its rest direction (prone: straight away from the floor; seated: straight toward it),
positive when the foot moves outward, away from the midline. Its uncertainty grows with the
fit's residual and with how nearly the shin's swing lies along the line of sight (a swing
seen edge-on moves the foot little on screen).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from posecheck.body.camera import BodyPosture, PnPSolution, body_frame, floor_axes
from posecheck.pose.landmarks import Pose, Side, index_of, other_side


@dataclass(frozen=True)
class LegFit:
    """One leg fitted in the world-landmark frame (metres) with its reading."""

    side: Side
    hip: np.ndarray
    knee: np.ndarray
    ankle: np.ndarray
    residual_m: float  # how far the rays missed their spheres, summed
    hip_rotation_deg: float  # internal rotation, foot outward positive (NaN: unknown)
    uncertainty_deg: float


def _ray(sol: PnPSolution, pixel: np.ndarray, width: int, height: int) -> np.ndarray:
    """Unit direction of the camera ray through a pixel, in the world-landmark frame."""
    d_cam = np.array(
        [(pixel[0] - width / 2) / sol.focal_px, (pixel[1] - height / 2) / sol.focal_px, 1.0]
    )
    d = sol.rotation.T @ d_cam
    return d / float(np.linalg.norm(d))


def at_depth(
    sol: PnPSolution, pixel: np.ndarray, point: np.ndarray, width: int, height: int
) -> np.ndarray:
    """The point on the camera ray through ``pixel`` at the same distance along the camera's
    line of sight as ``point`` (world-landmark frame). MediaPipe's world landmarks place a
    joint sideways from a body model that barely follows the picture, but the picture shows
    where it is across the view; its depth is all that is taken from the 3D point."""
    ray = _ray(sol, pixel, width, height)
    axis = sol.rotation[2]  # the camera's line of sight, in the world-landmark frame
    t = float((point - sol.centre) @ axis) / float(ray @ axis)
    return sol.centre + t * ray


def knee_at_depth(
    pose: Pose, sol: PnPSolution, side: Side, width: int, height: int, min_visibility: float = 0.5
) -> np.ndarray | None:
    """The knee where the picture shows it, at MediaPipe's depth for it (:func:`at_depth`),
    in the world-landmark frame; None when the knee or the world landmarks are missing."""
    i = index_of(f"{side}_knee")
    if pose.world_xyz is None or pose.visibility[i] < min_visibility:
        return None
    return at_depth(sol, pose.image_xy[i], pose.world_xyz[i], width, height)


def ray_sphere(
    origin: np.ndarray, direction: np.ndarray, centre: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """The two points where a ray meets a sphere (nearer, farther) and how far it missed
    (0 when it meets it; else both points are the ray's closest point to the sphere, pulled
    onto its surface)."""
    oc = origin - centre
    b = float(np.dot(direction, oc))
    c = float(np.dot(oc, oc)) - radius * radius
    disc = b * b - c
    if disc >= 0:
        root = math.sqrt(disc)
        return origin + (-b - root) * direction, origin + (-b + root) * direction, 0.0
    closest = origin - b * direction
    off = closest - centre
    dist = float(np.linalg.norm(off))
    p = centre + off / dist * radius if dist > 0 else closest
    return p, p, abs(dist - radius)


def _rotation_about_deg(
    v: np.ndarray, ref: np.ndarray, axis: np.ndarray, toward: np.ndarray
) -> float:
    """Angle of ``v`` about ``axis`` from ``ref``, positive toward ``toward``, degrees."""
    a = axis / float(np.linalg.norm(axis))

    def flat(u: np.ndarray) -> np.ndarray:
        return u - float(np.dot(u, a)) * a

    r, t = flat(ref), flat(toward)
    t = t - float(np.dot(t, r)) / float(np.dot(r, r)) * r
    x, y = (
        float(np.dot(flat(v), r / np.linalg.norm(r))),
        float(np.dot(flat(v), t / np.linalg.norm(t))),
    )
    return math.degrees(math.atan2(y, x))


class SegmentLengths:
    """Thigh and shin lengths: per side, the median of the world landmarks' lengths over the
    first ``hold_s`` seconds of frame time the legs were seen (the start hold), then fixed;
    the longer side's, because a segment pointing along the line of sight comes out short in
    MediaPipe's depth and the two legs are the same length."""

    def __init__(self, hold_s: float = 3.0, min_visibility: float = 0.5) -> None:
        self.hold_s = hold_s
        self.min_visibility = min_visibility
        self._first_ms: float | None = None
        self._samples: dict[str, deque[float]] = {}
        self.per_side: dict[str, float] = {}
        self.lengths: dict[str, float] = {}

    def update(self, pose: Pose, t_ms: float) -> dict[str, float]:
        if pose.world_xyz is None:
            return self.lengths
        if self._first_ms is None:
            self._first_ms = t_ms
        if t_ms - self._first_ms > self.hold_s * 1000.0 and len(self.per_side) == 4:
            return self.lengths
        w, vis = pose.world_xyz, pose.visibility
        for side in ("left", "right"):
            for seg, (a, b) in (("thigh", ("hip", "knee")), ("shin", ("knee", "ankle"))):
                ia, ib = index_of(f"{side}_{a}"), index_of(f"{side}_{b}")
                if vis[ia] >= self.min_visibility and vis[ib] >= self.min_visibility:
                    key = f"{side}_{seg}"
                    self._samples.setdefault(key, deque()).append(
                        float(np.linalg.norm(w[ia] - w[ib]))
                    )
                    self.per_side[key] = float(np.median(self._samples[key]))
        for seg in ("thigh", "shin"):
            found = [v for k, v in self.per_side.items() if k.endswith(seg)]
            if found:
                self.lengths[seg] = max(found)
        return self.lengths


#: The search grid of the leg model: internal rotation and knee flexion, degrees.
_ROTATIONS = np.radians(np.arange(-90.0, 90.5, 1.0))
_FLEXIONS = np.radians(np.arange(20.0, 161.0, 2.0))
#: Joint limits, as priors: the hip rotations a posture allows (degrees, foot outward
#: positive). Lying face down, a foot swinging inward soon meets the other shin.
ROTATION_LIMITS_DEG: dict[str, tuple[float, float]] = {"prone": (-15.0, 80.0)}
#: Pixels of reprojection error that one degree of knee flexion away from the start costs.
FLEXION_PRIOR_PX_PER_DEG = 0.3


def fit_leg(
    pose: Pose,
    sol: PnPSolution,
    side: Side,
    lengths: dict[str, float],
    posture: BodyPosture,
    width: int,
    height: int,
    start_flexion_deg: float = 90.0,
    min_visibility: float = 0.5,
) -> LegFit | None:
    """Fit one leg (None when a landmark, a length or the world landmarks are missing).

    The knee is put on its camera ray (where the ray meets the sphere of thigh length around
    the hip, the answer nearer MediaPipe's own knee); then the shin's internal rotation and
    the knee's flexion are searched on a grid for the ankle that projects nearest the image
    ankle, flexion kept near ``start_flexion_deg``.
    """
    names = [f"{side}_{p}" for p in ("hip", "knee", "ankle")] + [f"{other_side(side)}_hip"]
    if pose.world_xyz is None or any(pose.visibility[index_of(n)] < min_visibility for n in names):
        return None
    thigh, shin = lengths.get("thigh"), lengths.get("shin")
    if not thigh or not shin:
        return None
    w = pose.world_xyz
    frame = body_frame(w)
    up, _ = floor_axes(frame, posture)
    hip = w[index_of(f"{side}_hip")]
    outward = hip - w[index_of(f"{other_side(side)}_hip")]
    centre = sol.centre
    mp_knee = w[index_of(f"{side}_knee")]
    k_near, k_far, miss_k = ray_sphere(
        centre, _ray(sol, pose.image_xy[index_of(f"{side}_knee")], width, height), hip, thigh
    )
    knee = min((k_near, k_far), key=lambda p: float(np.linalg.norm(p - mp_knee)))
    u = (knee - hip) / float(np.linalg.norm(knee - hip))
    rest = up if posture == "prone" else -up  # prone: shin at the ceiling; seated: the floor
    r = rest - float(np.dot(rest, u)) * u
    r /= float(np.linalg.norm(r))
    o = np.cross(u, r)
    if float(np.dot(o, outward)) < 0:
        o = -o
    # shin(flexion, rotation) = cos(flex) u + sin(flex) (cos(rot) r + sin(rot) o)
    cf, sf = np.cos(_FLEXIONS)[:, None, None], np.sin(_FLEXIONS)[:, None, None]
    cr, sr = np.cos(_ROTATIONS)[None, :, None], np.sin(_ROTATIONS)[None, :, None]
    shins = cf * u + sf * (cr * r + sr * o)  # (flexions, rotations, 3)
    ankles = knee + shin * shins
    cam_pts = (ankles - centre) @ sol.rotation.T  # camera coordinates
    z = np.maximum(cam_pts[..., 2], 1e-6)
    px = np.stack(
        [
            sol.focal_px * cam_pts[..., 0] / z + width / 2,
            sol.focal_px * cam_pts[..., 1] / z + height / 2,
        ],
        axis=-1,
    )
    err = np.linalg.norm(px - pose.image_xy[index_of(f"{side}_ankle")], axis=-1)
    flex_dev = np.degrees(_FLEXIONS)[:, None] - start_flexion_deg
    cost = err**2 + (FLEXION_PRIOR_PX_PER_DEG * flex_dev) ** 2
    lo, hi = ROTATION_LIMITS_DEG.get(posture, (-90.0, 90.0))
    rot_deg = np.degrees(_ROTATIONS)
    cost = cost + np.where((rot_deg < lo) | (rot_deg > hi), 1e6, 0.0)[None, :]
    i, j = np.unravel_index(int(np.argmin(cost)), cost.shape)
    angle = float(np.degrees(_ROTATIONS[j]))
    ankle = ankles[i, j]
    # Uncertainty: the rotations whose cost is within a few pixels' worth of the best one.
    best = float(cost[i, j])
    near = np.degrees(_ROTATIONS[np.min(cost, axis=0) <= best + 9.0])
    spread = float(near.max() - near.min()) / 2 if len(near) else 90.0
    residual = miss_k + float(err[i, j]) * float(z[i, j]) / sol.focal_px
    return LegFit(side, hip, knee, ankle, residual, angle, max(1.0, spread))
