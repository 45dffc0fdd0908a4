"""Faults fixed at their cause on the benchmark's dev split, each on synthetic bodies.

For each changed fault: the fault injected just above its line is caught, from the advised
camera and from the worst sensible one (25 degrees round, lower); and good form with the
estimator's error that raised the false alarm on dev, emulated on the landmarks, raises
nothing, while the old rule would have flagged it (so the test can fail).

- figure four, head_lifts: drawing the crossed knee in swings MediaPipe's hip points down the
  screen (dev r0056), so the head is followed from the shoulders, not the hips;
- figure four, ankle_slips: the slipped ankle reads past the position's exit line, as far
  from the knee as an uncrossed leg (dev r0017, r0121), so the position ended and the slip
  was never checked; the position now stays while the crossed ankle is still up off the mat
  (``active.stays_while``), and a fault there waits 1 s (a slow uncrossing passes by);
- figure four, ankle_slips (again): MediaPipe read a resting crossed ankle 0.5-0.55 thigh
  lengths from the knee (dev r0212), and uncrossing at the end of a hold passed 0.5 for
  0.6 s with the ankle still up (dev r0186, r0225, r0290); the line is 0.6, held 1 s;
- band rotation jerky_return, clamshell too_fast: a foot misread for one frame (dev r0278)
  was timed as a 0.06 s return; once the next frame shows a value out of line with both
  neighbours by half a movement, the timer is wound back and takes it at its neighbour's
  level (no frame of lag: a median of three ran late and missed a snap at a clip's end);
- band rotation jerky_return: the standing leg's foot (no band) misread for a few frames was
  timed as a snap on that leg (dev r0278); the return is checked on the leg that worked;
- clamshell, too_fast: MediaPipe reads the knee's opening at 0.5-2.7 times its size (dev
  r0146, r0042, r0055), so its speed both missed quick reps and flagged steady ones; each
  lift is now timed (``move_time``: the middle 60 % of it, on frame timestamps); band
  rotation's jerky_return times the returns the same way (dev r0018's snaps were missed);
- seated cross-ankle, back_rounded: the crossed shin in front of the pelvis moves MediaPipe's
  3D hip points (dev r0022 read 31-34 degrees of lean for a true 6), so the lean is counted
  from the first second in position (``start_in: position``), not from sitting with straight
  legs;
- seated cross-ankle, back_rounded (again): even counted from the position, MediaPipe's 3D
  lean kept drifting while the hand pressed the knee (dev r0087 read 16 degrees on good form,
  a near miss at 0.69 of the line read 25), so the slump is read on screen instead: the head
  sinking toward the shoulders (``head_drop``), which the 3D hip points cannot move;
- seated twist, spine_rounded: the 3D lean read a tall turn as a slump (dev r0112, 22.8
  degrees for a line of 20: the 3D shoulders come toward the camera as the chest turns), so
  the twist reads the head's drop on screen too;
- prone hip IR, knee_bend_off: from beyond the feet MediaPipe's knee angle read a true 90 at
  rest as 21 to 154 degrees on dev (past the 70-125 band in 6 of 7 clips), so the bend is not
  checked from this view (the spec's ``not_checked``), never guessed;
- supine hip rotation, shoulders_lift: rolling away from the camera hides the far knee, the
  position reads as unknown, and the shoulder coming up went unchecked (dev r0058): it is
  checked whenever the shoulders are seen (``during: always``; the checker now checks
  ``always`` faults while the position is unknown);
- supine hip rotation, shoulders_lift (session 14): no reading told a lift from good form on
  dev (the line chosen leaving one body out put 12 of 30 clips wrong, and the readings tried
  no fewer), so it is not checked from this view; the tests of the check keep it as it was
  (``tests/helpers.py``);
- supine hip rotation and knee fall-out, shoulders_lift: one shoulder's rise over the other
  was divided by the shoulders' width on screen, which a low diagonal view beyond the feet
  shrinks to a third, and MediaPipe's far shoulder slid toward the near one: with the camera
  on the other side of the body (dev r0071, r0098, r0163) a 4-6 pixel jitter read 0.16-0.25
  for a line of 0.15. The rise is now read off the floor through the camera, in torso
  lengths (``rise_off_floor``);
- supine knee drop and knee fall-out, feet_move: the feet's spacing was divided by the hips'
  width on screen, and MediaPipe's hip points close up as the knee drops (dev r0105: 20 to
  15 pixels, the ankles 44 apart throughout), so still feet read 0.74 hip widths apart; the
  spacing is now in shoulder widths (across the body like the feet, and still);
- supine knee drop and knee fall-out, feet_move (again): MediaPipe's far shoulder slides as a
  knee drops (dev r0313: the shoulders 27 -> 36 pixels apart, truly 52), so still feet read
  0.48 shoulder widths closer; the spacing's change is now divided by the shoulders' width
  at the start (``divide_by: start``);
- supine hip rotation, knees_apart: from beyond the feet no reading told knees apart from
  knees together on dev (the 3D gap changed 0.05-0.13 hip widths apart, up to 0.45
  together; r0136 a false alarm), so it is not checked from this view, never guessed.
- clamshell, too_fast (again): MediaPipe read r0211's resting knee 15 degrees open, then its
  true 0 for two (later four) frames, then 15 again, and each jump was timed as a 0.06 s
  lift; a movement with no frame inside its middle, passed between frames at most
  ``jump_within_s`` apart, is not timed;
- clamshell, too_fast (session 11): only the top leg lifts; a quick movement read on the
  bottom knee is a misread, not timed (``side: working``).
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml

from posecheck.body.geometry import PoseGeometry
from posecheck.body.stage import BodyStage
from posecheck.body.synthetic import Body, Camera, Key, Leg, animate
from posecheck.coaching.checker import StretchChecker
from posecheck.coaching.checker.movetime import MoveTimer
from posecheck.coaching.posture import read_posture
from posecheck.errors import SpecError
from posecheck.pose.landmarks import NUM_LANDMARKS, Pose, PoseFrame, index_of
from posecheck.specs.metrics import LengthSeen, RiseOffFloor, length_seen
from posecheck.specs.schema import SPEC_DIR, load_by_id, parse_spec
from tests.helpers import (
    HIP_ROTATION_SHOULDER_CHECK,
    Run,
    assert_flagged,
    check_back_data,
    hip_rotation_with_shoulder_check,
    prone_with_knee_check,
    run_checker,
    with_check_back,
)
from tests.test_catalogue import (
    _BENT,
    _FEET_FLAT,
    _STRAIGHT,
    _TOGETHER,
    _cross_ankle,
    _fallout,
    _figure_four,
    _hip_rotation,
    _leg,
    _twist,
)
from tests.test_catalogue import CLAMSHELL as CLAMSHELL_SCENARIO

FPS = 10.0
IN_S, SET_S = 3.0, 5.0  # easing into the position from IN_S, in it from SET_S
FAULT_ON_S, FAULT_END_S = 9.3, 14.0


def _round(camera: Camera, azimuth_deg: float, height_m: float) -> Camera:
    """The camera swung ``azimuth_deg`` round its target and set at ``height_m``."""
    target = np.asarray(camera.target, float)
    a = math.radians(azimuth_deg)
    turn = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    x, _, z = turn @ (np.asarray(camera.position, float) - target) + target
    return Camera((float(x), height_m, float(z)), camera.target)


def _in_position(t_s: float) -> float:
    """How far into the position the body is: 0 at rest, 1 once set."""
    return min(1.0, max(0.0, (t_s - IN_S) / (SET_S - IN_S)))


def _frames(camera: Camera, rest: Body, pose: Body, **fault: float) -> list[PoseFrame]:
    """Rest, into the position, then from FAULT_ON_S the position changed by ``fault``
    (none: good form held); noise on the screen and on the 3D landmarks."""
    held = replace(pose, **fault)
    keys = [Key(0, rest), Key(IN_S, rest), Key(SET_S, pose), Key(FAULT_ON_S - 0.3, pose)]
    keys += [Key(FAULT_ON_S, held), Key(FAULT_END_S, held), Key(FAULT_END_S + 2, held)]
    return animate(keys, camera, fps=FPS, noise_px=0.5, noise_world_m=0.003, seed=2)


def _shift(
    frames: list[PoseFrame], names: tuple[str, ...], image=None, world=None, ramp=_in_position
) -> list:
    """Emulate an estimator error: move landmarks by ``image(pose)`` pixels and ``world``
    metres, scaled by ``ramp(t_s)`` (default: how far into the position the body is)."""
    out = []
    rows = [index_of(n) for n in names]
    for f in frames:
        w = ramp(f.t_ms / 1000.0)
        xy, xyz = f.pose.image_xy.copy(), f.pose.world_xyz.copy()
        if image is not None:
            xy[rows] += w * image(f.pose)
        if world is not None:
            xyz[rows] += w * np.asarray(world)
        out.append(replace(f, pose=Pose(xy, f.pose.visibility, xyz)))
    return out


def _without_line(stretch_id: str, old: str, new: str):
    """The spec as it was before the fix (one line of its YAML put back)."""
    text = (SPEC_DIR / f"{stretch_id}.yaml").read_text(encoding="utf-8")
    assert old in text
    return parse_spec(text.replace(old, new), stretch_id)


# -- figure four: head_lifts ----------------------------------------------------------------
FIGURE_FOUR = load_by_id("figure_four")
SIDE_VIEW = Camera.side_view(2.0, 0.7, "supine")
CAMERAS = {"advised": SIDE_VIEW, "25 deg round, low": _round(SIDE_VIEW, 25, 0.45)}
LYING = Body("supine", left=_FEET_FLAT, right=_FEET_FLAT)


def _figure_four_frames(camera: Camera, head_deg: float) -> list[PoseFrame]:
    return _frames(camera, LYING, _figure_four("right", 110), head_flexion_deg=head_deg)


@pytest.mark.parametrize("camera", CAMERAS.values(), ids=CAMERAS.keys())
def test_a_head_lift_just_past_the_line_is_caught(camera: Camera) -> None:
    # 20 degrees of nod lifts the synthetic ears 0.065-0.076 torso lengths: the line is 0.05
    run = run_checker(FIGURE_FOUR, _figure_four_frames(camera, 20))
    assert_flagged(run, "head_lifts", None, FAULT_ON_S)


@pytest.mark.parametrize("camera", CAMERAS.values(), ids=CAMERAS.keys())
def test_hip_points_swinging_down_the_screen_are_not_a_head_lift(camera: Camera) -> None:
    """As on dev clip r0056: the hips read 0.06 torso lengths lower once the knee is drawn
    in, the head stays on the mat."""

    def down(pose: Pose) -> np.ndarray:
        shoulders = pose.image_xy[[index_of("left_shoulder"), index_of("right_shoulder")]]
        hips = pose.image_xy[[index_of("left_hip"), index_of("right_hip")]]
        torso_px = float(np.linalg.norm(shoulders.mean(axis=0) - hips.mean(axis=0)))
        return np.array([0.0, 0.06 * torso_px])

    frames = _shift(_figure_four_frames(camera, 0), ("left_hip", "right_hip"), image=down)
    assert run_checker(FIGURE_FOUR, frames).events("head_lifts") == []
    # The ears followed from the hips (the rule before the fix, counted from rest) call it a
    # lift.
    text = (SPEC_DIR / "figure_four.yaml").read_text(encoding="utf-8")
    text = text.replace("reference: mid_shoulder", "reference: mid_hip", 1)
    old = parse_spec(text.replace("    start_in: position\n  hips_rise:", "  hips_rise:"), "ff")
    assert run_checker(old, frames).events("head_lifts")


# -- figure four: ankle_slips past the position's exit line ---------------------------------
_STAYS_WHILE = (
    "  stays_while:\n    measure: ankle_lift\n    above: 0.2\n"
    "    shows: the crossed ankle still up off the mat\n"
)


def _figure_four_then(camera: Camera, then: Body) -> list[PoseFrame]:
    """Into the figure four, then from FAULT_ON_S the body ``then`` (held to the end)."""
    pose = _figure_four("right", 110)
    keys = [Key(0, LYING), Key(IN_S, LYING), Key(SET_S, pose), Key(FAULT_ON_S - 0.3, pose)]
    keys += [Key(FAULT_ON_S, then), Key(FAULT_END_S + 2, then)]
    return animate(keys, camera, fps=FPS, noise_px=0.5, noise_world_m=0.003, seed=2)


def test_an_ankle_slipped_past_the_exit_line_is_caught_not_taken_as_uncrossing() -> None:
    """As on dev r0017 and r0121: the slipped ankle reads 0.8-0.9 thigh lengths from the
    knee, past the exit line (0.75), but is still up off the mat: the hold goes on, with the
    fault. The rule before the fix ended the position there and never checked the slip."""
    slipped = _leg(_figure_four("right", 110), "right", hip_rotation_deg=-25)  # 50 deg in
    frames = _figure_four_then(SIDE_VIEW, slipped)
    run = run_checker(FIGURE_FOUR, frames)
    assert_flagged(run, "ankle_slips", "right", FAULT_ON_S)
    to_knee = [m.value for m in run.results[-1].measures if m.name == "ankle_to_knee"]
    assert max(to_knee) > FIGURE_FOUR.active.exit  # past the exit line, still in position
    assert run.results[-1].state == "active" and len(run.summary.holds) == 1
    old = _without_line("figure_four", _STAYS_WHILE, "")
    assert run_checker(old, frames).events("ankle_slips") == []


def test_uncrossing_the_leg_ends_the_hold_without_a_slip() -> None:
    """Both feet back on the mat: the position ends (one hold), and no slip is said."""
    run = run_checker(FIGURE_FOUR, _figure_four_then(SIDE_VIEW, LYING))
    assert run.events("ankle_slips") == []
    assert run.results[-1].state == "rest" and len(run.summary.holds) == 1


def test_a_slow_uncrossing_is_not_a_slip() -> None:
    """The leg uncrossed over 2 s: past the exit line with the ankle still up for about
    0.6 s on its way down, under the 1 s a fault on the position's measure waits there."""
    pose = _figure_four("right", 110)
    keys = [Key(0, LYING), Key(IN_S, LYING), Key(SET_S, pose), Key(FAULT_ON_S, pose)]
    keys += [Key(FAULT_ON_S + 2.0, LYING), Key(FAULT_END_S, LYING)]
    run = run_checker(FIGURE_FOUR, animate(keys, SIDE_VIEW, fps=FPS, noise_px=0.5, seed=2))
    assert run.events("ankle_slips") == []
    assert run.results[-1].state == "rest" and len(run.summary.holds) == 1


# -- figure four: ankle_slips, a misread resting ankle and an uncrossing are no slip ---------
_OLD_SLIP_LINE = ("above: 0.52\n    min_duration_s: 1.0", "above: 0.5\n    min_duration_s: 0.6")


def _ankle_misread_off_the_knee(frames: list[PoseFrame], thigh_lengths: float) -> list:
    """As on dev r0212: MediaPipe put the crossed (right) ankle 21 pixels above the true
    joint, so a resting ankle read 0.5-0.55 thigh lengths from the knee (truth 0.09). The
    ankle is moved straight up the screen by ``thigh_lengths`` of the right thigh, over the
    second after the position is set (it entered on dev, then read off the knee)."""

    def up(pose: Pose) -> np.ndarray:
        hip, knee = pose.image_xy[index_of("right_hip")], pose.image_xy[index_of("right_knee")]
        return np.array([0.0, -thigh_lengths * float(np.linalg.norm(hip - knee))])

    def after_set(t_s: float) -> float:
        return min(1.0, max(0.0, t_s - SET_S))

    return _shift(frames, ("right_ankle",), image=up, ramp=after_set)


def test_a_resting_ankle_misread_off_the_knee_is_not_a_slip() -> None:
    frames = _ankle_misread_off_the_knee(_figure_four_frames(SIDE_VIEW, 0), 0.17)
    run = run_checker(FIGURE_FOUR, frames)
    held = [r.measure("ankle_to_knee", "right") for r in run.results if r.state == "active"]
    slip = next(f for f in FIGURE_FOUR.faults if f.id == "ankle_slips")
    assert 0.5 < float(np.median(held)) < (slip.above or 0.0)  # between the old line and the new
    assert run.events("ankle_slips") == [] and len(run.summary.holds) == 1
    assert run_checker(_without_line("figure_four", *_OLD_SLIP_LINE), frames).events("ankle_slips")


def _ankle_off_the_knee_for(off_s: float | None) -> list[PoseFrame]:
    """The crossed ankle lifted off the knee (0.62-0.67 thigh lengths on screen) at
    FAULT_ON_S and kept there ``off_s`` before the leg is lowered to the mat (None: kept)."""
    pose = _figure_four("right", 110)
    off = _leg(pose, "right", hip_rotation_deg=-45)
    keys = [Key(0, LYING), Key(IN_S, LYING), Key(SET_S, pose), Key(FAULT_ON_S, pose)]
    keys += [Key(FAULT_ON_S + 0.4, off)]
    if off_s is None:
        keys += [Key(FAULT_END_S + 2, off)]
    else:
        keys += [Key(FAULT_ON_S + 0.4 + off_s, off), Key(FAULT_ON_S + 1.0 + off_s, LYING)]
        keys += [Key(FAULT_END_S + 2, LYING)]
    return animate(keys, SIDE_VIEW, fps=FPS, noise_px=0.5, seed=2)


def test_an_ankle_kept_just_past_the_slip_line_is_caught() -> None:
    run = run_checker(FIGURE_FOUR, _ankle_off_the_knee_for(None))
    assert_flagged(run, "ankle_slips", "right", FAULT_ON_S + 0.4)


def test_uncrossing_with_a_pause_off_the_knee_is_not_a_slip() -> None:
    """As on dev r0186, r0225 and r0290: uncrossing at the end of a hold, the ankle lifted
    off the knee, a pause, then the foot down, in 1.6 s: off the knee for under a second.
    The old rule (0.5 for 0.6 s) called it a slip."""
    frames = _ankle_off_the_knee_for(0.6)
    run = run_checker(FIGURE_FOUR, frames)
    assert run.events("ankle_slips") == []
    assert run.results[-1].state == "rest" and len(run.summary.holds) == 1
    assert run_checker(_without_line("figure_four", *_OLD_SLIP_LINE), frames).events("ankle_slips")


def test_a_position_stays_while_look_must_name_a_measure() -> None:
    text = (SPEC_DIR / "figure_four.yaml").read_text(encoding="utf-8")
    with pytest.raises(SpecError, match="ankle_lfit"):
        parse_spec(text.replace("measure: ankle_lift\n    above", "measure: ankle_lfit\n    above"))


# -- clamshell: too_fast timed, not read as a speed of the knee's angle --------------------
CLAMSHELL = load_by_id("clamshell")
_CLAM_REST = CLAMSHELL_SCENARIO.rest("right")


def _clam_reps(lift_s: float, opening_deg: float, reps: int = 3) -> list[PoseFrame]:
    """Reps of the right (top) knee opening ``opening_deg`` in ``lift_s`` and closing as
    fast, a second apart, from the front camera the spec advises."""
    top = CLAMSHELL_SCENARIO.pose("right", opening_deg)
    keys, t = [Key(0, _CLAM_REST)], 2.0
    for _ in range(reps):
        keys += [Key(t, _CLAM_REST), Key(t + lift_s, top), Key(t + lift_s + 0.6, top)]
        t += 2 * lift_s + 0.6
        keys += [Key(t, _CLAM_REST)]
        t += 1.0
    keys.append(Key(t + 1.0, _CLAM_REST))
    return animate(keys, CLAMSHELL_SCENARIO.camera, fps=FPS, noise_px=0.5, seed=3)


def _opening_speed_rule():
    """The rule before the fix: the knee's opening angle changing faster than 80 a second."""
    text = (SPEC_DIR / "clamshell.yaml").read_text(encoding="utf-8")
    old_rule = "    measure: opening_speed\n    side: each\n    above: 80\n    during: always\n"
    new_rule = "    measure: opening_time\n    side: working\n    below: 0.25\n    during: always\n"
    assert new_rule in text
    text = text.replace(new_rule, old_rule).replace(
        "    min_duration_s: 0\n    release_s: 0.5", "    min_duration_s: 0.1\n    release_s: 1.0"
    )
    return parse_spec(text, "clamshell")


def test_a_quick_clamshell_lift_is_caught() -> None:
    """35 degrees in 0.3 s: the middle of the lift takes 0.18 s, under the line of 0.25."""
    run = run_checker(CLAMSHELL, _clam_reps(0.3, 35))
    assert run.events("too_fast", "right")
    assert run.events("too_fast", "left") == []


def test_a_movement_is_timed_the_same_with_frames_dropped() -> None:
    """A 30 degree lift in 0.5 s (linear: its middle 60 % in 0.3 s), then held: timed from
    frame timestamps, at 30 fps and with two frames in three dropped at random."""
    metric = CLAMSHELL.measures["opening_time"]
    rng = np.random.default_rng(5)
    t_ms = np.arange(0.0, 3000.0, 1000.0 / 30.0)
    for keep in (np.ones(len(t_ms), bool), rng.random(len(t_ms)) < 0.34):
        timer, times = MoveTimer(metric), []
        for t in t_ms[keep]:
            value = 30.0 * min(1.0, max(0.0, (t - 1000.0) / 500.0))
            times.append(timer.update(float(t), value))
        known = [x for x in times if x == x]
        assert known and known[0] == pytest.approx(0.3, abs=0.02)


def test_only_returns_are_timed_for_a_jerky_return() -> None:
    """Band rotation (dev r0018: two snaps back missed by the speed rule): the foot turning
    in fast is not a jerky return; turning back out as fast is, whatever size it reads."""
    metric = load_by_id("standing_band_rotation").measures["return_time"]
    for size in (35.0, 70.0):
        timer, times = MoveTimer(metric), []
        for t in np.arange(0.0, 6000.0, 100.0):
            turn_in = min(1.0, max(0.0, (t - 1000.0) / 300.0))  # in fast: 0.3 s
            back = min(1.0, max(0.0, (t - 3000.0) / 300.0))  # out as fast
            times.append((t, timer.update(float(t), size * (turn_in - back))))
        known = [(t, x) for t, x in times if x == x]
        assert known and all(t > 3000.0 for t, _ in known)  # the return only
        assert known[0][1] < 0.35


def _band_return_times(misreads: dict[float, float]) -> list[tuple[float, float]]:
    """(t_ms, time) the band's return timer reports, 10 frames a second: the foot turned in
    30 degrees, held, eased back out, then turned in and snapped back out in 0.3 s just before
    the last frames; ``misreads`` adds to the value read at those times."""
    metric = load_by_id("standing_band_rotation").measures["return_time"]
    timer, times = MoveTimer(metric), []
    for t in np.arange(0.0, 7800.0, 100.0):
        turned = 30.0 * min(1.0, max(0.0, (t - 1000.0) / 500.0))  # turned in, held,
        turned *= 1.0 - min(1.0, max(0.0, (t - 4500.0) / 1500.0))  # and eased back out
        back = min(1.0, max(0.0, (t - 7000.0) / 300.0))  # then in again and snapped out
        turned += 35.0 * min(1.0, max(0.0, (t - 6500.0) / 300.0)) * (1.0 - back)
        times.append((float(t), timer.update(float(t), turned + misreads.get(float(t), 0.0))))
    return [(t, x) for t, x in times if x == x]


def test_a_foot_misread_for_one_frame_is_not_a_jerky_return() -> None:
    """As on dev r0278 (band rotation, good returns): MediaPipe read the foot turned in 43-56
    degrees for one frame and straight back, each timed as a 0.06 s return, a snap. A value
    out of line with both neighbours by half a movement is taken again at its neighbour's
    level once the next value shows it, so one frame out of line is no movement; a real snap
    back, over 0.3 s at 10 frames a second, is still timed."""
    line_s = next(f for f in load_by_id("standing_band_rotation").faults if f.id == "jerky_return")
    # while turned in and at rest: read 50 further in; once read turned out, as if snapped back
    times = _band_return_times({2000.0: 50.0, 6000.0: 50.0, 3500.0: -45.0})
    snaps = [t for t, x in times if x < (line_s.below or 0.0)]
    assert snaps and all(t > 7000.0 for t in snaps), snaps  # the real snap only


def test_a_misread_is_removed_without_a_frame_of_lag() -> None:
    """The median of three that removed r0278's misreads ran the timer a frame late and missed
    the committed sample clip's snap back, seen one frame before the clip ended. With the
    misreads taken out once the next frame shows them, every time is reported on the same
    frame, with the same value, as for the sequence read without them; the snap at the end is
    reported before the last frame."""
    clean = _band_return_times({})
    assert clean and clean[-1][0] < 7700.0
    assert _band_return_times({2000.0: 50.0, 6000.0: -40.0, 3000.0: 25.0}) == clean


def test_the_band_return_is_checked_on_the_leg_that_worked() -> None:
    """Dev r0278: the standing leg's foot (no band round it) read turned in 15-56 degrees for
    a frame or three and back, each timed as a snap on that leg. A snap back is the banded
    leg's: the return is checked on the side that last held the position (at rest too, where
    a return ends), not on each leg. Replayed recordings: r0278's four false alarms are gone,
    r0018's and r0226's two snaps each are still caught."""
    spec = load_by_id("standing_band_rotation")
    rule = next(f for f in spec.faults if f.id == "jerky_return")
    assert rule.side == "working" and rule.during == "always"
    good = _replay_score(spec, "r0278_standing_band_rotation_trunk_leans_b07")
    assert not [e for e in good.false_alarms if e.fault_id == "jerky_return"]
    for clip in (
        "r0018_standing_band_rotation_jerky_return_b03",
        "r0226_standing_band_rotation_jerky_return_b03",
    ):
        caught = _replay_score(spec, clip)
        assert len([h for h, _ in caught.hits if h.fault == "jerky_return"]) == 2, clip
        assert not caught.misses and not caught.false_alarms, clip
    # The rule before (each leg): r0278 flagged on the leg without the band.
    text = (SPEC_DIR / "standing_band_rotation.yaml").read_text(encoding="utf-8")
    now = "    measure: return_time\n    side: working\n"
    assert now in text
    each = parse_spec(text.replace(now, now.replace("working", "each")), spec.id)
    before = _replay_score(each, good.clip)
    assert [e.side for e in before.false_alarms if e.fault_id == "jerky_return"]


def test_a_signed_segment_angle_keeps_its_direction() -> None:
    """Hand-computed: hips level on screen, the shoulder line turned 5 degrees clockwise on
    screen reads +5 signed, turned the other way -5; unsigned, both read 5."""
    from posecheck.specs.metrics import SegmentAngle

    xy = np.zeros((NUM_LANDMARKS, 2))
    xy[index_of("left_hip")], xy[index_of("right_hip")] = (300.0, 300.0), (200.0, 300.0)
    parts = {"a_start": "left_hip", "a_end": "right_hip"}
    parts |= {"b_start": "left_shoulder", "b_end": "right_shoulder"}
    signed = SegmentAngle(metric="segment_angle", signed=True, **parts)
    unsigned = SegmentAngle(metric="segment_angle", **parts)
    for turn_deg in (5.0, -5.0):
        a = math.radians(turn_deg)  # the hip line points along -x; turn it by turn_deg
        xy[index_of("left_shoulder")] = (320.0, 150.0)
        xy[index_of("right_shoulder")] = (320.0 - 140.0 * math.cos(a), 150.0 - 140.0 * math.sin(a))
        g = PoseGeometry(Pose(xy.copy(), np.ones(NUM_LANDMARKS)), 0.5)
        assert signed.compute(g, None) == pytest.approx(turn_deg, abs=1e-6)
        assert unsigned.compute(g, None) == pytest.approx(5.0, abs=1e-6)
    with pytest.raises(ValueError, match="signed"):
        SegmentAngle(metric="segment_angle", signed=True, space="world", **parts)


# -- standing band rotation: trunk_leans, hip_hikes -------------------------------------------
BAND_ROTATION = load_by_id("standing_band_rotation")
STANDING_FRONT = Camera.front_view(2.8, 1.0)
BAND_CAMERAS = {"advised": STANDING_FRONT, "25 deg round, low": _round(STANDING_FRONT, 25, 0.6)}


def _band_lean_frames(camera: Camera, start_bend_deg: float, lean_deg: float) -> list[PoseFrame]:
    """Standing with the trunk bent ``start_bend_deg`` toward the left (a start that is not
    square, as dev r0343's read), the right leg turned in 35 degrees, then from FAULT_ON_S
    the trunk bent ``lean_deg`` further (negative: toward the right)."""
    rest = Body("standing", trunk_side_bend_deg=start_bend_deg)
    pose = _leg(rest, "right", hip_rotation_deg=35)
    return _frames(camera, rest, pose, trunk_side_bend_deg=start_bend_deg + lean_deg)


def _unsigned_trunk_tilt():
    """The rule before: the unsigned angle between the hip and shoulder lines."""
    text = (SPEC_DIR / "standing_band_rotation.yaml").read_text(encoding="utf-8")
    assert "    signed: true\n" in text and "    above: 4.0\n    below: -4.0\n" in text
    text = text.replace("    signed: true\n", "").replace("    below: -4.0\n", "", 1)
    return parse_spec(text, "standing_band_rotation")


@pytest.mark.parametrize("camera", BAND_CAMERAS.values(), ids=BAND_CAMERAS.keys())
def test_a_lean_toward_the_start_tilt_is_caught(camera: Camera) -> None:
    """Dev r0343: the shoulder line already tilted against MediaPipe's hip line at the start,
    and the lean went the other way; the unsigned angle's change read 2.6 for a 12 degree
    bend (line 5, now 4.0). Signed, a 6 degree lean (these exact bodies read a lean at its
    own size, the screen's jitter about 3) is caught either way from a 6 degree start tilt,
    2 degrees is clean; the old unsigned rule misses the lean across the start tilt (6 -> 0:
    a change of -6)."""
    for lean in (-6.0, 6.0):
        run = run_checker(BAND_ROTATION, _band_lean_frames(camera, 6.0, lean))
        assert_flagged(run, "trunk_leans", None, FAULT_ON_S)
        clean = run_checker(BAND_ROTATION, _band_lean_frames(camera, 6.0, lean / 3.0))
        assert clean.fault_ids() == set(), lean
    across = run_checker(_unsigned_trunk_tilt(), _band_lean_frames(camera, 6.0, -6.0))
    assert across.events("trunk_leans") == []


@pytest.mark.parametrize("camera", BAND_CAMERAS.values(), ids=BAND_CAMERAS.keys())
def test_a_lean_with_the_foot_not_turned_in_is_caught(camera: Camera) -> None:
    """Dev r0278: the foot read only 15-20 degrees turned in, so the position lasted 0.1-1.4 s
    at a time and a lean held through the rep went unchecked in between. A lean is checked
    whether the foot is turned in or not: 6 degrees (just past the line of 4.0 at these
    bodies' scale) standing square is caught, 2 degrees is clean; the rule before (in
    position only) missed it."""
    rest = Body("standing")
    run = run_checker(BAND_ROTATION, _frames(camera, rest, rest, trunk_side_bend_deg=6.0))
    assert_flagged(run, "trunk_leans", None, FAULT_ON_S)
    clean = _frames(camera, rest, rest, trunk_side_bend_deg=2.0)
    assert run_checker(BAND_ROTATION, clean).fault_ids() == set()
    in_position_only = _without_line(
        BAND_ROTATION.id, "    below: -4.0\n    during: always\n", "    below: -4.0\n"
    )
    before = run_checker(in_position_only, _frames(camera, rest, rest, trunk_side_bend_deg=6.0))
    assert before.events("trunk_leans") == []


def test_a_hip_hike_is_not_guessed_from_the_front() -> None:
    """Dev split: MediaPipe's hip points read a trunk lean over a level pelvis (r0096, truly 0)
    as high as hitched hips (r0213, r0356: truly 0.16 hip widths, read 0.12-0.15), so the
    hitch is reported as not checked from this view; the old rule missed those hitches and
    the lean read within 0.03 hip widths of its line."""
    assert "hip_hikes" in {n.id for n in BAND_ROTATION.not_checked}
    assert "hip_hikes" not in {f.id for f in BAND_ROTATION.faults}
    hike = _replay_score(BAND_ROTATION, "r0213_standing_band_rotation_hip_hikes_b06")
    assert {t.fault for t in hike.not_checked} == {"hip_hikes"} and not hike.misses
    before = with_check_back("standing_band_rotation", _HIP_HEIGHT, "hip_hikes")
    for clip in (hike.clip, "r0356_standing_band_rotation_hip_hikes_b05"):
        assert [t.fault for t in _replay_score(before, clip).misses] == ["hip_hikes"] * 2


_HIP_HEIGHT = """
measures:
  hip_height:
    metric: vertical_offset
    point: hip
    reference: other_hip
    scale_start: hip
    scale_end: other_hip
    relative_to_start: true
faults:
  - id: hip_hikes
    message: Keep both hips level.
    why: The rule before, for comparison.
    measure: hip_height
    side: working
    above: 0.15
    severity: 2
"""


def test_a_steady_lift_read_at_three_times_its_size_is_not_too_fast() -> None:
    """As on dev r0146 (a true 27 degrees read as 50-77, 100 degrees a second for a true 21):
    a lift in 0.8 s read at 95 degrees is steady. The old rule, a speed of the angle, reads
    it as 119 a second and calls it too fast; the time of the lift does not depend on the
    size read."""
    frames = _clam_reps(0.8, 95)
    assert run_checker(CLAMSHELL, frames).events("too_fast") == []
    assert run_checker(_opening_speed_rule(), frames).events("too_fast")
    # the same lift at its true size reads the same time
    assert run_checker(CLAMSHELL, _clam_reps(0.8, 35)).events("too_fast") == []


# -- seated cross-ankle: back_rounded ---------------------------------------------------------
CROSS_ANKLE = load_by_id("seated_cross_ankle_rotation")
FRONT = Camera.front_view(2.2, 0.6, "seated")
# Lower than 0.5 m and 25 degrees round, the synthetic straight legs already read as crossed
# on screen (the ankle within 0.8 hip widths of the other knee): the position's own limit.
FRONT_CAMERAS = {"advised": FRONT, "25 deg round, low": _round(FRONT, 25, 0.5)}
SITTING = Body("seated", left=_STRAIGHT, right=_STRAIGHT)


def _cross_ankle_frames(camera: Camera, slump_deg: float, nod_deg: float = 0.0) -> list:
    pose = _cross_ankle("left", 30)
    return _frames(camera, SITTING, pose, spine_round_deg=slump_deg, head_flexion_deg=nod_deg)


def _lean_3d_rule(stretch_id: str, fault_id: str, line_deg: float, from_position: bool):
    """A seated spec as it was before the head's drop: ``fault_id`` flagged when MediaPipe's
    3D lean passes ``line_deg``, counted from the position or from sitting tall at rest."""
    data = yaml.safe_load((SPEC_DIR / f"{stretch_id}.yaml").read_text())
    data["measures"].pop("head_drop")
    lean = {"metric": "lean_toward_camera", "start": "mid_hip", "end": "mid_shoulder"}
    data["measures"]["lean"] = {**lean, "relative_to_start": True}
    if from_position:
        data["measures"]["lean"]["start_in"] = "position"
    fault = next(f for f in data["faults"] if f["id"] == fault_id)
    fault.update(measure="lean", above=line_deg)
    return parse_spec(yaml.safe_dump(data, sort_keys=False), stretch_id)


def _cross_ankle_lean_3d(from_position: bool = True):
    """Cross-ankle back_rounded before: the 3D lean above 15, from the position (the fix
    before this one) or from sitting with straight legs (before that)."""
    return _lean_3d_rule("seated_cross_ankle_rotation", "back_rounded", 15, from_position)


@pytest.mark.parametrize("camera", FRONT_CAMERAS.values(), ids=FRONT_CAMERAS.keys())
def test_a_slump_just_past_the_line_is_caught_once_in_position(camera: Camera) -> None:
    # The synthetic trunk curls along the spine and carries the head less far forward than
    # the rendered bodies' (which reach the line at about 15 degrees of trunk flexion): a
    # 32 degree curl with an 18 degree nod reads 0.27-0.30 from both cameras; the line is 0.195.
    run = run_checker(CROSS_ANKLE, _cross_ankle_frames(camera, 32, 18))
    assert_flagged(run, "back_rounded", None, FAULT_ON_S)


@pytest.mark.parametrize("camera", FRONT_CAMERAS.values(), ids=FRONT_CAMERAS.keys())
def test_a_nod_alone_is_not_a_slump(camera: Camera) -> None:
    # a 25 degree nod with the back tall reads about 0.12
    assert run_checker(CROSS_ANKLE, _cross_ankle_frames(camera, 0, 25)).events("back_rounded") == []


@pytest.mark.parametrize("camera", FRONT_CAMERAS.values(), ids=FRONT_CAMERAS.keys())
def test_hip_points_moved_by_the_crossed_shin_are_not_a_slump(camera: Camera) -> None:
    """As on dev clip r0022: with the shin across the pelvis the 3D hips sit 0.2 m further
    from the camera, which reads as 20-odd degrees of forward lean; the back stays tall."""
    frames = _shift(
        _cross_ankle_frames(camera, 0), ("left_hip", "right_hip"), world=(0.0, 0.0, 0.2)
    )
    assert run_checker(CROSS_ANKLE, frames).events("back_rounded") == []
    # Counted from sitting with straight legs (the rule two fixes ago) it is a slump.
    assert run_checker(_cross_ankle_lean_3d(from_position=False), frames).events("back_rounded")


@pytest.mark.parametrize("camera", FRONT_CAMERAS.values(), ids=FRONT_CAMERAS.keys())
def test_3d_hips_drifting_during_the_hold_are_not_a_slump(camera: Camera) -> None:
    """As on dev clip r0087 (good form): after the start was taken the 3D hips kept drifting
    away as the hand pressed the knee, and the 3D lean rose to 16 degrees; on screen the head
    stays where it was."""

    def drift(t_s: float) -> float:  # from 6.5 s, 1 s after the start, to full at 9 s
        return min(1.0, max(0.0, (t_s - 6.5) / 2.5))

    frames = _cross_ankle_frames(camera, 0)
    frames = _shift(frames, ("left_hip", "right_hip"), world=(0.0, 0.0, 0.15), ramp=drift)
    assert run_checker(CROSS_ANKLE, frames).events("back_rounded") == []
    # The 3D lean, even counted from the position, calls it a slump.
    assert run_checker(_cross_ankle_lean_3d(), frames).events("back_rounded")


def test_a_start_in_position_is_unknown_until_taken_and_taken_again_each_time() -> None:
    pose = _cross_ankle("left", 30)
    keys = [Key(0, SITTING), Key(IN_S, SITTING), Key(SET_S, pose), Key(9, pose)]
    keys += [Key(11, SITTING), Key(14, SITTING), Key(16, pose), Key(20, pose)]
    run = run_checker(CROSS_ANKLE, animate(keys, FRONT, fps=FPS, noise_px=0.5, seed=4))
    active = [r for r in run.results if r.state == "active"]
    starts = [r.t_ms for r in active if r.index == 0 or run.results[r.index - 1].state != "active"]
    assert len(starts) == 2
    for start_ms in starts:
        first = [r.measure("head_drop") for r in active if start_ms <= r.t_ms < start_ms + 900]
        later = [
            r.measure("head_drop") for r in active if start_ms + 1100 <= r.t_ms < start_ms + 2500
        ]
        assert first and all(math.isnan(v) for v in first)
        assert later and all(abs(v) < 0.03 for v in later)
    # at rest there is no start to count from (the frame that leaves was measured in position)
    resting = [r for r in run.results[1:] if r.state == "rest"]
    resting = [r for r in resting if run.results[r.index - 1].state == "rest"]
    assert resting and all(math.isnan(r.measure("head_drop")) for r in resting)


# -- the option itself ------------------------------------------------------------------------
def _spec_with(change) -> str:
    data = yaml.safe_load((SPEC_DIR / "seated_cross_ankle_rotation.yaml").read_text())
    change(data)
    return yaml.safe_dump(data, sort_keys=False)


def test_start_in_position_needs_a_relative_measure() -> None:
    def absolute(data: dict) -> None:
        data["measures"]["head_drop"]["relative_to_start"] = False

    with pytest.raises(SpecError, match="start_in: position"):
        parse_spec(_spec_with(absolute), "x.yaml")


def test_the_position_measure_cannot_start_in_position() -> None:
    def circular(data: dict) -> None:
        data["measures"]["ankle_on_knee"]["relative_to_start"] = True
        data["measures"]["ankle_on_knee"]["start_in"] = "position"

    with pytest.raises(SpecError, match="cannot say when you are in position"):
        parse_spec(_spec_with(circular), "x.yaml")


# -- seated twist: spine_rounded -------------------------------------------------------------
TWIST = load_by_id("seated_internal_rotation_twist")


def _twist_frames(camera: Camera, slump_deg: float, nod_deg: float = 0.0) -> list[PoseFrame]:
    pose = _twist("left", 35)
    return _frames(camera, SITTING, pose, spine_round_deg=slump_deg, head_flexion_deg=nod_deg)


@pytest.mark.parametrize("camera", FRONT_CAMERAS.values(), ids=FRONT_CAMERAS.keys())
def test_a_slump_in_the_twist_just_past_the_line_is_caught(camera: Camera) -> None:
    # a 32 degree curl during a 35 degree turn reads 0.18-0.23; the line is 0.17
    run = run_checker(TWIST, _twist_frames(camera, 32))
    assert_flagged(run, "spine_rounded", None, FAULT_ON_S)


@pytest.mark.parametrize("camera", FRONT_CAMERAS.values(), ids=FRONT_CAMERAS.keys())
def test_a_nod_during_the_twist_is_not_a_slump(camera: Camera) -> None:
    # a 25 degree nod with the back tall reads about 0.11-0.14
    assert run_checker(TWIST, _twist_frames(camera, 0, 25)).events("spine_rounded") == []


@pytest.mark.parametrize("camera", FRONT_CAMERAS.values(), ids=FRONT_CAMERAS.keys())
def test_3d_shoulders_coming_forward_in_a_tall_turn_are_not_a_slump(camera: Camera) -> None:
    """As on dev clip r0112 (good form): as the chest turns MediaPipe's 3D shoulders come
    0.2 m toward the camera, which reads as 22-odd degrees of lean; the back stays tall."""
    frames = _shift(
        _twist_frames(camera, 0), ("left_shoulder", "right_shoulder"), world=(0.0, 0.0, -0.2)
    )
    assert run_checker(TWIST, frames).events("spine_rounded") == []
    assert run_checker(_lean_3d_rule(TWIST.id, "spine_rounded", 20, False), frames).events(
        "spine_rounded"
    )


def _upright_with_legs(knee_m: tuple[float, float], ankle_m: tuple[float, float]) -> Pose:
    """Trunk upright (MediaPipe's world: y down, z away from the camera), knees and ankles at
    (y, z) metres from the hips; on screen the ankles 1.3 trunk lengths below the hips."""
    world = np.zeros((NUM_LANDMARKS, 3))
    image = np.zeros((NUM_LANDMARKS, 2))
    for side, x in (("left", 0.12), ("right", -0.12)):
        world[index_of(f"{side}_shoulder")] = (x * 1.5, -0.5, 0.0)
        world[index_of(f"{side}_hip")] = (x, 0.0, 0.0)
        world[index_of(f"{side}_knee")] = (x, *knee_m)
        world[index_of(f"{side}_ankle")] = (x, *ankle_m)
        for name, y_px in (("shoulder", 100), ("hip", 200), ("knee", 270), ("ankle", 330)):
            image[index_of(f"{side}_{name}")] = (320 + 250 * x, y_px)
    return Pose(image, np.ones(NUM_LANDMARKS), world)


def test_sitting_with_long_legs_toward_a_high_camera_is_not_standing() -> None:
    """As on dev r0138 and r0177 (seated twist, camera 0.85-0.88 m up): the straight legs'
    ankles sit 1.2-1.3 trunk lengths below the hips on screen, as a standing person's do, so
    the twist read as standing and nothing was counted or checked (r0138's slump missed).
    Standing also needs the hips straight in 3D; sitting they are bent about 90 degrees."""
    sitting = _upright_with_legs((0.02, -0.45), (0.05, -0.9))
    standing = _upright_with_legs((0.45, 0.0), (0.9, 0.0))
    assert read_posture(standing).key == "upright/standing"
    assert read_posture(sitting).key == "upright"  # legs unsure: contradicts nothing
    bent_40 = _upright_with_legs((0.45 * math.cos(0.7), -0.45 * math.sin(0.7)), (0.9, -0.3))
    assert read_posture(bent_40).key == "upright/standing"  # a hip bent 40: still standing


def test_a_guessed_straight_knee_does_not_make_a_sitter_stand() -> None:
    """The hip's bend is read only on sides whose knee is seen: sitting (both hips bent 90)
    with MediaPipe guessing one unseen knee straight down stays not standing; with that knee
    seen it would decide, and with no knee seen at all nothing says standing."""
    pose = _upright_with_legs((0.02, -0.45), (0.05, -0.9))
    world = pose.world_xyz.copy()
    world[index_of("left_knee")] = (0.12, 0.45, 0.0)  # the guessed knee: straight down
    visibility = np.ones(NUM_LANDMARKS)
    visibility[index_of("left_knee")] = 0.1
    guessed = Pose(pose.image_xy, visibility, world)
    assert read_posture(guessed).key == "upright"
    assert read_posture(Pose(pose.image_xy, np.ones(NUM_LANDMARKS), world)).key == (
        "upright/standing"
    )
    visibility[index_of("right_knee")] = 0.1
    assert read_posture(Pose(pose.image_xy, visibility, world)).key == "upright"


# -- prone hip IR: knee_bend_off is not checked ----------------------------------------------
PRONE = load_by_id("prone_internal_rotation")
PRONE_REST = Body("prone", left=Leg(knee_flexion_deg=90), right=Leg(knee_flexion_deg=90))
PRONE_CAMERAS = {
    "advised": Camera.looking_at_feet(2.0, 0.8, 45, "prone"),
    "25 deg round, low": Camera.looking_at_feet(2.0, 0.5, 70, "prone"),
}


def _prone_rest(camera: Camera, knee_deg: float = 90) -> list[PoseFrame]:
    """Lying face down at rest for 8 s, the left knee bent ``knee_deg`` from 3 s."""
    bent = replace(PRONE_REST, left=Leg(knee_flexion_deg=knee_deg))
    keys = [Key(0, PRONE_REST), Key(3, PRONE_REST), Key(3.5, bent), Key(8, bent)]
    return animate(keys, camera, fps=FPS, noise_px=0.5, noise_world_m=0.003, seed=3)


def _ankle_swung_toward_the_feet(frames: list[PoseFrame], metres: float) -> list[PoseFrame]:
    """Emulate MediaPipe misreading the left shin in depth from 3 s (in full from 4 s): its
    3D ankle, heel and toes ``metres`` further along the thigh, away from the hip."""
    rows = [index_of(n) for n in ("left_ankle", "left_heel", "left_foot_index")]
    out = []
    for f in frames:
        xyz = f.pose.world_xyz.copy()
        thigh = xyz[index_of("left_knee")] - xyz[index_of("left_hip")]
        w = min(1.0, max(0.0, f.t_ms / 1000.0 - 3.0))
        xyz[rows] += w * metres * thigh / np.linalg.norm(thigh)
        out.append(replace(f, pose=Pose(f.pose.image_xy, f.pose.visibility, xyz)))
    return out


@pytest.mark.parametrize("camera", PRONE_CAMERAS.values(), ids=PRONE_CAMERAS.keys())
def test_a_misread_knee_bend_at_rest_is_not_a_fault(camera: Camera) -> None:
    """As on dev clips r0117 and r0104: knees at a true right angle at rest, MediaPipe's 3D
    ankle 0.25 m off, so the bend reads 58-61 degrees; nothing is flagged, and the spec
    says the knee bend is not checked."""
    frames = _ankle_swung_toward_the_feet(_prone_rest(camera), 0.25)
    run = run_checker(PRONE, frames)
    assert run.summary.faults == ()
    assert "knee_bend_off" in {n.id for n in PRONE.not_checked}
    # The rule as it was flags it.
    assert run_checker(prone_with_knee_check(), frames).events("knee_bend_off", "left")


def test_the_knee_bend_is_not_guessed_even_when_it_is_off() -> None:
    """Not checked means never flagged, whatever the bend: the app shows it as not checked
    from this view (with the reason) instead of guessing."""
    run = run_checker(PRONE, _prone_rest(PRONE_CAMERAS["advised"], knee_deg=45))
    assert run.summary.faults == ()


# -- supine hip rotation: shoulders_lift while the knees cannot be read ----------------------
# Session 14 moved the stretch's shoulders_lift to not_checked (no reading told a lift from
# good form on dev); these tests keep the check as it was (tests/helpers.py) as their example
# of a fault checked whenever its body parts are seen.
HIP_ROTATION = hip_rotation_with_shoulder_check()
HIP_ROTATION_CAMERAS = {
    "advised": Camera.looking_at_feet(2.3, 1.0, 60),
    "25 deg round, low": Camera.looking_at_feet(2.3, 0.7, 85),
}
KNEES_TOGETHER = Body("supine", left=_TOGETHER, right=_TOGETHER)


def _rolled_with_knee_hidden(camera: Camera, shoulder_roll_deg: float) -> list[PoseFrame]:
    """The knees roll 40 degrees to the right (the left hip turns in) and stay; from 6 s the
    knees are hidden, so the position reads as unknown (as when the knees roll away from the
    camera, dev r0058; one hidden knee alone is read from the other, ``sides_together``);
    from 9.5 s the upper trunk rolls ``shoulder_roll_deg`` with them (the left shoulder comes
    up)."""
    rolled = _hip_rotation("left", 40)
    lifted = replace(rolled, trunk_twist_deg=-shoulder_roll_deg)
    keys = [Key(0, KNEES_TOGETHER), Key(3, KNEES_TOGETHER), Key(5, rolled), Key(9, rolled)]
    keys += [Key(9.5, lifted), Key(14, lifted), Key(16, lifted)]
    frames = animate(keys, camera, fps=FPS, noise_px=0.5, seed=2)
    knees = ("left_knee", "right_knee")
    return [replace(f, pose=f.pose.hidden(*knees)) if f.t_ms >= 6000 else f for f in frames]


@pytest.mark.parametrize("camera", HIP_ROTATION_CAMERAS.values(), ids=HIP_ROTATION_CAMERAS.keys())
def test_a_shoulder_lift_is_caught_while_the_knees_cannot_be_read(camera: Camera) -> None:
    # a 10 degree roll of the upper trunk reads 0.18-0.25 shoulder widths; the line is 0.15
    run = run_checker(HIP_ROTATION, _rolled_with_knee_hidden(camera, 10))
    assert {r.state for r in run.results if r.t_ms >= 6500} == {"unknown"}
    assert_flagged(run, "shoulders_lift", "left", 9.5)
    # Checked only in position (the rule before), it is missed.
    old = hip_rotation_with_shoulder_check(during_always=False)
    assert run_checker(old, _rolled_with_knee_hidden(camera, 10)).events("shoulders_lift") == []


@pytest.mark.parametrize("camera", HIP_ROTATION_CAMERAS.values(), ids=HIP_ROTATION_CAMERAS.keys())
def test_shoulders_down_while_the_knees_cannot_be_read_raise_nothing(camera: Camera) -> None:
    assert run_checker(HIP_ROTATION, _rolled_with_knee_hidden(camera, 0)).summary.faults == ()


# -- supine hip rotation and knee fall-out: shoulders_lift through the camera ---------------
ROLLING = {
    "supine_hip_rotation": (_hip_rotation, KNEES_TOGETHER),
    "supine_knee_fallout": (_fallout, Body("supine", left=_BENT, right=_BENT)),
}
# Beyond the feet, 60 degrees round (advised) on either side of the body; 25 degrees further
# round and lower; and as dev r0163 (other side, 2.8 m away, 0.8 m high).
ROLL_CAMERAS = {
    "advised": Camera.looking_at_feet(2.3, 1.0, 60),
    "other side": Camera.looking_at_feet(2.3, 1.0, -60),
    "other side, 25 deg round, low": Camera.looking_at_feet(2.3, 0.7, -85),
    "other side, far and low (r0163)": Camera.looking_at_feet(2.8, 0.8, -58),
}


def _shoulder_spec(stretch_id: str):
    """The stretch's spec with its shoulders_lift check (the hip rotation's as it was)."""
    if stretch_id == "supine_hip_rotation":
        return hip_rotation_with_shoulder_check()
    return load_by_id(stretch_id)


def _run_with_camera(spec, frames: list[PoseFrame]) -> Run:
    """The checker fed by the body stage, as in the app: ``camera_from: body`` reads the
    camera estimated from the body."""
    stage, checker = BodyStage("supine"), StretchChecker(spec)
    results = tuple(checker.update(f, stage.update(f)) for f in frames)
    return Run(results, checker.summary())


def _knees_rolled(stretch_id: str, camera: Camera, shoulder_roll_deg: float) -> list[PoseFrame]:
    """The knees roll 40 degrees to the right (the left hip turns in) from 3 s and stay; from
    9.5 s the upper trunk rolls ``shoulder_roll_deg`` with them (the left shoulder comes up)."""
    pose, rest = ROLLING[stretch_id]
    rolled = pose("left", 40)
    lifted = replace(rolled, trunk_twist_deg=-shoulder_roll_deg)
    keys = [Key(0, rest), Key(3, rest), Key(5, rolled), Key(9, rolled), Key(9.5, lifted)]
    keys += [Key(14, lifted), Key(16, lifted)]
    return animate(keys, camera, fps=FPS, noise_px=0.5, noise_world_m=0.003, seed=2)


def _shoulders_on_screen_rule(stretch_id: str):
    """The rule before: the rise on screen in shoulder widths, above 0.15."""
    if stretch_id == "supine_hip_rotation":
        data = check_back_data(stretch_id, HIP_ROTATION_SHOULDER_CHECK, "shoulders_lift")
    else:
        data = yaml.safe_load((SPEC_DIR / f"{stretch_id}.yaml").read_text())
    data["measures"]["shoulder_rise"] = {
        "metric": "vertical_offset",
        "point": "shoulder",
        "reference": "other_shoulder",
        "scale_start": "shoulder",
        "scale_end": "other_shoulder",
        "relative_to_start": True,
    }
    next(f for f in data["faults"] if f["id"] == "shoulders_lift")["above"] = 0.15
    return parse_spec(yaml.safe_dump(data, sort_keys=False), stretch_id)


def _far_shoulder_misread(frames: list[PoseFrame], far: str) -> list[PoseFrame]:
    """Emulate MediaPipe on dev r0163 (good form, camera on the other side): the far
    shoulder drawn 30 % of the way in toward the near one across the screen (13 of 27
    pixels there), and rising 0.08 torso lengths on screen as the knees roll (4 of 53)."""
    near = "right" if far == "left" else "left"
    f_row, n_row = index_of(f"{far}_shoulder"), index_of(f"{near}_shoulder")
    rows = [index_of(n) for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
    out = []
    for f in frames:
        xy = f.pose.image_xy.copy()
        ls, rs, lh, rh = xy[rows]
        torso_px = float(np.linalg.norm((ls + rs) / 2 - (lh + rh) / 2))
        xy[f_row, 0] += 0.3 * (xy[n_row, 0] - xy[f_row, 0])
        xy[f_row, 1] -= _in_position(f.t_ms / 1000.0) * 0.08 * torso_px
        out.append(replace(f, pose=Pose(xy, f.pose.visibility, f.pose.world_xyz)))
    return out


#: The smallest roll of the upper trunk (degrees) just past each stretch's line: 10 reads
#: 0.14 torso lengths from every camera here (hip rotation line 0.11); the fall-out's line is
#: 0.17 (MediaPipe's good form reads up to 0.155 there), which 14 (0.19) passes and 12
#: (0.16-0.18) does not from every camera.
JUST_PAST_DEG = {"supine_hip_rotation": 10, "supine_knee_fallout": 14}


@pytest.mark.parametrize("stretch_id", ROLLING)
@pytest.mark.parametrize("camera", ROLL_CAMERAS.values(), ids=ROLL_CAMERAS.keys())
def test_a_shoulder_lift_just_past_the_line_is_caught_from_either_side(
    stretch_id: str, camera: Camera
) -> None:
    roll_deg = JUST_PAST_DEG[stretch_id]
    run = _run_with_camera(_shoulder_spec(stretch_id), _knees_rolled(stretch_id, camera, roll_deg))
    assert_flagged(run, "shoulders_lift", "left", 9.5)


def test_the_rise_reads_the_same_from_every_camera() -> None:
    """The same 10 degree lift reads 0.14 torso lengths within 0.02 from each camera (in
    shoulder widths on screen, the rule before, these cameras read 0.20 to 0.25)."""
    spec = hip_rotation_with_shoulder_check()

    def peak(camera: Camera) -> float:
        run = _run_with_camera(spec, _knees_rolled(spec.id, camera, 10))
        return max(r.measure("shoulder_rise", "left") for r in run.results if r.t_ms >= 11000)

    readings = [peak(c) for c in ROLL_CAMERAS.values()]
    assert max(readings) - min(readings) < 0.02
    assert all(0.12 < r < 0.17 for r in readings)


@pytest.mark.parametrize("stretch_id", ROLLING)
def test_a_far_shoulder_misread_from_the_other_side_is_not_a_lift(stretch_id: str) -> None:
    """As on dev r0163 (and r0071, r0098): shoulders on the mat, the camera on the other side
    of the body, far and low; MediaPipe's far (left) shoulder slides in and jitters up."""
    camera = ROLL_CAMERAS["other side, far and low (r0163)"]
    frames = _far_shoulder_misread(_knees_rolled(stretch_id, camera, 0), "left")
    assert _run_with_camera(_shoulder_spec(stretch_id), frames).events("shoulders_lift") == []
    # On screen in shoulder widths (the rule before) it is a lift.
    assert _run_with_camera(_shoulders_on_screen_rule(stretch_id), frames).events(
        "shoulders_lift", "left"
    )


def _shoulder_dragged_up(frames: list[PoseFrame], side: str, torso_share: float) -> list[PoseFrame]:
    """Emulate MediaPipe on dev r0137 (fall-out, good form, camera on the other side): as the
    knee falls out, ``side``'s hip point rises on screen and drags its shoulder up with it,
    ``torso_share`` torso lengths in position (r0137: 0.136 held, shoulders on the mat)."""
    rows = [index_of(n) for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
    row = index_of(f"{side}_shoulder")
    out = []
    for f in frames:
        xy = f.pose.image_xy.copy()
        ls, rs, lh, rh = xy[rows]
        torso_px = float(np.linalg.norm((ls + rs) / 2 - (lh + rh) / 2))
        xy[row, 1] -= _in_position(f.t_ms / 1000.0) * torso_share * torso_px
        out.append(replace(f, pose=Pose(xy, f.pose.visibility, f.pose.world_xyz)))
    return out


@pytest.mark.parametrize("camera", ROLL_CAMERAS.values(), ids=ROLL_CAMERAS.keys())
def test_a_fallout_shoulder_dragged_up_by_its_hip_point_is_not_a_lift(camera: Camera) -> None:
    """Fall-out, shoulders on the mat: MediaPipe draws the left shoulder up 0.14 torso lengths
    as the knee falls (dev r0137 0.136, r0345 0.155, r0384 0.119 held): under the fall-out's
    line of 0.17; at the supine hip rotation's 0.11 (the line before) it was a lift."""
    frames = _shoulder_dragged_up(_knees_rolled("supine_knee_fallout", camera, 0), "left", 0.14)
    fallout = load_by_id("supine_knee_fallout")
    assert _run_with_camera(fallout, frames).events("shoulders_lift") == []
    old = _without_line("supine_knee_fallout", "    above: 0.17\n", "    above: 0.11\n")
    assert _run_with_camera(old, frames).events("shoulders_lift", "left")


# -- supine knee drop and fall-out: feet_move in shoulder widths ------------------------------
KNEE_DROP = load_by_id("supine_knee_drop")
DROP_BENT = {"hip_flexion_deg": 45, "knee_flexion_deg": 90, "hip_abduction_deg": 8}
DROP_REST = Body("supine", left=Leg(**DROP_BENT), right=Leg(**DROP_BENT))
DROP_CAMERAS = {
    "advised": Camera.looking_at_feet(2.3, 1.0, 60),
    "other side": Camera.looking_at_feet(2.3, 1.0, -60),
    "other side, low": Camera.looking_at_feet(2.8, 0.7, -60),
}


def _knee_dropped(camera: Camera, side: str, feet_apart_deg: float = 0.0) -> list[PoseFrame]:
    """The ``side`` knee drops 35 degrees from 3 s and stays; from 9.3 s both feet slide
    apart (both legs open ``feet_apart_deg`` at the hip)."""
    other = "right" if side == "left" else "left"
    dropped = replace(DROP_REST, **{side: Leg(**DROP_BENT, roll_deg=35)})
    wide = {**DROP_BENT, "hip_abduction_deg": 8 + feet_apart_deg}
    apart = replace(dropped, **{side: Leg(**wide, roll_deg=35), other: Leg(**wide)})
    keys = [Key(0, DROP_REST), Key(IN_S, DROP_REST), Key(SET_S, dropped)]
    keys += [Key(FAULT_ON_S - 0.3, dropped), Key(FAULT_ON_S, apart), Key(FAULT_END_S, apart)]
    keys += [Key(FAULT_END_S + 2, apart)]
    return animate(keys, camera, fps=FPS, noise_px=0.5, noise_world_m=0.003, seed=2)


def _hips_close_up(frames: list[PoseFrame], near: str) -> list[PoseFrame]:
    """Emulate MediaPipe on dev r0105 (good form, camera on the other side): as the near knee
    drops, the near hip point slides a quarter of the way toward the far one on screen."""
    far = "right" if near == "left" else "left"
    n_row, f_row = index_of(f"{near}_hip"), index_of(f"{far}_hip")
    out = []
    for f in frames:
        xy = f.pose.image_xy.copy()
        xy[n_row] += _in_position(f.t_ms / 1000.0) * 0.25 * (xy[f_row] - xy[n_row])
        out.append(replace(f, pose=Pose(xy, f.pose.visibility, f.pose.world_xyz)))
    return out


def _feet_in_hip_widths(stretch_id: str, measure: str, line: float):
    """The rule before: the feet's spacing in hip widths on screen."""
    data = yaml.safe_load((SPEC_DIR / f"{stretch_id}.yaml").read_text())
    data["measures"][measure].update(ref_a="left_hip", ref_b="right_hip", divide_by="frame")
    fault = next(f for f in data["faults"] if f["id"] == "feet_move")
    fault.update(above=line, below=-line)
    return parse_spec(yaml.safe_dump(data, sort_keys=False), stretch_id)


@pytest.mark.parametrize("camera", DROP_CAMERAS.values(), ids=DROP_CAMERAS.keys())
def test_feet_sliding_just_past_the_line_are_caught_from_either_side(camera: Camera) -> None:
    # both legs opening 15 degrees more part the feet by 0.51-0.56 start shoulder widths (14:
    # 0.48-0.53); the line is 0.47 (session 13, was 0.4 with 13 degrees). Still feet read at
    # most 0.05.
    run = run_checker(KNEE_DROP, _knee_dropped(camera, "left", 15))
    assert_flagged(run, "feet_move", None, FAULT_ON_S)


@pytest.mark.parametrize("camera", DROP_CAMERAS.values(), ids=DROP_CAMERAS.keys())
def test_still_feet_are_clean(camera: Camera) -> None:
    assert run_checker(KNEE_DROP, _knee_dropped(camera, "left")).events("feet_move") == []


def test_hip_points_closing_up_as_the_knee_drops_are_not_feet_moving() -> None:
    """As on dev r0105 (good form, camera on the other side): the near (right) knee drops,
    MediaPipe's hip points close up, the ankles stay put."""
    frames = _hips_close_up(_knee_dropped(DROP_CAMERAS["other side"], "right"), "right")
    assert run_checker(KNEE_DROP, frames).events("feet_move") == []
    # In hip widths on screen (the rule before) the feet moved.
    assert run_checker(_feet_in_hip_widths(KNEE_DROP.id, "feet_width", 0.35), frames).events(
        "feet_move"
    )


def _flat_on_screen(rise_px: float) -> PoseGeometry:
    """Shoulders 100 pixels above the hips on screen (the torso), 60 apart, the left one
    ``rise_px`` higher than the right."""
    xy = np.zeros((NUM_LANDMARKS, 2))
    xy[index_of("left_hip")], xy[index_of("right_hip")] = (320, 300), (280, 300)
    xy[index_of("left_shoulder")], xy[index_of("right_shoulder")] = (330, 200 - rise_px), (270, 200)
    return PoseGeometry(Pose(xy, np.ones(NUM_LANDMARKS), np.zeros((NUM_LANDMARKS, 3))), 0.5)


@pytest.mark.parametrize(
    ("azimuth_deg", "elevation_deg"), [(80, 0), (0, 30), (60, 19), (-60, 19), (45, 60)]
)
def test_rise_off_floor_by_hand(azimuth_deg: float, elevation_deg: float) -> None:
    """A rise of 10 pixels over a 105 pixel torso (mid_shoulder to mid_hip), rescaled by how
    much the camera shortens the floor's up (cos el) and the body's length along the floor
    (hypot(sin az, cos az sin el)); either side of the body alike."""
    m = RiseOffFloor(
        metric="rise_off_floor",
        point="left_shoulder",
        reference="right_shoulder",
    ).seen_from(azimuth_deg, elevation_deg)
    az, el = math.radians(abs(azimuth_deg)), math.radians(elevation_deg)
    along = math.hypot(math.sin(az), math.cos(az) * math.sin(el))
    assert m.compute(_flat_on_screen(10.0), None) == pytest.approx(10 / 105 * along / math.cos(el))
    assert m.compute(_flat_on_screen(0.0), None) == pytest.approx(0.0)


# -- knee drop and fall-out: feet_move divided by the shoulders' width at the start ----------
def _far_shoulder_slides_out(frames: list[PoseFrame], near: str) -> list:
    """Emulate MediaPipe on dev r0313 (good form, the near knee dropping): the far shoulder
    drawn in toward the near one, the shoulders 27 of their true 52 pixels apart at rest and
    36 with the knee down (0.52 and 0.69 of their width)."""
    far = "right" if near == "left" else "left"
    f_row, n_row = index_of(f"{far}_shoulder"), index_of(f"{near}_shoulder")
    out = []
    for f in frames:
        xy = f.pose.image_xy.copy()
        width = 0.52 + _in_position(f.t_ms / 1000.0) * (0.69 - 0.52)
        xy[f_row] = xy[n_row] + width * (xy[f_row] - xy[n_row])
        out.append(replace(f, pose=Pose(xy, f.pose.visibility, f.pose.world_xyz)))
    return out


def _feet_per_frame_shoulders(stretch_id: str):
    """The rule before: the feet's spacing divided by the shoulders' width of each frame,
    line 0.3."""
    data = yaml.safe_load((SPEC_DIR / f"{stretch_id}.yaml").read_text())
    measure = "feet_width" if stretch_id == "supine_knee_drop" else "feet_gap"
    data["measures"][measure]["divide_by"] = "frame"
    fault = next(f for f in data["faults"] if f["id"] == "feet_move")
    fault.update(above=0.3, below=-0.3)
    return parse_spec(yaml.safe_dump(data, sort_keys=False), stretch_id)


def test_a_far_shoulder_sliding_out_as_the_knee_drops_is_not_feet_moving() -> None:
    """As on dev r0313 (good form): the shoulders read a third wider while the knee is
    down, the ankles stay put."""
    frames = _far_shoulder_slides_out(_knee_dropped(DROP_CAMERAS["advised"], "left"), "left")
    assert run_checker(KNEE_DROP, frames).events("feet_move") == []
    # Divided by each frame's shoulder width (the rule before) the feet moved.
    before = _feet_per_frame_shoulders(KNEE_DROP.id)
    assert run_checker(before, frames).events("feet_move")


@pytest.mark.parametrize("camera", DROP_CAMERAS.values(), ids=DROP_CAMERAS.keys())
def test_feet_sliding_are_caught_while_the_shoulders_misread(camera: Camera) -> None:
    """The slide past the line is still caught with the far shoulder sliding out."""
    frames = _far_shoulder_slides_out(_knee_dropped(camera, "left", 13), "left")
    assert_flagged(run_checker(KNEE_DROP, frames), "feet_move", None, FAULT_ON_S)


def test_divide_by_start_by_hand() -> None:
    """Ankles 60 pixels apart and shoulders 40 at the start: the ankles 72 apart with the
    shoulders read 60 is a change of 12 / 40 = 0.3 start shoulder widths (divided frame by
    frame: 72/60 - 60/40 = -0.3)."""
    spec = parse_spec(
        """
id: feet_by_hand
name: Feet by hand
position: lying on your back
summary: A test spec.
instructions: [Lie down., Stay still.]
camera: {view: feet_end_diagonal, height_m: 1.0, distance_m: 2.3, placement: Beyond the feet.}
dose: {kind: hold, hold_s: 5, reps_per_side: 1, sides: both}
measures:
  feet:
    metric: separation_ratio
    a: left_ankle
    b: right_ankle
    ref_a: left_shoulder
    ref_b: right_shoulder
    relative_to_start: true
    divide_by: start
active: {measure: feet, direction: up, enter: 5, exit: 4}
good_cue: Fine.
""",
        "feet_by_hand",
    )

    def frame(i: int, ankles_px: float, shoulders_px: float) -> PoseFrame:
        xy = np.full((NUM_LANDMARKS, 2), 200.0)
        xy[index_of("left_shoulder")] = (300 - shoulders_px / 2, 100)
        xy[index_of("right_shoulder")] = (300 + shoulders_px / 2, 100)
        xy[index_of("left_ankle")] = (300 - ankles_px / 2, 400)
        xy[index_of("right_ankle")] = (300 + ankles_px / 2, 400)
        pose = Pose(xy, np.ones(NUM_LANDMARKS), np.zeros((NUM_LANDMARKS, 3)))
        return PoseFrame(i, i * 100.0, 640, 480, pose)

    frames = [frame(i, 60, 40) for i in range(40)] + [frame(40 + i, 72, 60) for i in range(5)]
    run = run_checker(spec, frames)
    assert run.results[-1].measure("feet") == pytest.approx(0.3, abs=1e-6)


def test_divide_by_start_needs_a_relative_measure() -> None:
    text = (SPEC_DIR / "supine_knee_drop.yaml").read_text(encoding="utf-8")
    old = "    relative_to_start: true\n    divide_by: start\n"
    assert old in text
    with pytest.raises(SpecError, match="divide_by"):
        parse_spec(text.replace(old, "    divide_by: start\n"), "supine_knee_drop")


# -- supine hip rotation: knees_apart not checked from beyond the feet -----------------------
_BENCHMARK_CLIPS = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "clips"
_KNEES_APART_3D = """
measures:
  knee_gap:
    metric: separation_ratio
    a: left_knee
    b: right_knee
    space: world
    relative_to_start: true
faults:
  - id: knees_apart
    message: Keep your knees pressed together.
    why: The rule before, for comparison.
    measure: knee_gap
    side: none
    above: 0.6
    during: always
    severity: 1
"""


def _hip_rotation_with_knee_gap():
    """The rule before: the knees' 3D gap in hip widths, 0.6 from the start."""
    return with_check_back("supine_hip_rotation", _KNEES_APART_3D, "knees_apart")


def _replay_score(spec, clip: str):
    from posecheck.review.analysis import analyze_recording
    from posecheck.review.truth import load_truth, score

    analysis = analyze_recording(_BENCHMARK_CLIPS / f"{clip}.pose.json.gz", spec)
    return score(analysis, load_truth(_BENCHMARK_CLIPS / f"{clip}.truth.json.gz"))


def test_knees_apart_is_not_guessed_from_beyond_the_feet() -> None:
    """Dev r0227 (one knee rolling 40 degrees, the other 20: knees apart) and r0136 (knees
    together, a shoulder lifting): the 3D knee gap missed the first and flagged the second;
    the fault is now reported as not checked from this view."""
    spec = load_by_id("supine_hip_rotation")
    assert "knees_apart" in {n.id for n in spec.not_checked}
    apart = _replay_score(spec, "r0227_supine_hip_rotation_knees_apart_b04")
    assert [t.fault for t in apart.not_checked] == ["knees_apart"] and not apart.misses
    together = _replay_score(spec, "r0136_supine_hip_rotation_shoulders_lift_b09")
    assert not [e for e in together.false_alarms if e.fault_id == "knees_apart"]
    # The rule before: the knees apart missed, knees together flagged.
    before = _hip_rotation_with_knee_gap()
    assert [t.fault for t in _replay_score(before, apart.clip).misses] == ["knees_apart"]
    assert [
        e.fault_id
        for e in _replay_score(before, together.clip).false_alarms
        if e.fault_id == "knees_apart"
    ]


# -- supine hip rotation: shoulders_lift not checked from this view (session 14) -------------
def test_a_shoulder_lift_is_not_guessed_from_beyond_the_feet() -> None:
    """The upper trunk rolling 25 degrees with the knees (past the old line from every
    camera here) raises nothing: the stretch lists shoulders_lift as not checked from this
    view. The check as it was flags it."""
    spec = load_by_id("supine_hip_rotation")
    assert "shoulders_lift" in {n.id for n in spec.not_checked} and spec.faults == ()
    before = hip_rotation_with_shoulder_check()
    for camera in ROLL_CAMERAS.values():
        frames = _knees_rolled(spec.id, camera, 25)
        assert _run_with_camera(spec, frames).events("shoulders_lift") == []
        assert _run_with_camera(before, frames).events("shoulders_lift", "left")


def test_dev_shoulder_lifts_are_counted_not_checked_and_their_false_flags_are_gone() -> None:
    """Dev r0006 (a lift the check caught) and r2033 (a near miss it flagged three times):
    now the lift is counted as not checked from this view, and the near miss is quiet."""
    spec = load_by_id("supine_hip_rotation")
    lift = _replay_score(spec, "r0006_supine_hip_rotation_shoulders_lift_b07")
    assert [t.fault for t in lift.not_checked] == ["shoulders_lift"]
    assert lift.hits == () and lift.misses == ()
    near = _replay_score(spec, "r2033_supine_hip_rotation_near_shoulders_lift_b23")
    assert near.false_alarms == ()
    # The check as it was: a hit and three false flags.
    before = hip_rotation_with_shoulder_check()
    assert [t.fault for t, _ in _replay_score(before, lift.clip).hits] == ["shoulders_lift"]
    flagged = [e.fault_id for e in _replay_score(before, near.clip).false_alarms]
    assert flagged == ["shoulders_lift"] * 3


def test_the_report_and_the_cli_say_what_is_not_checked_in_plain_words(capsys) -> None:
    """The report names each fault the view cannot check with its message and a plain
    reason (no figures, no clip ids; the spec's ``why`` with the dev figures stays out), and
    ``posecheck analyze`` says them in one sentence."""
    from posecheck.cli import main
    from posecheck.review.analysis import analyze_recording
    from posecheck.review.report import report_dict

    spec = load_by_id("supine_hip_rotation")
    recording = _BENCHMARK_CLIPS / "r0006_supine_hip_rotation_shoulders_lift_b07.pose.json.gz"
    rep = report_dict(analyze_recording(recording, spec))
    entries = {e["fault"]: e for e in rep["not_checked"]}
    assert set(entries) == {"shoulders_lift", "knees_apart"}
    assert (
        entries["shoulders_lift"]["message"]
        == "Keep both shoulders on the mat by rolling less far."
    )
    for entry in entries.values():
        assert set(entry) == {"fault", "message", "reason"}
        assert not re.search(r"\d|MediaPipe|\bdev\b|session", entry["reason"]), entry
    assert all("Dev split" in n.why for n in spec.not_checked)
    assert main(["analyze", str(recording), "--stretch", spec.id]) == 0
    out = capsys.readouterr().out
    assert "Not checked from this view (" in out
    assert "keep both shoulders on the mat by rolling less far" in out
    assert "Keep both shoulders" not in out  # never flagged as a fault


# -- seated cross-ankle: back_rounded counted from the settled start (session 9) ---------------
# Leaning in to press the knee (the trunk 8 degrees forward, turned 30 and bent 10 toward the
# pressing hand) moves the head down the screen during the first second in position; the
# start is taken once the head holds still (``start_still_within``).
_PRESS_FROM_S, _PRESS_TO_S = SET_S, 6.2


def _cross_ankle_press_then(slump_deg: float, nod_deg: float) -> list[PoseFrame]:
    """Into the position, leaning in to press the knee over its first 1.2 s, held, then from
    FAULT_ON_S a slump of ``slump_deg`` with a nod of ``nod_deg``; the advised camera."""
    pose = _cross_ankle("left", 30)
    press = replace(pose, trunk_flexion_deg=8, trunk_twist_deg=30, trunk_side_bend_deg=10)
    held = replace(press, spine_round_deg=slump_deg, head_flexion_deg=nod_deg)
    keys = [Key(0, SITTING), Key(IN_S, SITTING), Key(SET_S, pose), Key(_PRESS_TO_S, press)]
    keys += [Key(FAULT_ON_S - 0.3, press), Key(FAULT_ON_S, held), Key(FAULT_END_S + 2, held)]
    return animate(keys, FRONT, fps=FPS, noise_px=0.5, noise_world_m=0.003, seed=2)


def _cross_ankle_start_unsettled():
    """Cross-ankle back_rounded before: counted from the first second in position."""
    return _without_line("seated_cross_ankle_rotation", "    start_still_within: 0.03\n", "")


def test_the_lean_in_to_press_the_knee_is_not_part_of_a_slump() -> None:
    # A slump short of the line after the lean reads 0.17 from the settled start (line
    # 0.195); from the first second in position, which catches half the lean, 0.22.
    frames = _cross_ankle_press_then(16, 8)
    assert run_checker(CROSS_ANKLE, frames).events("back_rounded") == []
    assert run_checker(_cross_ankle_start_unsettled(), frames).events("back_rounded")


def test_a_slump_past_the_line_after_the_lean_in_is_caught() -> None:
    # reads 0.22 from the settled start (line 0.195)
    run = run_checker(CROSS_ANKLE, _cross_ankle_press_then(20, 10))
    assert_flagged(run, "back_rounded", None, FAULT_ON_S)


def test_the_start_in_position_waits_until_the_head_holds_still() -> None:
    def first_known_s(spec) -> float:
        run = run_checker(spec, _cross_ankle_press_then(0, 0))
        return min(r.t_ms for r in run.results if not math.isnan(r.measure("head_drop"))) / 1e3

    entered_s = 4.5  # the ankle comes within 0.8 hip widths of the knee
    assert first_known_s(_cross_ankle_start_unsettled()) == pytest.approx(entered_s + 1.1)
    # still from the end of the lean: a second later it is taken
    assert first_known_s(CROSS_ANKLE) >= _PRESS_TO_S + 0.8


def test_a_person_who_never_holds_that_still_gets_a_start_after_a_while() -> None:
    """A range nobody holds within (0.5 px of noise moves the head more): the start is the
    latest window once _STILL_WAIT_S has passed in position, not never (the slump would be
    unknown for the whole hold, with no word about it). A slump under way in that window is
    then part of the start: the price of a start that never settles."""
    never = _without_line(
        "seated_cross_ankle_rotation",
        "    start_still_within: 0.03\n",
        "    start_still_within: 1e-6\n",
    )
    run = run_checker(never, _cross_ankle_press_then(0, 0))
    known = [r.t_ms / 1e3 for r in run.results if not math.isnan(r.measure("head_drop"))]
    entered_s = 4.5  # as above
    assert known and min(known) == pytest.approx(entered_s + 5.0, abs=0.25)
    assert all(not math.isnan(r.measure("head_drop")) for r in run.results if r.t_ms >= 9.6e3)


def test_start_still_within_needs_a_start_in_position() -> None:
    def at_rest(data: dict) -> None:
        data["measures"]["head_drop"]["start_in"] = "rest"

    with pytest.raises(SpecError, match="start_still_within"):
        parse_spec(_spec_with(at_rest), "x.yaml")


def test_a_slump_after_the_lean_in_is_caught_on_a_recording() -> None:
    """Dev r0048 (b01, a slump 1.57 of the line, sampled amplitude) is caught; dev r0243
    (b04, a near miss 0.83 of the line, the highest) reads 0.17 from the settled start and
    stays clean. (r0048's start was taken before the lean in and its slump read 0.22 against
    the old line 0.26; since a hold is carried through a leg swap, phases.py, the old rule
    catches it too, so the near miss is what tells the rules apart.)"""
    slump = _replay_score(CROSS_ANKLE, "r0048_seated_cross_ankle_rotation_back_rounded_b01")
    assert [t.fault for t, _ in slump.hits] == ["back_rounded"] and not slump.misses
    near = _replay_score(CROSS_ANKLE, "r0243_seated_cross_ankle_rotation_near_back_rounded_b04")
    assert not near.false_alarms
    # From the first second in position the near miss reads 0.22: flagged at this line ...
    unsettled = _cross_ankle_start_unsettled()
    assert [e.fault_id for e in _replay_score(unsettled, near.clip).false_alarms] == [
        "back_rounded"
    ]


# -- figure four: head_lifts counted from each hold (session 9) --------------------------------
def _figure_four_early_hold(head_deg: float) -> list[PoseFrame]:
    """In the figure four 1.2 s after appearing (before a start at rest can be taken: the
    estimator settles for 0.6 s, the start takes 1 s more), then from FAULT_ON_S the head
    nodded up off the mat by ``head_deg``; the advised side view."""
    pose = _figure_four("right", 110)
    held = replace(pose, head_flexion_deg=head_deg)
    keys = [Key(0, LYING), Key(0.5, LYING), Key(1.2, pose), Key(FAULT_ON_S - 0.3, pose)]
    keys += [Key(FAULT_ON_S, held), Key(FAULT_END_S + 2, held)]
    return animate(keys, SIDE_VIEW, fps=FPS, noise_px=0.5, noise_world_m=0.003, seed=2)


def test_a_head_lift_in_a_hold_begun_early_is_caught() -> None:
    """As on dev r0355 (b04): in position 1.6 s after appearing, the head's rise had no
    start at rest to count from during the whole hold, and its lift was never checked."""
    frames = _figure_four_early_hold(20)
    assert_flagged(run_checker(FIGURE_FOUR, frames), "head_lifts", None, FAULT_ON_S)
    old = _without_line("figure_four", "    start_in: position\n  hips_rise:", "  hips_rise:")
    assert run_checker(old, frames).events("head_lifts") == []
    # the head resting on the mat through the same early hold is clean
    assert run_checker(FIGURE_FOUR, _figure_four_early_hold(0)).events("head_lifts") == []


# -- clamshell: heels_apart in the hips' width at the start (session 9) ------------------------
def _clam_heel_lift(heel_deg: float, hips_spread: float) -> list[PoseFrame]:
    """The top knee opened 35 degrees and held, then from FAULT_ON_S the top leg also swung
    up ``heel_deg`` (the heel leaving the other); MediaPipe's hip points drawn apart by
    ``hips_spread`` of their width as the knee opens (dev r0224: 37 -> 42 pixels)."""
    top = CLAMSHELL_SCENARIO.pose("right", 35)
    lifted = _leg(top, "right", hip_abduction_deg=heel_deg)
    keys = [Key(0, _CLAM_REST), Key(IN_S, _CLAM_REST), Key(SET_S, top)]
    keys += [Key(FAULT_ON_S - 0.3, top), Key(FAULT_ON_S, lifted), Key(FAULT_END_S + 2, lifted)]
    frames = animate(keys, CLAMSHELL_SCENARIO.camera, fps=FPS, noise_px=0.5, seed=3)

    def apart(sign: float):
        def move(pose: Pose) -> np.ndarray:
            left, right = (pose.image_xy[index_of(n)] for n in ("left_hip", "right_hip"))
            return sign * hips_spread / 2 * (left - right)

        return move

    frames = _shift(frames, ("left_hip",), image=apart(1.0))
    return _shift(frames, ("right_hip",), image=apart(-1.0))


def _heel_gap_in_each_frames_width():
    """Clamshell heels_apart before: the gap divided by each frame's hip width."""
    return _without_line("clamshell", "    divide_by: start\n", "")


def test_a_heel_lift_is_caught_while_the_hip_points_spread() -> None:
    # 8 degrees reads 0.36 in the start's hip width (line 0.3), 0.20 in each frame's
    frames = _clam_heel_lift(8, 0.15)
    # within 1.5 s: the lift takes 0.3 s and the gap must stay over the line 0.8 s
    assert_flagged(run_checker(CLAMSHELL, frames), "heels_apart", None, FAULT_ON_S, within_s=1.5)
    assert run_checker(_heel_gap_in_each_frames_width(), frames).events("heels_apart") == []


def test_heels_together_with_the_hip_points_spread_are_clean() -> None:
    # the heels together read 0.03; a 6 degree swing, a near miss, 0.27
    for heel_deg in (0, 6):
        frames = _clam_heel_lift(heel_deg, 0.15)
        assert run_checker(CLAMSHELL, frames).events("heels_apart") == []


# -- supine knee drop, other_knee_falls: outward only, both knees seen, the start kept ---------
# (session 9, dev split: r0170, r0404 copied drops; r0209, r0339 the near knee following the far
# one; r0352 the start taken again mid-hold)
_DROP_72 = Camera.looking_at_feet(2.3, 1.0, 72)  # the left knee nearer the camera


def _other_knee_rolls(camera: Camera, working: str, roll_deg: float) -> list[PoseFrame]:
    """The ``working`` knee drops 35 degrees from 3 s and stays; from 9.3 s the other knee
    rolls ``roll_deg`` (negative: outward, away from the working knee)."""
    other = "right" if working == "left" else "left"
    dropped = replace(DROP_REST, **{working: Leg(**DROP_BENT, roll_deg=35)})
    fallen = replace(dropped, **{other: Leg(**DROP_BENT, roll_deg=roll_deg)})
    keys = [Key(0, DROP_REST), Key(IN_S, DROP_REST), Key(SET_S, dropped)]
    keys += [Key(FAULT_ON_S - 0.3, dropped), Key(FAULT_ON_S, fallen), Key(FAULT_END_S, fallen)]
    keys += [Key(FAULT_END_S + 2, fallen)]
    return animate(keys, camera, fps=FPS, noise_px=0.5, noise_world_m=0.003, seed=2)


@pytest.mark.parametrize(
    ("camera", "roll_deg"),
    [
        (DROP_CAMERAS["advised"], -28),
        (DROP_CAMERAS["other side"], -18),
        (DROP_CAMERAS["other side, low"], -18),
    ],
    ids=["advised, far knee", "other side, near knee", "other side, low, near knee"],
)
def test_the_other_knee_falling_outward_just_past_the_line_is_caught(
    camera: Camera, roll_deg: float
) -> None:
    # Read through the body's camera (session 14, `other_fall`), the near knee's 18 degrees
    # outward reads 0.30-0.42 shin lengths, the far knee's 25 only 0.22-0.30 (the body's
    # camera stands 53 degrees round for a true 60), 28 past the line 0.25: the far knee
    # needs a larger fall than before (18 read 13-19 on the old line -12).
    # The hips read 0.31 trunk lengths from 60 degrees round: both knees are checked.
    run = run_checker(KNEE_DROP, _other_knee_rolls(camera, "left", roll_deg))
    assert_flagged(run, "other_knee_falls", "right", FAULT_ON_S)


_OTHER_FALL_RULE = "    measure: other_fall\n    side: other\n    above: 0.25\n"


def _other_knee_both_ways():
    """The rule before session 9: the other knee's `drop` checked falling either way."""
    return _without_line(
        KNEE_DROP.id,
        _OTHER_FALL_RULE,
        "    measure: drop\n    side: other\n    above: 12\n    below: -12\n",
    )


def test_the_other_knee_read_falling_inward_is_not_a_fault() -> None:
    """MediaPipe copies the working knee's drop onto the other knee (dev r0170: +15, r0404:
    +11 in good form); a real fall of the other knee goes outward, with the pelvis. Emulated:
    the other knee read 16 degrees inward (18.7 on screen from the other side)."""
    frames = _other_knee_rolls(DROP_CAMERAS["other side"], "left", 16)
    assert run_checker(KNEE_DROP, frames).events("other_knee_falls") == []
    assert run_checker(_other_knee_both_ways(), frames).events("other_knee_falls", "right")


def test_the_near_knee_following_the_far_one_from_far_round_is_not_checked() -> None:
    """Dev r0209 (good form, 72 degrees round): as the far knee drops toward the camera it
    passes in front of the near one, whose point MediaPipe pulls outward (-17 to -19 for a
    true 0). Emulated: the near knee rolled 16 degrees outward from 72 degrees round, where
    the hips read 0.22 trunk lengths: not checked from this view, and said so."""
    frames = _other_knee_rolls(_DROP_72, "right", -16)
    run = run_checker(KNEE_DROP, frames)
    assert run.events("other_knee_falls") == []
    unseen = {(u.fault_id, u.side) for r in run.results for u in r.unseen_faults}
    assert ("other_knee_falls", "left") in unseen
    # The rule before: only the far knee hidden, and only below 0.2: the near knee flagged.
    before = _without_line(
        KNEE_DROP.id,
        "      above: 0.27\n      reason: >-\n        From this side angle your far knee",
        "      above: 0.2\n      applies_to: far_side\n      reason: >-\n"
        "        From this side angle your far knee",
    )
    assert run_checker(before, frames).events("other_knee_falls", "left")


def _far_knee_short_near_knee_out(fall: bool) -> list[PoseFrame]:
    """From 60 degrees round: from 3 s the far (right) knee drops 14 degrees (read about 10,
    under the entry line) while the near one falls 20 outward (read about -22), held 4 s
    (``fall`` False: both stay at rest); back at rest by 11 s; from 13 s the near knee drops
    35 and holds."""
    camera = DROP_CAMERAS["advised"]
    bent = Leg(**DROP_BENT)
    fallen = replace(DROP_REST, right=replace(bent, roll_deg=14), left=replace(bent, roll_deg=-20))
    held = fallen if fall else DROP_REST
    drop = replace(DROP_REST, left=replace(bent, roll_deg=35))
    keys = [Key(0, DROP_REST), Key(3, DROP_REST), Key(5, held), Key(9, held)]
    keys += [Key(11, DROP_REST), Key(13, DROP_REST), Key(15, drop), Key(18, drop)]
    return animate(keys, camera, fps=FPS, noise_px=0.5, noise_world_m=0.003, seed=2)


def test_the_other_knee_falling_outward_is_not_a_start_taken_mid_hold() -> None:
    """Dev r0352: the far knee's drop read under the entry line and the near knee fell 20
    degrees outward: read as coming out of a stretch the start had been taken in, the start
    was taken again mid-hold, with the fallen knee, and the next drop read 20 degrees high
    (ROM error 21.7 -> 3.2 with the start kept). A side reading in the stretch past the exit
    line keeps the start."""
    with_fall = run_checker(KNEE_DROP, _far_knee_short_near_knee_out(True)).results[-1]
    plain = run_checker(KNEE_DROP, _far_knee_short_near_knee_out(False)).results[-1]
    assert with_fall.state == plain.state == "active"
    assert with_fall.measure("drop", "left") == pytest.approx(
        plain.measure("drop", "left"), abs=3.0
    )


# -- supine knee drop: pelvis_rolls not checked from beyond the feet (session 9) ---------------
_PELVIS_TWIST_RULE = """
measures:
  pelvis_twist:
    metric: segment_angle
    description: Angle between the hip line and the shoulder line on screen, from the start.
    a_start: left_hip
    a_end: right_hip
    b_start: left_shoulder
    b_end: right_shoulder
    space: image
    relative_to_start: true
faults:
  - id: pelvis_rolls
    message: Keep your pelvis flat on the floor.
    why: The rule before (session 8).
    measure: pelvis_twist
    side: none
    above: 10
    during: active
    severity: 2
"""


def test_a_pelvis_roll_is_not_guessed_from_beyond_the_feet() -> None:
    """Dev r0248 (a true 14 degree roll: the hip line turned 0.6 degrees against the
    shoulders) and r0274 (good form: 12.2, MediaPipe's hip points following the dropping
    knee): the hip line against the shoulders missed the first and flagged the second; the
    fault is now reported as not checked from this view. On an exact synthetic body the old
    rule did see a 20 degree roll: the estimator's hips, not the line, were wrong."""
    assert "pelvis_rolls" in {n.id for n in KNEE_DROP.not_checked}
    rolled = replace(DROP_REST, left=Leg(**DROP_BENT, roll_deg=35))
    # the pelvis and legs roll 20 degrees, the shoulders turned back so they stay flat
    rolls = _frames(
        DROP_CAMERAS["advised"], DROP_REST, rolled, body_roll_deg=-20.0, trunk_twist_deg=20.0
    )
    assert "pelvis_rolls" not in run_checker(KNEE_DROP, rolls).fault_ids()
    before = with_check_back(KNEE_DROP.id, _PELVIS_TWIST_RULE, "pelvis_rolls")
    assert "pelvis_rolls" in run_checker(before, rolls).fault_ids()
    roll = _replay_score(KNEE_DROP, "r0248_supine_knee_drop_pelvis_rolls_b09")
    assert [t.fault for t in roll.not_checked] == ["pelvis_rolls"] and not roll.misses
    good = _replay_score(KNEE_DROP, "r0274_supine_knee_drop_good_b03")
    assert good.flags == 0, [e.fault_id for e in good.false_alarms]
    assert [t.fault for t in _replay_score(before, roll.clip).misses] == ["pelvis_rolls"]
    assert [e.fault_id for e in _replay_score(before, good.clip).false_alarms] == ["pelvis_rolls"]


# -- prone hip IR, hips_lift: the lower hip's rise off the floor (session 9) -------------------
PRONE = load_by_id("prone_internal_rotation")
_PRONE_TURNED = replace(PRONE_REST, left=Leg(knee_flexion_deg=90, hip_rotation_deg=35))


def _prone_hips_on_screen():
    """The rule before: the middle of the hips' rise on screen, in torso lengths, above 0.09."""
    data = yaml.safe_load((SPEC_DIR / "prone_internal_rotation.yaml").read_text())
    data["measures"]["hips_rise"] = {
        "metric": "vertical_offset",
        "point": "mid_hip",
        "reference": "mid_shoulder",
        "relative_to_start": True,
    }
    next(f for f in data["faults"] if f["id"] == "hips_lift")["above"] = 0.09
    return parse_spec(yaml.safe_dump(data, sort_keys=False), "prone_internal_rotation")


def _torso_px(pose: Pose) -> float:
    xy = pose.image_xy
    mid = [
        (xy[index_of(f"left_{p}")] + xy[index_of(f"right_{p}")]) / 2 for p in ("shoulder", "hip")
    ]
    return float(np.linalg.norm(mid[0] - mid[1]))


@pytest.mark.parametrize("camera", PRONE_CAMERAS.values(), ids=PRONE_CAMERAS.keys())
def test_a_pelvis_lift_just_past_the_line_is_caught_lying_face_down(camera: Camera) -> None:
    # 6 cm reads about 0.114 torso lengths (the line is 0.095, about 5 cm); 3 cm about 0.055.
    run = _run_with_camera(PRONE, _frames(camera, PRONE_REST, _PRONE_TURNED, pelvis_lift_m=0.06))
    assert_flagged(run, "hips_lift", None, FAULT_ON_S)
    low = _run_with_camera(PRONE, _frames(camera, PRONE_REST, _PRONE_TURNED, pelvis_lift_m=0.03))
    assert "hips_lift" not in low.fault_ids()


@pytest.mark.parametrize("camera", PRONE_CAMERAS.values(), ids=PRONE_CAMERAS.keys())
def test_a_hip_point_following_the_turning_thigh_is_not_a_pelvis_lift(camera: Camera) -> None:
    """Dev r0117 (good form): MediaPipe's hip points rose with the turning thighs, one by
    0.14 torso lengths and the other by 0.08 (through the camera). Emulated: the turning
    leg's hip point drawn 0.3 torso lengths up the screen, the other 0.08."""
    frames = _frames(camera, PRONE_REST, _PRONE_TURNED)
    frames = _shift(frames, ("left_hip",), image=lambda p: np.array([0.0, -0.3 * _torso_px(p)]))
    frames = _shift(frames, ("right_hip",), image=lambda p: np.array([0.0, -0.08 * _torso_px(p)]))
    assert "hips_lift" not in _run_with_camera(PRONE, frames).fault_ids()
    assert "hips_lift" in _run_with_camera(_prone_hips_on_screen(), frames).fault_ids()


def test_lower_of_needs_a_per_side_measure() -> None:
    text = (SPEC_DIR / "prone_internal_rotation.yaml").read_text(encoding="utf-8")
    assert "    of: hip_rise\n" in text
    with pytest.raises(SpecError, match="'hips_rise' is not a per-side measure"):
        parse_spec(text.replace("    of: hip_rise\n", "    of: hips_rise\n"), "prone.yaml")
    with pytest.raises(SpecError, match="not defined"):
        parse_spec(text.replace("    of: hip_rise\n", "    of: hip_rize\n"), "prone.yaml")
    assert not PRONE.sided["hips_rise"] and PRONE.sided["hip_rise"]


# -- prone hip IR, hips_lift: not checked from nearly straight beyond the feet (session 10) ----
#: 15 degrees round from straight beyond the feet, 0.5 m high: the camera shows about 0.35 of
#: the body's length (dev r0117 0.43, r0325 0.54; every dev lift 0.63 or more).
PRONE_END_ON = Camera.looking_at_feet(2.0, 0.5, 15, "prone")


def _without_view_line():
    """The prone spec with its hips_lift checked from every view (the view line put low)."""
    view = "      measure: length_seen\n      above: {}\n"
    return _without_line("prone_internal_rotation", view.format(0.6), view.format(0.05))


@pytest.mark.parametrize(
    ("azimuth_deg", "elevation_deg", "share"),
    [
        (90, 0, 1.0),
        (90, 40, 1.0),
        (0, 30, 0.5),
        (0, 0, 0.0),
        (-90, 10, 1.0),
        (60, 20, math.hypot(math.sqrt(3) / 2, 0.5 * math.sin(math.radians(20)))),
    ],
)
def test_length_seen_by_hand(azimuth_deg: float, elevation_deg: float, share: float) -> None:
    """From the side the whole length shows; straight along the body, only what the height
    lifts into view (sin el); either side alike."""
    assert length_seen(azimuth_deg, elevation_deg) == pytest.approx(share, abs=1e-9)


def test_the_length_seen_waits_for_the_body_camera() -> None:
    """Through the camera estimated from the body, the view measure is unknown until that
    camera is known (the advised view is not taken for it); through the advised view it
    reads that angle's share."""
    g = _flat_on_screen(0.0)  # no body stage: no camera estimated from the body
    assert math.isnan(PRONE.measures["length_seen"].compute(g, None))
    fixed = LengthSeen(metric="length_seen").seen_from(45, 20)
    assert fixed.compute(g, None) == pytest.approx(length_seen(45, 20))
    run = _run_with_camera(PRONE, _frames(PRONE_CAMERAS["advised"], PRONE_REST, _PRONE_TURNED))
    # 45 degrees round, 22 up (0.8 m high, 2 m away) shows 0.75 of the length; the camera
    # estimated from this synthetic body stands about 32 round, 17 up: 0.62
    assert 0.6 < run.results[-1].measure("length_seen") < 0.8


def test_a_pelvis_lift_seen_end_on_is_not_checked_and_says_why() -> None:
    """A 6 cm lift from nearly straight beyond the feet: not checked from this view (never
    flagged, the time kept as not seen with the reason), where the advised view catches it."""
    frames = _frames(PRONE_END_ON, PRONE_REST, _PRONE_TURNED, pelvis_lift_m=0.06)
    run = _run_with_camera(PRONE, frames)
    assert "hips_lift" not in run.fault_ids()
    spans = [s for s in run.summary.not_seen if s.fault_id == "hips_lift"]
    assert spans and "end-on" in spans[0].reason
    # Without the view line the same frames are checked (and the jitter below reads a lift).
    no_view = _without_view_line()
    assert "hips_lift" in _run_with_camera(no_view, frames).fault_ids()


def test_hip_points_jittering_up_seen_end_on_are_not_a_pelvis_lift() -> None:
    """As dev r0117 (good form, 25 degrees round, camera on the floor): from nearly straight
    beyond the feet the thighs point at the camera, and MediaPipe's hip points ride up the
    screen with them as the leg turns. Emulated: both hip points drawn up 0.6 of the torso
    as it shows on screen (it shows about a fifth of its length here: a 0.13 rise). Not
    checked from this view; checked, it is a lift."""
    frames = _frames(PRONE_END_ON, PRONE_REST, _PRONE_TURNED)
    up = lambda p: np.array([0.0, -0.6 * _torso_px(p)])  # noqa: E731
    frames = _shift(_shift(frames, ("left_hip",), image=up), ("right_hip",), image=up)
    assert "hips_lift" not in _run_with_camera(PRONE, frames).fault_ids()
    no_view = _without_view_line()
    assert "hips_lift" in _run_with_camera(no_view, frames).fault_ids()


# -- clamshell: too_fast, a resting knee's reading jumping between two levels (dev r0211) --
def _clam_times(values: list[float], step_ms: float, jump_within_s: float | None = 0.12) -> list:
    """The times the clamshell's lift timer reports for ``values`` read ``step_ms`` apart,
    with the spec's ``jump_within_s`` replaced by the one given (None: the old timer)."""
    metric = CLAMSHELL.measures["opening_time"].model_copy(update={"jump_within_s": jump_within_s})
    timer = MoveTimer(metric)
    times = [timer.update(i * step_ms, v) for i, v in enumerate(values)]
    return [x for x in times if x == x]


def _resting_knee_jumping(frames_at_true: int) -> list[float]:
    """Dev r0211 (b04, heels_apart, no quick lift): between lifts the still top knee read 15
    degrees open (truly 0), then its true 0 for two frames (and later four), then 15 again,
    and the next slow lift to 35 followed."""
    rest = [15.0, 15.3, 14.9, 15.1, 15.2]
    slow_lift = [15.0 + 20.0 * min(1.0, i / 8.0) for i in range(1, 16)]  # 0.8 s, held
    return rest + [0.3] * frames_at_true + rest + slow_lift


def test_a_resting_knee_read_jumping_between_two_levels_is_not_a_quick_lift() -> None:
    """Each jump of r0211's resting knee, 15 -> 0 -> 15 between one frame and the next, was
    timed as a 0.06 s lift: two false too_fast. A movement with no frame inside its middle,
    passed between frames at most ``jump_within_s`` apart, is not timed; the old timer
    (without it) flags the jump, so the test can fail."""
    line = next(f for f in CLAMSHELL.faults if f.id == "too_fast").below or 0.0
    for frames_at_true in (2, 4):
        values = _resting_knee_jumping(frames_at_true)
        assert all(t >= line for t in _clam_times(values, 100.0)), frames_at_true
        assert any(t < line for t in _clam_times(values, 100.0, None)), frames_at_true
    spec_metric = CLAMSHELL.measures["opening_time"]
    assert spec_metric.jump_within_s is not None and spec_metric.jump_within_s >= 0.1001


def test_a_quick_lift_with_a_frame_in_its_middle_is_still_timed() -> None:
    """The quickest real lifts on dev (r0055, b08: the middle of each in 0.16-0.18 s) show a
    frame or two inside their middle at 10 a second: still timed, still under the line. A
    jump between frames further apart than ``jump_within_s`` (a slow camera, dropped frames
    live) is timed as before: there a real quick lift may pass its middle between frames."""
    line = next(f for f in CLAMSHELL.faults if f.id == "too_fast").below or 0.0
    quick = [0.0] * 10 + [5.0, 18.0, 31.0, 35.0] + [35.0] * 8 + [28.0, 10.0, 1.0] + [0.0] * 8
    times = _clam_times(quick, 100.0)
    assert times and all(t < line for t in times), times
    jump = [0.0] * 6 + [35.0] * 6 + [0.0] * 6
    assert any(t < line for t in _clam_times(jump, 200.0))
    assert _clam_times(jump, 100.0) == []


def _clam_on_both_legs(jump_rule: bool = True):
    """The clamshell's too_fast on both legs (``side: each``, before session 11), without
    the jump rule if asked."""
    text = (SPEC_DIR / "clamshell.yaml").read_text(encoding="utf-8")
    rule = "    measure: opening_time\n"
    for old, new in (
        (f"{rule}    side: working\n", f"{rule}    side: each\n"),
        ("    jump_within_s: 0.12\n", "    jump_within_s: 0.12\n" if jump_rule else ""),
    ):
        assert old in text
        text = text.replace(old, new)
    return parse_spec(text, "clamshell")


def test_r0211_resting_knee_jumps_raise_no_too_fast() -> None:
    """The recording itself (dev r0211, b04): both heel lifts still caught, and no too_fast
    from the resting knee's jumps (the top knee's); without the spec's ``jump_within_s``,
    two."""
    clip = "r0211_clamshell_heels_apart_b04"
    now = _replay_score(CLAMSHELL, clip)
    assert [h[0].fault for h in now.hits] == ["heels_apart", "heels_apart"]
    assert now.false_alarms == ()
    before = _clam_on_both_legs(jump_rule=False)
    assert [e.fault_id for e in _replay_score(before, clip).false_alarms] == ["too_fast"] * 2


def test_a_bottom_knee_misread_as_a_quick_lift_is_not_too_fast() -> None:
    """Slow reps of the top (right) knee; while it is held open, the bottom knee's points
    are misread 20 degrees out and back within 0.4 s (a lift timed at about 0.1 s). Only the
    top leg is timed: no too_fast; timed on both legs (``side: each``), the bottom knee's is
    flagged, so the test can fail. None either with two frames in three dropped."""
    frames = _clam_reps(0.8, 35)
    p0 = frames[0].pose
    lk, rk = index_of("left_knee"), index_of("right_knee")
    world = 0.6 * (p0.world_xyz[lk] - p0.world_xyz[rk])  # away from the top knee
    image = 0.6 * (p0.image_xy[lk] - p0.image_xy[rk])

    def kick(t_s: float) -> float:  # out over 0.1 s at 3.2 s, held 0.2 s, back over 0.1 s
        return min(1.0, max(0.0, 1.0 - (abs(t_s - 3.35) - 0.1) / 0.1))

    kicked = _shift(frames, ("left_knee",), image=lambda pose: image, world=world, ramp=kick)
    assert run_checker(CLAMSHELL, frames).events("too_fast") == []
    assert run_checker(CLAMSHELL, kicked).events("too_fast") == []
    both = _clam_on_both_legs()
    assert [e.side for e in run_checker(both, kicked).events("too_fast")] == ["left"]
    kept = kicked[::3]
    assert run_checker(CLAMSHELL, kept).events("too_fast") == []
