"""More than one person in view: which one to follow, and what to say about the others.

The estimator may find several people in a frame. :class:`PersonFollower` picks one and keeps
to that person from frame to frame (the candidate nearest the one followed before); at the
start, or after nobody was seen, it takes the largest, most central person. It never changes
person without saying so: a jump to someone else is marked ``switched``. Two overlapping
outlines of one body count as one person.

:class:`PeopleTally` collects over a whole clip what the CLI, the report and the Replay page
say in one warning line; :func:`live_notice` is the calm notice the live page shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posecheck.pose.landmarks import PoseFrame

#: Landmarks at least this visible outline a person's box.
_MIN_VISIBILITY = 0.3
#: Two outlines whose centres are closer than this fraction of the larger one's size are one
#: body seen twice.
_SAME_BODY = 0.35
#: The followed person's centre moving more than this fraction of their size between two
#: analysed frames, to where another person was, is a change of person.
_JUMP = 0.6
#: Another person must be seen in this many analysed frames before the clip is said to show
#: two people (a one-frame ghost is not a person).
MIN_FRAMES = 3


@dataclass(frozen=True)
class Box:
    """Where a person is, in picture fractions: centre and size (the box's diagonal)."""

    cx: float
    cy: float
    size: float

    @staticmethod
    def of(image_xy: np.ndarray, visibility: np.ndarray, width: int, height: int) -> Box:
        pts = np.asarray(image_xy, float)
        seen = pts[np.asarray(visibility) >= _MIN_VISIBILITY]
        if len(seen) < 2:
            seen = pts
        x0, y0 = seen.min(axis=0)
        x1, y1 = seen.max(axis=0)
        w, h = max(width, 1), max(height, 1)
        return Box((x0 + x1) / 2 / w, (y0 + y1) / 2 / h, math.hypot((x1 - x0) / w, (y1 - y0) / h))

    def distance(self, other: Box) -> float:
        return math.hypot(self.cx - other.cx, self.cy - other.cy)


def distinct(boxes: list[Box]) -> list[int]:
    """Indices of ``boxes`` that are different people (a near duplicate of an earlier box,
    one body outlined twice, is left out)."""
    kept: list[int] = []
    for i, b in enumerate(boxes):
        if all(b.distance(boxes[k]) > _SAME_BODY * max(b.size, boxes[k].size) for k in kept):
            kept.append(i)
    return kept


def where(followed: Box, others: list[Box]) -> str:
    """Where the followed person is among the others, in a person's words."""
    if not others:
        return ""
    if all(followed.cx < o.cx for o in others):
        return "on the left of the picture"
    if all(followed.cx > o.cx for o in others):
        return "on the right of the picture"
    return "in the middle of the picture"


@dataclass(frozen=True)
class Choice:
    index: int  # of the chosen box in the boxes given
    others: int  # how many other people are in view
    followed: str  # where the followed person is, e.g. "on the left of the picture"
    switched: bool  # the person followed changed at this frame


class PersonFollower:
    """Picks the person to follow in each frame, keeping to the same one."""

    def __init__(self) -> None:
        self._last: Box | None = None
        self._crowd = False  # someone else was in view in the previous frame with a person

    def reset(self) -> None:
        self._last, self._crowd = None, False

    def choose(self, boxes: list[Box]) -> Choice | None:
        """The person to follow among ``boxes`` (None when the list is empty)."""
        people = distinct(boxes)
        if not people:
            return None
        last = self._last
        if last is None:
            # The start: the largest person, preferring the middle of the picture.
            best = max(people, key=lambda i: boxes[i].size * (1.0 - 0.5 * _off_centre(boxes[i])))
        else:
            best = min(people, key=lambda i: boxes[i].distance(last))
        chosen = boxes[best]
        crowd = len(people) > 1
        switched = (
            last is not None
            and (crowd or self._crowd)
            and chosen.distance(last) > _JUMP * max(last.size, chosen.size)
        )
        self._last, self._crowd = chosen, crowd
        others = [boxes[i] for i in people if i != best]
        return Choice(best, len(others), where(chosen, others), switched)


def _off_centre(box: Box) -> float:
    return min(1.0, math.hypot(box.cx - 0.5, box.cy - 0.5) / math.hypot(0.5, 0.5))


class PeopleTally:
    """What a whole clip showed about other people, for one warning line."""

    def __init__(self) -> None:
        self.frames = 0  # analysed frames with another person in view
        self.analysed = 0  # analysed frames in all
        self.first_ms: float | None = None
        self.last_ms = 0.0
        self.followed = ""
        self.switches_ms: list[float] = []

    def update(self, frame: PoseFrame) -> None:
        self.analysed += 1
        if frame.switched:
            self.switches_ms.append(frame.t_ms)
        if frame.others_in_view <= 0:
            return
        self.frames += 1
        if self.first_ms is None:
            self.first_ms = frame.t_ms
        self.last_ms = frame.t_ms
        self.followed = self.followed or frame.followed

    def warning(self) -> str | None:
        """One sentence for the CLI, the report and the Replay page; None for one person."""
        needed = 1 if self.analysed == 1 else MIN_FRAMES  # a photo has one frame to show it
        if self.frames < needed or self.first_ms is None:
            return None
        who = f"the person {self.followed}" if self.followed else "one person"
        if self.analysed == 1:  # a photo
            return (
                f"more than one person is in the picture; the analysis is about {who}. "
                "Check that it is the right person, or use a photo with only them in it."
            )
        span = f"{self.first_ms / 1000:.1f} s to {self.last_ms / 1000:.1f} s"
        text = (
            f"more than one person is in view (from {span}); the analysis follows {who}. "
            "Check that the results are about the right person, or record with only them "
            "in view."
        )
        if self.switches_ms:
            at = ", ".join(f"{t / 1000:.1f} s" for t in self.switches_ms[:3])
            text += f" The person followed changed at {at}; results after that may mix people."
        return text


def live_notice(frame: PoseFrame) -> str | None:
    """The live page's calm notice while someone else is in view (None when alone)."""
    if frame.others_in_view <= 0:
        return None
    someone = "Someone else is" if frame.others_in_view == 1 else "Other people are"
    who = f"the person {frame.followed}" if frame.followed else "one person"
    return f"{someone} in view. Coaching follows {who}."
