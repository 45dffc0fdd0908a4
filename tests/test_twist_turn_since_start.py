"""The seated twist's "no rotation" check reads the shoulders' turn since the start, against
the camera, with the turn against the hips until that start is taken (``start_or``).

MediaPipe turns its 3D hip line part of the way with the shoulders: dev r0320 (body b01, a true
16 degree turn) read 6-8 against the hip line for 6 s (line 8), a false "turn your chest",
while the shoulders' own turn since the start read 10-14. A person whose leg is set before
they are seen at rest has no start: the check then reads the turn against the hips, as before.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from posecheck.body.geometry import PoseGeometry
from posecheck.body.synthetic import Body, Key, animate, render
from posecheck.coaching.checker.looks import measure_still
from posecheck.errors import SpecError
from posecheck.pose.landmarks import Side
from posecheck.review.analysis import analyze_recording
from posecheck.specs.metrics import TrunkTwist
from posecheck.specs.schema import SPEC_DIR, load_by_id, parse_spec
from tests.helpers import run_checker
from tests.test_catalogue import _TWIST_BENT, TWIST, _legs, _s

SPEC = load_by_id("seated_internal_rotation_twist")
_STRAIGHT_LEGS = TWIST.rest("left")


def _hips_only(spec):
    """The spec as before session 11: "no rotation" read the turn against the hip line."""
    faults = tuple(
        f.model_copy(update={"measure": "turn"}) if f.id == "no_rotation" else f
        for f in spec.faults
    )
    return spec.model_copy(update={"faults": faults})


def _in_position(side: Side, shoulders_deg: float, hips_follow_deg: float = 0.0) -> Body:
    """One leg bent against the other thigh; the shoulders turned ``shoulders_deg`` toward
    the straight leg, of which the estimator's hip line follows ``hips_follow_deg`` (the
    whole body turned that far, the trunk the rest)."""
    body = _legs(Body("seated"), side, _TWIST_BENT, TWIST.rest(side).leg(side))
    toward = -_s(side)  # toward the other (straight) leg
    return replace(
        body,
        body_roll_deg=toward * hips_follow_deg,  # seated: the whole body turns about upright
        trunk_twist_deg=toward * (shoulders_deg - hips_follow_deg),
    )


def _frames(side: Side, shoulders_deg: float, hips_follow_deg: float, from_rest: bool = True):
    """Rest 3 s (legs straight), the leg set, the turn, held 10 s; not ``from_rest``: in
    position with the turn from the first second (never seen at rest)."""
    pose = _in_position(side, shoulders_deg, hips_follow_deg)
    set_leg = _in_position(side, 0.0)
    if from_rest:
        keys = [Key(0, _STRAIGHT_LEGS), Key(3, _STRAIGHT_LEGS), Key(5, set_leg), Key(6, pose)]
    else:
        keys = [Key(0, set_leg), Key(1, pose)]
    t = keys[-1].t_s
    keys += [Key(t + 10, pose), Key(t + 12, set_leg)]
    return animate(keys, TWIST.camera, fps=10.0, noise_px=0.5, noise_world_m=0.003)


def _no_rotation(spec, frames) -> set[str | None]:
    return {e.side for e in run_checker(spec, frames).events("no_rotation")}


# -- the measure by hand ----------------------------------------------------------------------
@pytest.mark.parametrize("follow_deg", [0.0, 7.0, 20.0])
def test_against_the_camera_the_hips_turning_along_do_not_eat_the_turn(follow_deg: float) -> None:
    """Shoulders turned 14 toward the straight (right) leg: against the hips 14 less what the
    hips follow; against the camera (square in front) 14 whatever the hips do."""
    g = PoseGeometry(render(_in_position("left", 14.0, follow_deg), TWIST.camera), 0.5)
    hips = TrunkTwist(metric="trunk_twist", toward="other")
    camera = TrunkTwist(
        metric="trunk_twist", toward="other", against="camera", relative_to_start=True
    )
    assert hips.compute(g, "left") == pytest.approx(14.0 - follow_deg, abs=0.5)
    assert camera.compute(g, "left") == pytest.approx(14.0, abs=0.5)
    assert camera.compute(g, "right") == pytest.approx(-14.0, abs=0.5)


# -- the check on synthetic sequences ---------------------------------------------------------
@pytest.mark.parametrize("side", ["left", "right"])
def test_a_turn_the_hip_line_follows_is_not_no_rotation(side: Side) -> None:
    """r0320 emulated: the shoulders turn 15, the estimator's hips 10 of it. Against the hips
    that reads about 5, under the line 8 (the check before flagged it); since the start, 15."""
    frames = _frames(side, 15.0, 10.0)
    assert _no_rotation(_hips_only(SPEC), frames) == {side}
    assert _no_rotation(SPEC, frames) == set()


@pytest.mark.parametrize("keep", [1, 2, 4], ids=["all frames", "every other", "3 in 4"])
@pytest.mark.parametrize("side", ["left", "right"])
def test_no_turn_is_caught_with_frames_dropped(side: Side, keep: int) -> None:
    frames = _frames(side, 2.0, 0.0)
    if keep == 2:
        frames = frames[::2]
    elif keep == 4:
        frames = [f for i, f in enumerate(frames) if i % 4 != 3]
    assert _no_rotation(SPEC, frames) == {side}
    turned = _frames(side, 20.0, 0.0)
    if keep == 2:
        turned = turned[::2]
    elif keep == 4:
        turned = [f for i, f in enumerate(turned) if i % 4 != 3]
    assert _no_rotation(SPEC, turned) == set()


def test_without_a_start_at_rest_it_reads_the_turn_against_the_hips() -> None:
    """The leg is set before the person is seen at rest (the committed sample clip
    seated_internal_rotation_twist_no_rotation_female): no start is ever taken, so the
    check reads the turn against the hips, and a missing turn is still caught."""
    still = _frames("left", 2.0, 0.0, from_rest=False)
    turned = _frames("left", 20.0, 0.0, from_rest=False)
    assert _no_rotation(SPEC, still) == {"left"}
    assert _no_rotation(SPEC, turned) == set()
    run = run_checker(SPEC, still)
    since = [v for r in run.results for v in r.measures if v.name == "turn_since_start"]
    assert not any(v.known for v in since)  # it really had no start


def test_one_photo_reads_the_turn_against_the_hips() -> None:
    pose = render(_in_position("left", 20.0, 0.0), TWIST.camera)
    values = measure_still(SPEC, pose)
    for side in ("left", "right"):
        assert values[("turn_for_check", side)].value == pytest.approx(values[("turn", side)].value)
        assert math.isnan(values[("turn_since_start", side)].value)


# -- the spec format ------------------------------------------------------------------------
_TEXT = (SPEC_DIR / "seated_internal_rotation_twist.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    before_start: turn\n", "    before_start: tunr\n", "not defined"),
        ("    of: turn_since_start\n", "    of: turn\n", "'turn' is not relative to the start"),
        ("    before_start: turn\n", "    before_start: head_drop\n", "same unit and sides"),
        ("    before_start: turn\n", "    before_start: turn_since_start\n", "one picture"),
    ],
)
def test_start_or_names_are_checked_at_load(old: str, new: str, message: str) -> None:
    # head_drop read from one picture, so that only its unit and sides are wrong
    text = _TEXT.replace(
        "    reference: nose\n    relative_to_start: true\n", "    reference: nose\n"
    )
    assert old in text and text != _TEXT
    with pytest.raises(SpecError, match=message):
        parse_spec(text.replace(old, new), "seated_internal_rotation_twist.yaml")


def test_against_the_camera_without_a_start_fails_at_load() -> None:
    """Against the camera, a body sitting at an angle to it would read as a turn: the spec
    must count from the start, and a file that does not is refused at load, named."""
    text = _TEXT.replace(
        "    against: camera\n    relative_to_start: true\n", "    against: camera\n"
    )
    assert text != _TEXT
    with pytest.raises(SpecError, match=r"seated_internal_rotation_twist\.yaml.*relative_to_start"):
        parse_spec(text, "seated_internal_rotation_twist.yaml")


# -- replayed -------------------------------------------------------------------------------
_CLIPS = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "clips"


def test_r0320_replayed_gets_no_false_no_rotation() -> None:
    """Dev r0320 (b01): a true 16 degree turn read 6-8 against the hip line for 6 s."""
    rec = _CLIPS / "r0320_seated_internal_rotation_twist_straight_leg_bends_b01.pose.json.gz"
    before = analyze_recording(rec, _hips_only(SPEC)).summary.faults
    after = analyze_recording(rec, SPEC).summary.faults
    assert [e.side for e in before if e.fault_id == "no_rotation"] == ["left"]
    assert not [e for e in after if e.fault_id == "no_rotation"]
