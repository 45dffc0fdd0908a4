"""The camera's elevation from the posture's template, on synthetic lying and standing bodies."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck.body import camera as cam
from posecheck.body import synthetic as syn
from posecheck.body.synthetic import Body, Camera, Leg
from posecheck.body.template import (
    PRONE_START,
    SEATED_LEGS_OUT_DEG,
    _seated_start,
    floor_view_deg,
    prone_start,
    side_lying_start,
    start_view_deg,
)
from posecheck.pose.landmarks import Pose, index_of

W, H, F = 640, 480, 512.0
pytestmark = pytest.mark.usefixtures("exact_depth")  # synthetic bodies: exact depth

PRONE = Body(posture="prone", left=Leg(knee_flexion_deg=90), right=Leg(knee_flexion_deg=90))
SUPINE = Body(posture="supine", left=Leg(hip_flexion_deg=45, knee_flexion_deg=90))


def _elevation(body: Body, c: Camera) -> float:
    """The camera's angle above the floor seen from the mid-hip, by hand (world y is up)."""
    pts = syn.body_points(body)
    hip = (pts[index_of("left_hip")] + pts[index_of("right_hip")]) / 2
    v = np.asarray(c.position, float) - hip
    return math.degrees(math.atan2(float(v[1]), math.hypot(float(v[0]), float(v[2]))))


@pytest.mark.parametrize("body", [PRONE, SUPINE], ids=["prone", "supine"])
@pytest.mark.parametrize(("azimuth_deg", "height_m"), [(-60.0, 0.8), (0.0, 1.2), (45.0, 0.5)])
def test_the_floor_template_gives_the_elevation(body: Body, azimuth_deg: float, height_m: float):
    c = Camera.looking_at_feet(2.2, height_m, azimuth_deg, body=body.posture)
    c = Camera(c.position, c.target, focal_px=F)
    pose = syn.render(body, c)
    found = floor_view_deg(pose, W, H, body.posture, F, azimuth_deg)
    assert found is not None
    az, el = found
    # the template's shoulders and hips are the synthetic body's, on one level plane
    assert el == pytest.approx(_elevation(body, c), abs=1.0)
    sol = cam.solve_pnp(pose, W, H)
    assert sol is not None
    solved = cam.view_from_solution(sol, pose.world_xyz, body.posture)
    assert az == pytest.approx(solved.azimuth_deg, abs=3.0)


def test_flattened_depth_leaves_the_elevation_alone():
    # MediaPipe's 3D landmarks flatten depth; the template reads the picture only, so the
    # view's elevation stays right where the 3D solve alone drifts.
    c = Camera.looking_at_feet(2.0, 0.8, 45.0, body="prone")
    c = Camera(c.position, c.target, focal_px=F)
    pose = syn.render(PRONE, c)
    flat = Pose(pose.image_xy, pose.visibility, pose.world_xyz * np.array([1.0, 1.0, 0.4]))
    sol = cam.solve_pnp(flat, W, H)
    assert sol is not None
    solved = cam.view_from_solution(sol, flat.world_xyz, "prone")
    kept = cam.with_floor_elevation(solved, flat, W, H, "prone")
    true_el = _elevation(PRONE, c)
    assert abs(kept.elevation_deg - true_el) < 1.0
    assert abs(kept.elevation_deg - true_el) < abs(solved.elevation_deg - true_el)
    assert kept.azimuth_deg == solved.azimuth_deg


#: A standing trunk as MediaPipe places its shoulders and hips (``template._STANDING_TRUNK``).
STANDING_TRUNK = syn.Proportions(trunk=0.45)


def _around_standing(distance_m: float, height_m: float, azimuth_deg: float) -> Camera:
    """A camera ``azimuth_deg`` round from straight in front of a standing body (toward its
    left), aimed at its hips."""
    left, _, anterior, _ = (np.array(v, float) for v in syn._POSTURES["standing"])
    a = math.radians(azimuth_deg)
    target = np.array([0.0, 0.9, 0.0])
    pos = target + distance_m * (math.cos(a) * anterior + math.sin(a) * left)
    return Camera((float(pos[0]), height_m, float(pos[2])), tuple(target), focal_px=F)


@pytest.mark.parametrize(
    ("azimuth_deg", "height_m"), [(0.0, 0.9), (0.0, 1.6), (20.0, 0.5), (-25.0, 1.3), (10.0, 2.2)]
)
def test_standing_the_upright_trunk_gives_the_elevation(azimuth_deg: float, height_m: float):
    """Standing, the shoulders and hips stand on an upright plane: level, above and below the
    hips, in front and round to either side, the view's elevation is the camera's."""
    body = Body(posture="standing")
    c = _around_standing(2.5, height_m, azimuth_deg)
    pose = syn.render(body, c, STANDING_TRUNK)
    pts = syn.body_points(body, STANDING_TRUNK)
    hip = (pts[index_of("left_hip")] + pts[index_of("right_hip")]) / 2
    v = np.asarray(c.position, float) - hip
    true_el = math.degrees(math.atan2(float(v[1]), math.hypot(float(v[0]), float(v[2]))))
    view = cam.estimate_view(pose, W, H, "standing")
    assert view.elevation_deg == pytest.approx(true_el, abs=1.5)
    # the template's own answer is the whole camera; the view keeps the 3D solve's azimuth
    found = floor_view_deg(pose, W, H, "standing", F, azimuth_deg, elevation_hint_deg=true_el)
    assert found is not None
    assert found == pytest.approx((azimuth_deg, true_el), abs=1.5)


def test_standing_the_mirror_answer_is_not_taken():
    """A camera in front sees the same trapezoid from above and below the hips but for the
    perspective; the answer nearer the 3D solve's elevation is kept, so a camera 15 degrees
    above reads above, and one below reads below."""
    body = Body(posture="standing")
    for height_m, sign in ((0.9 + 2.5 * math.tan(math.radians(15)), 1.0), (0.25, -1.0)):
        pose = syn.render(body, _around_standing(2.5, height_m, 5.0), STANDING_TRUNK)
        assert sign * cam.estimate_view(pose, W, H, "standing").elevation_deg > 10.0


def test_no_template_sitting_or_when_a_contact_is_hidden():
    seated = Body(posture="seated")
    c = Camera.front_view(2.5, 1.0, body="seated")
    assert floor_view_deg(syn.render(seated, c), W, H, "seated", F, 0.0) is None
    # an exactly symmetric, face-on picture has no planar answer: none, never a NaN
    face_on = syn.render(Body(posture="standing"), _around_standing(2.5, 1.57, 0.0), STANDING_TRUNK)
    assert floor_view_deg(face_on, W, H, "standing", F, 0.0) is None
    c = Camera.looking_at_feet(2.0, 0.8, 30.0, body="supine")
    hidden = syn.render(SUPINE, c).hidden("left_shoulder")
    assert floor_view_deg(hidden, W, H, "supine", F, 30.0) is None
    assert floor_view_deg(syn.render(SUPINE, c), W, H, "supine", math.nan, 30.0) is None


#: A body lying face down in the proportions of :data:`posecheck.body.template.PRONE_START`
#: (as MediaPipe's picture places those landmarks): its start position is the template.
PRONE_LIKE_MEDIAPIPE = syn.Proportions(hip_half_width=0.08, shoulder_half_width=0.15, shin=0.32)


@pytest.mark.parametrize(
    ("azimuth_deg", "height_m"), [(-65.0, 1.0), (-35.0, 0.6), (0.0, 1.2), (25.0, 0.9), (55.0, 1.4)]
)
def test_the_prone_start_template_gives_the_camera(azimuth_deg: float, height_m: float):
    """Face down with the lower legs upright, the template's landmarks seen from the feet end
    and round to either side: its azimuth and elevation are the camera's, by hand."""
    c = Camera.looking_at_feet(2.2, height_m, azimuth_deg, body="prone")
    c = Camera(c.position, c.target, focal_px=F)
    pose = syn.render(PRONE, c, PRONE_LIKE_MEDIAPIPE)
    found = start_view_deg(pose, W, H, "prone", F)
    assert found is not None
    az, el, fit = found
    pts = syn.body_points(PRONE, PRONE_LIKE_MEDIAPIPE)
    hip = (pts[index_of("left_hip")] + pts[index_of("right_hip")]) / 2
    v = np.asarray(c.position, float) - hip
    left, along = (np.array(a, float) for a in syn._POSTURES["prone"][:2])
    true_az = math.degrees(math.atan2(float(v @ left), float(v @ -along)))  # from the feet end
    assert az == pytest.approx(true_az, abs=0.5)
    assert el == pytest.approx(_elevation(PRONE, c), abs=0.5)
    assert fit < 0.01
    # the view takes the template's azimuth
    assert cam.estimate_view(pose, W, H, "prone").azimuth_deg == pytest.approx(true_az, abs=0.5)


def test_the_prone_start_template_corrects_a_picture_read_from_too_far_round(
    monkeypatch: pytest.MonkeyPatch,
):
    """MediaPipe's 3D solve read face-down bodies from too far round the side (dev r0208: a
    true 35 read 64). Made here with its world landmarks flattened in depth (the landmarks on
    screen exact): the 3D solve strays by 30, the template does not. Flattened that much, the
    knee bend reads 137 for a true 90, and half of it goes into the template
    (``PRONE_BEND_WEIGHT``): within 7 degrees; with the start's right angle, exact."""
    c = Camera.looking_at_feet(2.0, 1.0, -35.0, body="prone")
    c = Camera(c.position, c.target, focal_px=F)
    pose = syn.render(PRONE, c, PRONE_LIKE_MEDIAPIPE)
    true_az = cam.estimate_view(pose, W, H, "prone").azimuth_deg
    sight = cam.solve_pnp(pose, W, H).rotation[2]
    flat = Pose(pose.image_xy, pose.visibility, cam.scale_depth(pose.world_xyz, sight, 0.3))
    sol = cam.solve_pnp(flat, W, H)
    solved = cam.view_from_solution(sol, flat.world_xyz, "prone")
    kept = cam.with_posture_template(solved, flat, W, H, "prone")
    assert abs(solved.azimuth_deg - true_az) > 20.0
    assert kept.azimuth_deg == pytest.approx(true_az, abs=7.0)
    monkeypatch.setattr(cam, "PRONE_BEND_WEIGHT", 0.0)
    kept = cam.with_posture_template(solved, flat, W, H, "prone")
    assert kept.azimuth_deg == pytest.approx(true_az, abs=0.5)


def test_the_prone_start_template_raises_the_shins_by_the_knee_bend():
    """By hand: the shin (0.32) turns up from the floor about the knee by the bend."""
    assert set(prone_start(90.0)) == set(PRONE_START)
    upright = prone_start(90.0)["left_ankle"]
    assert upright == pytest.approx((0.08, -0.44, -0.32))
    flat = prone_start(0.0)["right_ankle"]
    assert flat == pytest.approx((-0.08, -0.76, 0.0))
    bent = prone_start(55.0)["left_ankle"]
    s, c = math.sin(math.radians(55.0)), math.cos(math.radians(55.0))
    assert bent == pytest.approx((0.08, -0.44 - 0.32 * c, -0.32 * s))
    for t in (prone_start(0.0), prone_start(55.0)):  # the rest stays on the floor as it was
        for name in ("left_shoulder", "right_hip", "left_knee"):
            assert t[name] == pytest.approx(PRONE_START[name])


def test_the_prone_start_template_in_other_proportions():
    """By hand: an adult's proportions (hips 0.09, shoulders 0.19, shin 0.42) move the hips,
    knees, shoulders and ankles across and the ankles up; the trunk and thighs stay."""
    adult = prone_start(90.0, hip_half_width=0.09, shoulder_half_width=0.19, shin=0.42)
    assert adult["right_hip"] == pytest.approx((-0.09, 0.0, 0.0))
    assert adult["left_knee"] == pytest.approx((0.09, -0.44, 0.0))
    assert adult["left_shoulder"] == pytest.approx((0.19, 0.50, 0.0))
    assert adult["right_ankle"] == pytest.approx((-0.09, -0.44, -0.42))
    for name, point in prone_start(90.0).items():  # the picture's by default
        assert point == pytest.approx(PRONE_START[name])


@pytest.mark.parametrize(("azimuth_deg", "height_m"), [(-35.0, 1.0), (25.0, 0.9), (55.0, 1.4)])
def test_a_prone_body_resting_with_the_knees_bent_55(
    azimuth_deg: float, height_m: float, monkeypatch: pytest.MonkeyPatch
):
    """Face down with the knees bent 55 instead of 90 (the prone stretch's ``knee_bend_off``;
    dev r0338 read 13 degrees too far round): the template with the start's fixed right angle
    puts the camera 10-24 degrees off; with the body's own bend, half as far."""
    bent = Body(posture="prone", left=Leg(knee_flexion_deg=55), right=Leg(knee_flexion_deg=55))
    c = Camera.looking_at_feet(2.2, height_m, azimuth_deg, body="prone")
    c = Camera(c.position, c.target, focal_px=F)
    pose = syn.render(bent, c, PRONE_LIKE_MEDIAPIPE)
    pts = syn.body_points(bent, PRONE_LIKE_MEDIAPIPE)
    hip = (pts[index_of("left_hip")] + pts[index_of("right_hip")]) / 2
    v = np.asarray(c.position, float) - hip
    left, along = (np.array(a, float) for a in syn._POSTURES["prone"][:2])
    true_az = math.degrees(math.atan2(float(v @ left), float(v @ -along)))
    own = abs(cam.estimate_view(pose, W, H, "prone").azimuth_deg - true_az)
    monkeypatch.setattr(cam, "PRONE_BEND_WEIGHT", 0.0)
    fixed = abs(cam.estimate_view(pose, W, H, "prone").azimuth_deg - true_az)
    assert fixed > 9.0
    assert own < 0.6 * fixed


def test_face_down_with_the_legs_down_the_3d_solve_stands():
    """Legs straight on the floor, the start template fits from the head end (its upright
    shins read as the legs seen from the other end) or not at all: the view keeps the 3D
    solve's azimuth (``START_TURN_MAX_DEG``)."""
    straight = Body(posture="prone")
    for azimuth_deg in (-40.0, 0.0, 30.0):
        c = Camera.looking_at_feet(2.2, 1.0, azimuth_deg, body="prone")
        c = Camera(c.position, c.target, focal_px=F)
        pose = syn.render(straight, c)
        found = start_view_deg(pose, W, H, "prone", F)
        assert found is None or abs(abs(found[0]) - 180.0) < 30.0
        sol = cam.solve_pnp(pose, W, H)
        assert sol is not None
        solved = cam.view_from_solution(sol, pose.world_xyz, "prone")
        assert cam.estimate_view(pose, W, H, "prone").azimuth_deg == solved.azimuth_deg
        assert solved.azimuth_deg == pytest.approx(azimuth_deg, abs=5.0)


def test_no_start_template_but_face_down_or_with_a_leg_hidden():
    c = Camera.looking_at_feet(2.2, 1.0, 30.0, body="prone")
    c = Camera(c.position, c.target, focal_px=F)
    pose = syn.render(PRONE, c, PRONE_LIKE_MEDIAPIPE)
    assert start_view_deg(pose, W, H, "supine", F) is None
    assert start_view_deg(pose, W, H, "prone", math.nan) is None
    # one knee and its ankle hidden: six landmarks left, still an answer; three hidden, none
    one_leg = pose.hidden("right_knee").hidden("right_ankle")
    assert start_view_deg(one_leg, W, H, "prone", F) is not None
    assert start_view_deg(one_leg.hidden("left_ankle"), W, H, "prone", F) is None


def _side_lying(hip_flexion_deg: float, knee_flexion_deg: float = 90.0) -> Body:
    leg = Leg(hip_flexion_deg=hip_flexion_deg, knee_flexion_deg=knee_flexion_deg)
    return Body(posture="side_lying", left=leg, right=leg)


def _around_side_lying(azimuth_deg: float, height_m: float = 0.6) -> Camera:
    """A camera ``azimuth_deg`` round from beyond the feet of a body lying on its left side,
    toward its front, 2 m from the point it looks at."""
    _, along, anterior = (np.array(v, float) for v in syn._POSTURES["side_lying"][:3])
    a = math.radians(azimuth_deg)
    target = np.array([0.0, 0.2, 0.0])
    pos = target + 2.0 * (math.cos(a) * -along + math.sin(a) * anterior)
    return Camera((float(pos[0]), height_m, float(pos[2])), tuple(target), focal_px=F)


def test_the_legs_bends_by_hand():
    """Lying on the side, hips bent 45 and knees 90: the thighs point 45 degrees from straight
    down the body toward its front, the shins 45 toward its back."""
    pts = syn.body_points(_side_lying(45.0))
    assert cam.leg_bends_deg(pts) == pytest.approx((45.0, 90.0), abs=0.01)
    straight = syn.body_points(_side_lying(0.0, 0.0))
    assert cam.leg_bends_deg(straight) == pytest.approx((0.0, 0.0), abs=0.01)


def test_the_side_lying_template_by_hand():
    t = side_lying_start(45.0, 90.0)
    # hips bent 45, knees 90: the knee 0.44 m out at 45 degrees, the ankle back in line
    # with the back (the clamshell's start, as its spec asks)
    assert t["left_knee"] == pytest.approx((0.09, -0.44 / math.sqrt(2), 0.44 / math.sqrt(2)))
    assert t["right_ankle"][2] == pytest.approx((0.44 - 0.42) / math.sqrt(2))
    assert t["left_shoulder"] == (0.19, 0.50, 0.0)


@pytest.mark.parametrize("hip_flexion_deg", [30.0, 45.0, 60.0])
@pytest.mark.parametrize("azimuth_deg", [70.0, 90.0, 110.0])
def test_lying_on_the_side_the_template_takes_the_bodys_own_bends(
    hip_flexion_deg: float, azimuth_deg: float
):
    """The side-lying template is built from the body's own hip and knee bends, so a body
    bent more or less than the clamshell's 45 degrees reads its camera as well (a template
    fixed at 45 read a body bent 30 or 60 degrees 13-15 degrees off)."""
    body = _side_lying(hip_flexion_deg)
    c = _around_side_lying(azimuth_deg)
    pose = syn.render(body, c)
    template = side_lying_start(*cam.leg_bends_deg(pose.world_xyz))
    found = start_view_deg(pose, W, H, "side_lying", F, template=template)
    assert found is not None
    assert found[0] == pytest.approx(azimuth_deg, abs=1.0)
    assert found[1] > 0  # the upper hip chosen so that the camera is above the floor
    assert cam.estimate_view(pose, W, H, "side_lying").azimuth_deg == pytest.approx(
        azimuth_deg, abs=1.0
    )
    if hip_flexion_deg != 45.0:  # the fixed start is wrong for this body
        fixed = start_view_deg(pose, W, H, "side_lying", F, template=side_lying_start(45.0, 90.0))
        assert fixed is not None
        assert abs(fixed[0] - azimuth_deg) > 8.0


# -- sitting: both legs straight out in front (session 11) -----------------------------------
#: legs 5 degrees out each, as the template (``SEATED_LEGS_OUT_DEG``, session 14)
SEATED_STRAIGHT = Body(
    posture="seated",
    left=Leg(hip_flexion_deg=90, hip_abduction_deg=5),
    right=Leg(hip_flexion_deg=90, hip_abduction_deg=5),
)


def _seated_camera(azimuth_deg: float, height_m: float = 0.6) -> Camera:
    """A camera 2.2 m in front of a seated body, ``azimuth_deg`` round toward its left."""
    a = math.radians(azimuth_deg)
    target = (0.0, 0.45, 0.25)
    pos = (2.2 * math.sin(a), height_m, 0.25 + 2.2 * math.cos(a))
    return Camera(pos, target, focal_px=F)


def _true_seated_azimuth(c: Camera) -> float:
    pts = syn.body_points(SEATED_STRAIGHT)
    hip = (pts[index_of("left_hip")] + pts[index_of("right_hip")]) / 2
    v = np.asarray(c.position, float) - hip
    return math.degrees(math.atan2(float(v[0]), float(v[2])))  # left is +x, front +z


@pytest.mark.parametrize("azimuth_deg", [-25.0, -10.0, 0.0, 15.0, 25.0])
def test_the_seated_start_template_gives_the_camera(azimuth_deg: float):
    """Sitting with both legs straight out in front: the template's azimuth is the camera's."""
    c = _seated_camera(azimuth_deg)
    found = start_view_deg(syn.render(SEATED_STRAIGHT, c), W, H, "seated", F)
    assert found is not None
    assert found[0] == pytest.approx(_true_seated_azimuth(c), abs=0.5)
    assert found[2] < 0.01


def _hip_line_flattened(pose: Pose, sight: np.ndarray) -> Pose:
    """MediaPipe's seated hip line: its depth along the line of sight squashed to a fifth,
    which turns the hips (and the body's front with them) toward the camera."""
    w = pose.world_xyz.copy()
    hips = [index_of("left_hip"), index_of("right_hip")]
    mid = w[hips].mean(axis=0)
    for i in hips:
        w[i] -= 0.8 * float((w[i] - mid) @ sight) * sight
    return Pose(pose.image_xy, pose.visibility, w)


@pytest.mark.parametrize("azimuth_deg", [-20.0, 20.0])
def test_the_seated_start_template_corrects_a_flattened_hip_line(azimuth_deg: float):
    """MediaPipe's 3D body put seated cameras nearer the front than they stood (dev r0230:
    20 degrees round read 4), its hip line's depth flattened. Made here: the 3D solve strays
    toward the front, the template does not; with a knee bent past
    ``SEATED_STRAIGHT_MAX_DEG`` the template is not used and the 3D solve stands."""
    c = _seated_camera(azimuth_deg)
    pose = syn.render(SEATED_STRAIGHT, c)
    true_az = _true_seated_azimuth(c)
    sight = cam.solve_pnp(pose, W, H).rotation[2]
    flat = _hip_line_flattened(pose, sight)
    solved = cam.view_from_solution(cam.solve_pnp(flat, W, H), flat.world_xyz, "seated")
    assert abs(solved.azimuth_deg) < abs(true_az) - 5.0  # nearer the front
    kept = cam.with_posture_template(solved, flat, W, H, "seated")
    assert kept.azimuth_deg == pytest.approx(true_az, abs=1.0)
    bent = Body(
        posture="seated",
        left=Leg(hip_flexion_deg=60, hip_abduction_deg=45, knee_flexion_deg=120),
        right=Leg(hip_flexion_deg=90),
    )
    flat = _hip_line_flattened(syn.render(bent, c), sight)
    solved = cam.view_from_solution(cam.solve_pnp(flat, W, H), flat.world_xyz, "seated")
    assert cam.with_posture_template(solved, flat, W, H, "seated").azimuth_deg == pytest.approx(
        solved.azimuth_deg
    )


@pytest.mark.parametrize("azimuth_deg", [-20.0, 20.0])
def test_the_seated_template_sits_with_the_legs_a_little_apart(azimuth_deg: float):
    """Session 14: a body sitting with each leg 5 degrees out (a relaxed long sit, the
    benchmark's rest) read from a template with the legs parallel put the camera a fifth to a
    third nearer the front (dev split: 0.70 of the true angle on the truth's own joints); the
    template with the legs as far out reads it."""
    assert SEATED_LEGS_OUT_DEG == 5.0
    c = _seated_camera(azimuth_deg)
    pose = syn.render(SEATED_STRAIGHT, c)
    true_az = _true_seated_azimuth(c)
    found = start_view_deg(pose, W, H, "seated", F)
    assert found is not None
    assert found[0] == pytest.approx(true_az, abs=0.5)
    parallel = start_view_deg(pose, W, H, "seated", F, template=_seated_start(0.0))
    assert parallel is not None
    assert abs(parallel[0]) < abs(true_az) - 2.0  # nearer the front
    assert parallel[0] * true_az > 0  # on the same side
    # the legs straight ahead: the template with them parallel reads that body
    ahead = Body(posture="seated", left=Leg(hip_flexion_deg=90), right=Leg(hip_flexion_deg=90))
    on_ahead = start_view_deg(syn.render(ahead, c), W, H, "seated", F, template=_seated_start(0.0))
    assert on_ahead is not None
    assert on_ahead[0] == pytest.approx(_true_seated_azimuth(c), abs=0.5)
