"""Faults the camera cannot see are "not checked from this view", never guessed.

A fault's ``seen_when`` names a whole-body view measure and the limits within which the camera
can see the fault. Synthetic knee drops seen from the advised diagonal and from a camera swung
round to the side: the far knee falling is caught from the advised view and reported as not
checked (with the reason) from the side; the near knee is caught from both; a clean hold raises
nothing and hides nothing. Scoring counts such a fault apart, neither a hit nor a miss.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from posecheck.body.geometry import PoseGeometry
from posecheck.body.synthetic import Body, Camera, Key, Leg, animate, with_body
from posecheck.coaching.framing import framing_advice, not_seen_text, unseen_advice
from posecheck.errors import SpecError
from posecheck.media.source import SourceInfo
from posecheck.review.analysis import Analysis
from posecheck.review.report import report_dict
from posecheck.review.truth import Truth, TruthFault, score
from posecheck.specs.metrics import OffsetFromLine
from posecheck.specs.schema import load_by_id, parse_spec
from tests.helpers import prone_with_knee_check, run_checker

SPEC = load_by_id("supine_knee_drop")
BENT = {"hip_flexion_deg": 45, "knee_flexion_deg": 90, "hip_abduction_deg": 8}
REST = Body("supine", left=Leg(**BENT), right=Leg(**BENT))
FAULT_ON_S, FAULT_OFF_S = 8.0, 12.0


def _camera(azimuth_deg: float) -> Camera:
    """Beyond the feet, swung ``azimuth_deg`` round toward the person's left (left is near)."""
    return Camera.looking_at_feet(2.3, 1.0, azimuth_deg, "supine")


def _drop(working: str, other_roll_deg: float, azimuth_deg: float) -> list:
    """Rest, drop the working knee 35 degrees, and between FAULT_ON_S and FAULT_OFF_S let
    the other knee fall outward by ``other_roll_deg``."""
    other = "right" if working == "left" else "left"
    held = with_body(REST, **{working: {**BENT, "roll_deg": 35}})
    fault = with_body(held, **{other: {**BENT, "roll_deg": -other_roll_deg}})
    keys = [
        Key(0, REST),
        Key(2.5, REST),
        Key(4.5, held),
        Key(FAULT_ON_S - 0.5, held),
        Key(FAULT_ON_S, fault),
        Key(FAULT_OFF_S, fault),
        Key(FAULT_OFF_S + 0.5, held),
        Key(16, held),
        Key(18, REST),
        Key(20, REST),
    ]
    return animate(keys, _camera(azimuth_deg), fps=10.0, noise_px=0.3, seed=3)


def _falls(run, side: str) -> list:
    return run.events("other_knee_falls", side)


def test_the_knee_drops_view_measure_reads_narrow_hips_only_from_the_side() -> None:
    """The rule's line (0.2) lies between the advised view and one swung round to the side."""
    advised = run_checker(SPEC, _drop("left", 0, 60))
    side_on = run_checker(SPEC, _drop("left", 0, 85))
    across = [r.measure("hips_across") for r in advised.results if r.state == "rest"]
    across_side = [r.measure("hips_across") for r in side_on.results if r.state == "rest"]
    assert min(across) > 0.25
    assert max(across_side) < 0.18


@pytest.mark.parametrize("working", ["left", "right"])
def test_the_advised_view_catches_the_other_knee_falling_on_either_side(working: str) -> None:
    other = "right" if working == "left" else "left"
    run = run_checker(SPEC, _drop(working, 25, 60))
    events = _falls(run, other)
    assert events, run.fault_ids()
    assert abs(events[0].start_ms / 1000 - FAULT_ON_S) < 1.0
    assert run.summary.not_seen == ()


def test_from_the_side_the_far_knee_is_not_checked_and_says_why() -> None:
    run = run_checker(SPEC, _drop("left", 25, 85))  # the right leg is the far one
    assert _falls(run, "right") == []
    unseen = run.summary.not_seen_s()
    assert unseen.get(("other_knee_falls", "right"), 0) > 8.0, unseen
    during = [r for r in run.results if FAULT_ON_S < r.t_ms / 1000 < FAULT_OFF_S]
    assert all(
        any(u.fault_id == "other_knee_falls" and u.side == "right" for u in r.unseen_faults)
        for r in during
    )
    reason = during[0].unseen_faults[0].reason
    assert "far knee" in reason and "camera" in reason
    advice = unseen_advice(during[0])
    assert advice is not None and advice.kind == "not_seen" and advice.text == reason
    # a note, not a framing problem: the live session's set is not held back by it
    assert framing_advice(during[0], _drop("left", 25, 85)[0], SPEC) is None


def _feet_slide(azimuth_deg: float) -> list:
    """The left knee drops; from FAULT_ON_S to FAULT_OFF_S both feet slide apart (0.63 start
    shoulder widths from the advised view; the line is 0.47 since session 13, when 20 degrees
    of opening, 0.46, no longer crossed it)."""
    held = with_body(REST, left={**BENT, "roll_deg": 35})
    apart = with_body(
        held,
        left={**BENT, "roll_deg": 35, "hip_abduction_deg": 25},
        right={**BENT, "hip_abduction_deg": 25},
    )
    keys = [Key(0, REST), Key(2.5, REST), Key(4.5, held), Key(FAULT_ON_S - 0.5, held)]
    keys += [Key(FAULT_ON_S, apart), Key(FAULT_OFF_S, apart), Key(FAULT_OFF_S + 0.5, held)]
    keys += [Key(16, held), Key(18, REST), Key(20, REST)]
    return animate(keys, _camera(azimuth_deg), fps=10.0, noise_px=0.3, seed=5)


def test_feet_sliding_is_caught_from_the_advised_view_and_not_checked_from_the_side() -> None:
    advised = run_checker(SPEC, _feet_slide(60))
    assert {(e.fault_id, e.side) for e in advised.summary.faults} == {("feet_move", None)}
    side_on = run_checker(SPEC, _feet_slide(85))
    assert side_on.summary.faults == ()
    assert side_on.summary.not_seen_s()[("feet_move", None)] > 15.0


PRONE = prone_with_knee_check()  # the knee check is not in the spec now: see helpers


def _prone_rest(left_knee_deg: float, right_knee_deg: float, azimuth_deg: float) -> list:
    """Lying face down at rest for 6 s, knees bent as given, the camera swung round toward
    the person's left (the left leg is the near one)."""
    body = Body(
        "prone",
        left=Leg(knee_flexion_deg=left_knee_deg),
        right=Leg(knee_flexion_deg=right_knee_deg),
    )
    camera = Camera.looking_at_feet(2.0, 0.8, azimuth_deg, "prone")
    return animate([Key(0, body), Key(6, body)], camera, fps=10.0, noise_px=0.3, seed=4)


@pytest.mark.parametrize("azimuth_deg", [45, 80])
def test_the_near_knee_bend_is_checked_from_either_view(azimuth_deg: float) -> None:
    run = run_checker(PRONE, _prone_rest(55, 90, azimuth_deg))
    assert {(e.fault_id, e.side) for e in run.summary.faults} == {("knee_bend_off", "left")}
    unseen = {key for key, _ in run.summary.not_seen_s().items()}
    assert unseen == (set() if azimuth_deg == 45 else {("knee_bend_off", "right")})


def test_the_far_knee_bend_is_checked_from_the_advised_view_only() -> None:
    advised = run_checker(PRONE, _prone_rest(90, 55, 45))
    assert {(e.fault_id, e.side) for e in advised.summary.faults} == {("knee_bend_off", "right")}
    side_on = run_checker(PRONE, _prone_rest(90, 55, 80))
    assert side_on.summary.faults == ()
    assert side_on.summary.not_seen_s()[("knee_bend_off", "right")] > 4.0
    clean = run_checker(PRONE, _prone_rest(90, 90, 80))
    assert clean.summary.faults == ()


@pytest.mark.parametrize("azimuth_deg", [60, 85])
def test_a_clean_drop_raises_nothing(azimuth_deg: float) -> None:
    run = run_checker(SPEC, _drop("left", 0, azimuth_deg))
    assert run.summary.faults == (), [(e.fault_id, e.side) for e in run.summary.faults]


def _analysis(run) -> Analysis:
    return Analysis(SourceInfo("synthetic", "video", 640, 480, 10.0, 0), SPEC, (), run.summary)


def test_scoring_counts_a_fault_the_view_hid_apart_and_the_report_names_it() -> None:
    run = run_checker(SPEC, _drop("left", 25, 85))
    truth = Truth(
        "synthetic",
        SPEC.id,
        "synthetic",
        (TruthFault("other_knee_falls", "right", FAULT_ON_S, FAULT_OFF_S),),
        (("left", 1),),
        1,
        (),
    )
    analysis = _analysis(run)
    s = score(analysis, truth)
    assert s.misses == () and s.hits == ()
    assert [t.fault for t in s.not_seen] == ["other_knee_falls"]
    rep = report_dict(analysis)
    entries = {(e["fault"], e["side"]): e for e in rep["not_checked_from_view"]}
    assert set(entries) == {("other_knee_falls", "right"), ("feet_move", "none")}
    entry = entries[("other_knee_falls", "right")]
    assert entry["seconds"] > 8 and "far knee" in entry["reason"]
    assert entry["message"] == "Keep the other knee pointing at the ceiling."
    text = not_seen_text(entry)  # what the CLI prints and the replay page shows
    assert text.startswith("Not checked from this view (right side, ")
    assert entry["message"] in text and entry["reason"] in text and "other_knee" not in text


SPEC_PATH = Path(__file__).resolve().parents[1] / "stretch_specs" / "supine_knee_drop.yaml"


def _spec_text(seen_when: str) -> str:
    rule = "      measure: hips_across\n      above: 0.27\n"
    return SPEC_PATH.read_text(encoding="utf-8").replace(rule, seen_when, 1)


@pytest.mark.parametrize(
    ("seen_when", "message"),
    [
        ("      measure: drop\n      above: 0.2\n", "must be whole-body"),
        ("      measure: hips_acros\n      above: 0.2\n", "not defined in 'measures'"),
        ("      measure: hips_across\n", "needs 'above', 'below' or both"),
    ],
)
def test_a_broken_view_rule_fails_at_load_naming_the_field(seen_when: str, message: str) -> None:
    with pytest.raises(SpecError, match=message) as err:
        parse_spec(_spec_text(seen_when), "drop.yaml")
    assert "seen_when" in str(err.value)


# -- a fault measure that a turned camera or a sideways step cannot fake -------------------------
BAND_WALK = load_by_id("band_walk")
SQUAT = Leg(hip_flexion_deg=20, knee_flexion_deg=40)


def _standing(body: Body, yaw_deg: float, shift_m: float = 0.0):
    """One frame of a standing body from a camera 3 m in front, turned ``yaw_deg`` round it."""
    a = math.radians(yaw_deg)
    front = Camera.front_view(3.0, 1.0, "standing")
    (px, py, pz), (tx, _, tz) = front.position, front.target
    dx, dz = px - tx, pz - tz  # turn the camera round the body's vertical axis
    pos = (tx + dx * math.cos(a) - dz * math.sin(a), py, tz + dx * math.sin(a) + dz * math.cos(a))
    camera = Camera(pos, front.target)
    return animate([Key(0, replace(body, x_m=shift_m))], camera, fps=10.0)[0]


def _knees(frame) -> tuple[float, float, float]:
    g = PoseGeometry(frame.pose, 0.5)
    m = BAND_WALK.measures["knees_in"]
    per_side = OffsetFromLine(metric="offset_from_line", point="knee", start="hip", end="ankle")
    return m.compute(g, None), per_side.compute(g, "left"), per_side.compute(g, "right")


def test_knees_in_ignores_a_turned_camera_and_catches_one_knee_caving() -> None:
    body = Body("standing", left=SQUAT, right=SQUAT)
    both_square, left_square, _ = _knees(_standing(body, 0))
    both_turned, left_turned, right_turned = _knees(_standing(body, 22))
    assert abs(left_turned - left_square) > 0.03  # one knee alone reads the turn as a cave
    assert left_turned * right_turned < 0  # ... one inward, one outward
    assert both_turned == pytest.approx(both_square, abs=0.01)
    assert abs(both_turned) < 0.03
    caved = with_body(body, right={"hip_flexion_deg": 20, "knee_flexion_deg": 40, "roll_deg": 35})
    for yaw in (0, -22, 22):
        line = next(f.above for f in BAND_WALK.faults if f.id == "knees_cave")
        assert _knees(_standing(caved, yaw))[0] > line


def test_offset_from_line_both_sides_needs_sided_parts() -> None:
    with pytest.raises(ValueError, match="side-relative"):
        OffsetFromLine(
            metric="offset_from_line",
            point="left_knee",
            start="left_hip",
            end="left_ankle",
            both_sides=True,
        )
    m = OffsetFromLine(
        metric="offset_from_line", point="knee", start="hip", end="ankle", both_sides=True
    )
    assert not m.sided
    assert set(m.parts()) >= {"left_knee", "right_knee", "left_hip", "right_ankle", "mid_hip"}
