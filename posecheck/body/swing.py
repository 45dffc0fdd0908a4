"""A swing angle read through the camera: where a limb points in a known plane of the body.

Many of the hip's measures are a limb swinging in a plane fixed to the floor: lying face down
with the knee bent, the shin swings from straight up toward the side (hip rotation); lying on
the back with the knee up, the knee swings about the hip-ankle line from straight up toward
the other leg (knee drop, fall-out); sitting, the shin swings from straight down. The swing
plane is spanned by the floor's up direction ``U`` and the body's left-right axis ``L``.

On screen, the limb's two end points (``start`` -> ``end``, e.g. knee -> ankle) lie on two
camera rays; the 3D limb lies in the plane through the camera and those rays, whose normal
``n`` is the cross product of the rays. A direction ``cos(a) U + sin(a) L`` lies in that plane
when ``cos(a) (n.U) + sin(a) (n.L) = 0``, so ``a = atan2(-(n.U), n.L)``: no depth and no
segment length are needed, only the camera's rotation relative to the body and the floor,
(azimuth, elevation, roll; :mod:`posecheck.body.camera`) and, for perspective, its focal
length. Without a focal length the camera is taken as far away (orthographic): the plane's
normal is then the line of sight crossed with the on-screen limb.

The reading is exact for a limb moving in that plane (a shin with the knee bent square to a
thigh lying along the body). It degrades as the camera comes round into the plane (the swing
seen edge-on, from the side); :func:`swing_angle_deg` also returns how far a few pixels of
landmark noise move it, the reading's uncertainty.

Body coordinates here: ``e1`` the reference direction (the feet end when lying, the front
when upright; see :mod:`posecheck.body.camera`), ``e3`` the floor's up, ``e2 = e3 x e1``.
The person's left is ``+e2`` except lying face down (``-e2``).
"""

from __future__ import annotations

import math

import numpy as np

from posecheck.body.camera import BodyPosture

#: Pixels of landmark noise the uncertainty is computed for (MediaPipe's joints on the
#: benchmark's 640x480 clips wander a few pixels from frame to frame).
NOISE_PX = 4.0

UP = np.array([0.0, 0.0, 1.0])


def left_axis(posture: BodyPosture) -> np.ndarray:
    """The person's left in body coordinates for a posture (see module)."""
    return np.array([0.0, -1.0 if posture in ("prone", "quadruped") else 1.0, 0.0])


def camera_rotation(
    azimuth_deg: float, elevation_deg: float, roll_deg: float, posture: BodyPosture
) -> np.ndarray:
    """3x3 rotation from body coordinates to the camera's (x right, y down, z forward) for
    a camera at ``azimuth_deg`` / ``elevation_deg`` (the app's conventions, positive
    azimuth toward the person's left) aimed at the body, with the picture turned by
    ``roll_deg`` (positive: the floor's up leans to the right on screen)."""
    az, el, roll = (math.radians(v) for v in (azimuth_deg, elevation_deg, roll_deg))
    toward = left_axis(posture)
    d = (
        math.cos(el) * (math.cos(az) * np.array([1.0, 0.0, 0.0]) + math.sin(az) * toward)
        + math.sin(el) * UP
    )
    z = -d  # the camera looks back at the body
    x = np.cross(z, UP)
    n = float(np.linalg.norm(x))
    x = x / n if n > 1e-9 else np.array([0.0, 1.0, 0.0])
    y = np.cross(z, x)
    c, s = math.cos(roll), math.sin(roll)
    x, y = c * x - s * y, s * x + c * y
    return np.stack([x, y, z])


def _about(axis: np.ndarray, angle: float) -> np.ndarray:
    """Rotation matrix about a unit axis (Rodrigues)."""
    k = np.array([[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]], [-axis[1], axis[0], 0.0]])
    return np.eye(3) + math.sin(angle) * k + (1.0 - math.cos(angle)) * (k @ k)


def _roll_of(rotation: np.ndarray) -> float:
    up = rotation @ UP
    return math.atan2(float(up[0]), -float(up[1]))


def aimed(
    rotation: np.ndarray, hips_px: np.ndarray, focal_px: float, centre: np.ndarray
) -> np.ndarray:
    """:func:`camera_rotation` turned so that the hips fall where the picture shows them.

    The camera's azimuth and elevation say where it stands, seen from the hips; a camera
    aimed elsewhere (at the middle of a lying body, say) sees the hips off the picture's
    centre, and its rays turn by that much: the smallest turn that takes the optical axis
    onto the hips' ray, then a turn about that ray that keeps the picture's roll (the
    floor's up as the picture shows it)."""
    r = np.array([(hips_px[0] - centre[0]) / focal_px, (hips_px[1] - centre[1]) / focal_px, 1.0])
    r /= float(np.linalg.norm(r))
    v, c = np.cross([0.0, 0.0, 1.0], r), float(r[2])
    vx = np.array([[0.0, -v[2], v[1]], [v[2], 0.0, -v[0]], [-v[1], v[0], 0.0]])
    turned = (np.eye(3) + vx + vx @ vx / (1.0 + c)) @ rotation  # optical axis onto r
    want, delta = _roll_of(rotation), 0.0
    for _ in range(4):
        delta += (want - _roll_of(_about(r, delta) @ turned) + math.pi) % (2 * math.pi) - math.pi
    return _about(r, delta) @ turned


def _ray(
    px: np.ndarray, rotation: np.ndarray, focal_px: float | None, centre: np.ndarray | None
) -> np.ndarray:
    """A camera ray through a pixel, in body coordinates (orthographic: the line of sight)."""
    if focal_px is None or centre is None:
        return rotation[2]
    d = np.array([(px[0] - centre[0]) / focal_px, (px[1] - centre[1]) / focal_px, 1.0])
    return rotation.T @ d


def _angle(
    start_px: np.ndarray,
    end_px: np.ndarray,
    rest: np.ndarray,
    toward: np.ndarray,
    rotation: np.ndarray,
    focal_px: float | None,
    centre: np.ndarray | None,
) -> float:
    if focal_px is None or centre is None:
        on_screen = np.array([*(end_px - start_px), 0.0])
        n = np.cross(rotation[2], rotation.T @ on_screen)
    else:
        n = np.cross(
            _ray(start_px, rotation, focal_px, centre), _ray(end_px, rotation, focal_px, centre)
        )
    nu, nl = float(np.dot(n, rest)), float(np.dot(n, toward))
    if math.hypot(nu, nl) < 1e-12 * max(1.0, float(np.linalg.norm(n))):
        return math.nan
    a = math.atan2(-nu, nl)
    # The plane gives the limb's line; pick the direction that points from start to end on
    # screen (its projection must run the same way as end - start).
    direction = math.cos(a) * rest + math.sin(a) * toward
    probe = rotation @ direction
    screen = end_px - start_px
    if focal_px is None or centre is None:
        along = float(probe[0] * screen[0] + probe[1] * screen[1])
    else:
        # the direction's image at the start point: d(x/z) for a small step along it
        s_cam = rotation @ _ray(start_px, rotation, focal_px, centre)
        step = np.array(
            [probe[0] - s_cam[0] * probe[2], probe[1] - s_cam[1] * probe[2]]
        )  # s_cam has z = 1
        along = float(step @ screen)
    if along < 0:
        a = a - math.pi if a > 0 else a + math.pi
    return math.degrees(a)


def limb_angle_deg(
    start_px: np.ndarray,
    end_px: np.ndarray,
    rest: np.ndarray,
    toward: np.ndarray,
    rotation: np.ndarray,
    focal_px: float | None = None,
    centre: np.ndarray | None = None,
) -> float:
    """:func:`swing_angle_deg`'s angle alone, without its uncertainty (a third of the work):
    the same number, NaN when a point is unknown, the two coincide or the swing plane is seen
    edge-on."""
    start_px, end_px = np.asarray(start_px, float), np.asarray(end_px, float)
    if not (np.all(np.isfinite(start_px)) and np.all(np.isfinite(end_px))):
        return math.nan
    return _angle(start_px, end_px, rest, toward, rotation, focal_px, centre)


def swing_angle_deg(
    start_px: np.ndarray,
    end_px: np.ndarray,
    rest: np.ndarray,
    toward: np.ndarray,
    rotation: np.ndarray,
    focal_px: float | None = None,
    centre: np.ndarray | None = None,
    noise_px: float = NOISE_PX,
) -> tuple[float, float]:
    """The angle of the limb ``start -> end`` (pixels) from ``rest`` toward ``toward`` (unit
    vectors in body coordinates, square to each other), degrees, and its uncertainty: the
    largest change when either end moves ``noise_px`` across the limb on screen. NaN when a
    point is unknown or the swing plane is seen edge-on."""
    start_px, end_px = np.asarray(start_px, float), np.asarray(end_px, float)
    angle = limb_angle_deg(start_px, end_px, rest, toward, rotation, focal_px, centre)
    if math.isnan(angle):
        return math.nan, math.nan
    screen = end_px - start_px
    length = float(np.linalg.norm(screen))
    if not length > 0:
        return math.nan, math.nan
    across = np.array([-screen[1], screen[0]]) / length * noise_px
    spread = 0.0
    for moved in ((start_px + across, end_px), (start_px, end_px + across)):
        other = _angle(moved[0], moved[1], rest, toward, rotation, focal_px, centre)
        if math.isnan(other):
            return angle, 90.0
        spread = max(spread, abs((other - angle + 180.0) % 360.0 - 180.0))
    return angle, spread
