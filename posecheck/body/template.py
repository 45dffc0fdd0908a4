"""The camera's elevation from a posture template: the floor seen through the body lying on it.

MediaPipe's 3D landmarks flatten depth, and the camera's elevation solved against them was
off by 9.5 degrees on average on the benchmark's dev split (up to 37). Lying on the back or
face down, though, the shoulders and hips (and, face down, the knees) lie on one plane
parallel to the floor, in an adult's known proportions. That planar template, seen in the
picture, gives the plane's tilt toward the camera (a planar perspective-n-point solve, IPPE)
from the 2D landmarks alone: how much the trunk is foreshortened against the width of the
shoulders and hips says how high the camera stands. Body-to-body differences in proportions
(about 10 %) move the answer by a few degrees at the usual 15-35 degrees of elevation.

A planar solve has two mirror answers (and a 4-point trapezoid seen from its head or its
feet end); the one whose azimuth is nearer the azimuth solved against the 3D landmarks is
kept, and only its elevation is used: that azimuth stays the better of the two on dev.

Standing, the shoulders and hips stand on an upright plane, and the body's up is the
floor's. Seen from about level, that plane is nearly face-on, where foreshortening barely
changes with the angle (cos 15 degrees is 0.97), so the elevation rests on the trunk's
proportions: with the lying template's, the dev split's 14 standing clips read 8 degrees high
on average (MAE 12.1); with the trunk 0.9 as tall over its width (as MediaPipe places a
standing person's shoulders and hips) 2.7 leave-one-body-out, against 22.0 (standing band
rotation) and 13.2 (band walk) from the 3D solve. The dev split's standing cameras are
within 11 degrees of level (mean 4.6 off it), so this is checked near level only. The
mirror answers of a camera in front differ in the elevation's sign; the 3D solve's elevation
picks one. Sitting, the trunk leans (dev: 8.1 -> 9.9 with the template), so it has none.

Face down, the *azimuth* comes from a 3D template of the prone stretches' start position
(:data:`PRONE_START`, :func:`start_view_deg`): shoulders, hips and knees on the floor, the lower
legs upright. Solved against MediaPipe's 3D landmarks, the camera stood too far round from the
feet end on most of the dev split's prone clips (14.1 degrees MAE, 39 % within 10: a true 35
read 64). The 3D landmarks are not the cause: the same solve against the truth's projected
joints was within 10 degrees on 13 of 18 clips. The picture is: MediaPipe puts the knee
nearer the camera up its upright shin (by 40 pixels on the worst clips) and the hips closer
together than the hip joints, which the 3D solve reads as a view from further round. The
template, in the proportions MediaPipe's picture gives that pose (a short shin, narrow hips
and shoulders), is solved against the picture alone.

Lying on the side, the azimuth comes from a 3D template built per frame
(:func:`side_lying_start`): shoulders and hips stacked, both legs in the body's plane, bent
as MediaPipe's 3D landmarks say, at an adult's lengths. The 3D solve crowded the dev split's
clamshell azimuths round 90 (the camera square to the front) where the truths ran from 68 to
114 (MAE 9.1, 58 % within 10). There the truth's projected joints did no better, so
MediaPipe's depth is the cause. The template keeps the body's own bends and replaces the
rest: MAE 6.4, 74 % within 10, with nothing tuned. A template fixed at the clamshell's
start (hips 45, knees 90, the renderer's start on every clip) read dev within 2.4 degrees,
but a body bent 30 or 60 degrees 13-15 off, with as good a fit: not built.

Sitting with both legs straight out in front (the seated stretches' start), the azimuth comes
from a 3D template of that start (:data:`SEATED_START`): the trunk upright, the legs along the
floor at an adult's lengths, each 5 degrees out (:data:`SEATED_LEGS_OUT_DEG`, session 14).
The 3D solve put seated cameras nearer the front than they stood (MediaPipe's hip line comes
out flattened in depth); the straight legs, pointing at the camera, show on screen which way
round it stands. Used only while both knees read straight
(:data:`posecheck.body.camera.SEATED_STRAIGHT_MAX_DEG`) (docs/measurement.md, section 18); the
legs' angle out was chosen on dev (session 14) and is the renderer's rest, so a person who
sits with the legs wider or closer reads the camera off (below).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from posecheck.pose.landmarks import Pose, index_of

#: Frontal-plane positions (metres; x toward the person's left, y up the body) of the points
#: that lie on one plane per posture, for an average adult (the proportions of
#: :class:`posecheck.body.synthetic.Proportions`); only the ratios matter. Lying down they are
#: the floor contacts; standing, the shoulders and hips stand on an upright plane whose
#: up-the-body direction is the floor's up.
_TRUNK: dict[str, tuple[float, float]] = {
    "left_shoulder": (0.19, 0.50),
    "right_shoulder": (-0.19, 0.50),
    "left_hip": (0.09, 0.0),
    "right_hip": (-0.09, 0.0),
}
#: Standing, the trunk's height over its width as MediaPipe places the landmarks, against the
#: lying template's (dev split, leave-one-body-out over 0.80-1.00: 0.9 chosen for 8 of 9 bodies).
_STANDING_TRUNK = 0.9
TEMPLATES: dict[str, dict[str, tuple[float, float]]] = {
    "supine": _TRUNK,
    "prone": {**_TRUNK, "left_knee": (0.09, -0.44), "right_knee": (-0.09, -0.44)},
    # MediaPipe's standing trunk: the shoulders 0.9 of the lying template's height over the
    # hips (see the module's docstring)
    "standing": {k: (x, _STANDING_TRUNK * y) for k, (x, y) in _TRUNK.items()},
}
#: Per posture, in the template's frame (left, superior, anterior): the floor's up, the
#: reference end (azimuth 0) and the positive-azimuth direction.
_AXES: dict[str, tuple[tuple[float, float, float], ...]] = {
    "supine": ((0.0, 0.0, 1.0), (0.0, -1.0, 0.0), (1.0, 0.0, 0.0)),
    "prone": ((0.0, 0.0, -1.0), (0.0, -1.0, 0.0), (1.0, 0.0, 0.0)),
    "standing": ((0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (1.0, 0.0, 0.0)),
}
#: Postures whose template lies on the floor: a camera under it is no answer.
_ON_FLOOR = frozenset({"supine", "prone"})

#: Face down in the prone stretches' start position (knees bent to a right angle, the lower
#: legs upright), in the body's frame (metres; x toward the person's left, y up the body, z
#: out of the front, so the floor is z = 0 and the ankles stand at -z). The proportions are
#: those of MediaPipe's landmarks in that pose, not the skeleton's: on the dev split (18 prone
#: clips of 10 bodies), chosen over hip half-widths 0.06-0.14, shins 0.22-0.52 and shoulder
#: half-widths 0.11-0.23 (the trunk 0.50 and thighs 0.44 fixed; only ratios matter), leaving
#: one body out: 0.08 / 0.32 / 0.15 picked for 7 of 10 bodies and a neighbour for the rest;
#: the azimuth's MAE 14.1 -> 4.6, within 10 degrees 39 % -> 89 % (body left out).
#: (:data:`PRONE_START` is the template at the start's right angle; the camera solves against
#: :func:`prone_start` at the body's own knee bend.)
PRONE_HIP_HALF_WIDTH = 0.08
PRONE_SHOULDER_HALF_WIDTH = 0.15
PRONE_SHIN = 0.32


def prone_start(
    knee_flexion_deg: float = 90.0,
    *,
    hip_half_width: float = PRONE_HIP_HALF_WIDTH,
    shoulder_half_width: float = PRONE_SHOULDER_HALF_WIDTH,
    shin: float = PRONE_SHIN,
) -> dict[str, tuple[float, float, float]]:
    """A 3D template of a body lying face down: shoulders, hips and knees on the floor, both
    lower legs raised by the knee bend (degrees: 0 flat on the floor, 90 upright), in the
    proportions MediaPipe's picture gives that pose (:data:`PRONE_START`), or in others given
    (metres against the trunk's 0.50 and the thighs' 0.44; ``benchmarks/rom_breakdown.py
    --start-template`` compares an adult's: on the truth's projected joints the picture's
    proportions read the camera 14 degrees too near the feet, docs/measurement.md 18.4).

    The camera solves it at the body's own bend, not at a fixed 90
    (:func:`posecheck.body.camera.with_posture_template` reads the bend from MediaPipe's 3D
    landmarks and weighs it half and half with the start's 90: ``PRONE_BEND_WEIGHT``): a
    person resting with the knees bent 55 (the prone stretch's ``knee_bend_off`` fault) put the
    fixed template's camera 13 degrees too far round (dev r0338; 0 with the body's bend)."""
    k = math.radians(knee_flexion_deg)
    dy, dz = -math.cos(k) * shin, -math.sin(k) * shin
    out: dict[str, tuple[float, float, float]] = {}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        hx = sign * hip_half_width
        out[f"{side}_shoulder"] = (sign * shoulder_half_width, 0.50, 0.0)
        out[f"{side}_hip"] = (hx, 0.0, 0.0)
        out[f"{side}_knee"] = (hx, -0.44, 0.0)
        out[f"{side}_ankle"] = (hx, -0.44 + dy, dz)
    return out


PRONE_START: dict[str, tuple[float, float, float]] = prone_start(90.0)


def side_lying_start(
    hip_flexion_deg: float, knee_flexion_deg: float
) -> dict[str, tuple[float, float, float]]:
    """A 3D template of a body lying on its side: shoulders and hips stacked, both legs bent
    alike in the body's own plane (hip and knee flexion, degrees), with an average adult's
    lengths (those of :data:`_TRUNK`, thighs 0.44, shins 0.42). The bends are the body's
    own (:func:`posecheck.body.camera.with_posture_template` reads them from MediaPipe's 3D
    landmarks); the proportions and the legs' plane are what MediaPipe's depth lacks."""
    f, k = math.radians(hip_flexion_deg), math.radians(knee_flexion_deg)
    thigh = np.array([0.0, -math.cos(f), math.sin(f)]) * 0.44
    shin = np.array([0.0, -math.cos(f - k), math.sin(f - k)]) * 0.42
    out: dict[str, tuple[float, float, float]] = {}
    for side in ("left", "right"):
        (sx, sy), (hx, _) = _TRUNK[f"{side}_shoulder"], _TRUNK[f"{side}_hip"]
        out[f"{side}_shoulder"] = (sx, sy, 0.0)
        out[f"{side}_hip"] = (hx, 0.0, 0.0)
        out[f"{side}_knee"] = (hx, float(thigh[1]), float(thigh[2]))
        out[f"{side}_ankle"] = (hx, float(thigh[1] + shin[1]), float(thigh[2] + shin[2]))
    return out


#: Sitting with the legs out in front, each leg turned this far out from straight ahead
#: (hip abduction, degrees): a relaxed long sit, and the benchmark renderer's rest (the truth's
#: ``hip_abduction_deg`` at the start of every seated clip). With the legs parallel the
#: template read a seated camera nearer the front than it stood: dev split, the 60 seated
#: clips with straight legs in their first 2 s, the template's azimuth solved on the truth's
#: own projected joints at the true focal length fell short by a third (0.70 of the true
#: angle, MAE 3.7), on MediaPipe's landmarks MAE 4.9, 0.68; with the legs 5 degrees out 1.0
#: and 2.8 (3 degrees: 3.1 on MediaPipe's, 8: 3.0, 10: 4.1). Chosen on dev, and it is the
#: renderer's rest angle (every rendered seated start has 5; leaving one body out picks 6, which
#: cannot tell a fit to the renderer apart, since every body shares it). Not checked on people:
#: 5 degrees of mismatch moves the estimate by about a quarter of its angle (legs 0/3/5/8/10
#: out give 0.70/0.82/0.92/1.10/1.24 of the true angle on the truth's joints), so a person who
#: sits wider reads the camera further round. Reading the spread from the body, as the prone
#: and side-lying templates take its bends, is the next step (docs/measurement.md 20.7).
SEATED_LEGS_OUT_DEG = 5.0


def _seated_start(
    legs_out_deg: float = SEATED_LEGS_OUT_DEG,
) -> dict[str, tuple[float, float, float]]:
    """A 3D template of a body sitting on the floor with both legs straight out in front,
    each turned ``legs_out_deg`` out from straight ahead, and the trunk upright (the seated
    stretches' start, before a leg bends): shoulders and hips as :data:`_TRUNK`, the knees
    and ankles at the hips' height, an average adult's thighs (0.44) and shins (0.42), as
    :func:`side_lying_start`."""
    out_x, ahead = math.sin(math.radians(legs_out_deg)), math.cos(math.radians(legs_out_deg))
    out: dict[str, tuple[float, float, float]] = {}
    for side in ("left", "right"):
        (sx, sy), (hx, _) = _TRUNK[f"{side}_shoulder"], _TRUNK[f"{side}_hip"]
        outward = math.copysign(out_x, hx)  # x points to the person's left
        out[f"{side}_shoulder"] = (sx, sy, 0.0)
        out[f"{side}_hip"] = (hx, 0.0, 0.0)
        out[f"{side}_knee"] = (hx + 0.44 * outward, 0.0, 0.44 * ahead)
        out[f"{side}_ankle"] = (hx + 0.86 * outward, 0.0, 0.86 * ahead)
    return out


#: Sitting with both legs straight out in front (:func:`_seated_start`). MediaPipe's 3D body
#: put a seated camera nearer the front than it stood (dev r0230: a camera 20 degrees round
#: read as 4; the hip line's depth comes out flattened), while the straight legs pointing at
#: the camera show on screen which way round it stands. Dev split (start hold), cross-ankle
#: 22 clips: camera azimuth MAE 5.8 -> 4.1, within 10 degrees 77 % -> 95 %; twist 22 clips:
#: 7.2 -> 4.0, 77 % -> 100 %; butterfly unchanged (5.5, 91 %). Used only while both legs read
#: straight (:data:`posecheck.body.camera.SEATED_STRAIGHT_MAX_DEG`).
SEATED_START: dict[str, tuple[float, float, float]] = _seated_start()

#: 3D start templates per posture (:func:`start_view_deg`).
#: (Lying on the side the template is built per frame: :func:`side_lying_start`.)
START_TEMPLATES: dict[str, dict[str, tuple[float, float, float]]] = {
    "prone": PRONE_START,
    "seated": SEATED_START,
}
#: Per posture with a start template, in the template's frame (left, superior, anterior):
#: the floor's up, the reference end (azimuth 0) and the positive-azimuth direction. Lying
#: on the side, the floor's up is the hip line, either way (the camera is above the floor).
_START_AXES: dict[str, tuple[tuple[float, float, float], ...]] = {
    "prone": _AXES["prone"],
    "side_lying": ((1.0, 0.0, 0.0), (0.0, -1.0, 0.0), (0.0, 0.0, 1.0)),
    "seated": _AXES["standing"],  # upright trunk, facing the camera: the standing axes
}
#: The most a start template may miss the picture by (RMS reprojection over the diagonal of
#: its landmarks' box on screen) and still be the posture's answer; beyond it
#: the body is not in the start position (the legs down, say) and the 3D solve stands.
START_FIT_MAX = 0.10
#: A start template's landmarks that must be seen (of its 8: one hidden knee and ankle may be
#: left out, as on a camera further round than the knee's line).
START_MIN_POINTS = 6


def floor_view_deg(
    pose: Pose,
    width: int,
    height: int,
    posture: str,
    focal_px: float,
    azimuth_hint_deg: float,
    min_visibility: float = 0.5,
    elevation_hint_deg: float = 0.0,
) -> tuple[float, float] | None:
    """(azimuth, elevation) of the camera from the posture's template, degrees, in the app's
    conventions (:mod:`posecheck.body.camera`); None for a posture without a template, a
    landmark not seen, or (lying) no solution with the camera above the floor. Of the
    planar solve's two mirror answers the one nearer the hint is kept (standing, the mirror
    answers of a camera in front differ mostly in the elevation's sign)."""
    template = TEMPLATES.get(posture)
    if template is None or not math.isfinite(focal_px) or not math.isfinite(azimuth_hint_deg):
        return None
    names = list(template)
    idx = [index_of(n) for n in names]
    if np.any(pose.visibility[idx] < min_visibility):
        return None
    # Body frame (left, superior, anterior), right-handed; the template lies at anterior 0.
    obj = np.array([[*template[n], 0.0] for n in names], dtype=np.float64)
    img = np.ascontiguousarray(pose.image_xy[idx], dtype=np.float64)
    if not np.all(np.isfinite(img)):
        return None
    k = np.array([[focal_px, 0, width / 2], [0, focal_px, height / 2], [0, 0, 1]], dtype=np.float64)
    try:
        _, rvecs, tvecs, _ = cv2.solvePnPGeneric(obj, img, k, None, flags=cv2.SOLVEPNP_IPPE)
    except cv2.error:
        return None
    up, ref, left = (np.array(a) for a in _AXES[posture])
    el_hint = elevation_hint_deg if math.isfinite(elevation_hint_deg) else 0.0
    best: tuple[float, float, float] | None = None
    for rvec, tvec in zip(rvecs, tvecs, strict=True):
        rot, _ = cv2.Rodrigues(rvec)
        centre = -rot.T @ np.asarray(tvec, float).reshape(3)
        if not np.all(np.isfinite(centre)) or not np.any(centre):
            continue  # a degenerate solve (an exactly symmetric picture)
        d = centre / float(np.linalg.norm(centre))
        if posture in _ON_FLOOR and float(d @ up) <= 0:
            continue  # the camera under the floor
        az = math.degrees(math.atan2(float(d @ left), float(d @ ref)))
        el = math.degrees(math.asin(max(-1.0, min(1.0, float(d @ up)))))
        off = abs((az - azimuth_hint_deg + 180.0) % 360.0 - 180.0)
        if posture not in _ON_FLOOR:
            off = math.hypot(off, el - el_hint)
        if best is None or off < best[0]:
            best = (off, az, el)
    return None if best is None else (best[1], best[2])


def start_view_deg(
    pose: Pose,
    width: int,
    height: int,
    posture: str,
    focal_px: float,
    min_visibility: float = 0.5,
    template: dict[str, tuple[float, float, float]] | None = None,
) -> tuple[float, float, float] | None:
    """(azimuth, elevation, fit) of the camera from the posture's 3D start template
    (``template``, else :data:`START_TEMPLATES`'s), degrees in the app's conventions, and how
    well it fits: the RMS reprojection over the diagonal of the landmarks' box on screen. None
    for a posture without one, fewer than :data:`START_MIN_POINTS` landmarks seen, the camera
    under the floor, or a fit worse than :data:`START_FIT_MAX` (not in the start position)."""
    template = template or START_TEMPLATES.get(posture)
    if template is None or posture not in _START_AXES or not math.isfinite(focal_px):
        return None
    names = [n for n in template if pose.visibility[index_of(n)] >= min_visibility]
    if len(names) < START_MIN_POINTS:
        return None
    idx = [index_of(n) for n in names]
    obj = np.array([template[n] for n in names], dtype=np.float64)
    img = np.ascontiguousarray(pose.image_xy[idx], dtype=np.float64)
    if not np.all(np.isfinite(img)):
        return None
    k = np.array([[focal_px, 0, width / 2], [0, focal_px, height / 2], [0, 0, 1]], dtype=np.float64)
    try:
        found, rvec, tvec = cv2.solvePnP(obj, img, k, None, flags=cv2.SOLVEPNP_SQPNP)
        if not found:
            return None
        rvec, tvec = cv2.solvePnPRefineLM(obj, img, k, None, rvec, tvec)
    except cv2.error:
        return None
    proj, _ = cv2.projectPoints(obj, rvec, tvec, k, None)
    rms = float(np.sqrt(np.mean(np.sum((proj.reshape(-1, 2) - img) ** 2, axis=1))))
    size = float(np.linalg.norm(img.max(axis=0) - img.min(axis=0)))
    rot, _ = cv2.Rodrigues(rvec)
    centre = -rot.T @ np.asarray(tvec, float).reshape(3)
    if size <= 0 or float(tvec[2, 0]) <= 0 or not np.all(np.isfinite(centre)):
        return None
    up, ref, toward = (np.array(a) for a in _START_AXES[posture])
    d = centre / float(np.linalg.norm(centre))
    if posture == "side_lying" and float(d @ up) < 0:
        up = -up  # the camera stands above the floor: the upper hip is the other one
    if float(d @ up) <= 0 or rms / size > START_FIT_MAX:
        return None
    az = math.degrees(math.atan2(float(d @ toward), float(d @ ref)))
    el = math.degrees(math.asin(max(-1.0, min(1.0, float(d @ up)))))
    return az, el, rms / size
