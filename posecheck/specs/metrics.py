"""The metric library: named measurements a spec can ask for, with parameters.

Every metric is a pydantic model, so a spec file's measures are validated when it loads. A
metric names the body *parts* it needs (see :class:`posecheck.body.geometry.PoseGeometry`): when any
part is side-relative (``knee``, ``other_hip``) the metric is *sided* and is evaluated once per
side; otherwise it is a single value for the whole body. ``compute`` returns NaN when a part is
not visible; the checker reports that as unknown, naming the missing landmarks.

Units are in each metric's ``unit``: ``deg`` (degrees), ``ratio`` (dimensionless, normalised by
a body length in the same frame) or ``deg/s``.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Annotated, ClassVar, Literal, Self, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from posecheck.body import geometry as geo
from posecheck.body import swing
from posecheck.body.camera import CameraEstimate
from posecheck.body.geometry import MIDPOINTS, PoseGeometry, shin_drawn_short
from posecheck.pose.landmarks import LANDMARK_NAMES, Side, other_side

_SIDE_PARTS = sorted({n.split("_", 1)[1] for n in LANDMARK_NAMES if "_" in n and n != "nose"})
#: Every name a metric parameter may use for a body part.
PART_NAMES: tuple[str, ...] = tuple(
    sorted(
        set(LANDMARK_NAMES)
        | set(MIDPOINTS)
        | set(_SIDE_PARTS)
        | {f"other_{p}" for p in _SIDE_PARTS}
        | {f"near_{p}" for p in _SIDE_PARTS}
    )
)


def is_side_relative(part: str) -> bool:
    return not (part.startswith(("left_", "right_", "mid_", "near_")) or part == "nose")


def _check_part(value: str) -> str:
    if value not in PART_NAMES:
        close = [p for p in PART_NAMES if value.split("_")[-1] in p][:5]
        hint = f" (did you mean one of: {', '.join(close)}?)" if close else ""
        raise ValueError(f"unknown body part {value!r}{hint}")
    return value


class MetricBase(BaseModel):
    """Fields every measure has, whatever its metric."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field("", description="What this measure shows, in plain words.")
    relative_to_start: bool = Field(
        False,
        description="Report the change from the person's own starting value (taken while at "
        "rest, after the estimator settles) instead of the raw value.",
    )
    start_in: Literal["rest", "position"] = Field(
        "rest",
        description="With relative_to_start, where the starting value is taken: 'rest' (the "
        "first seconds at rest) or 'position' (the first seconds of each time in position, "
        "unknown until then): for a fault that is a change from the shape you got into, when "
        "getting into it moves the landmarks the measure reads.",
    )
    start_still_within: float | None = Field(
        None,
        gt=0,
        description="With start_in: position, the start is the first baseline_s in position "
        "whose raw values stay within this range (the person has settled into the shape), not "
        "the first baseline_s: settling in (a lean to press a knee) is not the fault.",
    )
    read_from_behind: bool = Field(
        False,
        description="Also read in a frame whose left and right cannot be trusted (a front "
        "view, the top of the head out of the picture and the trunk read from behind: see "
        "StretchChecker._face_cut_off), where the other measures are unknown. Only for a "
        "whole-body measure that reads the same with left and right swapped (checked in each "
        "such frame; otherwise it is unknown there too) and that the estimator reads alike "
        "from behind (the spec's comment says on what evidence).",
    )

    unit: ClassVar[str] = "deg"

    @model_validator(mode="after")
    def _start_in_needs_relative(self) -> MetricBase:
        if self.start_in == "position" and not self.relative_to_start:
            raise ValueError("'start_in: position' needs 'relative_to_start: true'")
        if self.start_still_within is not None and self.start_in != "position":
            raise ValueError("'start_still_within' needs 'start_in: position'")
        if self.read_from_behind and self.sided:
            raise ValueError("'read_from_behind' is for a whole-body measure: a side is a label")
        return self

    @property
    def from_position(self) -> bool:
        """Relative to a starting value taken in position (each time), not at rest."""
        return self.relative_to_start and self.start_in == "position"

    def parts(self) -> tuple[str, ...]:
        """Body parts this metric reads."""
        raise NotImplementedError

    @property
    def sided(self) -> bool:
        return any(is_side_relative(p) for p in self.parts())

    @property
    def needs_leg_fit(self) -> bool:
        """Whether it reads the legs fitted through the camera (the body stage fits them
        only when some measure needs them)."""
        return getattr(self, "space", None) == "model"

    @property
    def needs_knee_rays(self) -> bool:
        """Whether it reads the knees from the picture at MediaPipe's depth (the body
        stage's ``knee_rays``)."""
        return False

    @property
    def needs_body_camera(self) -> bool:
        """Whether it is unknown without the camera estimated from the body (a checker run
        without the body stage reads it as unknown throughout)."""
        return False

    def missing(self, g: PoseGeometry, side: Side | None) -> tuple[str, ...]:
        """Landmarks this metric needs that are not visible (empty: it can be computed)."""
        return g.missing(self.parts(), side)

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        raise NotImplementedError


class JointFlexion(MetricBase):
    """Flexion of a joint, degrees: 0 straight, 90 a right-angle bend.

    knee: hip-knee-ankle; hip: shoulder-hip-knee; elbow: shoulder-elbow-wrist. ``space: world``
    uses MediaPipe's 3D world landmarks (independent of the view, but noisier in depth);
    ``image`` is the 2D angle on screen, exact only when the limb lies across the view.
    ``near_side: true`` measures only the side nearer the camera, one value for the body: for a
    side view where the far limb is hidden behind the near one.
    """

    metric: Literal["joint_flexion"]
    joint: Literal["knee", "hip", "elbow"] = Field(description="Which joint.")
    space: Literal["image", "world"] = Field("world", description="2D on screen or 3D.")
    near_side: bool = Field(
        False, description="Only the side nearer the camera (side views): one value, no sides."
    )

    _CHAINS: ClassVar[dict[str, tuple[str, str, str]]] = {
        "knee": ("hip", "knee", "ankle"),
        "hip": ("shoulder", "hip", "knee"),
        "elbow": ("shoulder", "elbow", "wrist"),
    }

    def parts(self) -> tuple[str, ...]:
        chain = self._CHAINS[self.joint]
        return tuple(f"near_{p}" for p in chain) if self.near_side else chain

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        get = g.world if self.space == "world" else g.image
        a, b, c = (get(p, side) for p in self.parts())
        return geo.flexion_deg(a, b, c)


def _anterior(g: PoseGeometry) -> np.ndarray:
    """Unit vector out of the front of the trunk, in world space (NaN if unknown)."""
    across = g.world("left_hip") - g.world("right_hip")
    up = g.world("mid_shoulder") - g.world("mid_hip")
    n = np.cross(across, up)
    norm = float(np.linalg.norm(n))
    return n / norm if norm > 0 else np.full(3, math.nan)


def _angle_about_axis_deg(v: np.ndarray, ref: np.ndarray, axis: np.ndarray) -> float:
    """Unsigned angle between v and ref once both are projected on the plane normal to axis."""
    norm = float(np.linalg.norm(axis))
    if not norm > 0:
        return math.nan
    a = axis / norm
    return geo.angle_between_deg(v - np.dot(v, a) * a, ref - np.dot(ref, a) * a)


class CameraView(BaseModel):
    """Where the camera sits relative to a lying or seated body, for on-screen angles.

    The camera estimated from the body (:mod:`posecheck.body.camera`) where ``camera_from``
    says so; otherwise, and until the body's camera is known, the *advised* view: where the
    spec's ``camera`` section puts the camera (its azimuth round the body from straight beyond
    the feet, either side: only its size matters; its elevation above the floor plane as seen
    from the hips). The spec hands it over at load (:meth:`seen_from`); a measure on its own
    reads through 0 and 0. Together the two angles say how much the camera shortens the
    body's sideways axis compared with the vertical one.
    """

    # Dev split (issue #12): the knee fall-out reads through the body's camera, the knee drop
    # and supine hip rotation through it only from further round than the advised 60 degrees
    # (body_beyond_spec: side-on views the advised angle under-read and never counted); prone
    # hip IR reads through the body's azimuth since its hip line comes from the view
    # (hip_line: view, session 14). The figures are in each spec's rom.why.
    camera_from: Literal["spec", "body", "body_beyond_spec"] = Field(
        "spec",
        description="spec: the advised view of the spec's camera section; body: the camera "
        "estimated from the body (posecheck.body.camera; its azimuth, and its elevation when "
        "elevation_from is body), the advised view only until it is known; "
        "body_beyond_spec: the body's camera only while it stands further round than the "
        "advised azimuth (a side-on view, which the advised angle under-reads), the advised "
        "view otherwise.",
    )
    elevation_from: Literal["spec", "body"] = Field(
        "spec",
        description="With camera_from: body or body_beyond_spec, where the elevation comes "
        "from while the body's camera is read.",
    )
    _advised_deg: tuple[float, float] = PrivateAttr((0.0, 0.0))

    @property
    def advised_azimuth_deg(self) -> float:
        """The advised camera's azimuth round the body from beyond the feet (the spec's
        ``camera`` section; 0 for a measure on its own)."""
        return self._advised_deg[0]

    @property
    def advised_elevation_deg(self) -> float:
        """The advised camera's elevation above the floor as seen from the hips."""
        return self._advised_deg[1]

    def seen_from(self, azimuth_deg: float, elevation_deg: float) -> Self:
        """A copy that reads through this advised view until (or instead of) the body's
        camera: the elevation held to 0-80 degrees, the azimuth's size to at most 180."""
        out = self.model_copy()
        az = max(-180.0, min(180.0, azimuth_deg))
        out._advised_deg = (az, min(80.0, max(0.0, elevation_deg)))
        return out

    def view_angles_deg(self, g: PoseGeometry | None = None) -> tuple[float, float]:
        """The camera's azimuth (its size) and elevation to read through in this frame: the
        body's estimate where ``camera_from`` says so (see :meth:`body_camera`), else the
        advised view."""
        az_deg, el_deg = abs(self.advised_azimuth_deg), self.advised_elevation_deg
        cam = self.body_camera(g)
        if cam is not None:
            az_deg = abs(cam.azimuth_deg)
            if self.elevation_from == "body":
                el_deg = min(80.0, max(0.0, cam.elevation_deg))
        return az_deg, el_deg

    def sideways_seen(self, g: PoseGeometry | None = None) -> tuple[float, float]:
        """The body's sideways axis (unit length) as the view draws it, orthographically:
        ``cos a`` across the picture and ``sin a sin e`` down it, ``a`` the azimuth's size
        and ``e`` the elevation this frame reads through (:meth:`view_angles_deg`)."""
        az, el = (math.radians(a) for a in self.view_angles_deg(g))
        return math.cos(az), math.sin(az) * math.sin(el)

    def foreshortening_ratio(self, g: PoseGeometry | None = None) -> float:
        """How much more the camera shortens the body's lateral axis than the vertical."""
        el = math.radians(self.view_angles_deg(g)[1])
        return math.cos(el) / math.hypot(*self.sideways_seen(g))

    def body_camera(self, g: PoseGeometry | None) -> CameraEstimate | None:
        """The camera estimated from the body when ``camera_from`` says to read through it
        now (None: the advised view)."""
        cam = g.body.camera if g is not None and g.body is not None else None
        if self.camera_from == "spec" or cam is None or not cam.known:
            return None
        if self.camera_from == "body_beyond_spec":
            further = abs(cam.azimuth_deg) > abs(self.advised_azimuth_deg)
            return cam if further else None
        return cam

    def swing_deg(
        self,
        g: PoseGeometry,
        start_px: np.ndarray,
        end_px: np.ndarray,
        rest: np.ndarray,
        toward: np.ndarray,
        posture: str,
        camera: CameraEstimate | None = None,
    ) -> float:
        """``space: camera``: the angle of the on-screen limb start -> end in the swing plane
        from ``rest`` toward ``toward`` (body coordinates, :mod:`posecheck.body.swing`),
        through the camera estimated from the body (perspective, with its roll and focal
        length) or, with ``camera_from: spec``, the advised view's signed angles seen from afar.
        NaN until the body's camera is known. ``camera``: read through this camera instead,
        whatever ``camera_from`` says."""
        body = g.body
        cam = camera if camera is not None else self.body_camera(g)
        if self.camera_from == "body" and cam is None:
            return math.nan
        if cam is not None:
            hips = g.image("mid_hip")
            sized = (
                body is not None
                and body.width > 0
                and math.isfinite(cam.focal_px)
                and bool(np.all(np.isfinite(hips)))
            )
            centre = np.array([body.width / 2, body.height / 2]) if sized else None
            focal = cam.focal_px if sized else None
            aim = None
            if centre is not None and focal is not None:
                aim = (float(hips[0]), float(hips[1]), focal, float(centre[0]), float(centre[1]))
            rot = _view_rotation(cam.azimuth_deg, cam.elevation_deg, cam.roll_deg, posture, aim)
        else:
            rot = _view_rotation(self.advised_azimuth_deg, self.advised_elevation_deg, 0.0, posture)
            centre = focal = None
        # The angle alone: swing_angle_deg's uncertainty would cost twice as much again.
        return swing.limb_angle_deg(start_px, end_px, rest, toward, rot, focal, centre)


@lru_cache(maxsize=16)
def _view_rotation(
    azimuth_deg: float,
    elevation_deg: float,
    roll_deg: float,
    posture: str,
    aim: tuple[float, float, float, float, float] | None = None,
) -> np.ndarray:
    """The camera's rotation for :meth:`CameraView.swing_deg` (read only), ``aimed`` at the
    hips when ``aim`` gives (hips x, hips y, focal length, centre x, centre y) in pixels.
    Kept for the last few views: a frame reads it for both legs and for every measure
    through the same camera (on 12 dev lying clips, ``benchmarks/replay_speed.py``, working
    it out afresh each time was half of what the swing plane cost)."""
    rot = swing.camera_rotation(azimuth_deg, elevation_deg, roll_deg, posture)  # type: ignore[arg-type]
    if aim is not None:
        hx, hy, focal, cx, cy = aim
        rot = swing.aimed(rot, np.array([hx, hy]), focal, np.array([cx, cy]))
    rot.setflags(write=False)
    return rot


def sideways_angle_on_screen_deg(
    vector: np.ndarray, sideways: np.ndarray, rest: np.ndarray, ratio: float
) -> float:
    """Angle of a screen vector from the ``rest`` direction toward ``sideways``, degrees.

    The vector is split into a part along ``sideways`` (the projected body axis it swings
    toward) and a part along ``rest`` (image-vertical); the sideways part is scaled by the
    camera's ``ratio`` (see :meth:`CameraView.foreshortening_ratio`). Splitting along the
    projected axis, not the screen's x, keeps the sign right when a diagonal view tilts that
    axis on screen. NaN when the two directions are nearly parallel on screen.
    """
    norm = float(np.linalg.norm(sideways))
    if not norm > 0 or not np.all(np.isfinite(vector)):
        return math.nan
    basis = np.column_stack([sideways / norm, rest])
    if abs(float(np.linalg.det(basis))) < 0.2:
        return math.nan
    across, along = np.linalg.solve(basis, vector)
    return math.degrees(math.atan2(across * ratio, along))


class HipInternalRotation(CameraView, MetricBase):
    """Hip internal rotation with the knee bent (prone or seated test), degrees.

    The shin's angle away from vertical as the foot moves *outward* (away from the body's
    midline); inward movement reads negative.

    ``space: image`` works on screen. The shin is split into a part along the *projected*
    hip line (outward for this leg) and a part along image-vertical, so the sign is right
    even when a diagonal view tilts the hip line on screen. The two parts are then rescaled
    by how much a camera at the advised azimuth around the body from the feet end (either
    side: only the size matters) and elevation above the floor (:class:`CameraView`)
    shortens each direction. At 0 and 0 (camera at the feet, floor level) the screen angle
    is the hip angle.

    ``hip_line: view`` splits the shin along the hip line the view gives the body's sideways
    axis instead of the line through the two drawn hip points (:meth:`hip_line_seen`), which
    MediaPipe draws too steep for a body lying face down.

    ``space: world`` measures the shin's rotation about the thigh from the direction straight
    out of the back (prone) or down the trunk (seated) in 3D, independent of the view.

    ``space: model`` reads the leg model fitted through the camera estimated from the body
    (:mod:`posecheck.body.legfit`): no advised view; the camera fields are ignored.

    ``space: camera`` reads the shin's swing plane through the camera
    (:mod:`posecheck.body.swing`): the on-screen shin's camera rays against the floor's up
    and the body's left-right axis, exact in perspective for a shin square to the thigh.
    """

    metric: Literal["hip_internal_rotation"]
    space: Literal["image", "world", "model", "camera"] = Field(
        "image",
        description="2D on screen, 3D, the leg model fitted through the camera, or the "
        "shin's swing plane through the camera.",
    )
    posture: Literal["prone", "seated"] = Field(
        "prone", description="Prone: shin points at the ceiling at 0; seated: at the floor."
    )
    min_shin_to_thigh: float | None = Field(
        None,
        gt=0,
        lt=2,
        description="With space image or camera: unknown while the shin is drawn on screen "
        "shorter than this share of its thigh (the knee and ankle points nearly on top of "
        "each other, so the shin's direction is the landmarks' jitter); none: always read.",
    )
    hip_line: Literal["drawn", "view"] = Field(
        "drawn",
        description="With space image, the outward direction the shin is split along: drawn, "
        "the hip points' own line on screen; view, the line the camera's view gives the hips "
        "(its slope from the view's azimuth and elevation), across the way the drawn line "
        "points and down for the hip nearer the camera: the body's camera's side once it is "
        "known (camera_from), else the lower drawn hip. Only with space image.",
    )

    @model_validator(mode="after")
    def _view_line_needs_image(self) -> HipInternalRotation:
        if self.hip_line == "view" and self.space != "image":
            raise ValueError("'hip_line: view' needs 'space: image' (other spaces ignore it)")
        return self

    def parts(self) -> tuple[str, ...]:
        if self.space == "world":
            return ("hip", "other_hip", "knee", "ankle", "mid_shoulder")
        return ("hip", "other_hip", "knee", "ankle")

    def shin_too_short(self, g: PoseGeometry, side: Side | None) -> bool:
        """Whether the shin is drawn too short on screen to point anywhere
        (``min_shin_to_thigh``)."""
        if self.min_shin_to_thigh is None or self.space not in ("image", "camera"):
            return False
        hip, knee, ankle = (g.image(p, side) for p in ("hip", "knee", "ankle"))
        return shin_drawn_short(hip, knee, ankle, self.min_shin_to_thigh)

    def missing(self, g: PoseGeometry, side: Side | None) -> tuple[str, ...]:
        """The landmarks not visible; with the shin drawn too short (``shin_too_short``),
        the knee and ankle too: their direction is unknown, so the checker stops the hold
        clock and says what it cannot see. Before, ``compute()`` gave NaN with nothing
        missing, read as a start still pending: dev r2075 (prone) held on 4.3 -> 5.7 s
        over 1.4 s at rest and the hold could not end."""
        out = super().missing(g, side)
        if out or not self.shin_too_short(g, side):
            return out
        return tuple(dict.fromkeys((*g.resolve("knee", side), *g.resolve("ankle", side))))

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        if self.space == "world":
            return self._world(g, side)
        if self.space == "model":
            fit = g.body.leg(side) if g.body is not None and side is not None else None
            return math.nan if fit is None else fit.hip_rotation_deg
        if self.shin_too_short(g, side):
            return math.nan
        if self.space == "camera":
            outward = swing.left_axis(self.posture) * (1.0 if side == "left" else -1.0)
            rest = swing.UP if self.posture == "prone" else -swing.UP
            return self.swing_deg(
                g, g.image("knee", side), g.image("ankle", side), rest, outward, self.posture
            )
        shin = g.image("ankle", side) - g.image("knee", side)
        outward = g.image("hip", side) - g.image("other_hip", side)
        if self.hip_line == "view":
            outward = self.hip_line_seen(outward, g, side)
        rest = np.array([0.0, -1.0]) if self.posture == "prone" else np.array([0.0, 1.0])
        return sideways_angle_on_screen_deg(shin, outward, rest, self.foreshortening_ratio(g))

    def hip_line_seen(
        self, drawn: np.ndarray, g: PoseGeometry | None = None, side: Side | None = None
    ) -> np.ndarray:
        """The outward hip line on screen as the view draws it (``hip_line: view``): across
        the picture the way ``drawn`` points, down it for the hip nearer the camera, its
        slope that of the body's sideways axis seen from the view (:meth:`sideways_seen`).
        The near hip is ``side``'s when the body's camera read through stands on that side
        (its signed azimuth: positive toward the person's left); else, and with no ``side``,
        the lower of the two drawn hip points, which a nearly level drawn line takes from
        the landmarks' jitter (10 px across, half a pixel up or down: a shin drawn 22
        degrees from vertical reads 25.8 or 31.8 through a view 45 round, 18 up).
        MediaPipe draws a prone body's hip points steeper than that: on 29 dev prone clips
        by 15 degrees on the median clip, 3-39 (r0130: 40 against the joints' 11, r2027: 43
        against 11), and a shin split along so steep a line reads its swing high for the leg
        whose outward points up the picture. Unknown (NaN) when the drawn line is, or has no
        length (the two hip points drawn on one pixel point nowhere)."""
        if not np.all(np.isfinite(drawn)) or not float(np.linalg.norm(drawn)) > 0:
            return np.full(2, math.nan)
        across, down = self.sideways_seen(g)
        cam = self.body_camera(g)
        if side is not None and cam is not None and cam.azimuth_deg != 0:
            near = toward_side_deg(cam.azimuth_deg, side) > 0
        else:
            near = float(drawn[1]) >= 0
        return np.array([math.copysign(across, float(drawn[0])), down if near else -down])

    def _world(self, g: PoseGeometry, side: Side | None) -> float:
        hip, knee, ankle = g.world("hip", side), g.world("knee", side), g.world("ankle", side)
        if self.posture == "prone":
            rest_direction = -_anterior(g)  # out of the back, at the ceiling
        else:
            rest_direction = g.world("mid_hip") - g.world("mid_shoulder")  # down the trunk
        shin = ankle - knee
        angle = _angle_about_axis_deg(shin, rest_direction, knee - hip)
        outward = hip - g.world("other_hip", side)
        return angle if float(np.dot(shin, outward)) >= 0 else -angle


class KneeRoll(CameraView, MetricBase):
    """How far a bent leg has rolled about its hip-ankle axis, degrees (lying on the back).

    0 when the knee points straight out of the front of the body (at the ceiling when supine);
    positive when it falls *inward* toward the other leg, negative when it falls outward: the
    knee-drop and fall-out angle. ``direction: outward`` flips the sign, for a knee opening
    away from the other leg (the top knee of a clamshell, which hinges about the hip-heel line).

    ``space: world`` (default) measures in 3D from world landmarks, independent of the view.
    ``space: image`` measures on screen: the knee circles a point on its hip-ankle axis, about
    midway for a knee bent near 90 degrees, so the knee's screen offset from the hip-ankle
    midpoint is split along the projected hip line and image-vertical and corrected for the
    camera (see :class:`CameraView`). On rendered bodies seen from a diagonal, MediaPipe's
    depth barely follows a knee drop, while the screen offset does. ``space: camera`` reads
    the same offset's swing plane through the camera (:mod:`posecheck.body.swing`; lying on
    the back): exact in perspective, no foreshortening ratio. ``swing_until_deg`` reports the
    mean of the two (``space: image`` with the swing plane through the body's camera) while
    that camera stands within the given azimuth: the on-screen reading falls short as the
    camera comes round, the swing plane alone follows MediaPipe's knee error further.
    """

    metric: Literal["knee_roll"]
    direction: Literal["inward", "outward"] = Field(
        "inward", description="Which way of rolling reads positive."
    )
    space: Literal["image", "world", "camera"] = Field(
        "world", description="2D on screen, 3D, or the swing plane through the camera."
    )
    # Dev split (issue #12; docs/measurement.md section 11): the three lying knee rolls read
    # 9.1 -> 8.1 degrees mean error with the two readings averaged up to 80 degrees round.
    swing_until_deg: float | None = Field(
        None,
        ge=0,
        le=90,
        description="With space: image, also read the knee's swing plane through the camera "
        "estimated from the body (as space: camera does) and report the mean of the two, "
        "while that camera stands at most this many degrees round from the feet end; the "
        "on-screen reading alone further round (the swing plane seen nearly edge-on, where a "
        "few pixels swing it wildly) and until the body's camera is known.",
    )

    # Dev split (issue #12; docs/measurement.md section 14):
    # clamshell 8.0 -> 6.4 degrees mean error with the knee from the picture.
    knee_from: Literal["world", "picture"] = Field(
        "world",
        description="With space: world, where the knee is: MediaPipe's 3D knee, or the knee "
        "where the picture shows it at MediaPipe's depth for it, through the camera solved "
        "against the body in that frame (as thigh_opening's space: camera). Seen from the "
        "front, a knee rolling open moves across the picture, which the 3D knee follows "
        "only in part.",
    )
    # Dev split (issue #12; docs/measurement.md section 14):
    # supine hip rotation 9.2 -> 7.3 degrees mean error with the two knees read together.
    knees_together: bool = Field(
        False,
        description="The knees roll as one, pressed together (supine hip rotation): report the "
        "mean of this knee's roll and the other knee's roll the other way, so a knee that the "
        "estimator misreads counts half; this knee alone while the other cannot be read. "
        "Counted from the start, each knee counts from its own start and the changes are "
        "paired, so a frame with one knee reads that knee's change.",
    )

    # Learned on the dev split (issue #12; docs/measurement.md section 14): MediaPipe reads
    # the knee drop's far knee short and its near knee long.
    far_knee_scale: float = Field(
        1.0,
        gt=0.5,
        lt=2.0,
        description="A learned scale for the knee on the far side of the body from the camera "
        "estimated from the body (once it is known): MediaPipe reads a knee dropping toward "
        "the camera, behind the near leg, short. For a reported number, or the position's "
        "reading (the knee drop's far knee counts from a lower line), not a fault's. Within "
        "the estimate's uncertainty of straight behind the feet it goes over linearly to "
        "near_knee_scale.",
    )
    near_knee_scale: float = Field(
        1.0,
        gt=0.5,
        lt=2.0,
        description="The same for the knee on the camera's side of the body.",
    )

    @model_validator(mode="after")
    def _swing_needs_image(self) -> KneeRoll:
        if self.swing_until_deg is not None and self.space != "image":
            raise ValueError("'swing_until_deg' needs 'space: image'")
        if self.knee_from == "picture" and self.space != "world":
            raise ValueError("'knee_from: picture' needs 'space: world'")
        return self

    @property
    def needs_knee_rays(self) -> bool:
        return self.knee_from == "picture"

    def parts(self) -> tuple[str, ...]:
        if self.space in ("image", "camera"):
            return ("hip", "other_hip", "knee", "ankle")
        return ("hip", "other_hip", "knee", "ankle", "mid_shoulder")

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        mine = self.alone(g, side)
        if not self.knees_together or side is None:
            return mine
        return self.together(mine, self.alone(g, other_side(side)))

    def alone(self, g: PoseGeometry, side: Side | None) -> float:
        """This knee's roll alone, whatever ``knees_together`` says. The checker counts each
        knee from its own start with it and pairs the two changes (:meth:`together`), so a
        frame without the other knee reads this knee's change from this knee's start, not
        this knee against the pair's start (off by half of what the estimator misreads
        between the knees at rest). The far/near scale is this knee's own."""
        signed = self._signed(g, side) * self._side_scale(g, side)
        return signed if self.direction == "inward" else -signed

    @staticmethod
    def together(mine: float, other: float) -> float:
        """With ``knees_together``: the mean of this knee's roll and the other knee's roll the
        other way (the other knee rolling outward by the same turn reads negative inward);
        this knee alone while the other is unknown."""
        return mine if math.isnan(other) else (mine - other) / 2.0

    def _side_scale(self, g: PoseGeometry, side: Side | None) -> float:
        """``far_knee_scale`` or ``near_knee_scale`` for this knee, by the side of the body the
        body's camera stands (its azimuth is positive toward the person's left); 1 until it
        is known. Within the estimate's own uncertainty of straight behind the feet the side
        is not known for sure, so the scale goes over linearly from far to near across that
        band (the mean of the two straight behind): a camera there no longer swaps the two
        scales with a degree of noise."""
        if self.far_knee_scale == self.near_knee_scale == 1.0 or side is None:
            return 1.0
        cam = g.body.camera if g.body is not None else None
        if cam is None or not cam.known:
            return 1.0
        toward = toward_side_deg(cam.azimuth_deg, side)
        near = min(1.0, max(-1.0, toward / cam.uncertainty_deg))  # 1 near, -1 far
        return self.far_knee_scale + (near + 1.0) / 2.0 * (
            self.near_knee_scale - self.far_knee_scale
        )

    def _signed(self, g: PoseGeometry, side: Side | None) -> float:
        """This knee's roll, positive inward, in the measure's space."""
        if self.space == "camera":
            return self._swing(g, side)
        if self.space == "image":
            signed = self._image(g, side)
            swung = self._swing_through_body(g, side)
            return signed if math.isnan(swung) else (signed + swung) / 2.0
        return self._world(g, side)

    def _swing_through_body(self, g: PoseGeometry, side: Side | None) -> float:
        """With ``swing_until_deg``: the ``space: camera`` reading through the body's camera
        while it stands within that azimuth (NaN otherwise, or without the setting)."""
        cam = g.body.camera if g.body is not None else None
        if (
            self.swing_until_deg is None
            or cam is None
            or not cam.known
            or abs(cam.azimuth_deg) > self.swing_until_deg
        ):
            return math.nan
        return self._swing(g, side, cam)

    def _swing(
        self, g: PoseGeometry, side: Side | None, camera: CameraEstimate | None = None
    ) -> float:
        """The knee's offset from the hip-ankle midpoint in its swing plane (``swing_deg``)."""
        hip, knee, ankle = g.image("hip", side), g.image("knee", side), g.image("ankle", side)
        inward = swing.left_axis("supine") * (-1.0 if side == "left" else 1.0)
        return self.swing_deg(g, (hip + ankle) / 2, knee, swing.UP, inward, "supine", camera)

    def _image(self, g: PoseGeometry, side: Side | None) -> float:
        hip, knee, ankle = g.image("hip", side), g.image("knee", side), g.image("ankle", side)
        inward = g.image("other_hip", side) - hip
        return sideways_angle_on_screen_deg(
            knee - (hip + ankle) / 2, inward, np.array([0.0, -1.0]), self.foreshortening_ratio(g)
        )

    def _world(self, g: PoseGeometry, side: Side | None) -> float:
        hip, knee, ankle = g.world("hip", side), g.world("knee", side), g.world("ankle", side)
        if self.knee_from == "picture":
            seen = g.body.knee(side) if g.body is not None and side is not None else None
            if seen is None:
                return math.nan
            knee = seen
        offset = geo.perpendicular_offset(knee, hip, ankle)
        angle = _angle_about_axis_deg(offset, _anterior(g), ankle - hip)
        inward = g.world("other_hip", side) - hip
        return angle if float(np.dot(offset, inward)) >= 0 else -angle


class KneeFallSeen(MetricBase):
    """How far a bent knee, lying on the back, has moved the way a roll about its hip-ankle
    line carries it, read through the camera estimated from the body: shin lengths on screen,
    positive outward (``direction: inward``: positive inward). For the knee drop's other knee.

    The knee's on-screen offset from its hip-ankle midpoint is split along the camera's
    picture of two body directions (through the body's camera, seen from afar): the floor's
    up ``u`` and the body's side, away from the other leg, ``l``. A knee rolling outward by
    ``a`` about its hip-ankle line moves ``r sin a`` along ``l`` and ``r (cos a - 1)`` along
    ``u``: it never rises. The reading is ``l - rise_weight * u``; counted from the start
    (``relative_to_start``) a rise of the knee off the roll's path reads against the roll.
    MediaPipe moves a still knee with the one that drops, on screen, and not along the
    path a roll would (dev r2013: across and up the picture, where the falls go across and
    down). Unknown until the body's camera is known, or where the camera sees the two
    directions along one line on screen.
    """

    metric: Literal["knee_fall_seen"]
    direction: Literal["outward", "inward"] = Field(
        "outward", description="Which way of rolling reads positive."
    )
    rise_weight: float = Field(
        2.0,
        ge=0,
        le=10,
        description="How much a rise of the knee (toward the ceiling) counts against its move "
        "to the side, per shin length: a roll lowers the knee a little, never raises it.",
    )
    # Lying on the back only (the floor's up and the body's side are the supine camera's):
    # the one spec that reads it is the knee drop.

    unit: ClassVar[str] = "ratio"

    @property
    def needs_body_camera(self) -> bool:
        return True

    def parts(self) -> tuple[str, ...]:
        return ("hip", "knee", "ankle")

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        cam = g.body.camera if g.body is not None else None
        if cam is None or not cam.known or side is None:
            return math.nan
        hip, knee, ankle = g.image("hip", side), g.image("knee", side), g.image("ankle", side)
        shin = float(np.linalg.norm(knee - ankle))
        if not shin > 0:
            return math.nan
        rot = _view_rotation(cam.azimuth_deg, cam.elevation_deg, cam.roll_deg, "supine")
        outward = swing.left_axis("supine") * (1.0 if side == "left" else -1.0)
        seen = np.stack([rot[:2] @ swing.UP, rot[:2] @ outward], axis=1)
        if abs(float(np.linalg.det(seen))) < 0.05:  # the two directions along one line
            return math.nan
        up, out = np.linalg.solve(seen, (knee - (hip + ankle) / 2) / shin)
        sideways = float(out) if self.direction == "outward" else -float(out)
        return sideways - self.rise_weight * float(up)


class BodyFrameAngle(MetricBase):
    """Direction of the segment start->end in the body's own frame, degrees, 3D (world).

    The frame comes from the trunk: *down* from mid-shoulder to mid-hip, *across* the hips, and
    *anterior* out of the front. ``frontal``: angle from *down* toward the side, positive
    outward (away from the midline; toward the left for whole-body parts). ``sagittal``:
    angle from *down* toward the front (positive anterior, negative toward the back). For a
    thigh these are hip abduction and hip flexion; rotation about the limb itself changes
    neither.
    """

    metric: Literal["body_frame_angle"]
    start: str
    end: str
    plane: Literal["frontal", "sagittal"] = Field(description="Which body plane.")

    _check = field_validator("start", "end")(_check_part)

    def parts(self) -> tuple[str, ...]:
        return (self.start, self.end, "mid_shoulder", "left_hip", "right_hip")

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        down = g.world("mid_hip") - g.world("mid_shoulder")
        n = float(np.linalg.norm(down))
        if not n > 0:
            return math.nan
        down /= n
        across = g.world("left_hip") - g.world("right_hip")
        across = across - np.dot(across, down) * down
        across /= float(np.linalg.norm(across)) or math.nan
        v = g.world(self.end, side) - g.world(self.start, side)
        if self.plane == "frontal":
            lateral = across * (-1.0 if side == "right" else 1.0)
        else:
            lateral = _anterior(g)
        return math.degrees(math.atan2(float(np.dot(v, lateral)), float(np.dot(v, down))))


class SegmentIncline(MetricBase):
    """Tilt of the line start-end from image-horizontal, degrees, -90..90 (see geometry)."""

    metric: Literal["segment_incline"]
    start: str = Field(description="Body part at one end.")
    end: str = Field(description="Body part at the other end.")

    _check = field_validator("start", "end")(_check_part)

    def parts(self) -> tuple[str, ...]:
        return (self.start, self.end)

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        return geo.incline_deg(g.image(self.start, side), g.image(self.end, side))


class SegmentFromVertical(MetricBase):
    """Angle of the segment start->end from image-up, degrees, 0..180 (or signed, -180..180,
    with ``outward_from``)."""

    metric: Literal["segment_from_vertical"]
    start: str = Field(description="Body part the segment starts at.")
    end: str = Field(description="Body part the segment points to.")
    outward_from: str | None = Field(
        None,
        description="Sign the angle: negative when the segment's start sits on this part's "
        "side of its end on screen (mid_hip for a leg from ankle to hip: the ankle drawn in "
        "past its hip, toward the body's middle, reads below zero instead of as far out).",
    )

    _check = field_validator("start", "end")(_check_part)

    @field_validator("outward_from")
    @classmethod
    def _check_outward(cls, value: str | None) -> str | None:
        return None if value is None else _check_part(value)

    def parts(self) -> tuple[str, ...]:
        extra = (self.outward_from,) if self.outward_from else ()
        return (self.start, self.end, *extra)

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        start, end = g.image(self.start, side), g.image(self.end, side)
        angle = geo.angle_from_image_up_deg(start, end)
        if self.outward_from is None:
            return angle
        inward = g.image(self.outward_from, side)[0] - end[0]
        return -angle if (start[0] - end[0]) * inward > 0.0 else angle


class SegmentAngle(MetricBase):
    """Angle between two segments a_start->a_end and b_start->b_end, degrees: unsigned
    (0..180), or on screen signed (``signed``: from a to b, turning clockwise on screen
    positive, -180..180)."""

    metric: Literal["segment_angle"]
    a_start: str
    a_end: str
    b_start: str
    b_end: str
    space: Literal["image", "world"] = Field("image", description="2D on screen or 3D.")
    # Issue #12, band rotation trunk_leans: the unsigned angle's change from the start is not
    # the change of the angle. Dev r0278 stood with its shoulder line 5.9 degrees off its hip
    # line on screen and leaned the other way: unsigned it read a change of -4 to -5 (signed
    # +4.7 to +5.4); r0343's lean read 2.6 unsigned, 6.1 signed.
    signed: bool = Field(
        False,
        description="On screen only: the angle from a to b with its direction (clockwise on "
        "screen positive, -180..180), so a change from the start that crosses zero reads "
        "whole; a fault then sets both above and below to catch either direction.",
    )

    _check = field_validator("a_start", "a_end", "b_start", "b_end")(_check_part)

    @model_validator(mode="after")
    def _signed_on_screen(self) -> SegmentAngle:
        if self.signed and self.space != "image":
            raise ValueError("signed is for space: image (a 3D angle has no direction)")
        return self

    def parts(self) -> tuple[str, ...]:
        return (self.a_start, self.a_end, self.b_start, self.b_end)

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        get = g.world if self.space == "world" else g.image
        a0, a1, b0, b1 = (get(p, side) for p in self.parts())
        if not self.signed:
            return geo.angle_between_deg(a1 - a0, b1 - b0)
        (ax, ay), (bx, by) = a1 - a0, b1 - b0
        if not (math.hypot(ax, ay) > 0 and math.hypot(bx, by) > 0):  # also catches NaN
            return math.nan
        # Image y points down, so a positive cross product turns clockwise on screen.
        return math.degrees(math.atan2(ax * by - ay * bx, ax * bx + ay * by))


class SeparationRatio(MetricBase):
    """Distance a-b divided by distance ref_a-ref_b (e.g. knees apart / hips apart), ratio."""

    metric: Literal["separation_ratio"]
    a: str
    b: str
    ref_a: str = Field("left_hip", description="One end of the body length to divide by.")
    ref_b: str = Field("right_hip", description="Other end of the body length to divide by.")
    space: Literal["image", "world"] = Field("image", description="2D on screen or 3D.")
    # Issue #12, knee drop and fall-out feet_move: MediaPipe's far shoulder slides as a knee
    # drops (dev r0313: the shoulders 27 -> 36 pixels apart, truly 52 throughout), so feet
    # that stay put read 0.48 shoulder widths closer when divided frame by frame.
    divide_by: Literal["frame", "start"] = Field(
        "frame",
        description="With relative_to_start: divide by the reference length of each frame "
        "(frame), or by the reference length as it was when the starting value was taken "
        "(start): the change in a-b then reads in lengths of a reference that the "
        "estimator may stretch or shrink while the person moves.",
    )

    unit: ClassVar[str] = "ratio"
    _check = field_validator("a", "b", "ref_a", "ref_b")(_check_part)

    @model_validator(mode="after")
    def _start_needs_relative(self) -> SeparationRatio:
        if self.divide_by == "start" and not self.relative_to_start:
            raise ValueError("'divide_by: start' needs 'relative_to_start: true'")
        return self

    def parts(self) -> tuple[str, ...]:
        return (self.a, self.b, self.ref_a, self.ref_b)

    def ref_length(self, g: PoseGeometry, side: Side | None) -> float:
        """The length divided by, in this frame (pixels, or metres in ``space: world``)."""
        get = g.world if self.space == "world" else g.image
        return geo.distance(get(self.ref_a, side), get(self.ref_b, side))

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        get = g.world if self.space == "world" else g.image
        ref = self.ref_length(g, side)
        if not ref > 0:
            return math.nan
        return geo.distance(get(self.a, side), get(self.b, side)) / ref


class OffsetFromLine(MetricBase):
    """Sideways offset of ``point`` from the line start-end, as a fraction of that line's
    length, on screen. Positive toward the body's midline (mid_hip's side of the line).

    ``both_sides: true`` (side-relative parts only) gives one whole-body value, the left
    and right offsets added: how far the two points have closed in toward each other. A
    sideways shift of the whole body on screen, or a camera turned off square (which moves a
    bent knee sideways on screen by its forward bend), moves one point inward and the other
    outward by the same amount, and cancels; a knee caving in does not.
    """

    metric: Literal["offset_from_line"]
    point: str
    start: str
    end: str
    both_sides: bool = Field(
        False, description="Add the left and right values: one whole-body value."
    )

    unit: ClassVar[str] = "ratio"
    _check = field_validator("point", "start", "end")(_check_part)

    @model_validator(mode="after")
    def _sided_parts(self) -> OffsetFromLine:
        if self.both_sides and not any(
            is_side_relative(p) for p in (self.point, self.start, self.end)
        ):
            raise ValueError("'both_sides' needs side-relative body parts (knee, not left_knee)")
        return self

    def _own_parts(self) -> tuple[str, ...]:
        return (self.point, self.start, self.end, "mid_hip")

    def parts(self) -> tuple[str, ...]:
        if not self.both_sides:
            return self._own_parts()
        return tuple(
            dict.fromkeys(
                name
                for side in ("left", "right")
                for p in self._own_parts()
                for name in (geo.resolve_part(p, side) if is_side_relative(p) else (p,))
            )
        )

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        if self.both_sides:
            return self._one_side(g, "left") + self._one_side(g, "right")
        return self._one_side(g, side)

    def _one_side(self, g: PoseGeometry, side: Side | None) -> float:
        p, a, b = g.image(self.point, side), g.image(self.start, side), g.image(self.end, side)
        length = geo.distance(a, b)
        d = geo.signed_distance_from_line(p, a, b)
        mid = geo.signed_distance_from_line(g.image("mid_hip"), a, b)
        if not length > 0 or math.isnan(mid):
            return math.nan
        return d / length * (1.0 if mid >= 0 else -1.0)


class HeightAboveLine(MetricBase):
    """How far ``point`` sits above the line start-end on screen (toward image-up), as a
    fraction of that line's length. E.g. the pelvis above the shoulder-ankle "floor line"."""

    metric: Literal["height_above_line"]
    point: str
    start: str
    end: str

    unit: ClassVar[str] = "ratio"
    _check = field_validator("point", "start", "end")(_check_part)

    def parts(self) -> tuple[str, ...]:
        return (self.point, self.start, self.end)

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        p, a, b = g.image(self.point, side), g.image(self.start, side), g.image(self.end, side)
        length = geo.distance(a, b)
        if not length > 0:
            return math.nan
        d = geo.signed_distance_from_line(p, a, b)
        # signed_distance_from_line is positive on the screen-left of a->b; flip so that the
        # side where image-up lies is positive.
        up_side = geo.signed_distance_from_line((a + b) / 2 + np.array([0.0, -1.0]), a, b)
        if up_side == 0 or math.isnan(up_side):
            return math.nan
        return d / length * (1.0 if up_side > 0 else -1.0)


class PelvisHeight(MetricBase):
    """Pelvis height above the floor line, side view, as a fraction of the shoulder-ankle
    length: the hip's distance above the line from shoulder to ankle (both on the floor when
    lying on the back). Uses the side nearer the camera (:meth:`PoseGeometry.near_side`),
    because from the side the far ankle is often hidden. ~0 lying flat; a full bridge reads
    about 0.2.
    """

    metric: Literal["pelvis_height"]

    _CHAIN: ClassVar[tuple[str, str, str]] = ("hip", "shoulder", "ankle")

    def parts(self) -> tuple[str, ...]:
        return tuple(f"{s}_{p}" for s in ("left", "right") for p in self._CHAIN)

    def missing(self, g: PoseGeometry, side: Side | None) -> tuple[str, ...]:
        near = g.near_side()
        return g.missing(tuple(f"{near}_{p}" for p in self._CHAIN))

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        near = g.near_side()
        return HeightAboveLine(
            metric="height_above_line",
            point=f"{near}_hip",
            start=f"{near}_shoulder",
            end=f"{near}_ankle",
        ).compute(g, None)


class VerticalOffset(MetricBase):
    """How far ``point`` is above ``reference`` on screen, as a fraction of the distance
    scale_start-scale_end (default: torso length). Positive when ``point`` is higher."""

    metric: Literal["vertical_offset"]
    point: str
    reference: str
    scale_start: str = Field("mid_shoulder", description="One end of the scale length.")
    scale_end: str = Field("mid_hip", description="Other end of the scale length.")

    unit: ClassVar[str] = "ratio"
    _check = field_validator("point", "reference", "scale_start", "scale_end")(_check_part)

    def parts(self) -> tuple[str, ...]:
        return (self.point, self.reference, self.scale_start, self.scale_end)

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        scale = geo.distance(g.image(self.scale_start, side), g.image(self.scale_end, side))
        if not scale > 0:
            return math.nan
        return float(g.image(self.reference, side)[1] - g.image(self.point, side)[1]) / scale


class RiseOffFloor(CameraView, MetricBase):
    """How far ``point`` has risen above ``reference`` off the floor, lying down, in torso
    lengths: read on screen and corrected through the camera, so the same lift reads the same
    from any sensible camera placement. Meant for ``relative_to_start`` (a shoulder coming off
    the mat while the knees roll).

    A rise off the floor moves a point up the screen by ``cos(elevation)`` of its length; the
    torso (mid_shoulder to mid_hip), along the body, shows ``hypot(sin az, cos az sin el)`` of
    its length, with ``az`` the camera's angle round from beyond the feet and ``el`` its
    angle above the floor (the camera estimated from the body, ``camera_from: body``, or the
    spec's angles). Dividing by the torso, not by the shoulders' own width on screen, keeps
    the value from blowing up when the camera looks along the shoulder line: seen from a low
    diagonal beyond the feet the shoulders are a third of their width on screen and
    MediaPipe's far shoulder collapses toward the near one, so a few pixels of its jitter read
    as a lift.
    """

    metric: Literal["rise_off_floor"]
    point: str
    reference: str

    unit: ClassVar[str] = "ratio"
    _check = field_validator("point", "reference")(_check_part)

    def parts(self) -> tuple[str, ...]:
        return (self.point, self.reference, "mid_shoulder", "mid_hip")

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        az_deg, el_deg = self.view_angles_deg(g)
        el = math.radians(el_deg)
        torso_px = geo.distance(g.image("mid_shoulder"), g.image("mid_hip"))
        along = length_seen(az_deg, el_deg)
        if not torso_px > 0 or not along > 0:
            return math.nan
        rise_px = float(g.image(self.reference, side)[1] - g.image(self.point, side)[1])
        return rise_px / math.cos(el) / (torso_px / along)


def length_seen(azimuth_deg: float, elevation_deg: float) -> float:
    """The share of a length along a lying body that a camera ``azimuth_deg`` round from
    beyond the feet and ``elevation_deg`` above the floor shows on screen (seen from afar):
    ``hypot(sin az, cos az sin el)``; 1 from the side, 0 looking straight along the body."""
    az, el = math.radians(min(90.0, abs(azimuth_deg))), math.radians(elevation_deg)
    return math.hypot(math.sin(az), math.cos(az) * math.sin(el))


class LengthSeen(CameraView, MetricBase):
    """A view measure for a lying body: the share of the body's length along the floor the
    camera shows on screen (:func:`length_seen`), through the camera estimated from the body
    (``camera_from: body``: unknown until it is known). From nearly straight beyond the feet
    (low and little round) the thighs point at the camera and the estimator's hip points
    ride up the screen with a turning thigh, so a rise off the floor read there is not
    trusted: a ``seen_when`` line on this measure (prone ``hips_lift``)."""

    metric: Literal["length_seen"]

    unit: ClassVar[str] = "ratio"

    def parts(self) -> tuple[str, ...]:
        return ("mid_shoulder", "mid_hip")

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        if self.camera_from == "body" and self.body_camera(g) is None:
            return math.nan
        return length_seen(*self.view_angles_deg(g))


def toward_side_deg(azimuth_deg: float, side: Side) -> float:
    """How far round toward ``side`` a camera stands (the body camera's azimuth is positive
    toward the person's left): positive on that side, negative on the other."""
    return azimuth_deg if side == "left" else -azimuth_deg


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else np.full(np.shape(v), math.nan)


class TrunkTwist(MetricBase):
    """Rotation of the shoulder line relative to the hip line about the trunk's long axis,
    degrees, 3D (world). Positive when the chest has turned toward ``side`` compared with the
    pelvis (that side's shoulder has gone back); ``toward: other`` flips it, so the value is
    positive when the chest turns toward the *other* side, or equally when the pelvis turns
    toward ``side`` under still shoulders (knees rolling to that side while lying down).
    """

    metric: Literal["trunk_twist"]
    toward: Literal["same", "other"] = Field(
        "same", description="Positive for a chest turn toward this side or the other one."
    )
    against: Literal["hips", "camera"] = Field(
        "hips",
        description="hips: the shoulder line's turn against the hip line; camera: against "
        "the camera's left-right (MediaPipe's 3D axes follow the camera), so a hip line the "
        "estimator turns along with the shoulders does not eat the turn. Use camera with "
        "relative_to_start: a body sitting at an angle to the camera then cancels.",
    )

    @model_validator(mode="after")
    def _camera_needs_start(self) -> TrunkTwist:
        if self.against == "camera" and not self.relative_to_start:
            raise ValueError(
                "'against: camera' needs 'relative_to_start: true' (a body sitting at an "
                "angle to the camera would read as a turn)"
            )
        return self

    def parts(self) -> tuple[str, ...]:
        return ("hip", "other_hip", "shoulder", "other_shoulder")

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        axis = _unit(g.world("mid_shoulder") - g.world("mid_hip"))
        if self.against == "camera":
            # The camera's left-right: a person facing the camera has their left at +x.
            across = np.array([1.0, 0.0, 0.0])
        else:
            across = g.world("left_hip") - g.world("right_hip")
        across = _unit(across - np.dot(across, axis) * axis)
        forward = np.cross(across, axis)  # out of the front of the pelvis
        shoulders = g.world("left_shoulder") - g.world("right_shoulder")
        back, along = -float(np.dot(shoulders, forward)), float(np.dot(shoulders, across))
        if math.isnan(back) or math.isnan(along):
            return math.nan
        toward_left = math.degrees(math.atan2(back, along))
        same = toward_left if side == "left" else -toward_left
        return same if self.toward == "same" else -same


class LeanTowardCamera(MetricBase):
    """Tilt of the segment start->end from straight up, toward the camera positive, degrees,
    3D (world), in the plane of the camera's vertical and its line of sight.

    MediaPipe's world axes follow the camera, so "up" is the camera's up: exact for a level
    camera; use ``relative_to_start`` so a tilted camera's offset cancels. From a front view
    this is a forward lean of the trunk (mid_hip -> mid_shoulder); for a body lying on its side
    facing the camera, a pelvis rolling back tips the top hip away (negative).
    """

    metric: Literal["lean_toward_camera"]
    start: str
    end: str

    _check = field_validator("start", "end")(_check_part)

    def parts(self) -> tuple[str, ...]:
        return (self.start, self.end)

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        v = g.world(self.end, side) - g.world(self.start, side)
        if not np.all(np.isfinite(v)) or not np.any(v[1:]):
            return math.nan
        # World axes: y down, z away from the camera.
        return math.degrees(math.atan2(-float(v[2]), -float(v[1])))


class ThighOpening(MetricBase):
    """How far the thigh (hip -> knee) points out of the body's midline plane, degrees, 3D.

    The midline plane is the one square to the line through both hips, so the value does not
    depend on how the trunk or the camera is turned. 0 with the thigh pointing straight
    ahead, down or up along the body; 90 with it straight out to the side; negative when it
    crosses toward the other leg. Seated with the soles together it is how far the knees have
    opened; lying on the side it is how far the top knee has lifted.

    ``space: camera`` takes the knee from the picture instead of MediaPipe's 3D model: the
    point on the camera ray through the on-screen knee at MediaPipe's own depth for it,
    through the camera solved against the body in that frame
    (:func:`posecheck.body.legfit.knee_at_depth`).
    From the front a thigh turning out moves the knee across the picture, which the 3D
    landmarks follow only in part. Where the picture gives no knee (one photo, a frame
    whose camera could not be solved, the knee not seen on screen) the 3D knee is read
    instead, so the measure is known wherever the world one is.
    """

    metric: Literal["thigh_opening"]
    space: Literal["world", "camera"] = Field(
        "world",
        description="world: MediaPipe's 3D knee; camera: the knee across the view from the "
        "picture, its depth from MediaPipe, through the camera solved against the body (the "
        "3D knee where the picture gives none).",
    )

    unseen_toward_deg: float | None = Field(
        None,
        gt=0,
        lt=90,
        description="No reading (not measured from this view) while the camera estimated "
        "from the body stands this far round or further toward this leg from straight in "
        "front: the thigh then points nearly at the camera and its opening is almost all "
        "depth.",
    )

    @property
    def needs_knee_rays(self) -> bool:
        return self.space == "camera"

    def parts(self) -> tuple[str, ...]:
        return ("hip", "other_hip", "knee")

    def sees_side(self, g: PoseGeometry, side: Side | None) -> bool:
        """False while the body's camera stands ``unseen_toward_deg`` or further round toward
        ``side`` (azimuth positive toward the person's left); True otherwise, and while the
        camera is unknown (the reading then stands as the measure gives it)."""
        if self.unseen_toward_deg is None or side is None or g.body is None:
            return True
        cam = g.body.camera
        if not cam.known:
            return True
        return toward_side_deg(cam.azimuth_deg, side) < self.unseen_toward_deg

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        if not self.sees_side(g, side):
            return math.nan
        out = _unit(g.world("hip", side) - g.world("other_hip", side))
        knee = g.world("knee", side)
        if self.space == "camera" and g.body is not None and side is not None:
            # MediaPipe's 3D knee stands in when the picture gives none (one photo, no
            # camera solved, the knee not seen on screen)
            pictured = g.body.knee(side)
            if pictured is not None:
                knee = pictured
        thigh = _unit(knee - g.world("hip", side))
        c = float(np.dot(thigh, out))
        if math.isnan(c):
            return math.nan
        return math.degrees(math.asin(max(-1.0, min(1.0, c))))


class FootTurn(MetricBase):
    """Toes turned in, degrees; positive when the toes point toward the other leg. Standing
    with a straight knee this is the hip's internal rotation (plus any turn of the foot
    itself).

    ``space: world`` (default): the foot (heel -> toes) measured in 3D in the plane square to
    the trunk, from straight ahead of the pelvis. From a front view MediaPipe's depth barely
    follows the foot turning, so this reads a few degrees of a 35 degree turn.

    ``space: image``: for a camera in front of a standing person. A foot turning about the
    leg moves its toes across the leg and its heel the other way, by ``foot length x
    sin(angle)`` between them, whatever the camera's height. So the angle is
    ``asin(across / (foot_to_shin x shin))``: ``across`` is the heel -> toes vector on screen
    along the direction square to the leg (hip -> ankle) that points toward the other hip,
    ``shin`` the knee-ankle distance on screen (upright, so seen at full length), and
    ``foot_to_shin`` how long the foot is compared with the shin, between MediaPipe's heel and
    toe points. 0 with the foot pointing at the camera. Use ``relative_to_start`` for the turn
    from the person's own stance (most people stand with the toes a little out).
    """

    metric: Literal["foot_turn"]
    space: Literal["image", "world"] = Field("world", description="2D on screen or 3D.")
    foot_to_shin: float = Field(
        0.5,
        gt=0.2,
        lt=1.0,
        description="Heel-to-toe length over knee-to-ankle length (image space only).",
    )

    def parts(self) -> tuple[str, ...]:
        if self.space == "image":
            return ("heel", "foot_index", "hip", "other_hip", "knee", "ankle")
        return ("heel", "foot_index", "hip", "other_hip", "mid_shoulder")

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        if self.space == "image":
            return self._image(g, side)
        up = _unit(g.world("mid_shoulder") - g.world("mid_hip"))
        inward = g.world("other_hip", side) - g.world("hip", side)
        inward = _unit(inward - np.dot(inward, up) * up)
        ahead = _unit(np.cross(inward, up)) * (-1.0 if side == "left" else 1.0)
        foot = g.world("foot_index", side) - g.world("heel", side)
        x, y = float(np.dot(foot, ahead)), float(np.dot(foot, inward))
        if math.isnan(x) or math.isnan(y) or (x == 0 and y == 0):
            return math.nan
        return math.degrees(math.atan2(y, x))

    def _image(self, g: PoseGeometry, side: Side | None) -> float:
        hip, ankle = g.image("hip", side), g.image("ankle", side)
        leg = _unit(ankle - hip)
        inward = g.image("other_hip", side) - hip
        inward = _unit(inward - np.dot(inward, leg) * leg)
        foot_px = self.foot_to_shin * geo.distance(g.image("knee", side), ankle)
        across = float(np.dot(g.image("foot_index", side) - g.image("heel", side), inward))
        if not foot_px > 0 or math.isnan(across):
            return math.nan
        return math.degrees(math.asin(max(-1.0, min(1.0, across / foot_px))))


class WorldRise(MetricBase):
    """How far ``point`` is above ``reference`` along the camera's up direction, in torso
    lengths (mid_shoulder to mid_hip), 3D (world). Exact for a level camera; meant for use
    with ``relative_to_start`` (a shoulder lifting off the floor while lying down)."""

    metric: Literal["world_rise"]
    point: str
    reference: str = Field("mid_hip", description="Body part the rise is measured from.")

    unit: ClassVar[str] = "ratio"
    _check = field_validator("point", "reference")(_check_part)

    def parts(self) -> tuple[str, ...]:
        return (self.point, self.reference, "mid_shoulder", "mid_hip")

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        torso = geo.distance(g.world("mid_shoulder"), g.world("mid_hip"))
        if not torso > 0:
            return math.nan
        # World y points down.
        return float(g.world(self.reference, side)[1] - g.world(self.point, side)[1]) / torso


class OfMeasure(MetricBase):
    """A measure the checker works out from another measure's values (``of``), not from one
    picture's landmarks: it reads no body part, and it reads the other measure's values as
    they are, counted from that measure's own start where it has one (a start of its own
    would be ignored, so none is accepted). Computed after the measures read from the
    picture."""

    metric: str
    of: str = Field(description="Name of the measure this one is worked out from.")

    @model_validator(mode="after")
    def _no_start_of_its_own(self) -> OfMeasure:
        if self.relative_to_start:
            raise ValueError(
                "'relative_to_start' is not for a measure worked out from another ('of'): "
                "set it on the measure it names"
            )
        if self.read_from_behind:
            # the checker reads it from the measure it names whatever the frame: the mark
            # would neither be checked nor keep it unknown (mark the measure it names)
            raise ValueError(
                "'read_from_behind' is not for a measure worked out from another ('of'): "
                "set it on the measure it names"
            )
        return self

    def parts(self) -> tuple[str, ...]:
        return ()


class InUnitOfMeasure(OfMeasure):
    """A measure in the unit of the one it reads (``of``), computed by the checker from the
    values of the measures it names, not from the picture."""

    # The unit of the measure named in ``of``, set when the spec resolves its names.
    _of_unit: str = PrivateAttr(default="ratio")

    @property
    def unit(self) -> str:  # type: ignore[override]
        """The unit of the measure it reads (``of``)."""
        return self._of_unit

    def compute(self, g: PoseGeometry, side: Side | None) -> float:
        return math.nan  # the checker takes it from the measures it names


class FromMeasure(OfMeasure):
    """A measure the checker works out from another measure's values in time (``of``): unknown
    from one picture, and never the ``of`` of another."""

    def compute(self, g: PoseGeometry, side: Side | None) -> float:  # pragma: no cover
        raise TypeError("computed by the checker from the measure it names (of)")


class Speed(FromMeasure):
    """How fast another measure changes, in its unit per second (absolute value), over a
    sliding window of frame timestamps. Computed by the checker from the other measure."""

    metric: Literal["speed"]
    of: str = Field(description="Name of the measure whose rate of change this is.")
    window_s: float = Field(0.3, gt=0, le=3, description="Time window for the rate, seconds.")

    unit: ClassVar[str] = "per_s"


class MoveTime(FromMeasure):
    """How long the last movement of another measure took, in seconds: the middle of one lift
    or lowering (from ``low_share`` to ``high_share`` of its way from the turn before to the
    turn after), timed on frame timestamps between interpolated crossings. It does not depend
    on how large the estimator reads the movement, only on its shape in time, so a knee
    opening read at twice its size reads the same time (a speed reads twice as fast). Known on
    the frame the movement's end is seen (and ``keep_s`` after), unknown otherwise. Computed
    by the checker from the measure it names. It has no window (it was a speed with an unused
    ``window_s`` until session 9), so it asks for no analysis rate of its own: the crossings
    are interpolated on frame timestamps, and the 10 a second every spec is analysed at holds."""

    metric: Literal["move_time"]
    of: str = Field(description="Name of the measure whose movements are timed.")
    min_change: float = Field(
        8.0, gt=0, description="A movement is a change of at least this much between turns."
    )
    low_share: float = Field(0.2, ge=0, lt=1, description="Timing starts this share of the way.")
    high_share: float = Field(0.8, gt=0, le=1, description="Timing ends this share of the way.")
    keep_s: float = Field(
        0.0, ge=0, description="How long the time is given after the turn is seen (0: that frame)."
    )
    moves: Literal["both", "up", "down"] = Field(
        "both", description="Which movements are timed: rises, falls (a return), or both."
    )
    jump_within_s: float | None = Field(
        None,
        gt=0,
        description="A movement with no frame inside its middle (from low_share to high_share "
        "of its way), passed between two frames at most this far apart, is a still limb's "
        "reading jumping between two levels, not a movement: not timed (a real movement that "
        "fast would show a frame inside it). None: every movement is timed. Frames further "
        "apart (a slow camera, dropped frames) are timed as before.",
    )

    unit: ClassVar[str] = "s"

    @model_validator(mode="after")
    def _shares(self) -> MoveTime:
        if self.high_share <= self.low_share:
            raise ValueError("high_share must be above low_share")
        return self


class LowerOf(InUnitOfMeasure):
    """The lower of another measure's two sides, each counted from its own start: whole-body.
    For a movement that moves both sides at once where the estimator moves one side's point
    with something else: lying face down, a pelvis lift raises both hip bones, while
    MediaPipe's hip point follows its own thigh as the leg turns (prone dev r0117: one hip up
    0.14 torso lengths, the other 0.08, no lift). Unknown unless both sides are known.
    Computed by the checker from the measure it names; from one picture it is unknown."""

    metric: Literal["lower_of"]
    of: str = Field(description="Name of a per-side measure; the lower of its two values.")


class StartOr(InUnitOfMeasure):
    """Another measure counted from its own start (``of``) once that start is taken; until
    then, and from one picture, the value of ``before_start`` as it reads. For a fault whose
    best reading needs a start that a person may never give (a leg set before they are
    seen at rest): the check runs from the first frame either way. With ``once_started:
    larger``, once the start is taken, the larger of the two. Computed by the checker from the
    two measures it names."""

    metric: Literal["start_or"]
    of: str = Field(description="Name of a measure taken relative to the start.")
    before_start: str = Field(
        description="Name of the measure read while the start of 'of' is not taken yet "
        "(from one picture: always); same unit and sides as 'of'."
    )
    once_started: Literal["of", "larger"] = Field(
        "of",
        description="Once the start is taken: 'of' reads 'of' alone; 'larger' reads the larger "
        "of the two that are known, for two readings of one movement that each fall short for "
        "their own reason (the seated twist's turn against the hips, which MediaPipe turns "
        "part of the way with the shoulders, and since the start against the camera).",
    )

    _of_unit: str = PrivateAttr(default="deg")


Metric = Annotated[
    Union[
        JointFlexion,
        HipInternalRotation,
        KneeRoll,
        KneeFallSeen,
        BodyFrameAngle,
        SegmentIncline,
        SegmentFromVertical,
        SegmentAngle,
        SeparationRatio,
        OffsetFromLine,
        HeightAboveLine,
        PelvisHeight,
        VerticalOffset,
        RiseOffFloor,
        LengthSeen,
        TrunkTwist,
        LeanTowardCamera,
        ThighOpening,
        FootTurn,
        WorldRise,
        MoveTime,
        Speed,
        LowerOf,
        StartOr,
    ],
    Field(discriminator="metric"),
]
