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
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from posecheck.pose.landmarks import Pose, index_of

#: Frontal-plane positions (metres; x toward the person's left, y up the body) of the floor
#: contacts per lying posture, for an average adult (the proportions of
#: :class:`posecheck.body.synthetic.Proportions`); only the ratios matter.
TEMPLATES: dict[str, dict[str, tuple[float, float]]] = {
    "supine": {
        "left_shoulder": (0.19, 0.50),
        "right_shoulder": (-0.19, 0.50),
        "left_hip": (0.09, 0.0),
        "right_hip": (-0.09, 0.0),
    },
    "prone": {
        "left_shoulder": (0.19, 0.50),
        "right_shoulder": (-0.19, 0.50),
        "left_hip": (0.09, 0.0),
        "right_hip": (-0.09, 0.0),
        "left_knee": (0.09, -0.44),
        "right_knee": (-0.09, -0.44),
    },
}


def floor_view_deg(
    pose: Pose,
    width: int,
    height: int,
    posture: str,
    focal_px: float,
    azimuth_hint_deg: float,
    min_visibility: float = 0.5,
) -> tuple[float, float] | None:
    """(azimuth, elevation) of the camera from the posture's floor template, degrees, in
    the app's conventions (:mod:`posecheck.body.camera`); None for a posture without a
    template, a landmark not seen, or no solution with the camera above the floor."""
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
    up = np.array([0.0, 0.0, 1.0 if posture == "supine" else -1.0])
    ref = np.array([0.0, -1.0, 0.0])  # the feet end
    left = np.array([1.0, 0.0, 0.0])
    best: tuple[float, float, float] | None = None
    for rvec, tvec in zip(rvecs, tvecs, strict=True):
        rot, _ = cv2.Rodrigues(rvec)
        centre = -rot.T @ np.asarray(tvec, float).reshape(3)
        d = centre / float(np.linalg.norm(centre))
        if float(d @ up) <= 0:
            continue  # the camera under the floor
        az = math.degrees(math.atan2(float(d @ left), float(d @ ref)))
        el = math.degrees(math.asin(max(-1.0, min(1.0, float(d @ up)))))
        off = abs((az - azimuth_hint_deg + 180.0) % 360.0 - 180.0)
        if best is None or off < best[0]:
            best = (off, az, el)
    return None if best is None else (best[1], best[2])
