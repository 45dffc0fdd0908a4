"""The camera estimated from the body, against cameras placed by hand around synthetic bodies."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from posecheck.body import camera as cam
from posecheck.body import synthetic as syn
from posecheck.body.synthetic import Body, Camera, Leg
from posecheck.pose.landmarks import Pose, index_of

W, H, F = 640, 480, 512.0  # 512 px = 0.8 of the width: one of the focal lengths tried

# The synthetic bodies have exact depth (conftest's ``exact_depth``); ``test_fixed_depth_*``
# put the postures' factors back.
pytestmark = pytest.mark.usefixtures("exact_depth")


def _expected(body: Body, c: Camera) -> tuple[float, float, float]:
    """Azimuth, elevation (degrees) and distance (m) of the camera from the mid-hip, by hand:
    the posture's axes from synthetic.py, the app's convention from camera.py."""
    left, along, anterior = (np.array(v, float) for v in syn._POSTURES[body.posture][:3])
    pts = syn.body_points(body)
    hip = (pts[index_of("left_hip")] + pts[index_of("right_hip")]) / 2
    v = np.asarray(c.position, float) - hip
    dist = float(np.linalg.norm(v))
    horiz = np.array([v[0], 0.0, v[2]])
    if body.posture in ("standing", "seated", "kneeling"):
        ref, toward = anterior, left
    elif body.posture in ("side_lying", "side_lying_right"):
        ref, toward = -along, anterior
    else:  # lying on the back or front: from the feet end, toward the left
        ref, toward = -along, left
    az = math.degrees(math.atan2(float(horiz @ toward), float(horiz @ ref)))
    el = math.degrees(math.atan2(float(v[1]), float(np.linalg.norm(horiz))))
    return az, el, dist


def _at(c: Camera) -> Camera:
    return Camera(c.position, c.target, focal_px=F)


PRONE = Body(posture="prone", left=Leg(knee_flexion_deg=90), right=Leg(knee_flexion_deg=90))
SUPINE = Body(posture="supine", left=Leg(hip_flexion_deg=45, knee_flexion_deg=90))
PRONE_START_SHAPE = syn.Proportions(hip_half_width=0.08, shoulder_half_width=0.15, shin=0.32)


@pytest.mark.parametrize("azimuth_deg", [-70.0, -45.0, 0.0, 30.0, 60.0])
@pytest.mark.parametrize("body", [PRONE, SUPINE], ids=["prone", "supine"])
def test_lying_bodies_from_either_side_of_the_feet(body: Body, azimuth_deg: float) -> None:
    c = _at(Camera.looking_at_feet(2.2, 0.9, azimuth_deg, body=body.posture))
    # face down, in the proportions of the start template (body/template.py PRONE_START)
    shape = PRONE_START_SHAPE if body.posture == "prone" else None
    view = cam.estimate_view(syn.render(body, c, shape), W, H, body.posture)
    az, el, dist = _expected(body, c)
    assert view.azimuth_deg == pytest.approx(az, abs=0.5)
    # the floor template (the skeleton's proportions) reads that shape a little off
    assert view.elevation_deg == pytest.approx(el, abs=4.0 if shape else 0.5)
    assert view.distance_m == pytest.approx(dist, rel=0.01)
    assert view.focal_px == F
    assert view.roll_deg == pytest.approx(0.0, abs=0.5)
    # the camera's side is read right: a camera toward the left reads positive
    assert math.copysign(1, view.azimuth_deg) == math.copysign(1, az) or abs(az) < 1


def test_upright_front_and_sides() -> None:
    standing = Body(posture="standing")
    front = cam.estimate_view(
        syn.render(standing, _at(Camera.front_view(2.5, 1.0))), W, H, "standing"
    )
    assert front.azimuth_deg == pytest.approx(0.0, abs=0.5)
    for side, sign in (("left", 1.0), ("right", -1.0)):
        c = _at(Camera.side_view(2.5, 1.0, body="standing", from_side=side))
        view = cam.estimate_view(syn.render(standing, c), W, H, "standing")
        assert view.azimuth_deg == pytest.approx(sign * 90.0, abs=0.5)


@pytest.mark.parametrize("posture", ["side_lying", "side_lying_right"])
def test_side_lying_on_either_side_seen_from_the_front(posture: str) -> None:
    body = Body(posture=posture)  # type: ignore[arg-type]
    c = _at(Camera.front_view(2.0, 0.5, body="side_lying"))
    view = cam.estimate_view(syn.render(body, c), W, H, "side_lying")
    az, el, _ = _expected(body, c)
    assert view.azimuth_deg == pytest.approx(az, abs=0.5)
    assert view.elevation_deg == pytest.approx(el, abs=0.5)
    assert view.elevation_deg > 0  # the upper hip was chosen so the camera is above the floor


def _rotated(pose: Pose, deg: float) -> Pose:
    """The same pose with the picture turned clockwise on screen by ``deg`` (y points down)."""
    a = math.radians(deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    centre = np.array([W / 2, H / 2])
    return Pose((pose.image_xy - centre) @ rot.T + centre, pose.visibility, pose.world_xyz)


def test_roll_of_a_tilted_picture() -> None:
    pose = syn.render(Body(posture="standing"), _at(Camera.front_view(2.5, 1.0)))
    assert cam.estimate_view(_rotated(pose, 8.0), W, H, "standing").roll_deg == pytest.approx(
        8.0, abs=0.5
    )
    assert cam.estimate_view(_rotated(pose, -5.0), W, H, "standing").roll_deg == pytest.approx(
        -5.0, abs=0.5
    )


def test_unknown_without_world_landmarks_or_enough_points() -> None:
    pose = syn.render(PRONE, _at(Camera.looking_at_feet(2.0, 0.8, 45, body="prone")))
    assert not cam.estimate_view(None, W, H, "prone").known
    assert not cam.estimate_view(Pose(pose.image_xy, pose.visibility), W, H, "prone").known
    hidden = pose.hidden(*cam.SOLVE_POINTS[: len(cam.SOLVE_POINTS) - cam.MIN_POINTS + 1])
    assert not cam.estimate_view(hidden, W, H, "prone").known


def test_tracker_holds_the_start_estimate_robust_to_noise_and_dropped_frames() -> None:
    c = _at(Camera.looking_at_feet(2.0, 0.8, 45, body="prone"))
    pose = syn.render(PRONE, c, PRONE_START_SHAPE)
    rng = np.random.default_rng(3)
    every, sparse = cam.CameraTracker("prone"), cam.CameraTracker("prone")
    for i in range(40):
        noisy = Pose(pose.image_xy + rng.normal(0, 2.0, (33, 2)), pose.visibility, pose.world_xyz)
        every.update(noisy, W, H, i * 100.0)
        if i % 3 == 0:  # a busy machine: two frames in three dropped
            sparse.update(noisy, W, H, i * 100.0)
    az, _, _ = _expected(PRONE, c)
    assert every.estimate.azimuth_deg == pytest.approx(az, abs=2.0)
    assert sparse.estimate.azimuth_deg == pytest.approx(every.estimate.azimuth_deg, abs=1.5)
    assert every.estimate.span_s <= every.hold_s  # the start hold, then kept
    assert every.recent.span_s == pytest.approx(3.9)  # follows every frame
    assert 0 < every.estimate.azimuth_sd_deg < 5
    assert every.estimate.uncertainty_deg >= 7.0


def test_tracker_starts_a_new_hold_after_a_long_gap() -> None:
    tracker = cam.CameraTracker("prone")
    first = _at(Camera.looking_at_feet(2.0, 0.8, 45, body="prone"))
    moved = _at(Camera.looking_at_feet(2.0, 0.8, -45, body="prone"))
    for i in range(30):
        tracker.update(syn.render(PRONE, first, PRONE_START_SHAPE), W, H, i * 100.0)
    assert tracker.estimate.azimuth_deg > 0
    for i in range(30):  # nobody for 6 s, then seen from the other side
        tracker.update(None, W, H, 3000.0 + i * 200.0)
    for i in range(30):
        tracker.update(syn.render(PRONE, moved, PRONE_START_SHAPE), W, H, 9000.0 + i * 100.0)
    assert tracker.estimate.azimuth_deg == pytest.approx(_expected(PRONE, moved)[0], abs=1.0)


def test_depth_stretch_undoes_flattened_depth() -> None:
    c = _at(Camera.looking_at_feet(2.0, 0.8, 45, body="prone"))
    pose = syn.render(PRONE, c)
    sight = np.array([0.0, 0.0, 1.0])  # world landmarks are camera-aligned here
    assert cam.depth_stretch(pose.world_xyz, sight) == pytest.approx(1.0, abs=0.05)
    flat = pose.world_xyz * np.array([1.0, 1.0, 0.5])
    assert cam.depth_stretch(flat, sight) == pytest.approx(2.0, abs=0.15)
    # and the view read from the flattened body comes back toward the true one (without
    # the stretch it reads 15 degrees for a true 39: the body turned toward the picture)
    view = cam.estimate_view(Pose(pose.image_xy, pose.visibility, flat), W, H, "prone")
    assert view.azimuth_deg == pytest.approx(_expected(PRONE, c)[0], abs=13.0)


def test_scale_depth_by_hand() -> None:
    w = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 4.0]])
    sight = np.array([0.0, 0.6, 0.8])  # depth of the points: 3.6 and 2.6
    out = cam.scale_depth(w, sight, 0.5)
    # half the depth taken off along the line of sight: minus 1.8 and 1.3 times sight
    assert out == pytest.approx(np.array([[1.0, 0.92, 1.56], [0.0, -1.78, 2.96]]))
    assert cam.scale_depth(w, sight, 1.0) == pytest.approx(w)


def test_fixed_depth_gives_the_side_lying_elevation_from_a_body_read_too_deep(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = Body(posture="side_lying")
    c = _at(Camera.front_view(2.0, 0.9, body="side_lying"))
    pose = syn.render(body, c)
    sight = np.array([0.0, 0.0, 1.0])
    deep = Pose(pose.image_xy, pose.visibility, cam.scale_depth(pose.world_xyz, sight, 2.5))
    el = _expected(body, c)[1]
    monkeypatch.setattr(cam, "ELEVATION_DEPTH", {"side_lying": 0.4})
    fixed = cam.estimate_view(deep, W, H, "side_lying")
    monkeypatch.setattr(cam, "ELEVATION_DEPTH", {})
    plain = cam.estimate_view(deep, W, H, "side_lying")
    assert fixed.elevation_deg == pytest.approx(el, abs=4.0)  # true 20
    assert plain.elevation_deg > el + 10.0  # too high without it, as on the dev split
    assert fixed.azimuth_deg == plain.azimuth_deg  # the azimuth keeps its own depth


@pytest.mark.parametrize(
    ("posture", "expected"), [("prone", 0.0), ("supine", 0.0), ("seated", -15.0)]
)
def test_lying_down_the_camera_is_never_under_the_floor(
    monkeypatch: pytest.MonkeyPatch, posture: str, expected: float
) -> None:
    """Where the floor template has no answer, the 3D solve's elevation stands, but a body
    lying on the floor cannot be seen from under it: level is the nearest answer."""
    monkeypatch.setattr(cam, "floor_view_deg", lambda *args: None)
    view = cam.CameraView3D(20.0, -15.0, 2.0, 0.0, F, 1.0, 12)
    pose = syn.render(PRONE, _at(Camera.looking_at_feet(2.2, 0.9, 20.0, body="prone")))
    found = cam.with_floor_elevation(view, pose, W, H, posture)  # type: ignore[arg-type]
    assert found.elevation_deg == expected
    assert found.azimuth_deg == 20.0


@pytest.mark.parametrize(
    ("words", "posture"),
    [
        ("lying face down", "prone"),
        ("lying on your back", "supine"),
        ("lying on your side", "side_lying"),
        ("from hands and knees", "quadruped"),
        ("kneeling, then sitting between your heels", "kneeling"),
        ("sitting on the floor", "seated"),
        ("standing, band round one leg", "standing"),
    ],
)
def test_posture_from_the_specs_words(words: str, posture: str) -> None:
    assert cam.posture_from_position(words) == posture


def test_a_replayed_side_lying_clip_reads_its_elevation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dev clip r0055 (clamshell, camera truly 13 degrees above the hips, from its truth
    file): the start hold's elevation with side-lying depth at 0.4 (``ELEVATION_DEPTH``),
    and the 23 degrees too high it read before."""
    from posecheck.review.analysis import analyze_recording
    from posecheck.specs.schema import load_by_id

    monkeypatch.setattr(cam, "ELEVATION_DEPTH", {"side_lying": 0.4})
    clip = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "clips"
    recording = clip / "r0055_clamshell_too_fast_b08.pose.json.gz"
    spec = load_by_id("clamshell")
    camera = analyze_recording(recording, spec).camera
    assert camera.elevation_deg == pytest.approx(13.4, abs=3.0)
    assert camera.azimuth_deg == pytest.approx(96.5, abs=8.0)  # the truth's
    monkeypatch.setattr(cam, "ELEVATION_DEPTH", {})
    assert analyze_recording(recording, spec).camera.elevation_deg > 13.4 + 15.0


def test_a_replayed_prone_clip_reads_its_azimuth(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dev clip r0208 (prone hip rotation, the camera truly 35 degrees round to the person's
    right from the feet end, from its truth file): the start hold's azimuth from the prone
    start template (``template.prone_start``), and the 64 the 3D solve alone read."""
    from posecheck.review.analysis import analyze_recording
    from posecheck.specs.schema import load_by_id

    clip = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "clips"
    recording = clip / "r0208_prone_internal_rotation_hips_lift_b01.pose.json.gz"
    spec = load_by_id("prone_internal_rotation")
    assert analyze_recording(recording, spec).camera.azimuth_deg == pytest.approx(-35.0, abs=5.0)
    monkeypatch.setattr(cam, "START_TURN_MAX_DEG", 0.0)  # the 3D solve's azimuth only
    assert analyze_recording(recording, spec).camera.azimuth_deg < -35.0 - 20.0


def test_a_replayed_side_lying_clip_reads_its_azimuth(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dev clip r0120 (clamshell, the camera truly 72 degrees round from beyond the feet
    toward the front, from its truth file): the start hold's azimuth from the side-lying
    template with the body's own bends (``template.side_lying_start``), and the 89 the 3D
    solve alone read."""
    from posecheck.review.analysis import analyze_recording
    from posecheck.specs.schema import load_by_id

    clip = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "clips"
    recording = clip / "r0120_clamshell_heels_apart_b09.pose.json.gz"
    spec = load_by_id("clamshell")
    assert analyze_recording(recording, spec).camera.azimuth_deg == pytest.approx(71.7, abs=8.0)
    monkeypatch.setattr(cam, "START_TURN_MAX_DEG", 0.0)  # the 3D solve's azimuth only
    assert analyze_recording(recording, spec).camera.azimuth_deg > 71.7 + 12.0


def test_face_down_a_shin_drawn_too_short_gives_no_view() -> None:
    """Face down, a shin drawn a seventh of its length on screen (MediaPipe drew dev r2075's
    upright shins, b25, 20-50 px for a true 140): the frame gives the camera no view
    (``PRONE_MIN_SHIN_TO_THIGH``, the prone spec's ``min_shin_to_thigh``). Before, the
    start template was solved on it. Other postures are not affected."""
    c = _at(Camera.looking_at_feet(2.2, 0.9, 30.0, body="prone"))
    pose = syn.render(PRONE, c, PRONE_START_SHAPE)
    assert cam.estimate_view(pose, W, H, "prone").known
    assert not cam.shin_collapsed(pose, "prone")

    def collapsed(p: Pose) -> Pose:
        xy = p.image_xy.copy()
        knee, ankle = index_of("left_knee"), index_of("left_ankle")
        xy[ankle] = xy[knee] + (xy[ankle] - xy[knee]) / 7.0
        return Pose(xy, p.visibility, p.world_xyz)

    short = collapsed(pose)
    assert cam.shin_collapsed(short, "prone")
    assert not cam.estimate_view(short, W, H, "prone").known
    supine = syn.render(SUPINE, _at(Camera.looking_at_feet(2.2, 0.9, 30.0, body="supine")))
    assert not cam.shin_collapsed(collapsed(supine), "supine")
    assert cam.estimate_view(collapsed(supine), W, H, "supine").known


#: A narrow standing body (hips 0.14 and shoulders 0.30 apart on the adult's 0.50 trunk):
#: MediaPipe's 3D bodies do not keep ``camera._LENGTHS``'s adult proportions (dev start
#: holds: hips 0.23 apart on a 0.46 trunk), nor do people.
NARROW = syn.Proportions(hip_half_width=0.07, shoulder_half_width=0.15)


@pytest.mark.parametrize("azimuth_deg", [-25.0, 10.0, 20.0])
def test_standing_the_azimuth_keeps_the_bodys_own_depth(azimuth_deg: float) -> None:
    """Standing, the azimuth is read at the 3D body's own depth (``AZIMUTH_DEPTH``): a
    narrow body seen exactly reads its camera, where depth stretched toward an adult's
    proportions turned it 14-23 degrees further round (10 read as 24)."""
    body = Body(posture="standing")
    left, _, anterior = (np.array(v, float) for v in syn._POSTURES["standing"][:3])
    a = math.radians(azimuth_deg)
    target = np.array([0.0, 0.9, 0.0])
    pos = target + 2.5 * (math.cos(a) * anterior + math.sin(a) * left)
    c = Camera((float(pos[0]), 1.2, float(pos[2])), tuple(target), focal_px=F)
    view = cam.estimate_view(syn.render(body, c, NARROW), W, H, "standing")
    assert view.azimuth_deg == pytest.approx(_expected(body, c)[0], abs=1.0)
