"""Geometry on landmarks. Conventions, written once:

- Angles are in degrees. A *joint angle* at B between A-B-C is the unsigned angle between the
  vectors B->A and B->C, 0..180 (180 = straight). *Flexion* is ``180 - joint angle``
  (0 = straight, 90 = a right-angle bend).
- Image space: pixels, x right, y *down*. "Vertical" and "horizontal" mean the image's axes,
  which match the world's when the camera is level and not rolled. Segment angles are measured
  from image-up (0 = pointing up) or from image-horizontal.
- World space: MediaPipe world landmarks, metres, hip-centred, camera-aligned axes.
- Distances used for thresholds are *normalised* by a body length measured in the same frame
  (hip width, torso length, a limb), so they do not depend on how far away the camera is.
- Unknown is NaN: a landmark below the visibility threshold reads as NaN, and every function
  here propagates NaN instead of guessing. Nothing here returns a silent zero.
"""

from __future__ import annotations

import math
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from posecheck.pose.landmarks import Pose, Side, index_of, other_side

if TYPE_CHECKING:
    from posecheck.body.stage import BodyState

#: Virtual points built from two landmarks: the midpoint between left and right.
MIDPOINTS = {
    "mid_hip": ("left_hip", "right_hip"),
    "mid_shoulder": ("left_shoulder", "right_shoulder"),
    "mid_knee": ("left_knee", "right_knee"),
    "mid_ankle": ("left_ankle", "right_ankle"),
    "mid_ear": ("left_ear", "right_ear"),
}


def wrap_deg(angle_deg: float) -> float:
    """The same angle in [-180, 180): 170 from -170 is -20, not 340."""
    return (angle_deg + 180.0) % 360.0 - 180.0


def angle_between_deg(u: np.ndarray, v: np.ndarray) -> float:
    """Unsigned angle between two vectors (2D or 3D), 0..180; NaN if either is zero or NaN."""
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if not (nu > 0 and nv > 0):  # also catches NaN
        return math.nan
    c = float(np.dot(u, v)) / (nu * nv)
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def joint_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Angle at ``b`` between ``b->a`` and ``b->c``: 180 straight, 90 a right angle."""
    return angle_between_deg(np.asarray(a) - b, np.asarray(c) - b)


def flexion_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """``180 - joint angle``: 0 when a-b-c is straight, 90 at a right-angle bend."""
    return 180.0 - joint_angle_deg(a, b, c)


def angle_from_image_up_deg(start: np.ndarray, end: np.ndarray) -> float:
    """Unsigned angle of the image segment start->end from image-up (0..180)."""
    return angle_between_deg(np.asarray(end) - start, np.array([0.0, -1.0]))


def incline_deg(start: np.ndarray, end: np.ndarray) -> float:
    """Signed tilt of the line through start and end from image-horizontal, -90..90.

    Positive when the line rises (in the image) going from the left-hand point to the
    right-hand point; independent of which end is given first.
    """
    d = np.asarray(end, dtype=float) - start
    if not np.all(np.isfinite(d)) or not np.any(d):
        return math.nan
    if d[0] < 0:
        d = -d
    return math.degrees(math.atan2(-d[1], d[0]))


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(a) - b))


def signed_distance_from_line(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """2D distance of ``p`` from the line a->b, positive to the left of a->b as seen in the
    image (i.e. counter-clockwise on screen, where y points down). NaN if a == b."""
    d = np.asarray(b, dtype=float) - a
    n = float(np.linalg.norm(d))
    if not n > 0:
        return math.nan
    r = np.asarray(p, dtype=float) - a
    # With y down, the on-screen left normal of d is (d_y, -d_x).
    return float((r[0] * d[1] - r[1] * d[0]) / n)


def perpendicular_offset(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Vector from the closest point on the line a-b to ``p`` (2D or 3D)."""
    a = np.asarray(a, dtype=float)
    d = np.asarray(b, dtype=float) - a
    dd = float(np.dot(d, d))
    if not dd > 0:
        return np.full_like(a, math.nan)
    s = float(np.dot(np.asarray(p) - a, d)) / dd
    return np.asarray(p) - (a + s * d)


@cache
def _rows(names: tuple[str, ...]) -> tuple[int, ...]:
    """The landmark indices of names (looked up once: this runs for every point of a frame)."""
    return tuple(index_of(name) for name in names)


@cache
def resolve_part(part: str, side: Side | None = None) -> tuple[str, ...]:
    """The landmark names a body part stands for: two for midpoints, one otherwise.

    ``knee`` with side "left" is ``left_knee``; ``other_knee`` is ``right_knee``. A ``near_``
    part depends on the pose (see :meth:`PoseGeometry.near_side`); without one it stands for
    both sides' landmarks (what a highlight should light up).
    """
    if part in MIDPOINTS:
        return MIDPOINTS[part]
    if part.startswith("near_"):
        return tuple(f"{s}_{part[len('near_') :]}" for s in ("left", "right"))
    if part.startswith(("left_", "right_")) or part == "nose":
        return (part,)
    if side is None:
        raise ValueError(f"{part!r} needs a side (use left_{part} or right_{part})")
    if part.startswith("other_"):
        return (f"{other_side(side)}_{part[len('other_') :]}",)
    return (f"{side}_{part}",)


class PoseGeometry:
    """Named points of one pose, NaN where a landmark is below ``min_visibility``.

    Names are landmark names (``left_knee``), midpoints (``mid_hip``), ``near_`` parts (the
    side nearer the camera: ``near_knee``), or, with a side given, side-relative parts:
    ``knee`` is that side's knee, ``other_knee`` the opposite one. ``body`` is the body
    stage's reading of the same frame (camera and fitted legs), when the pipeline has one.
    """

    #: Landmarks whose visibility decides which side is nearer the camera.
    NEAR_SIDE_CHAIN: tuple[str, ...] = ("shoulder", "hip", "knee", "ankle")

    def __init__(self, pose: Pose, min_visibility: float, body: BodyState | None = None) -> None:
        self.pose = pose
        self.min_visibility = min_visibility
        self.body = body
        self._near: Side | None = None

    def near_side(self) -> Side:
        """The side the camera sees better: the larger summed visibility of shoulder, hip,
        knee and ankle. From a side view the far leg is hidden behind the near one."""
        if self._near is None:

            def seen(side: str) -> float:
                return sum(
                    float(self.pose.visibility[index_of(f"{side}_{p}")])
                    for p in self.NEAR_SIDE_CHAIN
                )

            self._near = "left" if seen("left") >= seen("right") else "right"
        return self._near

    def resolve(self, part: str, side: Side | None = None) -> tuple[str, ...]:
        if part.startswith("near_"):
            return (f"{self.near_side()}_{part[len('near_') :]}",)
        return resolve_part(part, side)

    def missing(self, parts: tuple[str, ...], side: Side | None = None) -> tuple[str, ...]:
        """Landmark names among ``parts`` that are below the visibility threshold."""
        out: list[str] = []
        for part in parts:
            for name in self.resolve(part, side):
                if not self.pose.is_visible(name, self.min_visibility) and name not in out:
                    out.append(name)
        return tuple(out)

    def _get(self, table: np.ndarray | None, part: str, side: Side | None, dim: int) -> np.ndarray:
        names = self.resolve(part, side)
        if table is None:
            return np.full(dim, math.nan)
        rows = _rows(names)
        visibility = self.pose.visibility
        for i in rows:
            if visibility[i] < self.min_visibility:
                return np.full(dim, math.nan)
        if len(rows) == 1:
            return np.array(table[rows[0]], dtype=float)
        if len(rows) == 2:  # a midpoint: the same figure as the mean, without its overhead
            return (table[rows[0]] + table[rows[1]]) / 2.0
        return table[list(rows)].mean(axis=0)

    def image(self, part: str, side: Side | None = None) -> np.ndarray:
        """Pixel position (x, y) of a part, NaN if not visible."""
        return self._get(self.pose.image_xy, part, side, 2)

    def world(self, part: str, side: Side | None = None) -> np.ndarray:
        """World position (metres) of a part, NaN if not visible or not estimated."""
        return self._get(self.pose.world_xyz, part, side, 3)


#: How far the top of the head lies beyond the eyes, in trunk lengths (the shoulders' midpoint
#: to the hips'), along the trunk's line: about 11 cm over a 50 cm trunk.
HEAD_ABOVE_EYES_TRUNK = 0.2


def head_cut_edges(pose: Pose, width: float, height: float) -> tuple[str, ...]:
    """The edges of the picture the top of the head lies beyond (left, right, top, bottom):
    the eyes' midpoint carried ``HEAD_ABOVE_EYES_TRUNK`` trunk lengths further along the
    trunk's line (hips to shoulders). Landmark positions are read whatever their visibility:
    MediaPipe keeps a face it cannot see at full visibility, squeezed just inside the edge
    (dev r2067, b25: the true shoulders 19 px under the top, the eyes read 0-20 px under
    it). Empty when the trunk has no length or a point is unknown."""
    xy = pose.image_xy
    shoulders = (xy[index_of("left_shoulder")] + xy[index_of("right_shoulder")]) / 2.0
    hips = (xy[index_of("left_hip")] + xy[index_of("right_hip")]) / 2.0
    eyes = (xy[index_of("left_eye")] + xy[index_of("right_eye")]) / 2.0
    trunk = shoulders - hips
    if not float(np.linalg.norm(trunk)) > 0 or not np.all(np.isfinite(eyes)):
        return ()
    x, y = eyes + HEAD_ABOVE_EYES_TRUNK * trunk
    found = {"left": x < 0, "right": x > width, "top": y < 0, "bottom": y > height}
    return tuple(e for e in ("left", "right", "top", "bottom") if found[e])


def labels_unsure(pose: Pose, width: float, height: float) -> bool:
    """Whether the frame's left and right cannot be trusted: the shoulders or the hips read
    from behind (:func:`read_from_behind`) with the top of the head beyond the picture
    (:func:`head_cut_edges`), so no face tells the person's front from their back (dev r2067,
    standing band rotation, b25: 51 swaps of left and right at full visibility). The body
    stage gives such a frame no camera view and the checker leaves it unknown."""
    return read_from_behind(pose) and bool(head_cut_edges(pose, width, height))


def shin_drawn_short(
    hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, min_shin_to_thigh: float
) -> bool:
    """Whether the shin (knee to ankle) is drawn on screen shorter than ``min_shin_to_thigh``
    of its thigh (hip to knee): the knee and ankle points nearly on top of each other, so the
    shin's direction is the landmarks' jitter. False when a point is unknown."""
    shin = float(np.linalg.norm(ankle - knee))
    return shin < min_shin_to_thigh * float(np.linalg.norm(knee - hip))


def read_from_behind(pose: Pose, both: bool = False) -> bool:
    """Whether the shoulders or the hips (``both``: the shoulders and the hips) are labelled
    as seen from behind: the left one on the picture's left (seen from the front, a person's
    left is on the picture's right). One pair so and the other not is a trunk read halfway
    through a swap of the labels, nearly edge-on (dev r2067)."""
    xy = pose.image_xy
    shoulders = xy[index_of("left_shoulder")][0] - xy[index_of("right_shoulder")][0]
    hips = xy[index_of("left_hip")][0] - xy[index_of("right_hip")][0]
    if both:
        return bool(shoulders < 0 and hips < 0)
    return bool(shoulders < 0 or hips < 0)
