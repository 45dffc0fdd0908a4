"""Which way the body lies: upright (sitting or standing) or lying (knees up, feet up, on the
side, face down).

Enough to notice the wrong exercise (a bridge filmed while the face-down stretch is chosen)
and to suggest which stretch a recording shows. Only clear contradictions count: a reading
between the lines is "unsure" and contradicts nothing.

Measured on the rendered sample clips (every stretch, its recommended view), MediaPipe's 3D
trunk direction points up the picture's vertical at 0.9-1.0 for sitting, kneeling and standing
and at 0.0-0.3 for lying, from the feet end, the diagonal and the side alike. Lying on the back
with knees bent puts the ankles 0.6-0.9 trunk lengths below the knees on screen; face down with
the shins up, 1.0-1.2 above them. Upright, the lower ankle sits at most 0.6 trunk lengths
below the hips sitting on the floor (0.42 on a real photo of a woman sitting, knees up) and
at least 1.2 standing (1.62 on the real standing and tree-pose photos); a wide lunge (1.01 on
the warrior photo) and kneeling stay unsure. Kneeling stretches may recline and the pigeon is
held folded or sitting up, so either body fits those, but not every pair of legs: their knees
are folded under or beside the body, so neither the knees up of lying on the back nor a body
on its side is them, nor, for the hero, the feet up of lying face down (a still of the
face-down stretch, read "lying face down with your feet up", was offered as the reclined hero
and judged "sitting down between your heels"); reclined, the hero lies face up. Lying on the
side shows in the line across the shoulders and hips, which then stands up the picture
(:data:`ON_SIDE_MIN`); lying face down, in the nose no higher than the shoulders
(:data:`FACE_DOWN_MAX`), both read only where the legs tell nothing.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from posecheck.body.geometry import angle_between_deg
from posecheck.pose.landmarks import Pose, index_of
from posecheck.specs.schema import StretchSpec

UPRIGHT_MIN = 0.7  # trunk's upward share at or above this: upright
LYING_MAX = 0.45  # at or below this: lying
KNEES_UP_MIN = 0.4  # ankles this many trunk lengths below the knees on screen: knees up
FEET_UP_MIN = 0.5  # ankles this many trunk lengths above the knees: feet (shins) up
SITTING_MAX = 0.6  # upright, ankles at most this many trunk lengths below the hips: sitting
STANDING_MIN = 1.2  # upright, the lower ankle at least this far below the hips: standing
#: Standing, the straighter hip is bent at most this much in MediaPipe's 3D (benchmark dev split,
#: frames read as standing: band rotation and band walk 2-37 degrees). Sitting with the legs
#: long toward a camera that looks down, the ankles sit as low on screen as a standing
#: person's (the seated twist r0138 and r0177: 1.2-1.3 trunk lengths) but the hips read bent
#: (r0138 34-85, median 81; r0177 median 70): without this the twist read as standing, and
#: nothing was counted or checked.
STANDING_HIP_MAX_DEG = 45.0
#: Lying with the legs unsure, the line across the body (left shoulder minus right shoulder
#: plus left hip minus right hip, MediaPipe's 3D) pointing up the picture at least this share
#: of its length: lying on the side. Dev split, every frame read lying: clamshell 0.79-1.00
#: (1 % under 0.85, median 0.98); reclined hero at most 0.78 (99 % under 0.23), pigeon 0.63,
#: figure four 0.58, knee drop 0.59; the rolling supine stretches reach 0.79-0.81 and the
#: face-down one 0.99, but those frames read their legs first (knees or feet up): of every
#: dev frame, 4294 read on the side, all clamshell but one face-down frame.
ON_SIDE_MIN = 0.8
#: Lying with the legs unsure (and not on the side), the nose at most this many trunk lengths
#: above the shoulders' middle up the picture (MediaPipe's 3D): lying face down. Dev split,
#: such frames: face up, the reclined hero 0.14-0.48 (1 % under 0.39) and the supine
#: stretches 0.25-0.41; face down, the folded pigeon -0.33 to -0.13 and the face-down stretch
#: median -0.21 (its head lifted up to 0.31).
FACE_DOWN_MAX = 0.0

#: What a spec's ``position`` words expect: (body, legs), None for either where any will do.
_EXPECTED: dict[str, tuple[str, str | None]] = {
    "supine": ("lying", "knees_up"),
    "prone": ("lying", "feet_up"),
    "side_lying": ("lying", None),
    # From hands and knees the pigeon is held folded over the front leg (lying) or sitting up
    # over it (upright): either body will do.
    "quadruped": ("any", None),
    # Kneeling stretches sit back between the heels and may recline: either body will do.
    "kneeling": ("any", None),
    "sitting": ("upright", "sitting"),
    "standing": ("upright", "standing"),
    "upright": ("upright", None),
}
#: Legs that contradict a position taking any legs (legs None above). Kneeling and from hands
#: and knees the knees fold under or beside the body, upright or reclined: never up, never on
#: the side; the hero's feet lie beside the hips, never up, and reclined it lies face up. Dev
#: split, every frame of the 26 reclined hero clips (its visibility 0.5): upright, or lying
#: with the legs unsure; of the 26 pigeon clips (its visibility 0.05): face down over the
#: front leg, but for 48 frames of feet up (r2046, the back knee bent: the spec's
#: back_leg_bent), so feet up does not contradict the pigeon. Standing legs contradict
#: neither: kneeling up tall puts the ankles a thigh below the hips with the hips straight,
#: and reads "standing". On the side the legs lie along the floor, never knees up or feet up
#: (30 clamshell clips: every frame lying, legs unsure, on the side, or 4 frames face down).
#: Known limit: the hero fully reclined filmed from the feet end (not its advised side view,
#: and no dev clip) shows its feet above its knees and reads "feet up", so it is told it
#: looks to be lying face down (session 14 review; docs/measurement.md 20.10).
_NOT_LEGS: dict[str, frozenset[str]] = {
    "kneeling": frozenset({"knees_up", "feet_up", "on_side", "face_down"}),
    "quadruped": frozenset({"knees_up", "on_side"}),
    "side_lying": frozenset({"knees_up", "feet_up"}),
}
_DESCRIBE = {
    "upright": "sitting or standing up",
    "sitting": "sitting",
    "standing": "standing",
    "lying": "lying down",
    "knees_up": "lying with your knees up",
    "feet_up": "lying face down with your feet up",
    "on_side": "lying on your side",
    "face_down": "lying face down",
}
#: A lying reading that is part of what a stretch's legs need: face down with the legs unsure
#: is the face-down stretch's body, not yet its feet up (neither fits nor contradicts it).
_PART_OF = {"feet_up": "face_down"}


@dataclass(frozen=True)
class PostureReading:
    body: str  # upright | lying | unsure
    # lying: knees_up | feet_up | on_side | face_down; upright: sitting | standing; or unsure
    legs: str

    @property
    def key(self) -> str:
        """ "upright", "upright/sitting", "upright/standing", "lying", "lying/knees_up",
        "lying/feet_up", "lying/on_side", "lying/face_down" or "unsure" (per frame in the
        replay's records)."""
        if self.body in ("lying", "upright") and self.legs != "unsure":
            return f"{self.body}/{self.legs}"
        return self.body

    @staticmethod
    def from_key(key: str) -> PostureReading:
        body, _, legs = key.partition("/")
        return PostureReading(body, legs or "unsure")

    @property
    def words(self) -> str:
        if self.body in ("lying", "upright") and self.legs in _DESCRIBE:
            return _DESCRIBE[self.legs]
        return _DESCRIBE.get(self.body, "")


UNSURE = PostureReading("unsure", "unsure")


def _mid(a: np.ndarray, left: str, right: str) -> np.ndarray:
    return (a[index_of(left)] + a[index_of(right)]) / 2.0


def _straighter_hip_deg(world: np.ndarray, pose: Pose, min_visibility: float) -> float:
    """How far the straighter of the two hips is bent, degrees (3D: the thigh against the
    trunk's line; 0 standing straight, about 90 sitting), over the sides whose knee is seen
    (a guessed knee does not decide); NaN (no knee seen) reads as bent."""
    up = _mid(world, "left_shoulder", "right_shoulder") - _mid(world, "left_hip", "right_hip")
    bends = []
    for side in ("left", "right"):
        if not pose.is_visible(f"{side}_knee", min_visibility):
            continue
        thigh = world[index_of(f"{side}_knee")] - world[index_of(f"{side}_hip")]
        bend = 180.0 - angle_between_deg(up, thigh)
        if not math.isnan(bend):
            bends.append(bend)
    return min(bends, default=math.nan)


def read_posture(pose: Pose | None, min_visibility: float = 0.5) -> PostureReading:
    """The body's posture in one frame (UNSURE without world landmarks or a visible trunk)."""
    if pose is None or pose.world_xyz is None:
        return UNSURE
    trunk_names = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    if not all(pose.is_visible(n, min_visibility) for n in trunk_names):
        return UNSURE
    world = np.asarray(pose.world_xyz, float)
    trunk = _mid(world, "left_shoulder", "right_shoulder") - _mid(world, "left_hip", "right_hip")
    norm = float(np.linalg.norm(trunk))
    if not norm > 0:
        return UNSURE
    up = -trunk[1] / norm  # MediaPipe's y points down
    if up > LYING_MAX and up < UPRIGHT_MIN:
        return UNSURE
    legs = "unsure"
    leg_names = ("left_knee", "right_knee", "left_ankle", "right_ankle")
    xy = np.asarray(pose.image_xy, float)
    trunk_px = float(
        np.linalg.norm(
            _mid(xy, "left_shoulder", "right_shoulder") - _mid(xy, "left_hip", "right_hip")
        )
    )
    if up >= UPRIGHT_MIN:
        ankles = ("left_ankle", "right_ankle")
        if all(pose.is_visible(n, min_visibility) for n in ankles) and trunk_px > 0:
            lower = max(xy[index_of(n)][1] for n in ankles)
            drop = (lower - _mid(xy, "left_hip", "right_hip")[1]) / trunk_px
            if drop <= SITTING_MAX:
                legs = "sitting"
            elif drop >= STANDING_MIN:
                hip_deg = _straighter_hip_deg(world, pose, min_visibility)
                if hip_deg <= STANDING_HIP_MAX_DEG:
                    legs = "standing"
        return PostureReading("upright", legs)
    if all(pose.is_visible(n, min_visibility) for n in leg_names) and trunk_px > 0:
        below = (
            _mid(xy, "left_ankle", "right_ankle")[1] - _mid(xy, "left_knee", "right_knee")[1]
        ) / trunk_px
        if below >= KNEES_UP_MIN:
            legs = "knees_up"
        elif below <= -FEET_UP_MIN:
            legs = "feet_up"
    if legs == "unsure" and _across_up(world) >= ON_SIDE_MIN:
        legs = "on_side"
    elif legs == "unsure" and pose.is_visible("nose", min_visibility):
        shoulders = _mid(world, "left_shoulder", "right_shoulder")
        if -(world[index_of("nose")][1] - shoulders[1]) / norm <= FACE_DOWN_MAX:
            legs = "face_down"
    return PostureReading("lying", legs)


def _across_up(world: np.ndarray) -> float:
    """Share of the line across the body (shoulders' plus hips', left minus right) that
    points along the picture's vertical, 0-1 (NaN when the line has no length)."""
    across = (world[index_of("left_shoulder")] - world[index_of("right_shoulder")]) + (
        world[index_of("left_hip")] - world[index_of("right_hip")]
    )
    norm = float(np.linalg.norm(across))
    return abs(float(across[1])) / norm if norm > 0 else math.nan


def expected_posture(spec: StretchSpec) -> tuple[str, str | None]:
    """(body, legs) the spec's starting position implies."""
    return _EXPECTED[_position_key(spec)]


def _position_key(spec: StretchSpec) -> str:
    p = spec.position.lower()
    if "hands and knees" in p:
        key = "quadruped"
    elif "face down" in p or "prone" in p:
        key = "prone"
    elif "side" in p and "lying" in p:
        key = "side_lying"
    elif "back" in p or "supine" in p:
        key = "supine"
    elif p.startswith("kneeling"):
        key = "kneeling"
    elif p.startswith("sitting"):
        key = "sitting"
    elif p.startswith("standing"):
        key = "standing"
    else:  # anything else upright
        key = "upright"
    return key


def contradicts(spec: StretchSpec, reading: PostureReading) -> bool:
    """True when the reading clearly does not fit the spec's position."""
    return posture_verdict(spec, reading) is True


def match_fraction(spec: StretchSpec, readings: list[PostureReading]) -> float:
    """Share of the sure readings that fit the spec (NaN when none is sure). A reading that
    can tell neither way (lying with the legs unsure, for a stretch that needs particular
    legs: :func:`posture_verdict` is None) is left out, so a bridge whose legs are seen in
    only some frames is not half a face-down stretch; when no reading can tell, nothing
    contradicts the spec (1.0)."""
    sure = [r for r in readings if r.body != "unsure"]
    if not sure:
        return math.nan
    told = [v for v in (posture_verdict(spec, r) for r in sure) if v is not None]
    if not told:
        return 1.0
    return sum(1 for v in told if not v) / len(told)


@dataclass(frozen=True)
class StretchMatch:
    """How well a recording's postures fit one stretch."""

    spec_id: str
    name: str
    share: float  # of the frames with a sure posture, the share that fits this stretch


def suggest_stretches(
    posture_keys: list[str], specs: dict[str, StretchSpec]
) -> tuple[str, list[StretchMatch]]:
    """What the person mostly did (in words) and every stretch by how well it fits, best
    first. Empty words and list when no frame had a sure posture."""
    readings = [PostureReading.from_key(k) for k in posture_keys]
    sure = [r for r in readings if r.body != "unsure"]
    if not sure:
        return "", []
    counts: dict[str, int] = {}
    for r in sure:
        counts[r.words] = counts.get(r.words, 0) + 1
    words = max(counts, key=lambda w: counts[w])
    matches = [
        StretchMatch(sid, spec.name, match_fraction(spec, sure)) for sid, spec in specs.items()
    ]
    # Among equal fits, a stretch that expects these legs exactly comes before one that
    # accepts any legs (lying on the side, hands and knees).
    specific = {sid: expected_posture(spec)[1] is not None for sid, spec in specs.items()}
    return words, sorted(matches, key=lambda m: (-m.share, not specific[m.spec_id], m.name))


def posture_verdict(spec: StretchSpec, reading: PostureReading) -> bool | None:
    """Does this reading contradict the spec's position? True (clearly not its posture),
    False (clearly its posture) or None (cannot tell: the trunk unsure, or lying with the legs
    unsure where the stretch needs particular legs, which fits nothing and contradicts
    nothing). A position that takes any legs is contradicted by the legs it can never have
    (``_NOT_LEGS``)."""
    if reading.body == "unsure":
        return None
    key = _position_key(spec)
    body, legs = _EXPECTED[key]
    if body != "any" and reading.body != body:
        return True
    if legs is None:
        return reading.legs in _NOT_LEGS.get(key, frozenset())
    if reading.legs == _PART_OF.get(legs):
        return None
    return None if reading.legs == "unsure" else reading.legs != legs


def mostly_contradicts(verdicts: list[bool | None], share: float = 0.8) -> bool:
    """Verdicts (:func:`posture_verdict`) that clearly say "not this stretch": at least three
    sure ones, sure on at least half of the frames, and ``share`` of the sure ones
    contradicting."""
    sure = [v for v in verdicts if v is not None]
    if len(sure) < 3 or len(sure) < 0.5 * len(verdicts):
        return False
    return sum(sure) >= share * len(sure)


class PostureWatch:
    """Over the last ``window_s`` (by frame times, so dropped frames change nothing), is the
    body clearly not in the stretch's posture? The wrong-exercise notice, and the checker's
    rule that nothing is counted or timed then, both read it."""

    def __init__(self, spec: StretchSpec, window_s: float = 5.0, share: float = 0.8) -> None:
        self.spec = spec
        self.window_s = window_s
        self.share = share
        self.last: bool | None = None  # the newest frame's verdict
        self.reading: PostureReading = UNSURE  # the newest frame's reading (read once a frame)
        self._seen: deque[tuple[float, bool | None]] = deque()

    def update(self, pose: Pose | None, t_ms: float) -> bool:
        self.reading = read_posture(pose, self.spec.min_visibility)
        self.last = posture_verdict(self.spec, self.reading)
        self._seen.append((t_ms, self.last))
        while t_ms - self._seen[0][0] > self.window_s * 1000.0:
            self._seen.popleft()
        if t_ms - self._seen[0][0] < 0.9 * self.window_s * 1000.0:
            return False  # not watched long enough yet
        return mostly_contradicts([v for _, v in self._seen], self.share)
