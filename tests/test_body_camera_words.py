"""The camera estimate in words, and the advice on moving the camera."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from posecheck.body.camera import CameraEstimate
from posecheck.body.camera_words import CameraGuide, advice, describe, where
from posecheck.coaching.wording import unmeasured_side_text


def _est(az: float, el: float = 15.0, dist: float = 2.5) -> CameraEstimate:
    return CameraEstimate(az, el, dist, 0.0, 500.0, 1.0, 1.0, 20, 2.0)


PRONE_GUIDE = CameraGuide.from_spec_camera("feet_end_diagonal", 45, 0.8, 2.0, "prone")


def test_words_for_where_the_camera_is() -> None:
    assert describe(_est(40.0), "prone") == (
        "about 40 degrees round to your left from beyond your feet, give or take 10 degrees, "
        "about 2.5 m away, a little above you"
    )
    # the per-frame views spread 12 degrees: the uncertainty follows (up to the next 5)
    spread = CameraEstimate(40.0, 15.0, 2.5, 0.0, 500.0, 12.0, 1.0, 20, 2.0)
    assert "give or take 15 degrees" in describe(spread, "prone")
    assert where(-3.0, "standing") == "straight in front of you"
    assert where(-90.0, "standing") == "at your right side"
    assert where(90.0, "side_lying") == "at your front"
    assert where(178.0, "supine") == "beyond your head"
    assert describe(CameraEstimate(*([math.nan] * 7), 0, 0.0), "prone") == ""


def test_guide_from_the_specs_camera_fields() -> None:
    assert PRONE_GUIDE.azimuth_deg == 45 and PRONE_GUIDE.either_side
    # 0.8 m high, hips 0.15 m above the floor, 2 m away: atan(0.65 / 2) = 18.0 degrees
    assert PRONE_GUIDE.elevation_deg == pytest.approx(18.0, abs=0.1)
    front = CameraGuide.from_spec_camera("front", 0, 1.0, 3.0, "standing")
    assert front.azimuth_deg == 0 and not front.either_side
    assert CameraGuide.from_spec_camera("front", 0, 0.5, 2.0, "side_lying").azimuth_deg == 90
    assert CameraGuide.from_spec_camera("above", 0, 2.0, 1.0, "supine").azimuth_deg is None


def test_no_advice_within_tolerance_on_either_side() -> None:
    assert advice(_est(45.0), PRONE_GUIDE) is None
    assert advice(_est(-60.0), PRONE_GUIDE) is None  # the other side does as well
    assert advice(_est(20.0), PRONE_GUIDE) is None  # 25 degrees off: the tuned range
    unknown = CameraEstimate(*([math.nan] * 7), 0, 0.0)
    assert advice(unknown, PRONE_GUIDE) is None


def test_advice_says_which_way_to_move() -> None:
    side = advice(_est(-90.0), PRONE_GUIDE)
    assert side is not None
    assert side == (  # where it is, then what to do: short enough for a phone's note
        "The camera seems to be at your right side: move it about 45 degrees round toward the "
        "spot beyond your feet."
    )
    # 35 degrees off: inside the tuned range plus the estimate's error (dev p90, 15)
    assert advice(_est(-80.0), PRONE_GUIDE) is None
    feet = advice(_est(3.0), PRONE_GUIDE)
    assert feet is not None and "about 40 degrees round toward your left" in feet  # 42
    standing = CameraGuide.from_spec_camera("front", 0, 1.0, 3.0, "standing")
    turned = advice(_est(-50.0, el=5.0), standing)
    assert turned is not None and "50 degrees round toward the spot in front of you" in turned
    low = advice(_est(0.0, el=-35.0), standing)
    assert low == (
        "The camera seems to be below your hips: raise it to about 1.0 m off the floor."
    )  # only the height is off: the note speaks of height, not of the angle round
    both = advice(_est(-50.0, el=-35.0), standing)
    assert both is not None and both.endswith(
        "in front of you and raise it to about 1.0 m off the floor."
    )


ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "benchmarks" / "data" / "clips" / "r0000_prone_internal_rotation_knee_lifts_b01"


def test_the_report_and_the_summary_say_where_the_camera_is(tmp_path, capsys) -> None:
    """A dev-split clip (prone, camera truly 67 degrees round to the right, 22 off the advice
    and on the other side): the estimate is in the report and on the command line."""
    from posecheck.cli import main

    report = tmp_path / "r.json"
    recording = f"{CLIP}.pose.json.gz"
    assert (
        main(
            ["analyze", recording, "--stretch", "prone_internal_rotation", "--report", str(report)]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert (
        "camera: about 65 degrees round to your right from beyond your feet, give or take 10 "
        "degrees" in out
    )
    camera = json.loads(report.read_text())["camera"]
    assert camera["azimuth_deg"] == pytest.approx(-67.4, abs=5)  # the truth file's, in our terms
    assert camera["azimuth_uncertainty_deg"] >= 7
    assert camera["words"] in out
    assert camera["advice"] is None  # 22 degrees off the advice: within what is tuned


def test_a_wide_spread_of_views_widens_the_azimuth_tolerance() -> None:
    """52 degrees round from the advised front: moved when the views agree (spread 3), not
    when they spread 48 (the tolerance, 40, widened by 48 - 7); 93 round is still moved."""
    front = CameraGuide.from_spec_camera("front", 0, 1.0, 3.0, "standing")

    def est(az: float, sd: float) -> CameraEstimate:
        return CameraEstimate(az, 5.0, 3.0, 0.0, 500.0, sd, 1.0, 20, 2.0)

    assert advice(est(52.0, 3.0), front) is not None
    assert advice(est(52.0, 48.0), front) is None
    assert advice(est(-52.0, 48.0), front) is None
    assert advice(est(93.0, 48.0), front) is not None
    # the height is still told apart: a camera far too high gets its advice
    high = CameraEstimate(52.0, 60.0, 3.0, 0.0, 500.0, 48.0, 1.0, 20, 2.0)
    tip = advice(high, front)
    assert tip is not None and "lower it" in tip and "degrees round" not in tip


def test_a_replayed_band_walk_with_left_and_right_swapped_gets_no_camera_advice() -> None:
    """Dev clip r0181 (band walk, the camera truly in front, 1 degree round): MediaPipe swaps
    the person's left and right on screen from 0.3 s on, so the start hold's views spread
    about 48 degrees and their mean reads about 52 round. The app used to say to move the
    camera round; the spread now says the estimate is a guess."""
    from posecheck.coaching.framing import camera_advice
    from posecheck.review.analysis import analyze_recording
    from posecheck.specs.schema import load_by_id

    clips = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "clips"
    spec = load_by_id("band_walk")
    camera = analyze_recording(clips / "r0181_band_walk_trunk_leans_b06.pose.json.gz", spec).camera
    assert camera.azimuth_deg > 40.0  # off, and outside the plain tolerance
    assert camera.azimuth_sd_deg > 30.0
    assert camera_advice(camera, spec) is None


def test_a_stretch_that_travels_sideways_widens_the_azimuth_tolerance() -> None:
    """A band walk starts 0.6 m to one side of where the camera aims, 3 m away: the camera
    is seen atan(0.6 / 3) = 11.3 degrees further round from the hips, and the tolerance
    (40) grows by as much; a camera further round still gets its advice."""
    walk = CameraGuide.from_spec_camera("front", 0, 1.0, 3.0, "standing", travel_m=0.6)
    still = CameraGuide.from_spec_camera("front", 0, 1.0, 3.0, "standing")
    assert walk.travel_deg == pytest.approx(11.31, abs=0.01)
    assert still.travel_deg == 0.0
    est = CameraEstimate(-48.0, 5.0, 3.0, 0.0, 500.0, 2.0, 1.0, 20, 2.0)
    assert advice(est, still) is not None
    assert advice(est, walk) is None
    further = CameraEstimate(-55.0, 5.0, 3.0, 0.0, 500.0, 2.0, 1.0, 20, 2.0)
    assert advice(further, walk) is not None


def test_a_replayed_band_walk_started_off_the_aim_gets_no_camera_advice() -> None:
    """Dev clip r0311 (band walk): the camera stands where the spec says (22.6 degrees round
    from where it aims), but the walk starts 0.6 m to one side, 34 degrees round from the
    hips; the estimate read about 41 and the app said to move the camera. The spec's
    ``travel_m`` allows for the walk; without it the advice comes back."""
    from posecheck.coaching.framing import camera_advice
    from posecheck.review.analysis import analyze_recording
    from posecheck.specs.schema import load_by_id

    clips = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "clips"
    spec = load_by_id("band_walk")
    assert spec.camera.travel_m > 0
    recording = clips / "r0311_band_walk_feet_together_b08.pose.json.gz"
    camera = analyze_recording(recording, spec).camera
    assert abs(camera.azimuth_deg) > 40.0  # outside the plain tolerance
    assert camera_advice(camera, spec) is None
    still = spec.with_camera(travel_m=0.0)
    assert camera_advice(camera, still) is not None


def test_a_side_without_a_number_says_the_camera_was_the_reason() -> None:
    """Cross-ankle: from 20 degrees round toward the left the crossed left knee's opening
    is not measured; the summary says why and where the camera should stand. A side that
    has a number, a camera within 10 degrees, or a stretch without such a limit say nothing."""
    from posecheck.specs.schema import load_by_id

    spec = load_by_id("seated_cross_ankle_rotation")
    toward_left = _est(20.0, 10.0, 2.0)
    text = unmeasured_side_text(spec, toward_left, {"left": None, "right": 31.0})
    assert text is not None and "left leg" in text and "about 20 degrees" in text
    assert "straight in front" in text and "-" not in text
    assert unmeasured_side_text(spec, toward_left, {"left": 25.0, "right": 31.0}) is None
    assert unmeasured_side_text(spec, _est(-5.0, 10.0, 2.0), {"left": None, "right": 3}) is None
    right = unmeasured_side_text(spec, _est(-15.0, 10.0, 2.0), {"left": 20.0, "right": None})
    assert right is not None and "right leg" in right
    prone = load_by_id("prone_internal_rotation")
    assert unmeasured_side_text(prone, toward_left, {"left": None, "right": None}) is None
