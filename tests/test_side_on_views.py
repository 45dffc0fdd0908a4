"""Side-on views of the lying knee stretches: the camera from the body where it stands further
round than the spec's angle (``camera_from: body_beyond_spec``), so a knee drop seen from 76-80
degrees round is counted (issue #12, clips never recognised as in position)."""

import math
from pathlib import Path

import pytest

from posecheck.body.camera import CameraEstimate
from posecheck.body.geometry import PoseGeometry
from posecheck.body.stage import BodyState
from posecheck.body.synthetic import Body, Camera, Leg, render, with_body
from posecheck.specs.metrics import KneeRoll

SUPINE = Body(
    "supine",
    left=Leg(hip_flexion_deg=45, knee_flexion_deg=90, hip_abduction_deg=8),
    right=Leg(hip_flexion_deg=45, knee_flexion_deg=90, hip_abduction_deg=8),
)
FIXED = KneeRoll(metric="knee_roll", space="image").seen_from(60, 19)
BEYOND = FIXED.model_copy(update={"camera_from": "body_beyond_spec", "elevation_from": "body"})
CLIPS = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "clips"


def camera(azimuth_deg: float, elevation_deg: float) -> BodyState:
    return BodyState(
        CameraEstimate(azimuth_deg, elevation_deg, 2.3, 0.0, math.nan, 1.0, 1.0, 20, 2.0)
    )


def ratio(az_deg: float, el_deg: float) -> float:
    """cos(el) / sqrt(cos(az)^2 + (sin(az) sin(el))^2), written out."""
    az, el = math.radians(az_deg), math.radians(el_deg)
    return math.cos(el) / math.sqrt(math.cos(az) ** 2 + (math.sin(az) * math.sin(el)) ** 2)


def test_the_body_camera_only_where_it_stands_further_round_than_the_spec() -> None:
    pose = render(SUPINE, Camera.looking_at_feet(2.3, 1.0, 60))
    # By hand: 60 round and 19 high, cos 19 / hypot(cos 60, sin 60 sin 19) = 0.9455 / 0.5740.
    assert FIXED.foreshortening_ratio() == pytest.approx(1.647, abs=0.002)
    side_on = PoseGeometry(pose, 0.5, camera(-78.0, 22.0))  # either side: the size counts
    assert BEYOND.foreshortening_ratio(side_on) == pytest.approx(ratio(78, 22))
    # cos 22 / hypot(cos 78, sin 78 sin 22) = 0.9272 / 0.4213
    assert BEYOND.foreshortening_ratio(side_on) == pytest.approx(2.201, abs=0.002)
    near_feet = PoseGeometry(pose, 0.5, camera(45.0, 22.0))
    assert BEYOND.foreshortening_ratio(near_feet) == FIXED.foreshortening_ratio()
    unknown = PoseGeometry(pose, 0.5)  # no camera yet: the spec's angles
    assert BEYOND.foreshortening_ratio(unknown) == FIXED.foreshortening_ratio()
    assert FIXED.foreshortening_ratio(side_on) == FIXED.foreshortening_ratio()


def drop_read(metric: KneeRoll, view_deg: float, roll_deg: float) -> float:
    cam = Camera.looking_at_feet(2.3, 1.0, view_deg)
    seen = camera(view_deg, math.degrees(math.atan2(0.9, 2.3)))
    rest = PoseGeometry(render(SUPINE, cam), 0.5, seen)
    dropped = PoseGeometry(render(with_body(SUPINE, left={"roll_deg": roll_deg}), cam), 0.5, seen)
    return metric.compute(dropped, "left") - metric.compute(rest, "left")


@pytest.mark.parametrize("roll_deg", [20, 30])
def test_a_side_on_knee_drop_reads_as_it_does_from_the_advised_view(roll_deg: float) -> None:
    advised = drop_read(FIXED, 60, roll_deg)
    # From 78 degrees round the fixed 60 reads the drop a quarter short (16.6 for 20, 25.3 for
    # 30 on the synthetic body): a 20 degree drop then barely reaches the 15 that counts.
    assert drop_read(FIXED, 78, roll_deg) < advised - 5
    assert drop_read(BEYOND, 78, roll_deg) == pytest.approx(advised, abs=2.0)
    # Nearer the feet than the spec's 60 the fixed angle stays, as it was.
    assert drop_read(BEYOND, 45, roll_deg) == pytest.approx(drop_read(FIXED, 45, roll_deg))


def replay(clip: str, stretch: str):
    from posecheck.review.analysis import analyze_recording
    from posecheck.review.truth import load_truth, score
    from posecheck.specs.schema import load_by_id

    analysis = analyze_recording(CLIPS / f"{clip}.pose.json.gz", load_by_id(stretch))
    return analysis, score(analysis, load_truth(CLIPS / f"{clip}.truth.json.gz"))


def test_a_knee_drop_filmed_from_80_degrees_round_is_now_in_position() -> None:
    """Dev clip r0131 (camera 80 degrees round, a true 21 degree drop): never in position with
    the fixed 60 degrees; now held and measured."""
    analysis, sc = replay("r0131_supine_knee_drop_good_b04", "supine_knee_drop")
    active = [r for r in analysis.records if r.state == "active"]
    assert len(active) > 15
    assert sc.hold_error < 2 and sc.rep_error < 2
    assert sc.rom_errors_deg and sum(sc.rom_errors_deg) / len(sc.rom_errors_deg) < 8.0
    assert not sc.false_alarms


def test_a_supine_hip_rotation_from_70_degrees_round_is_now_in_position() -> None:
    """Dev clip r0162 (camera 70 degrees round, the far knee hidden): never in position."""
    analysis, sc = replay("r0162_supine_hip_rotation_good_b03", "supine_hip_rotation")
    assert sum(r.state == "active" for r in analysis.records) > 30
    assert sc.rep_error == 0 and not sc.false_alarms


def test_a_good_knee_drop_from_the_advised_view_stays_clean() -> None:
    """Dev clip r0066 (camera 59 degrees round): read through the advised view as before,
    no false alarm. Since session 10 the far knee's hold counts too (the position's
    ``drop_in`` scales the far knee 1.9), and its number reads short even through drop_rom's
    far scale of 1.40 (up to 23 off on those frames): the clip's ROM error 2.6 -> 5.6."""
    _, sc = replay("r0066_supine_knee_drop_good_b03", "supine_knee_drop")
    assert not sc.false_alarms and sc.rep_error == 0
    assert sum(sc.rom_errors_deg) / len(sc.rom_errors_deg) < 6.0


def test_a_small_knee_fall_out_from_68_degrees_round_now_counts() -> None:
    """Dev clip r0150 (camera 68 degrees round, a true 16 degree fall, the far knee hidden):
    the near knee reads 10-13, under the old entry line of 20; with 12 it counts once."""
    analysis, sc = replay("r0150_supine_knee_fallout_feet_move_b07", "supine_knee_fallout")
    assert sum(r.state == "active" for r in analysis.records) > 10
    assert sc.rep_error == 1 and sc.hold_error == 1  # was 2 and 2: nothing counted
    assert not sc.false_alarms


def test_a_good_fall_out_stays_clean_with_the_lower_entry_line() -> None:
    """Dev clip r0020 (camera 61 degrees round, good form): counted right, no alarm."""
    _, sc = replay("r0020_supine_knee_fallout_good_b05", "supine_knee_fallout")
    assert sc.rep_error == 0 and sc.hold_error == 0 and not sc.false_alarms
    assert sum(sc.rom_errors_deg) / len(sc.rom_errors_deg) < 4.0
