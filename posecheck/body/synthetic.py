"""A synthetic body: MediaPipe's 33 landmarks from joint angles and a camera.

Used by the tests (and benchmarks) to build pose sequences whose every angle is known, with
faults injected on purpose. Joint conventions (degrees):

- ``hip_flexion_deg``: thigh forward from hanging straight down the body (90 = sitting).
- ``hip_abduction_deg``: thigh out to the side, away from the midline.
- ``hip_rotation_deg``: internal rotation about the thigh; with the knee bent the foot swings
  *outward* (the prone hip-IR test).
- ``knee_flexion_deg``: 0 straight, 90 a right angle (shin toward the back of the body).
- ``roll_deg``: the whole leg rolled about its hip-ankle line, knee *inward* positive (a knee
  drop); the ankle and foot stay put.
- ``spine_round_deg`` (body): the spine curls forward, half of it in the lower and half in the
  upper trunk, so the shoulders come forward and down (a slump); 0 keeps the trunk straight.
- ``head_flexion_deg`` (body): the head nods forward (chin toward the chest) about the top of
  the neck, 8 cm below the head's centre; lying on the back, the head lifts off the mat.
- ``pelvis_height_m`` (body): overrides the posture's pelvis height (e.g. sitting down between
  the heels from kneeling); None keeps the posture's own.

Postures beyond lying and standing: ``kneeling`` (upright on the knees, thighs hanging down),
``quadruped`` (hands and knees, trunk level, head toward world +z, belly to the floor; hip
flexion 90 puts the thighs straight down), ``side_lying_right`` (on the right side, facing the
same way as ``side_lying`` with the head at the other end, so one camera sees both sides).

World frame: metres, y up, floor at y = 0. Postures place the pelvis and orient the body;
``Camera`` projects to pixels and gives MediaPipe-style world landmarks (hip-centred,
camera-aligned: x right, y down, z away from the camera).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, fields, replace
from typing import Literal

import numpy as np

from posecheck.pose.landmarks import NUM_LANDMARKS, Pose, PoseFrame, index_of

Posture = Literal[
    "standing",
    "supine",
    "prone",
    "seated",
    "side_lying",
    "side_lying_right",
    "kneeling",
    "quadruped",
]

#: How far below the head's centre the head nods (the top of the neck), metres.
_HEAD_PIVOT_M = 0.08

# Body axes in world coordinates per posture: (left, up-the-body, anterior), pelvis height.
_POSTURES: dict[str, tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...], float]] = {
    "standing": ((1, 0, 0), (0, 1, 0), (0, 0, 1), 0.95),
    "supine": ((1, 0, 0), (0, 0, -1), (0, 1, 0), 0.11),
    "prone": ((-1, 0, 0), (0, 0, -1), (0, -1, 0), 0.11),
    "seated": ((1, 0, 0), (0, 1, 0), (0, 0, 1), 0.12),
    "side_lying": ((0, -1, 0), (-1, 0, 0), (0, 0, -1), 0.17),  # lying on the left side
    "side_lying_right": ((0, 1, 0), (1, 0, 0), (0, 0, -1), 0.17),  # on the right side
    "kneeling": ((1, 0, 0), (0, 1, 0), (0, 0, 1), 0.50),
    "quadruped": ((1, 0, 0), (0, 0, 1), (0, -1, 0), 0.49),
}


@dataclass(frozen=True)
class Proportions:
    """Segment lengths in metres (an average adult)."""

    hip_half_width: float = 0.09
    shoulder_half_width: float = 0.19
    trunk: float = 0.50
    neck: float = 0.20
    thigh: float = 0.44
    shin: float = 0.42
    foot: float = 0.15
    upper_arm: float = 0.30
    forearm: float = 0.27


@dataclass(frozen=True)
class Leg:
    hip_flexion_deg: float = 0.0
    hip_abduction_deg: float = 0.0
    hip_rotation_deg: float = 0.0
    knee_flexion_deg: float = 0.0
    roll_deg: float = 0.0
    ankle_flexion_deg: float = 0.0  # foot up toward the shin (dorsiflexion) positive


@dataclass(frozen=True)
class Body:
    """A whole-body pose. Angles in degrees, lifts in metres."""

    posture: Posture = "standing"
    left: Leg = field(default_factory=Leg)
    right: Leg = field(default_factory=Leg)
    trunk_flexion_deg: float = 0.0  # trunk bends forward (toward anterior) from the pelvis
    trunk_side_bend_deg: float = 0.0  # trunk leans toward the person's left
    trunk_twist_deg: float = 0.0  # shoulders turn toward the person's left
    body_roll_deg: float = 0.0  # whole body rolls about its long axis onto its left side
    pelvis_lift_m: float = 0.0  # hips raised (world up); shoulders and feet stay
    pelvis_hike_deg: float = 0.0  # left hip raised along the body (frontal-plane tilt)
    shoulder_lift_m: float = 0.0  # shoulders and head raised (world up)
    arm_raise_deg: float = 0.0  # both arms forward/up from hanging along the body
    elbow_flexion_deg: float = 0.0
    spine_round_deg: float = 0.0  # the spine curls forward (a slump), shoulders come down
    head_flexion_deg: float = 0.0  # the head nods forward about the top of the neck
    pelvis_height_m: float | None = None  # None: the posture's own pelvis height
    x_m: float = 0.0
    z_m: float = 0.0

    def leg(self, side: str) -> Leg:
        return self.left if side == "left" else self.right


@dataclass(frozen=True)
class Camera:
    """A pinhole camera. ``position`` and ``target`` in world metres."""

    position: tuple[float, float, float]
    target: tuple[float, float, float] = (0.0, 0.1, 0.0)
    width: int = 640
    height: int = 480
    focal_px: float = 560.0

    def axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Unit vectors (right, down, forward) of the image in world coordinates."""
        f = np.asarray(self.target, float) - self.position
        f /= np.linalg.norm(f)
        r = np.cross(f, [0.0, 1.0, 0.0])
        if np.linalg.norm(r) < 1e-9:  # looking straight down: pick image-up = -z
            r = np.cross(f, [0.0, 0.0, -1.0])
        r /= np.linalg.norm(r)
        return r, np.cross(f, r), f

    def project(self, points: np.ndarray) -> np.ndarray:
        r, d, f = self.axes()
        p = points - np.asarray(self.position, float)
        depth = p @ f
        return np.stack(
            [
                self.width / 2 + self.focal_px * (p @ r) / depth,
                self.height / 2 + self.focal_px * (p @ d) / depth,
            ],
            axis=1,
        )

    @staticmethod
    def looking_at_feet(
        distance_m: float, height_m: float, azimuth_deg: float = 0.0, body: Posture = "supine"
    ) -> Camera:
        """A camera beyond the feet of a lying body, ``azimuth_deg`` around toward its left."""
        left = np.array(_POSTURES[body][0], float)
        feet = -np.array(_POSTURES[body][1], float)
        a = math.radians(azimuth_deg)
        horizontal = math.cos(a) * feet + math.sin(a) * left
        target = (0.0, 0.1, 0.35 * feet[2])
        pos = np.array(target) + distance_m * horizontal
        return Camera((float(pos[0]), height_m, float(pos[2])), target)

    @staticmethod
    def side_view(
        distance_m: float, height_m: float, body: Posture = "supine", from_side: str = "left"
    ) -> Camera:
        left = np.array(_POSTURES[body][0], float)
        sign = 1.0 if from_side == "left" else -1.0
        target = (0.0, 0.25 if body != "standing" else 0.9, 0.2 if body != "standing" else 0.0)
        pos = np.array(target) + sign * distance_m * left
        return Camera((float(pos[0]), height_m, float(pos[2])), target)

    @staticmethod
    def front_view(distance_m: float, height_m: float, body: Posture = "standing") -> Camera:
        anterior = np.array(_POSTURES[body][2], float)
        target = (0.0, 0.9 if body == "standing" else 0.45, 0.25 if body == "seated" else 0.0)
        pos = np.array(target) + distance_m * anterior
        return Camera((float(pos[0]), height_m, float(pos[2])), target)


def _rot(axis: np.ndarray, angle_deg: float) -> np.ndarray:
    """Rotation matrix about a unit axis (right-hand rule)."""
    a = math.radians(angle_deg)
    x, y, z = axis / np.linalg.norm(axis)
    c, s, t = math.cos(a), math.sin(a), 1 - math.cos(a)
    return np.array(
        [
            [t * x * x + c, t * x * y - s * z, t * x * z + s * y],
            [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
            [t * x * z - s * y, t * y * z + s * x, t * z * z + c],
        ]
    )


_X, _Y, _Z = np.eye(3)


def _leg_points(leg: Leg, side: str, p: Proportions) -> dict[str, np.ndarray]:
    """Leg landmarks in the pelvis frame (x left, y up the body, z anterior), hip at 0."""
    s = 1.0 if side == "left" else -1.0
    r_leg = (
        _rot(_X, -leg.hip_flexion_deg)
        @ _rot(_Z, s * leg.hip_abduction_deg)
        @ _rot(_Y, -s * leg.hip_rotation_deg)
    )
    r_shin = r_leg @ _rot(_X, leg.knee_flexion_deg)
    knee = r_leg @ np.array([0.0, -p.thigh, 0.0])
    ankle = knee + r_shin @ np.array([0.0, -p.shin, 0.0])
    r_foot = r_shin @ _rot(_X, -leg.ankle_flexion_deg)
    heel = ankle + r_foot @ np.array([0.0, -0.05, -0.04])
    toes = ankle + r_foot @ np.array([0.0, -0.05, p.foot])
    return {"knee": knee, "ankle": ankle, "heel": heel, "foot_index": toes}


def _roll_knee(
    points: dict[str, np.ndarray], hip: np.ndarray, mid: np.ndarray, roll_deg: float
) -> None:
    if roll_deg == 0:
        return
    axis = points["ankle"] - hip
    knee = points["knee"] - hip
    # Positive means toward the midline: find which way round the axis that is.
    inward = 1.0 if np.dot(_rot(axis, 1.0) @ knee - knee, mid - hip) > 0 else -1.0
    points["knee"] = hip + _rot(axis, inward * roll_deg) @ knee


def body_points(body: Body, p: Proportions | None = None) -> np.ndarray:
    """The 33 landmark positions in world metres."""
    p = p or Proportions()
    left_ax, up_ax, ant_ax, pelvis_h = (np.array(v, float) for v in _POSTURES[body.posture])
    basis = np.stack([left_ax, up_ax, ant_ax], axis=1)  # pelvis frame -> world
    # Roll about the long axis, toward the body's left; then tilt the pelvis (hip hike).
    basis = _rot(up_ax, body.body_roll_deg) @ basis  # + turns the front toward the left
    basis = basis @ _rot(_Z, body.pelvis_hike_deg)
    if body.pelvis_height_m is not None:
        pelvis_h = body.pelvis_height_m
    origin = np.array([body.x_m, pelvis_h, body.z_m])
    pts: dict[str, np.ndarray] = {}

    def world(v: np.ndarray) -> np.ndarray:
        return origin + basis @ v

    hips = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        hip = np.array([s * p.hip_half_width, 0.0, 0.0])
        hips[side] = hip
        leg = _leg_points(body.leg(side), side, p)
        leg = {k: hip + v for k, v in leg.items()}
        _roll_knee(leg, hip, np.zeros(3), body.leg(side).roll_deg)
        pts[f"{side}_hip"] = hip
        for k, v in leg.items():
            pts[f"{side}_{k}"] = v

    trunk = (
        _rot(_X, body.trunk_flexion_deg)
        @ _rot(_Z, -body.trunk_side_bend_deg)
        @ _rot(_Y, body.trunk_twist_deg)
    )
    neck = trunk @ np.array([0.0, p.trunk, 0.0])
    if body.spine_round_deg:
        half = np.array([0.0, p.trunk / 2, 0.0])
        lower = trunk @ _rot(_X, body.spine_round_deg / 2) @ half  # +angle about x: forward
        trunk = trunk @ _rot(_X, body.spine_round_deg)
        neck = lower + trunk @ half
    head_pivot = neck + trunk @ np.array([0.0, p.neck - _HEAD_PIVOT_M, 0.03])
    skull = trunk @ _rot(_X, body.head_flexion_deg)  # +angle about x: chin toward the chest
    head = head_pivot + skull @ np.array([0.0, _HEAD_PIVOT_M, 0.0])
    for side, s in (("left", 1.0), ("right", -1.0)):
        shoulder = neck + trunk @ np.array([s * p.shoulder_half_width, 0.0, 0.0])
        arm = trunk @ _rot(_X, -body.arm_raise_deg)
        elbow = shoulder + arm @ np.array([0.0, -p.upper_arm, 0.0])
        wrist = elbow + arm @ _rot(_X, -body.elbow_flexion_deg) @ np.array([0.0, -p.forearm, 0.0])
        hand = arm @ _rot(_X, -body.elbow_flexion_deg)
        pts[f"{side}_shoulder"] = shoulder
        pts[f"{side}_elbow"] = elbow
        pts[f"{side}_wrist"] = wrist
        pts[f"{side}_pinky"] = wrist + hand @ np.array([s * 0.02, -0.08, 0.0])
        pts[f"{side}_index"] = wrist + hand @ np.array([-s * 0.01, -0.09, 0.02])
        pts[f"{side}_thumb"] = wrist + hand @ np.array([-s * 0.02, -0.05, 0.03])
        pts[f"{side}_eye_inner"] = head + skull @ np.array([s * 0.015, 0.03, 0.08])
        pts[f"{side}_eye"] = head + skull @ np.array([s * 0.032, 0.03, 0.08])
        pts[f"{side}_eye_outer"] = head + skull @ np.array([s * 0.048, 0.03, 0.075])
        pts[f"{side}_ear"] = head + skull @ np.array([s * 0.075, 0.02, 0.0])
        pts[f"mouth_{side}"] = head + skull @ np.array([s * 0.025, -0.04, 0.085])
    pts["nose"] = head + skull @ np.array([0.0, 0.0, 0.11])

    out = np.zeros((NUM_LANDMARKS, 3))
    for name, v in pts.items():
        out[index_of(name)] = world(v)
    up = np.array([0.0, 1.0, 0.0])
    if body.pelvis_lift_m:
        lift = body.pelvis_lift_m * up
        for side in ("left", "right"):
            out[index_of(f"{side}_hip")] += lift
            out[index_of(f"{side}_knee")] += 0.5 * lift
    if body.shoulder_lift_m:
        lift = body.shoulder_lift_m * up
        upper = [n for n in pts if not n.endswith(("hip", "knee", "ankle", "heel", "foot_index"))]
        for name in upper:
            out[index_of(name)] += lift
    return out


def pose_from_points(points: np.ndarray, camera: Camera, visibility: float = 0.99) -> Pose:
    """Project world points into a :class:`Pose` as MediaPipe would report it."""
    r, d, f = camera.axes()
    centre = (points[index_of("left_hip")] + points[index_of("right_hip")]) / 2
    rel = points - centre
    world = np.stack([rel @ r, rel @ d, rel @ f], axis=1)
    return Pose(camera.project(points), np.full(NUM_LANDMARKS, visibility), world)


def render(body: Body, camera: Camera, proportions: Proportions | None = None) -> Pose:
    return pose_from_points(body_points(body, proportions), camera)


def _lerp(a: object, b: object, w: float) -> object:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a + (b - a) * w
    if isinstance(a, Leg) and isinstance(b, Leg):
        return Leg(*(_lerp(getattr(a, f.name), getattr(b, f.name), w) for f in fields(Leg)))
    return a if w < 0.5 else b


def interpolate(a: Body, b: Body, w: float) -> Body:
    """Linear blend of two bodies (same posture) at weight w in 0..1."""
    return Body(**{f.name: _lerp(getattr(a, f.name), getattr(b, f.name), w) for f in fields(Body)})


@dataclass(frozen=True)
class Key:
    """A keyframe: the body at ``t_s``; bodies between keys are interpolated linearly."""

    t_s: float
    body: Body


def animate(
    keys: list[Key],
    camera: Camera,
    fps: float = 15.0,
    proportions: Proportions | None = None,
    noise_px: float = 0.0,
    seed: int = 0,
    noise_world_m: float = 0.0,
) -> list[PoseFrame]:
    """Frames from the first key to the last at ``fps``, optionally with pixel noise and
    noise on the world landmarks (metres, MediaPipe's 3D is far from exact)."""
    if len(keys) < 1 or any(k2.t_s <= k1.t_s for k1, k2 in itertools.pairwise(keys)):
        raise ValueError("keys must be non-empty and strictly increasing in time")
    rng = np.random.default_rng(seed)
    frames = []
    n = round((keys[-1].t_s - keys[0].t_s) * fps) + 1
    j = 0
    for i in range(n):
        t = keys[0].t_s + i / fps
        while j + 1 < len(keys) - 1 and t > keys[j + 1].t_s:
            j += 1
        k1, k2 = keys[j], keys[min(j + 1, len(keys) - 1)]
        w = 0.0 if k2.t_s == k1.t_s else min(1.0, max(0.0, (t - k1.t_s) / (k2.t_s - k1.t_s)))
        pose = render(interpolate(k1.body, k2.body, w), camera, proportions)
        if noise_px:
            pose = Pose(
                pose.image_xy + rng.normal(0, noise_px, pose.image_xy.shape),
                pose.visibility,
                pose.world_xyz,
            )
        if noise_world_m and pose.world_xyz is not None:
            world = pose.world_xyz + rng.normal(0, noise_world_m, pose.world_xyz.shape)
            pose = Pose(pose.image_xy, pose.visibility, world)
        frames.append(PoseFrame(i, t * 1000.0, camera.width, camera.height, pose))
    return frames


def with_body(body: Body, **changes: object) -> Body:
    """``replace`` that also accepts ``left=dict(...)`` / ``right=dict(...)`` leg changes."""
    for side in ("left", "right"):
        if isinstance(changes.get(side), dict):
            changes[side] = replace(body.leg(side), **changes[side])  # type: ignore[arg-type]
    return replace(body, **changes)  # type: ignore[arg-type]
