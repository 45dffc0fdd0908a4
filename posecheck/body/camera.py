"""The camera, estimated from the body: where it stands relative to the person and the floor.

MediaPipe's world landmarks are a metric 3D model of the body (hip-centred); its image
landmarks are where that body falls on screen. Solving the camera pose that projects the one
onto the other (a perspective-n-point problem, tried at a few focal lengths spanning a wide
webcam to a phone's normal lens, the best reprojection kept) gives the camera's position in
the body's own 3D frame. The posture then says which way the floor is: lying face down the
back points at the ceiling, on the back the front does, sitting, kneeling and standing the
trunk does, lying on the side one hip does (the one that puts the camera above the floor).

Conventions (the app's, for every posture):

- ``azimuth_deg``: the camera's angle around the body, seen from above, from the *reference
  end*: beyond the feet for a body lying on its back or front, on hands and knees or on its
  side; in front for a person sitting, kneeling or standing. Positive toward the person's
  left side (lying on the side: toward the front of the body). -180..180.
- ``elevation_deg``: the camera's angle above the floor plane, seen from the hips.
- ``distance_m``: from the hips to the camera, metres (as good as MediaPipe's body size).
- ``roll_deg``: how far the picture is turned from level: the angle of the floor's up
  direction, as the picture shows it, from image-up; positive when it leans to the right
  (the scene appears turned clockwise).

One frame gives a noisy estimate; :class:`CameraTracker` keeps a robust running estimate over
time (frame timestamps only, so live and replay agree when frames are dropped) with its
uncertainty.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace
from typing import Literal

import cv2
import numpy as np

from posecheck.body.geometry import flexion_deg, shin_drawn_short, wrap_deg
from posecheck.body.template import floor_view_deg, prone_start, side_lying_start, start_view_deg
from posecheck.pose.landmarks import Pose, index_of

BodyPosture = Literal[
    "standing", "seated", "kneeling", "supine", "prone", "side_lying", "quadruped"
]

#: Landmarks used to solve the camera: the body's rigid-ish frame and limbs.
SOLVE_POINTS: tuple[str, ...] = (
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
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_ear",
    "right_ear",
    "nose",
)
_SOLVE_IDX = np.array([index_of(n) for n in SOLVE_POINTS])

#: Focal lengths tried, as a fraction of the image width: wide (about 90 degrees across)
#: to a phone's normal lens (about 50 degrees).
FOCAL_FRACTIONS: tuple[float, ...] = (0.5, 0.65, 0.8, 1.0)

MIN_POINTS = 8


def posture_from_position(words: str) -> BodyPosture:
    """The body posture a spec's ``position`` words describe ("lying face down" -> prone)."""
    p = words.lower()
    if "hands and knees" in p:
        return "quadruped"
    if "face down" in p or "prone" in p:
        return "prone"
    if "side" in p and "lying" in p:
        return "side_lying"
    if "back" in p or "supine" in p:
        return "supine"
    if "kneel" in p:
        return "kneeling"
    if "sit" in p:
        return "seated"
    return "standing"


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else np.full(3, math.nan)


@dataclass(frozen=True)
class BodyFrame:
    """The body's axes in MediaPipe's world-landmark frame: unit vectors."""

    left: np.ndarray  # across the hips, toward the person's left
    superior: np.ndarray  # up the trunk (square to ``left``)
    anterior: np.ndarray  # out of the front


def body_frame(world_xyz: np.ndarray) -> BodyFrame:
    """Pelvis-and-trunk axes from world landmarks (NaN when they are degenerate)."""
    w = np.asarray(world_xyz, float)
    left = _unit(w[index_of("left_hip")] - w[index_of("right_hip")])
    mid_sh = (w[index_of("left_shoulder")] + w[index_of("right_shoulder")]) / 2
    mid_hip = (w[index_of("left_hip")] + w[index_of("right_hip")]) / 2
    up = mid_sh - mid_hip
    sup = _unit(up - np.dot(up, left) * left)
    return BodyFrame(left, sup, np.cross(left, sup))


def floor_axes(frame: BodyFrame, posture: BodyPosture) -> tuple[np.ndarray, np.ndarray]:
    """(up, reference) for a posture: the floor normal, and the direction from the body to
    the reference end (feet end or front), both in the world-landmark frame."""
    f = frame
    if posture == "prone" or posture == "quadruped":
        return -f.anterior, -f.superior
    if posture == "supine":
        return f.anterior, -f.superior
    if posture == "side_lying":
        return f.left, -f.superior  # sign of up fixed by the caller (camera above floor)
    return f.superior, f.anterior  # standing, seated, kneeling


@dataclass(frozen=True)
class CameraView3D:
    """A camera in the body's frame: angles in degrees, distance in metres (see module)."""

    azimuth_deg: float
    elevation_deg: float
    distance_m: float
    roll_deg: float
    focal_px: float
    reprojection_px: float  # RMS reprojection error of the solve
    points: int  # landmarks used

    @property
    def known(self) -> bool:
        return not math.isnan(self.azimuth_deg)


UNKNOWN_VIEW = CameraView3D(math.nan, math.nan, math.nan, math.nan, math.nan, math.nan, 0)


@dataclass(frozen=True)
class PnPSolution:
    rotation: np.ndarray  # 3x3, world-landmark frame -> camera
    translation: np.ndarray  # (3,), metres
    focal_px: float
    rms_px: float
    points: int

    @property
    def centre(self) -> np.ndarray:
        """Camera position in the world-landmark frame."""
        return -self.rotation.T @ self.translation


def solve_pnp(
    pose: Pose,
    width: int,
    height: int,
    min_visibility: float = 0.5,
    focal_fractions: tuple[float, ...] = FOCAL_FRACTIONS,
) -> PnPSolution | None:
    """The camera pose that best projects the world landmarks onto the image landmarks,
    over a few focal lengths; None with too few visible landmarks or no world landmarks."""
    if pose.world_xyz is None:
        return None
    vis = pose.visibility[_SOLVE_IDX] >= min_visibility
    idx = _SOLVE_IDX[vis]
    obj = np.array(pose.world_xyz[idx], dtype=np.float64)
    img = np.ascontiguousarray(pose.image_xy[idx], dtype=np.float64)
    ok = np.all(np.isfinite(obj), axis=1) & np.all(np.isfinite(img), axis=1)
    obj, img = obj[ok], img[ok]
    if len(obj) < MIN_POINTS:
        return None
    best: PnPSolution | None = None
    for frac in focal_fractions:
        f = frac * width
        k = np.array([[f, 0, width / 2], [0, f, height / 2], [0, 0, 1]], dtype=np.float64)
        try:
            found, rvec, tvec = cv2.solvePnP(obj, img, k, None, flags=cv2.SOLVEPNP_SQPNP)
        except cv2.error:
            continue
        if not found:
            continue
        rvec, tvec = cv2.solvePnPRefineLM(obj, img, k, None, rvec, tvec)
        proj, _ = cv2.projectPoints(obj, rvec, tvec, k, None)
        rms = float(np.sqrt(np.mean(np.sum((proj.reshape(-1, 2) - img) ** 2, axis=1))))
        rot, _ = cv2.Rodrigues(rvec)
        if float(tvec[2, 0]) <= 0:
            continue  # the body behind the camera
        if best is None or rms < best.rms_px:
            best = PnPSolution(rot, tvec.reshape(3), f, rms, len(obj))
    return best


#: Body lengths whose ratios do not depend on the view: hip width, shoulder width, the trunk's
#: sides, thighs and shins, with their lengths on an average adult (metres; only the ratios
#: matter).
_LENGTHS: tuple[tuple[str, str, float], ...] = (
    ("left_hip", "right_hip", 0.18),
    ("left_shoulder", "right_shoulder", 0.36),
    ("left_hip", "left_shoulder", 0.50),
    ("right_hip", "right_shoulder", 0.50),
    ("left_hip", "left_knee", 0.44),
    ("right_hip", "right_knee", 0.44),
    ("left_knee", "left_ankle", 0.42),
    ("right_knee", "right_ankle", 0.42),
)
_LENGTH_IDX = np.array([[index_of(a), index_of(b)] for a, b, _ in _LENGTHS])
_LENGTH_REF = np.log([length for _, _, length in _LENGTHS])
#: Depth stretches tried (1 = MediaPipe's own depth).
_STRETCHES = np.arange(1.0, 2.51, 0.1)


def depth_stretch(world_xyz: np.ndarray, line_of_sight: np.ndarray) -> float:
    """How much to stretch the world landmarks along the line of sight so that the body's
    length ratios look most like an adult's.

    MediaPipe's world landmarks flatten depth: a hip line or a thigh pointing away from the
    camera comes out short, which turns the body toward the picture plane. Stretching depth
    until hip width, shoulder width, trunk, thighs and shins have an adult's proportions
    (least squares on log lengths, the overall size free) undoes most of it. On the
    benchmark's dev split it took the share of camera azimuths within 10 degrees from 64 %
    to 76 % (start hold of 3 s).
    """
    w = np.asarray(world_xyz, float)
    d = w[_LENGTH_IDX[:, 0]] - w[_LENGTH_IDX[:, 1]]  # the segments
    along = d @ line_of_sight  # their depth
    across_sq = np.sum(d * d, axis=1) - along**2
    lengths = np.sqrt(np.maximum(0.0, across_sq[None, :] + (_STRETCHES[:, None] * along) ** 2))
    if not np.all(lengths > 0):
        return 1.0
    r = np.log(lengths) - _LENGTH_REF
    cost = np.sum((r - r.mean(axis=1, keepdims=True)) ** 2, axis=1)
    return float(_STRETCHES[int(np.argmin(cost))])


#: Postures whose *elevation* is read with depth scaled by a fixed factor (the azimuth keeps
#: the proportions' stretch). Lying on the side, the 3D solve put the camera 12.8 degrees
#: too high on average (dev split, 9 clamshell clips, bias +12.8): the body's depth is
#: exaggerated along the floor's up, which is then the hip line. Scaled by 0.4: MAE 2.6
#: leave-one-body-out over 0.3-1.0 (0.4 picked for 8 of 9 bodies). Its azimuth got worse
#: with any fixed factor (9.6 -> 9.7-13.8).
ELEVATION_DEPTH: dict[str, float] = {"side_lying": 0.4}

#: Postures whose *azimuth* is read at MediaPipe's own depth, without the proportions'
#: stretch (:func:`depth_stretch`). MediaPipe's 3D body does not have :data:`_LENGTHS`'s
#: adult proportions (over the dev split's start holds, segments square to the line of
#: sight: hip width 0.23 on a 0.46 trunk, against 0.18 on 0.50), so stretching depth toward
#: them turns an upright body facing the camera that was not turned: dev split, 55 standing
#: clips with a camera (start hold), within 10 degrees 91 % -> 98 %, MAE 5.3 -> 3.4
#: (standing band rotation 86 % -> 100 %, 4.4 -> 2.1; band walk 96 % -> 96 %, 6.4 -> 4.9).
#: Fixed stretches of 1.2 and more read worse on both stretches, 0.8 better on one and
#: worse on the other; 1.0 is no correction, not a fit.
AZIMUTH_DEPTH: dict[str, float] = {"standing": 1.0}


def _floor_angles(
    w: np.ndarray, centre: np.ndarray, posture: BodyPosture
) -> tuple[float, float, np.ndarray]:
    """(azimuth, elevation, floor's up) of a camera at ``centre`` around body ``w``."""
    frame = body_frame(w)
    up, ref = floor_axes(frame, posture)
    dist = float(np.linalg.norm(centre))
    d = centre / dist if dist > 0 else np.full(3, math.nan)
    if posture == "side_lying" and float(np.dot(d, up)) < 0:
        up = -up  # the camera stands above the floor: the upper hip is the other one
    ref = _unit(ref - np.dot(ref, up) * up)
    toward = np.cross(up, ref)  # positive azimuth: the person's left (side lying: front)
    if posture in ("prone", "quadruped"):
        toward = -toward
    if posture == "side_lying":
        toward = toward * np.sign(np.dot(toward, frame.anterior) or 1.0)
    az = math.degrees(math.atan2(float(np.dot(d, toward)), float(np.dot(d, ref))))
    el = math.degrees(math.asin(max(-1.0, min(1.0, float(np.dot(d, up))))))
    return az, el, up


def scale_depth(world_xyz: np.ndarray, line_of_sight: np.ndarray, factor: float) -> np.ndarray:
    """The world landmarks with their depth along ``line_of_sight`` scaled by ``factor``."""
    w = np.asarray(world_xyz, float)
    return w + np.outer(w @ line_of_sight, line_of_sight) * (factor - 1.0)


def view_from_solution(
    sol: PnPSolution, world_xyz: np.ndarray, posture: BodyPosture
) -> CameraView3D:
    """Express a solved camera in the body's floor frame, the body's depth first stretched
    to an adult's proportions (:func:`depth_stretch`); standing, the azimuth is read at
    MediaPipe's own depth (:data:`AZIMUTH_DEPTH`), and the elevation of some postures with
    depth scaled by a fixed factor (:data:`ELEVATION_DEPTH`). (Solving the
    camera again against the stretched body was tried: no better on the dev split. Face
    down, halving depth for the azimuth took dev's prone from 14.0 to 7.3 degrees, 40 % to
    80 % within 10, leave-one-body-out, but the test split's prone from 3.5 to 11.9, 100 %
    to 20 %: dropped.)"""
    sight = sol.rotation[2]  # the camera's line of sight in the world-landmark frame
    centre = sol.centre

    def angles(factor: float) -> tuple[float, float, np.ndarray]:
        return _floor_angles(scale_depth(world_xyz, sight, factor), centre, posture)

    az, el, up = angles(AZIMUTH_DEPTH.get(posture) or depth_stretch(world_xyz, sight))
    if posture in ELEVATION_DEPTH:
        el = angles(ELEVATION_DEPTH[posture])[1]
    # Roll: the floor's up direction as the camera sees it, against image-up.
    up_cam = sol.rotation @ up
    roll = math.degrees(math.atan2(float(up_cam[0]), -float(up_cam[1])))
    return CameraView3D(
        az, el, float(np.linalg.norm(centre)), roll, sol.focal_px, sol.rms_px, sol.points
    )


def estimate_view(
    pose: Pose | None,
    width: int,
    height: int,
    posture: BodyPosture,
    min_visibility: float = 0.5,
) -> CameraView3D:
    """One frame's camera estimate (``UNKNOWN_VIEW`` when it cannot be solved)."""
    if pose is None or pose.world_xyz is None:
        return UNKNOWN_VIEW
    sol = solve_pnp(pose, width, height, min_visibility)
    if sol is None:
        return UNKNOWN_VIEW
    view = with_posture_template(
        view_from_solution(sol, pose.world_xyz, posture), pose, width, height, posture
    )
    return view if np.isfinite(view.azimuth_deg) else UNKNOWN_VIEW


def leg_bends_deg(world_xyz: np.ndarray) -> tuple[float, float]:
    """(hip flexion, knee flexion) in degrees, both legs' mean, from world landmarks: each
    thigh's and shin's angle from straight down the body toward its front, in the body's
    own plane (:func:`body_frame`); the knee's is the thigh's less the shin's."""
    w = np.asarray(world_xyz, float)
    f = body_frame(w)

    def angle(v: np.ndarray) -> float:
        return math.degrees(math.atan2(float(v @ f.anterior), -float(v @ f.superior)))

    hips, knees = [], []
    for side in ("left", "right"):
        hip, knee, ankle = (w[index_of(f"{side}_{n}")] for n in ("hip", "knee", "ankle"))
        thigh = angle(knee - hip)
        hips.append(thigh)
        knees.append(thigh - angle(ankle - knee))
    return float(np.mean(hips)), float(np.mean(knees))


#: Face down, how much of the body's own knee bend (from MediaPipe's 3D landmarks) the start
#: template takes, the rest the start's right angle (:func:`posecheck.body.template.prone_start`).
#: MediaPipe's bends are noisy (one leg of a body at 90 read 41-115 on the dev split), so not
#: all of it: chosen leaving one body out over 0-1.25 on the dev split's 22 prone clips, 0.5 for
#: 10 of 11 bodies (0.75 for the other); azimuth MAE 7.7 -> 6.7 with the body left out (3.3
#: without r0403, whose camera both solves put under the floor), within 10 degrees 86 % -> 86 %;
#: 1.0 (all of the body's bend) read 6.8.
PRONE_BEND_WEIGHT = 0.5

#: Sitting, the start template (legs straight out in front) is solved only while both knees
#: read at most this bent in MediaPipe's 3D landmarks: from the front it reads a straight leg
#: bent by up to 40-60 degrees (dev split, seated cross-ankle: 63 at most after the first
#: second but on r0009, whose straight legs read 120-155 for 2.6 s); bent legs (the
#: butterfly's soles together) are another shape. Every line from 60 to 150 gives the same
#: camera on every seated dev clip (45: cross-ankle within 10 degrees 95 % -> 91 %); with no
#: line the butterfly took the template with its knees bent (r0249 -6 -> +12, r0353 -10 ->
#: -19; within 10 degrees 91 % -> 82 %). 60 is the reason (a straight leg's misread), not a fit.
SEATED_STRAIGHT_MAX_DEG = 60.0

#: The most the start template may turn the 3D solve's azimuth (degrees). On the dev split it
#: moved it by up to 30; a body lying face down with its legs straight fits the template from
#: the other end of the body (a synthetic one: 160-180 degrees round, fit 0.07-0.15).
START_TURN_MAX_DEG = 45.0


#: Face down, a frame whose shin is drawn on screen shorter than this share of its thigh gives
#: the camera no view: the knee and ankle points nearly on top of each other, the legs'
#: shape (the start template's raised shins, MediaPipe's 3D knee bend) is the landmarks'
#: jitter. The prone spec's ``min_shin_to_thigh`` line (chosen for the ROM leaving one body
#: out, docs/measurement.md 19.1), not fitted to the camera. Dev, the start hold of the
#: 30 prone clips: r2075 (b25, shins drawn 20-50 px for a true 140, 9 of 21 hold frames under
#: the line) -12.9 -> -6.6 degrees; r0052, r0260, r2000 lose one frame each.
PRONE_MIN_SHIN_TO_THIGH = 0.55


def shin_collapsed(pose: Pose, posture: BodyPosture) -> bool:
    """Face down, either shin drawn shorter than :data:`PRONE_MIN_SHIN_TO_THIGH` of its thigh
    on screen (always False in other postures)."""
    if posture != "prone":
        return False
    xy = pose.image_xy
    return any(
        shin_drawn_short(
            *(xy[index_of(f"{side}_{n}")] for n in ("hip", "knee", "ankle")),
            PRONE_MIN_SHIN_TO_THIGH,
        )
        for side in ("left", "right")
    )


def with_posture_template(
    view: CameraView3D,
    pose: Pose,
    width: int,
    height: int,
    posture: BodyPosture,
    min_visibility: float = 0.5,
) -> CameraView3D:
    """The view with what the posture's templates say (:mod:`posecheck.body.template`): the
    azimuth from the 3D start template where there is one and the body fits it (face down:
    dev split, 18 prone clips, MAE 14.1 -> 4.6 degrees leaving one body out; the lower legs
    raised by half the body's own knee bend, :func:`leg_bends_deg` and
    :data:`PRONE_BEND_WEIGHT`, chosen leaving one body out: 22 prone clips, 7.7 -> 6.7;
    lying on the side, a template with the body's own bends: 19 clamshell clips, 9.1 -> 6.4,
    nothing tuned), then the elevation from the floor template
    (:func:`with_floor_elevation`). The start template refines the 3D solve's azimuth and
    never overturns it (:data:`START_TURN_MAX_DEG`). Face down with a shin drawn too short
    (:func:`shin_collapsed`): unknown."""
    if shin_collapsed(pose, posture):
        return UNKNOWN_VIEW
    if view.known:
        template = None
        if posture == "side_lying" and pose.world_xyz is not None:
            template = side_lying_start(*leg_bends_deg(pose.world_xyz))
        elif posture == "prone" and pose.world_xyz is not None:
            knee_deg = leg_bends_deg(pose.world_xyz)[1]
            template = prone_start(90.0 + PRONE_BEND_WEIGHT * (knee_deg - 90.0))
        start = (
            None
            if posture == "seated" and not _legs_straight(pose)
            else start_view_deg(
                pose, width, height, posture, view.focal_px, min_visibility, template
            )
        )
        if start is not None and abs(wrap_deg(start[0] - view.azimuth_deg)) <= START_TURN_MAX_DEG:
            view = replace(view, azimuth_deg=start[0])
    return with_floor_elevation(view, pose, width, height, posture, min_visibility)


def _legs_straight(pose: Pose) -> bool:
    """Both knees read at most :data:`SEATED_STRAIGHT_MAX_DEG` bent in the 3D landmarks."""
    w = pose.world_xyz
    if w is None:
        return False
    bends = [
        flexion_deg(*(w[index_of(f"{side}_{n}")] for n in ("hip", "knee", "ankle")))
        for side in ("left", "right")
    ]
    return all(b <= SEATED_STRAIGHT_MAX_DEG for b in bends)


def with_floor_elevation(
    view: CameraView3D,
    pose: Pose,
    width: int,
    height: int,
    posture: BodyPosture,
    min_visibility: float = 0.5,
) -> CameraView3D:
    """The view with its elevation taken from the posture's template
    (:mod:`posecheck.body.template`: lying down, the shoulders and hips on the floor;
    standing, on an upright plane) where there is one: on the benchmark's dev split the
    elevation's mean error went from 6.8 to 3.3 degrees (13 lying clips, start hold) and
    from 17.6 to 2.5 (14 standing clips). The azimuth stays the 3D solve's."""
    if not view.known:
        return view
    found = floor_view_deg(
        pose,
        width,
        height,
        posture,
        view.focal_px,
        view.azimuth_deg,
        min_visibility,
        view.elevation_deg,
    )
    if found is not None:
        return replace(view, elevation_deg=found[1])
    if posture in ("supine", "prone") and view.elevation_deg < 0:
        # No template answer above the floor: the 3D solve's elevation, but a camera under
        # a body lying on the floor is none (r0117, dev: -15 for a true +9 during the start
        # hold); level is the nearest answer.
        return replace(view, elevation_deg=0.0)
    return view


def _circular_mean_deg(values: np.ndarray) -> tuple[float, float]:
    """Mean direction and circular standard deviation of angles, degrees."""
    r = np.radians(values)
    c, s = float(np.mean(np.cos(r))), float(np.mean(np.sin(r)))
    length = max(1e-9, min(1.0, math.hypot(c, s)))
    return math.degrees(math.atan2(s, c)), math.degrees(math.sqrt(-2.0 * math.log(length)))


#: The azimuth's usual error, degrees: about the mean error on the benchmark's dev split, where
#: the start hold's per-frame spread was mostly 1-4 degrees (the error is a bias of MediaPipe's
#: 3D shape, not noise). An estimate's uncertainty is never below it.
AZIMUTH_ERROR_DEG = 7.0


@dataclass(frozen=True)
class CameraEstimate:
    """The camera relative to the body, smoothed over time, with its uncertainty."""

    azimuth_deg: float
    elevation_deg: float
    distance_m: float
    roll_deg: float
    focal_px: float
    azimuth_sd_deg: float  # spread of the per-frame azimuths in the window
    elevation_sd_deg: float
    frames: int  # per-frame estimates behind it
    span_s: float  # time they cover

    @property
    def known(self) -> bool:
        return not math.isnan(self.azimuth_deg)

    @property
    def uncertainty_deg(self) -> float:
        """A plain +/- on the azimuth: the spread of the per-frame views, and never below
        :data:`AZIMUTH_ERROR_DEG`."""
        return max(AZIMUTH_ERROR_DEG, self.azimuth_sd_deg)


UNKNOWN_CAMERA = CameraEstimate(
    math.nan, math.nan, math.nan, math.nan, math.nan, math.nan, math.nan, 0, 0.0
)


class CameraTracker:
    """The running camera estimate.

    The camera stands still; the body's posture matches its stretch's starting position best
    before the movement begins. So the estimate is a robust summary of the per-frame views
    over the first ``hold_s`` seconds of frame time after the person is seen (the start
    hold), then kept; ``recent`` follows the last ``window_s`` seconds throughout (the app can
    show it; a camera that moves shows there). Seen again after ``gap_s`` without a view, the
    hold starts over (the camera may have been moved meanwhile). Frame timestamps only, so a
    dropped frame changes little and live and replay agree.

    On the benchmark's dev split the start hold's estimate was within 10 degrees in more
    clips than a sliding window over the whole clip (the trunk twists and leans during some
    stretches, and the posture's frame assumes the start position); see benchmarks/README.md.
    """

    def __init__(
        self,
        posture: BodyPosture,
        hold_s: float = 2.0,
        window_s: float = 6.0,
        gap_s: float = 5.0,
        min_visibility: float = 0.5,
        hold_hz: float = 10.0,
        after_hz: float = 2.0,
    ) -> None:
        self.posture = posture
        self.hold_s = hold_s
        self.window_s = window_s
        self.gap_s = gap_s
        self.min_visibility = min_visibility
        self.hold_hz = hold_hz
        self.after_hz = after_hz
        self._hold: list[tuple[float, CameraView3D]] = []
        self._recent: deque[tuple[float, CameraView3D]] = deque()
        self._recent_summary: CameraEstimate | None = UNKNOWN_CAMERA
        self._last_ms: float | None = None
        self._slot: tuple[float, int] | None = None  # (rate, slot) of the last frame solved
        self.estimate: CameraEstimate = UNKNOWN_CAMERA

    @property
    def recent(self) -> CameraEstimate:
        """The summary of the last ``window_s`` seconds of views (worked out when asked)."""
        if self._recent_summary is None:
            self._recent_summary = summarise(list(self._recent))
        return self._recent_summary

    def held(self, t_ms: float) -> bool:
        """The start hold is over by ``t_ms``: the estimate is kept from here on."""
        return bool(self._hold) and t_ms - self._hold[0][0] > self.hold_s * 1000.0

    def due(self, t_ms: float) -> bool:
        """Is a camera solve due at ``t_ms``? The camera stands still, so a few views a second
        are enough: ``hold_hz`` during the start hold, ``after_hz`` after it (only ``recent``
        and the gap check use them then). The slots are fixed on frame time (``t_ms`` cut
        into 1/rate pieces), so a dropped frame moves a solve to the slot's next frame and
        live and replay take nearly the same views. Marks the slot as taken when it says
        yes (call it once a frame)."""
        rate = self.after_hz if self.held(t_ms) else self.hold_hz
        if rate <= 0:
            return True
        slot = (rate, math.floor(t_ms * rate / 1000.0))
        if slot == self._slot:
            return False
        self._slot = slot
        return True

    def update(self, pose: Pose | None, width: int, height: int, t_ms: float) -> CameraEstimate:
        """Solve this frame's view and fold it in."""
        return self.add(estimate_view(pose, width, height, self.posture, self.min_visibility), t_ms)

    def add(self, view: CameraView3D | None, t_ms: float) -> CameraEstimate:
        """Fold in a view solved elsewhere (None or unknown: nothing seen this frame)."""
        if view is None or not view.known:
            return self.estimate
        if self._last_ms is not None and t_ms - self._last_ms > self.gap_s * 1000.0:
            self._hold.clear()  # seen again after a long gap: a new start hold
            self._recent.clear()
        self._last_ms = t_ms
        self._recent.append((t_ms, view))
        while t_ms - self._recent[0][0] > self.window_s * 1000.0:
            self._recent.popleft()
        self._recent_summary = None
        if not self._hold or t_ms - self._hold[0][0] <= self.hold_s * 1000.0:
            self._hold.append((t_ms, view))
            self.estimate = summarise(self._hold)
        return self.estimate


def summarise(views: list[tuple[float, CameraView3D]]) -> CameraEstimate:
    """A robust summary of timed per-frame views: circular mean azimuth over the views whose
    reprojection is in the better half, medians for the rest."""
    if not views:
        return UNKNOWN_CAMERA
    vs = [v for _, v in views]
    rms = np.array([v.reprojection_px for v in vs])
    cut = float(np.median(rms)) + 1e-9
    keep = [v for v, r in zip(vs, rms, strict=True) if r <= cut]
    az, az_sd = _circular_mean_deg(np.array([v.azimuth_deg for v in keep]))
    el = np.array([v.elevation_deg for v in keep])
    return CameraEstimate(
        az,
        float(np.median(el)),
        float(np.median([v.distance_m for v in keep])),
        float(np.median([v.roll_deg for v in keep])),
        float(np.median([v.focal_px for v in keep])),
        az_sd,
        float(np.std(el)),
        len(vs),
        (views[-1][0] - views[0][0]) / 1000.0,
    )
