"""In position from what the body looks like: one picture, no start, no time.

Layers: the spec's ``looks`` and ``variants`` on synthetic bodies (exact angles); the checker
entering a hold by the same rule; real MediaPipe on stills cut from the rendered sample clips
(exact truth) and on real photos of other exercises, through ``posecheck analyze photo``.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import cv2
import pytest

from posecheck.body.synthetic import Body, Camera, Key, Leg, animate, render
from posecheck.coaching.checker import StretchChecker, entering_side, measure_still
from posecheck.coaching.posture import read_posture
from posecheck.errors import SpecError
from posecheck.review.photo import PhotoAnalysis, angle_text, judge_pose, photo_lines, suggest
from posecheck.specs.schema import load_all, load_by_id, parse_spec
from tests.clips import sample_frames
from tests.test_catalogue import _butterfly, _hero, _pigeon
from tests.test_cli import run_cli

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
PIGEON = load_by_id("pigeon")
BUTTERFLY = load_by_id("seated_butterfly")
HERO = load_by_id("reclined_hero")
SIDE_CAM = Camera.side_view(2.5, 0.5, "quadruped")
_TABLE = Leg(hip_flexion_deg=90, knee_flexion_deg=90)
#: Sitting up over the front leg: the back thigh long behind, the trunk nearly upright.
UPRIGHT_PIGEON = Body(
    "kneeling",
    left=Leg(hip_flexion_deg=-70),
    right=Leg(hip_flexion_deg=95, hip_abduction_deg=15, hip_rotation_deg=-40, knee_flexion_deg=120),
    pelvis_height_m=0.2,
    trunk_flexion_deg=10,
)


def _still(spec_id: str, body: Body, camera: Camera = SIDE_CAM):
    return judge_pose(load_by_id(spec_id), render(body, camera))


# -- the looks, on synthetic bodies -------------------------------------------------------------
@pytest.mark.parametrize("cam_side", ["left", "right"])
def test_a_folded_pigeon_is_in_position_on_its_front_leg(cam_side):
    v = _still("pigeon", _pigeon("right", 150), Camera.side_view(2.5, 0.5, "quadruped", cam_side))
    assert v.in_position is True and v.side == "right"
    assert v.variant_id is None and v.cue == PIGEON.good_cue
    assert "back leg long behind you" in v.why


def test_an_upright_pigeon_is_in_position_and_cued_to_fold():
    v = _still("pigeon", UPRIGHT_PIGEON, Camera.side_view(2.5, 0.5, "standing"))
    assert v.in_position is True and v.side == "right"
    assert v.variant_id == "upright" and v.variant_name == "upright pigeon"
    assert "lower your chest over your front leg" in v.cue


@pytest.mark.parametrize(
    "body, words",
    [
        (Body("quadruped", left=_TABLE, right=_TABLE, pelvis_height_m=0.49), "back leg long"),
        (Body("kneeling"), "back thigh low along the mat"),
        (Body("standing"), "back thigh low along the mat"),
        (Body("prone"), "front knee drawn forward"),  # lying flat, legs long
    ],
    ids=["hands_and_knees", "kneeling_up", "standing", "lying_flat"],
)
def test_other_shapes_are_not_a_pigeon_and_say_what_is_missing(body, words):
    cam = Camera.side_view(2.5, 0.5, "standing" if body.posture != "quadruped" else "quadruped")
    if body.posture == "prone":
        cam = Camera.side_view(2.5, 0.5, "prone")
    v = _still("pigeon", body, cam)
    assert v.in_position is False
    assert v.why.startswith("Not in position") and words in v.why


def test_butterfly_needs_the_feet_together_and_the_body_sitting():
    front = Camera.front_view(2.0, 0.6, "seated")
    assert judge_pose(BUTTERFLY, render(_butterfly("left", 45), front)).in_position is True
    # The same open thighs standing up (a wide plie) are not the butterfly.
    standing = Body("standing", left=Leg(hip_abduction_deg=45), right=Leg(hip_abduction_deg=45))
    v = judge_pose(BUTTERFLY, render(standing, Camera.front_view(2.5, 1.0)))
    assert v.in_position is False


def test_the_photos_number_comes_with_its_uncertainty() -> None:
    """The photo's table and the CLI showed "42°" alone, where a video's summary gives the
    same number "give or take 8° from this camera view" (walking the app, session 14)."""
    front = Camera.front_view(2.0, 0.6, "seated")
    v = judge_pose(BUTTERFLY, render(_butterfly("left", 45), front))
    spread = BUTTERFLY.rom.uncertainty_deg
    rom = [a for a in v.angles if a.is_rom]
    assert spread > 0 and rom and all(a.uncertainty_deg == spread for a in rom)
    assert angle_text(rom[0]) == f"{abs(rom[0].value_deg):.0f}°, give or take {spread:.0f}°"
    other = [a for a in v.angles if not a.is_rom]
    assert other and all(angle_text(a) == f"{abs(a.value_deg):.0f}°" for a in other)
    assert angle_text(replace(rom[0], value_deg=-12.4)) == f"12°, give or take {spread:.0f}°"
    lines = photo_lines(PhotoAnalysis(None, None, v, (), ""))  # type: ignore[arg-type]
    assert sum(f"give or take {spread:.0f}°" in ln for ln in lines) == len(rom)


def test_reclined_hero_sitting_up_is_recognised_and_invited_to_lean_back():
    cam = Camera.side_view(2.5, 0.5, "kneeling")
    up = judge_pose(HERO, render(_hero("left", 110), cam))
    assert up.in_position is True and up.variant_id == "upright"
    assert "lean back slowly onto your support" in up.cue
    back = judge_pose(HERO, render(_hero("left", 140), cam))
    assert back.in_position is True and back.variant_id is None


_FEET_UP = Leg(knee_flexion_deg=90)


@pytest.mark.parametrize(
    "body, words",
    [
        (Body("prone", left=_FEET_UP, right=_FEET_UP), "lying face down with your feet up"),
        (Body("prone"), "lying face down"),  # legs long: the nose down at the mat tells
    ],
    ids=["feet_up", "legs_long"],
)
def test_a_face_down_body_is_not_offered_as_the_reclined_hero(body, words):
    """A still of the face-down stretch (feet up) was the only stretch offered as the reclined
    hero and judged "I see you sitting down between your heels" (walking the app, session
    14): its thigh lies level and its trunk long from it, the hero's two looks."""
    pose = render(body, Camera.side_view(2.5, 0.5, "prone"))
    v = judge_pose(HERO, pose)
    assert v.in_position is False
    done = f"this stretch is done {HERO.position}."
    assert v.why == f"Not in position: you look to be {words}; {done}"
    assert "reclined_hero" not in {s.stretch_id for s in suggest(pose, load_all())}


@pytest.mark.parametrize("trunk_to_thigh_deg", [110, 140, 175], ids=["up", "halfway", "flat"])
def test_a_reclined_hero_body_is_still_offered_as_the_reclined_hero(trunk_to_thigh_deg):
    pose = render(_hero("left", trunk_to_thigh_deg), Camera.side_view(2.5, 0.5, "kneeling"))
    assert read_posture(pose).legs not in ("face_down", "on_side", "knees_up", "feet_up")
    assert judge_pose(HERO, pose).in_position is True
    assert "reclined_hero" in {s.stretch_id for s in suggest(pose, load_all())}


def test_lying_on_the_side_and_face_down_read_from_the_body():
    bent = Leg(hip_flexion_deg=45, knee_flexion_deg=90)
    side = Body("side_lying", left=bent, right=bent)
    assert read_posture(render(side, Camera.front_view(2.5, 0.5, "side_lying"))).key == (
        "lying/on_side"
    )
    prone = render(Body("prone"), Camera.side_view(2.5, 0.5, "prone"))
    assert read_posture(prone).key == "lying/face_down"
    supine = render(Body("supine"), Camera.side_view(2.5, 0.5, "supine"))
    assert read_posture(supine).key == "lying"  # face up, the legs long: nothing more to say
    folded = render(_pigeon("right", 150), SIDE_CAM)
    assert read_posture(folded).key == "lying/face_down"
    assert judge_pose(PIGEON, folded).in_position is True


def test_a_photo_lists_what_it_cannot_check_and_why():
    v = _still("pigeon", _pigeon("left", 150))
    reasons = {n.fault_id: n.reason for n in v.not_checked}
    assert set(reasons) == {n.id for n in PIGEON.not_checked}
    bfly = judge_pose(
        BUTTERFLY, render(_butterfly("left", 45), Camera.front_view(2.0, 0.6, "seated"))
    )
    lean = next(n for n in bfly.not_checked if n.fault_id == "back_rounded")
    assert "start position" in lean.reason  # a change from the start: not from one picture
    prone = judge_pose(load_by_id("prone_internal_rotation"), render(Body("prone"), SIDE_CAM))
    assert prone.in_position is None and "start position" in prone.why
    # the lower of two hips' rises from their starts: a start is needed, not the position
    lift = next(n for n in prone.not_checked if n.fault_id == "hips_lift")
    assert "start position" in lift.reason


def test_a_fault_visible_in_the_picture_is_named():
    bent = _pigeon("right", 150)
    bent = replace(bent, left=Leg(knee_flexion_deg=45))
    v = _still("pigeon", bent)
    assert v.in_position is True
    assert [(f.fault_id, f.side) for f in v.faults] == [("back_leg_bent", "left")]
    assert v.cue == v.faults[0].message


def test_a_hidden_limb_makes_the_verdict_unknown_not_false():
    pose = render(_butterfly("left", 45), Camera.front_view(2.0, 0.6, "seated")).hidden("left_knee")
    v = judge_pose(BUTTERFLY, pose)
    assert v.in_position is None and "left knee" in v.why


def test_nobody_in_the_picture():
    v = judge_pose(PIGEON, None)
    assert not v.person_found and v.in_position is None and "can't find a person" in v.why


# -- the same rule in the checker ------------------------------------------------------------
def test_the_checker_enters_by_the_looks_from_the_first_second():
    """A clip that starts in an upright pigeon is in position as soon as it settles, and a
    kneeling body, whose back line passes the entry line, never is."""
    frames = animate(
        [Key(0.0, UPRIGHT_PIGEON), Key(4.0, UPRIGHT_PIGEON)], Camera.side_view(2.5, 0.5, "standing")
    )
    checker = StretchChecker(PIGEON)
    results = [checker.update(f) for f in frames]
    first_active = next(r for r in results if r.state == "active")
    assert first_active.t_ms <= (PIGEON.settle_s + 0.1) * 1000
    assert first_active.working_side == "right" and first_active.variant == "upright"
    kneel = animate([Key(0.0, Body("kneeling")), Key(3.0, Body("kneeling"))], SIDE_CAM)
    values = measure_still(PIGEON, kneel[0].pose)
    assert values[("back_line", "left")].value > PIGEON.active.enter
    assert entering_side(PIGEON, values) == (False, None)
    checker = StretchChecker(PIGEON)
    assert {checker.update(f).state for f in kneel} <= {"settling", "rest"}


def test_an_entry_only_look_does_not_end_the_hold():
    """The estimator often lays a far front leg onto the back one during the hold: the front
    fold is checked to enter, not to stay."""
    held = _pigeon("right", 150)
    lost = replace(held, right=Leg())  # the front leg drawn onto the back one
    frames = animate([Key(0, held), Key(2, held), Key(2.5, lost), Key(5, lost)], SIDE_CAM)
    checker = StretchChecker(PIGEON)
    states = [checker.update(f).state for f in frames]
    assert states[-1] == "active" and states.count("active") > 30


def test_a_look_must_be_readable_from_one_picture():
    text = (SAMPLES.parent / "stretch_specs" / "seated_butterfly.yaml").read_text()
    bad = text.replace("    - measure: feet_near", "    - measure: lean", 1)
    with pytest.raises(SpecError, match="relative to the start"):
        parse_spec(bad, "x.yaml")
    both = text.replace("      below: 1.2\n", "      below: 1.2\n      above: 0.1\n", 1)
    with pytest.raises(SpecError, match="exactly one of"):
        parse_spec(both, "x.yaml")


def test_posture_tells_sitting_from_standing():
    assert read_posture(render(Body("standing"), Camera.front_view(2.5, 1.0))).key == (
        "upright/standing"
    )
    sitting = render(_butterfly("left", 45), Camera.front_view(2.0, 0.6, "seated"))
    assert read_posture(sitting).key == "upright/sitting"


# -- real MediaPipe: stills from the rendered clips, real photos -------------------------------
def _frame_png(tmp_path: Path, clip: str, t_s: float, fps: int = 10) -> Path:
    frames = sample_frames(round(t_s * fps) + 1, SAMPLES / clip)
    path = tmp_path / f"{Path(clip).stem}_{t_s:g}s.png"
    cv2.imwrite(str(path), frames[-1])
    return path


def _verdict(*args: str) -> dict:
    proc = run_cli("analyze", *args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.mediapipe
def test_photo_verdicts_on_stills_of_the_rendered_clips(tmp_path):
    """Truth: pigeon_good_male holds the right knee forward 4-9 s (left 15-19 s) and is on
    hands and knees for the first 1.5 s; seated_butterfly_good_female holds 3-7 s."""
    held = _verdict(str(_frame_png(tmp_path, "pigeon_good_male.mp4", 6.0)), "--stretch", "pigeon")
    assert held["kind"] == "photo" and held["in_position"] is True and held["side"] == "right"
    assert "duration_s" not in held and "reps" not in held and "holds" not in held
    assert held["faults"] == []
    assert {n["fault"] for n in held["not_checked"]} == {n.id for n in PIGEON.not_checked}
    rest = _verdict(str(_frame_png(tmp_path, "pigeon_good_male.mp4", 1.0)), "--stretch", "pigeon")
    assert rest["in_position"] is False and rest["why"].startswith("Not in position")
    bfly = _frame_png(tmp_path, "seated_butterfly_good_female.mp4", 5.0)
    v = _verdict(str(bfly), "--stretch", "seated_butterfly")
    assert v["in_position"] is True and v["side"] == "both" and v["faults"] == []
    opening = [a for a in v["angles"] if a["rom"]]
    assert {a["side"] for a in opening} == {"left", "right"}
    assert all(a["deg"] > 30 for a in opening)  # truth 55 each side


@pytest.mark.mediapipe
@pytest.mark.parametrize("photo", ["tree_pose.jpeg", "standing.jpeg", "pose.jpg"])
@pytest.mark.parametrize("stretch", ["pigeon", "seated_butterfly"])
def test_a_photo_of_another_exercise_is_not_in_position(media, photo, stretch):
    v = _verdict(str(media / photo), "--stretch", stretch)
    assert v["person_found"] is True
    assert v["in_position"] is False, v["why"]


@pytest.mark.mediapipe
def test_sitting_on_the_floor_knees_up_is_not_the_reclined_hero(media):
    # A woman sitting on the floor, feet in front, knees bent apart and raised: the hero's
    # knees rest on the mat with the hips no lower than them (thigh 136 from straight up, the
    # trunk 32 from the thigh here). It read "in position" and the app opened on it.
    v = _verdict(str(media / "seated_floor.jpg"), "--stretch", "reclined_hero")
    assert v["person_found"] is True
    assert v["in_position"] is False, v["why"]
    free = run_cli("analyze", str(media / "seated_floor.jpg"))
    assert free.returncode == 0, free.stderr
    assert "Reclined hero" not in free.stdout


@pytest.mark.mediapipe
def test_a_still_of_the_face_down_stretch_is_not_the_reclined_hero(tmp_path):
    """Walking the app (session 14): a still of the prone sample clip was offered as the
    reclined hero, the only stretch offered, and judged "I see you sitting down between your
    heels". At 6 s the face-down clip lies with the feet up; the hero clip sits up between the
    heels at 4 s and leans back at 10 s."""
    still = str(_frame_png(tmp_path, "prone_ir_good_female.mp4", 6.0))
    v = _verdict(still, "--stretch", "reclined_hero")
    assert v["in_position"] is False and "lying face down" in v["why"], v["why"]
    free = run_cli("analyze", still)
    assert free.returncode == 0, free.stderr
    assert "Reclined hero" not in free.stdout
    for t_s in (4.0, 10.0):
        hero = run_cli("analyze", str(_frame_png(tmp_path, "reclined_hero_good_female.mp4", t_s)))
        assert hero.returncode == 0, hero.stderr
        assert "Reclined hero" in hero.stdout


@pytest.mark.mediapipe
def test_the_cli_prints_a_one_photo_verdict_and_suggests_without_a_stretch(media, tmp_path):
    report = tmp_path / "photo.json"
    proc = run_cli(
        "analyze", str(media / "seated_floor.jpg"), "--stretch", "seated_butterfly",
        "--report", str(report),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "one photo" in out and "in position: no" in out
    assert "0.0 s analysed" not in out and "reps" not in out.replace("repetitions", "")
    assert "Press the soles" not in out  # sitting knees up, feet wide: not in the stretch
    assert json.loads(report.read_text())["in_position"] is False
    angles = [ln for ln in out.splitlines() if ln.endswith("°")]
    assert angles and "-" not in "".join(ln.split(":")[-1] for ln in angles)
    free = run_cli("analyze", str(media / "standing.jpeg"))
    assert free.returncode == 0, free.stderr
    assert "standing" in free.stdout and "--stretch ID" in free.stdout
    video = run_cli("analyze", str(SAMPLES / "pigeon_good_male.mp4"))
    assert video.returncode == 2 and "--stretch" in video.stderr
    saved = run_cli("analyze", str(media / "standing.jpeg"), "--stretch", "pigeon", "--save")
    assert saved.returncode == 2 and "photo" in saved.stderr


def test_every_angle_in_a_verdict_is_a_number():
    v = _still("pigeon", _pigeon("left", 150))
    assert v.angles and all(not math.isnan(a.value_deg) for a in v.angles)


@pytest.mark.mediapipe
def test_the_replay_page_gives_an_uploaded_photo_its_verdict(tmp_path):
    from tests.test_app import REPLAY, page, texts  # Streamlit: a slow import

    still = _frame_png(tmp_path, "pigeon_good_male.mp4", 6.0)
    at = page(REPLAY)
    at.radio(key="source").set_value("Upload a video or photo").run()
    uploader = at.file_uploader(key="upload")
    assert "photo" in uploader.label
    uploader.set_value(("pigeon_good_male.png", still.read_bytes(), "image/png")).run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="replay_stretch").value == "pigeon"  # guessed from the name
    body = texts(at)
    assert "one photo" in body and "no hold time or repetitions" in body
    assert any(s.value.startswith("In position (right side)") for s in at.success)
    assert "Not checked from this photo" in body and "0.0 s" not in body
    labels = {b.label for b in at.get("download_button")}
    assert labels == {"Verdict (JSON)"}
    at.selectbox(key="replay_stretch").set_value("seated_butterfly").run(timeout=120)
    assert not at.exception
    assert any(w.value.startswith("Not in position") for w in at.warning)
    assert "looks more like: Pigeon" in texts(at)
