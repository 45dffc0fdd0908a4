"""The pose data model: MediaPipe's 33 BlazePose landmarks and one frame's pose.

Coordinates:
- ``image_xy``: pixels, x to the right, y down, origin at the top-left corner of the frame.
- ``world_xyz``: metres, origin between the hips, axes aligned with the camera (x right,
  y down, z away from the camera), as MediaPipe reports them.
- ``visibility``: 0..1, MediaPipe's estimate that the landmark is in view and not hidden.

A landmark below the visibility threshold is *unknown*: geometry on it gives NaN, never zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from types import MappingProxyType
from typing import Literal

import numpy as np

Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")


def other_side(side: Side) -> Side:
    return "right" if side == "left" else "left"


class Landmark(IntEnum):
    """BlazePose landmark indices (the order MediaPipe returns them in)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


NUM_LANDMARKS = len(Landmark)
LANDMARK_NAMES: tuple[str, ...] = tuple(lm.name.lower() for lm in Landmark)
#: Name -> index, read-only (looked up for every measure of every frame).
_INDEX: Mapping[str, int] = MappingProxyType({name: i for i, name in enumerate(LANDMARK_NAMES)})

#: Bones drawn by the overlay, as pairs of landmark names.
SKELETON: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_hip", "right_hip"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("left_ankle", "left_heel"),
    ("left_heel", "left_foot_index"),
    ("left_ankle", "left_foot_index"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    ("right_ankle", "right_heel"),
    ("right_heel", "right_foot_index"),
    ("right_ankle", "right_foot_index"),
    ("nose", "left_eye"),
    ("nose", "right_eye"),
    ("left_eye", "left_ear"),
    ("right_eye", "right_ear"),
)


def _other_label(name: str) -> str:
    """``left_knee`` -> ``right_knee``, ``mouth_right`` -> ``mouth_left``; ``nose`` stays."""
    return "_".join(other_side(w) if w in SIDES else w for w in name.split("_"))


#: Each landmark's row once left and right are swapped (``Pose.labels_swapped``).
SWAPPED_LABELS: tuple[int, ...] = tuple(
    LANDMARK_NAMES.index(_other_label(n)) for n in LANDMARK_NAMES
)


def index_of(name: str) -> int:
    """Index of a landmark name such as ``"left_knee"``; ValueError names unknown ones."""
    try:
        return _INDEX[name]
    except KeyError:
        pass
    try:
        return Landmark[name.upper()].value
    except KeyError:
        raise ValueError(f"unknown landmark {name!r}") from None


def human_name(name: str) -> str:
    """``"left_foot_index"`` -> ``"left toes"``: how the app names a body part to a person."""
    words = {"foot_index": "toes", "hip": "hip", "eye_inner": "eye", "eye_outer": "eye"}
    for suffix, word in words.items():
        if name.endswith(suffix):
            return name[: -len(suffix)].replace("_", " ") + word
    return name.replace("_", " ")


def _frozen(array: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray | None:
    if array is None:
        return None
    out = np.array(array, dtype=np.float64)
    if out.shape != shape:
        raise ValueError(f"expected an array of shape {shape}, got {out.shape}")
    out.flags.writeable = False
    return out


@dataclass(frozen=True)
class Pose:
    """One person's 33 landmarks in one frame (arrays are read-only)."""

    image_xy: np.ndarray  # (33, 2) pixels
    visibility: np.ndarray  # (33,) 0..1
    world_xyz: np.ndarray | None = None  # (33, 3) metres, or None when not estimated

    def __post_init__(self) -> None:
        object.__setattr__(self, "image_xy", _frozen(self.image_xy, (NUM_LANDMARKS, 2)))
        object.__setattr__(self, "visibility", _frozen(self.visibility, (NUM_LANDMARKS,)))
        object.__setattr__(self, "world_xyz", _frozen(self.world_xyz, (NUM_LANDMARKS, 3)))

    def is_visible(self, name: str, min_visibility: float) -> bool:
        return bool(self.visibility[index_of(name)] >= min_visibility)

    def hidden(self, *names: str) -> Pose:
        """A copy with the named landmarks' visibility set to 0 (for tests and what-ifs)."""
        vis = np.array(self.visibility)
        for name in names:
            vis[index_of(name)] = 0.0
        return Pose(self.image_xy, vis, self.world_xyz)

    def labels_swapped(self) -> Pose:
        """The same points with left and right swapped: each left landmark's row given to the
        right one and back (how MediaPipe labels a person it reads from behind)."""
        rows = list(SWAPPED_LABELS)
        xyz = None if self.world_xyz is None else self.world_xyz[rows]
        return Pose(self.image_xy[rows], self.visibility[rows], xyz)


@dataclass(frozen=True)
class PoseFrame:
    """The estimator's output for one video frame; ``pose`` is None when nobody is in view."""

    index: int
    t_ms: float
    width: int
    height: int
    pose: Pose | None
    #: other people the estimator saw besides the one followed (0 when it looks for one only)
    others_in_view: int = 0
    #: where the followed person is among them, e.g. "on the left of the picture"
    followed: str = ""
    #: the estimator changed to another person at this frame
    switched: bool = False
