"""The checker on synthetic sequences for the two foundation stretches.

Each sequence: rest, one side eases in and holds, (optionally) a fault is injected for a few
seconds mid-hold, the side eases out, rest, the other side. Every angle is known.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck.body.geometry import PoseGeometry
from posecheck.body.synthetic import Body, Camera, Key, Leg, animate, with_body
from posecheck.coaching.checker import StretchChecker
from posecheck.pose.landmarks import Pose, PoseFrame, index_of
from posecheck.specs.schema import load_by_id
from tests.helpers import Run, assert_flagged, prone_with_knee_check, run_checker

FPS = 10
FAULT_ON_S, FAULT_OFF_S = 11.0, 15.0  # the injected fault is fully present in between


def two_sided_hold(
    rest: Body,
    left: Body,
    right: Body,
    camera: Camera,
    *,
    hold_s: float = 31,
    left_fault: Body | None = None,
    ramp_s: float = 2.0,
    fps: float = FPS,
) -> list[PoseFrame]:
    """rest 2 s, left in over ramp_s, hold, out, rest 2 s, right in, hold, out, rest 2 s.
    ``left_fault`` replaces ``left`` between FAULT_ON_S and FAULT_OFF_S (0.5 s ramps)."""
    t = 2.0
    keys = [Key(0, rest), Key(t, rest), Key(t + ramp_s, left)]
    if left_fault is not None:
        keys += [
            Key(FAULT_ON_S - 0.5, left),
            Key(FAULT_ON_S, left_fault),
            Key(FAULT_OFF_S, left_fault),
            Key(FAULT_OFF_S + 0.5, left),
        ]
    t = t + ramp_s + hold_s
    keys += [Key(t, left), Key(t + ramp_s, rest), Key(t + ramp_s + 2, rest)]
    t = t + ramp_s + 2
    keys += [
        Key(t + ramp_s, right),
        Key(t + ramp_s + hold_s, right),
        Key(t + 2 * ramp_s + hold_s, rest),
        Key(t + 2 * ramp_s + hold_s + 2, rest),
    ]
    return animate(keys, camera, fps=fps, noise_px=0.5, seed=1)


# ---------------------------------------------------------------------------------------------
# Prone internal rotation

PRONE_SPEC = load_by_id("prone_internal_rotation")
PRONE_CAMERA = Camera.looking_at_feet(2.0, 0.8, 45, "prone")
PRONE_REST = Body("prone", left=Leg(knee_flexion_deg=90), right=Leg(knee_flexion_deg=90))
PRONE_LEFT = with_body(PRONE_REST, left={"knee_flexion_deg": 90, "hip_rotation_deg": 35})
PRONE_RIGHT = with_body(PRONE_REST, right={"knee_flexion_deg": 90, "hip_rotation_deg": 30})


def prone(left_fault: Body | None = None) -> list[PoseFrame]:
    return two_sided_hold(PRONE_REST, PRONE_LEFT, PRONE_RIGHT, PRONE_CAMERA, left_fault=left_fault)


def prone_left(**leg: float) -> Body:
    return with_body(PRONE_LEFT, left={"knee_flexion_deg": 90, "hip_rotation_deg": 35, **leg})


def test_prone_clean_sequence_counts_and_measures_without_faults():
    run = run_checker(PRONE_SPEC, prone())
    assert run.summary.faults == ()
    assert dict(run.summary.reps) == {"left": 1, "right": 1}
    assert run.summary.holds_completed == 2
    assert [h.side for h in run.summary.holds] == ["left", "right"]
    best = dict(run.summary.best_rom_deg)
    # Camera-corrected from a 45 deg diagonal; perspective leaves up to ~2.5 deg on the far leg.
    assert best["left"] == pytest.approx(35, abs=2.5)
    assert best["right"] == pytest.approx(30, abs=2.5)
    assert run.summary.rom_asymmetry_deg == pytest.approx(5, abs=4.0)  # both legs' errors
    assert {"settling", "rest", "active"} <= run.states()


PRONE_FAULTS = [
    # (fault id, side, clearly wrong body, borderline-but-fine body)
    (
        "hips_lift",
        None,
        with_body(PRONE_LEFT, pelvis_lift_m=0.06),
        with_body(PRONE_LEFT, pelvis_lift_m=0.015),
    ),
    # knee_twists and knee_lifts are not checked from this view (see the spec's not_checked).
]


@pytest.mark.parametrize(
    ("fault_id", "side", "bad", "fine"), PRONE_FAULTS, ids=[f[0] for f in PRONE_FAULTS]
)
def test_prone_fault_is_flagged_on_the_right_side_and_released(fault_id, side, bad, fine):
    run = run_checker(PRONE_SPEC, prone(left_fault=bad))
    assert_flagged(run, fault_id, side, onset_s=FAULT_ON_S - 0.25, end_s=FAULT_OFF_S + 0.5)
    borderline = run_checker(PRONE_SPEC, prone(left_fault=fine))
    assert borderline.summary.faults == (), [e.fault_id for e in borderline.summary.faults]


def test_prone_knee_bend_is_checked_at_rest():
    """A fault checked at rest (``during: rest``): the knees at a right angle."""

    def bend(deg: float) -> list[PoseFrame]:
        off = with_body(PRONE_REST, left={"knee_flexion_deg": deg})
        keys = [
            Key(0, PRONE_REST),
            Key(3, PRONE_REST),
            Key(3.5, off),
            Key(7, off),
            Key(7.5, PRONE_REST),
            Key(10, PRONE_REST),
        ]
        return animate(keys, PRONE_CAMERA, fps=FPS, noise_px=0.5, seed=2)

    # The spec lists the knee bend as not checked (MediaPipe misreads it from beyond the
    # feet); the checking at rest is tested on the rule as it was.
    spec = prone_with_knee_check()
    assert_flagged(run_checker(spec, bend(55)), "knee_bend_off", "left", onset_s=3.3, end_s=7.5)
    assert run_checker(spec, bend(78)).summary.faults == ()
    assert run_checker(PRONE_SPEC, bend(55)).summary.faults == ()


def test_prone_hold_timer_pauses_while_hips_are_up():
    run = run_checker(PRONE_SPEC, prone(left_fault=with_body(PRONE_LEFT, pelvis_lift_m=0.06)))
    left_hold = run.summary.holds[0]
    # ~4.5 s of the 33 s in position had the hips up: that time does not count.
    assert 26 < left_hold.held_s < 30
    assert not left_hold.completed
    during = [r for r in run.results if FAULT_ON_S + 1 < r.t_ms / 1000 < FAULT_OFF_S]
    assert len({round(r.hold_s, 3) for r in during}) == 1  # frozen


def test_prone_hidden_knee_is_unknown_with_a_reason_not_a_fault():
    frames = prone()
    hidden = [
        PoseFrame(f.index, f.t_ms, f.width, f.height, f.pose.hidden("left_knee"))
        if FAULT_ON_S <= f.t_ms / 1000 <= FAULT_OFF_S
        else f
        for f in frames
    ]
    run = run_checker(PRONE_SPEC, hidden)
    assert run.summary.faults == ()
    unknown = [r for r in run.results if r.state == "unknown"]
    assert unknown, "hiding the working knee must give the unknown state"
    assert all(r.reason == "I can't see your left knee" for r in unknown)
    assert all(FAULT_ON_S <= r.t_ms / 1000 <= FAULT_OFF_S for r in unknown)
    assert run.summary.unknown_s == pytest.approx(FAULT_OFF_S - FAULT_ON_S, abs=0.3)


def test_no_person_frames_are_their_own_state_and_timed():
    frames = prone()[:200]
    gap = [
        PoseFrame(f.index, f.t_ms, f.width, f.height, None) if 60 <= f.index < 90 else f
        for f in frames
    ]
    run = run_checker(PRONE_SPEC, gap)
    states = [r.state for r in run.results]
    assert states[60:90] == ["no_person"] * 30
    assert run.results[60].reason == "I can't see anyone. Step into the view."
    assert run.summary.no_person_s == pytest.approx(3.0, abs=0.15)
    # After a long gap the estimator settles again before anything is judged.
    assert states[90] == "settling"


def test_time_must_not_go_backwards():
    frames = prone()[:3]
    checker = StretchChecker(PRONE_SPEC)
    checker.update(frames[2])
    with pytest.raises(ValueError, match="backwards"):
        checker.update(frames[0])


# ---------------------------------------------------------------------------------------------
# Supine knee drop

DROP_SPEC = load_by_id("supine_knee_drop")
DROP_CAMERA = Camera.looking_at_feet(2.3, 1.0, 60, "supine")
BENT = {"hip_flexion_deg": 45, "knee_flexion_deg": 90, "hip_abduction_deg": 8}
DROP_REST = Body("supine", left=Leg(**BENT), right=Leg(**BENT))
DROP_LEFT = with_body(DROP_REST, left={**BENT, "roll_deg": 35})
DROP_RIGHT = with_body(DROP_REST, right={**BENT, "roll_deg": 30})


def knee_drop(left_fault: Body | None = None, ramp_s: float = 2.0) -> list[PoseFrame]:
    return two_sided_hold(
        DROP_REST, DROP_LEFT, DROP_RIGHT, DROP_CAMERA, left_fault=left_fault, ramp_s=ramp_s
    )


def test_knee_drop_clean_sequence():
    run = run_checker(DROP_SPEC, knee_drop())
    assert run.summary.faults == ()
    assert dict(run.summary.reps) == {"left": 1, "right": 1}
    assert run.summary.holds_completed == 2
    best = dict(run.summary.best_rom_deg)
    # Measured on screen from a 60 deg diagonal: the leg nearer the camera reads high, the far
    # one low (each rolls about an axis splayed the other way from the hip line). 7.5 deg.
    assert best["left"] == pytest.approx(35, abs=7.5)
    assert best["right"] == pytest.approx(30, abs=7.5)


DROP_FAULTS = [
    (
        "other_knee_falls",
        "right",
        # outward, turned with the pelvis (the knee drop checks only that way: inward readings
        # on dev were MediaPipe copying the working knee's drop, tests/test_fault_causes.py);
        # 28, not 22: the right knee is the far one from 60 round, which the fall read through
        # the body's camera takes short (docs/measurement.md 20.8, session 14, the knee drop)
        with_body(DROP_LEFT, right={**BENT, "roll_deg": -28}),
        with_body(DROP_LEFT, right={**BENT, "roll_deg": -6}),
    ),
    (
        "feet_move",
        None,
        # the feet 0.6 shoulder widths further apart on screen (the line is 0.4, in
        # shoulder widths at the start); 10: 0.08
        with_body(
            DROP_LEFT,
            left={**BENT, "roll_deg": 35, "hip_abduction_deg": 25},
            right={**BENT, "hip_abduction_deg": 25},
        ),
        with_body(
            DROP_LEFT,
            left={**BENT, "roll_deg": 35, "hip_abduction_deg": 10},
            right={**BENT, "hip_abduction_deg": 10},
        ),
    ),
]


@pytest.mark.parametrize(
    ("fault_id", "side", "bad", "fine"), DROP_FAULTS, ids=[f[0] for f in DROP_FAULTS]
)
def test_knee_drop_fault_is_flagged_on_the_right_side_and_released(fault_id, side, bad, fine):
    run = run_checker(DROP_SPEC, knee_drop(left_fault=bad))
    assert_flagged(run, fault_id, side, onset_s=FAULT_ON_S - 0.25, end_s=FAULT_OFF_S + 0.5)
    borderline = run_checker(DROP_SPEC, knee_drop(left_fault=fine))
    assert borderline.summary.faults == (), [e.fault_id for e in borderline.summary.faults]


def test_knee_drop_too_fast_is_flagged_and_slow_is_not():
    fast = run_checker(DROP_SPEC, knee_drop(ramp_s=0.25))  # its middle 60 % in 0.15 s
    # Each knee drops and lifts once: the left at 2.0 s and 33.25 s, the right at 35.5 s and
    # 66.75 s, all four flagged. The far (right) knee reads about 0.8x its roll from this
    # diagonal, which a speed line missed (session 13); a time does not depend on the size.
    for side, moves_s in (("left", (2.0, 33.25)), ("right", (35.5, 66.75))):
        flagged_s = sorted(e.flagged_ms / 1000 for e in fast.events("too_fast", side))
        assert len(flagged_s) == 2, (side, flagged_s)
        for at_s, move_s in zip(flagged_s, moves_s, strict=True):
            assert 0 <= at_s - move_s <= 1.0, (side, at_s, move_s)
    slow = run_checker(DROP_SPEC, knee_drop(ramp_s=0.8))  # its middle in 0.48 s: controlled
    assert "too_fast" not in slow.fault_ids()


@pytest.mark.parametrize("every", [1, 2, 4], ids=["all", "1 in 2 dropped", "1 in 4 dropped"])
def test_knee_drop_too_fast_stands_dropped_frames(every: int) -> None:
    """At 30 fps, whole and with every 2nd or every 4th frame dropped: a quick drop and lift
    (0.25 s; the middle 60 % in 0.15 s) flagged on both knees, a brisk one (0.8 s, 0.48 s)
    on neither, and every movement timed alike (the crossings interpolated on the frames'
    timestamps). The old speed reading (``drop_speed`` above 75 degrees a second, held
    0.2 s) missed the far knee's quick moves."""

    def thin(frames: list[PoseFrame]) -> list[PoseFrame]:
        return [f for i, f in enumerate(frames) if every == 1 or (i + 1) % every]

    def run(ramp_s: float) -> Run:
        frames = two_sided_hold(
            DROP_REST, DROP_LEFT, DROP_RIGHT, DROP_CAMERA, hold_s=6, ramp_s=ramp_s, fps=30
        )
        return run_checker(DROP_SPEC, thin(frames))

    def times(r: Run, side: str) -> list[float]:
        out = [x.measure("drop_time", side) for x in r.results]
        return [v for v in out if not math.isnan(v)]

    fast, slow = run(0.25), run(0.8)
    for side in ("left", "right"):
        assert len(fast.events("too_fast", side)) == 2, side
        assert times(fast, side) and max(times(fast, side)) < 0.27 * 0.8, times(fast, side)
        assert min(times(slow, side)) == pytest.approx(0.48, abs=0.05), times(slow, side)
    assert "too_fast" not in slow.fault_ids()


def test_knee_drop_baseline_pending_is_not_a_fault_or_unknown():
    run = run_checker(DROP_SPEC, knee_drop()[:15])  # 1.5 s: settling, then gathering the start
    assert run.states() <= {"settling", "rest"}
    first_rest = next(r for r in run.results if r.state == "rest")
    assert math.isnan(first_rest.measure("drop", "left"))  # no start value yet: not zero


def test_a_slow_drift_at_rest_does_not_move_the_starting_value():
    """The start position is taken once; a knee sinking slowly (5 deg/s) must still count as
    a drop, not become the new start."""
    keys = [Key(0, DROP_REST), Key(2.5, DROP_REST), Key(9.5, DROP_LEFT), Key(12, DROP_LEFT)]
    run = run_checker(DROP_SPEC, animate(keys, DROP_CAMERA, fps=FPS))
    last = run.results[-1]
    assert last.state == "active" and last.working_side == "left"
    assert last.measure("drop", "left") == pytest.approx(35, abs=7.5)  # near leg, see above


# ---------------------------------------------------------------------------------------------
# Dropped frames: a busy machine sees fewer, unevenly spaced frames of the same movement


def _drop_frames(frames: list[PoseFrame], seed: int) -> list[PoseFrame]:
    """Keep about one frame in three, at uneven gaps of 1-5 frames (33-170 ms at 30 fps)."""
    rng = np.random.default_rng(seed)
    kept, i = [], 0
    while i < len(frames):
        kept.append(frames[i])
        i += int(rng.integers(1, 6))
    return kept


def _quickest(run: Run, name: str, side: str) -> float:
    values = [r.measure(name, side) for r in run.results if r.state not in ("settling",)]
    return min(v for v in values if not math.isnan(v))


@pytest.mark.parametrize("ramp_s", [0.8, 2.0], ids=["brisk", "slow"])
def test_move_times_and_set_stand_dropped_frames(ramp_s: float) -> None:
    """Good form at 30 fps, whole and thinned to a third at uneven gaps: the same reps, no
    fault, and movements that do not read quicker for the missing frames (each timed
    between crossings interpolated on the frames' timestamps)."""
    every = two_sided_hold(
        DROP_REST, DROP_LEFT, DROP_RIGHT, DROP_CAMERA, hold_s=6, ramp_s=ramp_s, fps=30
    )
    full = run_checker(DROP_SPEC, every)
    assert full.summary.faults == ()
    for seed in (1, 2, 3):
        thin = run_checker(DROP_SPEC, _drop_frames(every, seed))
        assert thin.summary.reps == full.summary.reps == (("left", 1), ("right", 1))
        assert thin.summary.faults == ()
        quickest = _quickest(full, "drop_time", "left")
        assert _quickest(thin, "drop_time", "left") >= quickest * 0.9, quickest


def test_a_moment_under_the_line_is_not_a_second_hold() -> None:
    """The knee rises above the exit line for a moment mid-hold: still one rep. Under the
    line for one frame, the hold does not even end (a misread, ``Phases._went_out``); for
    0.4 s, it ends and the re-entry merge makes the return the same hold."""
    exit_line = DROP_SPEC.active.exit
    for rest_s in (0.0, 0.3):
        at_rest = [Key(7.3, DROP_REST)] + ([Key(7.3 + rest_s, DROP_REST)] if rest_s else [])
        keys = [
            Key(0, DROP_REST),
            Key(2.5, DROP_REST),
            Key(4.5, DROP_LEFT),
            Key(7.0, DROP_LEFT),
            *at_rest,
            Key(7.6 + rest_s, DROP_LEFT),
            Key(10.0, DROP_LEFT),
            Key(12.0, DROP_REST),
            Key(15.0, DROP_REST),
        ]
        run = run_checker(DROP_SPEC, animate(keys, DROP_CAMERA, fps=FPS))
        mid = [r for r in run.results if 7000 < r.t_ms < 8500]
        assert any(r.measure("drop", "left") < exit_line for r in mid)  # it did dip
        assert any(r.state == "rest" for r in mid) == (rest_s > 0)
        assert run.summary.reps == (("left", 1), ("right", 0))
        assert len(run.summary.holds) == 1


def test_a_start_taken_mid_stretch_is_taken_again() -> None:
    """The camera starts while the left knee is already down: once it comes up (reading as a
    drop the other way) the start is taken again, and the next drop counts cleanly."""
    keys = [
        Key(0, DROP_LEFT),
        Key(3.0, DROP_LEFT),
        Key(5.0, DROP_REST),
        Key(9.0, DROP_REST),
        Key(11.0, DROP_RIGHT),
        Key(15.0, DROP_RIGHT),
        Key(17.0, DROP_REST),
        Key(19.0, DROP_REST),
    ]
    run = run_checker(DROP_SPEC, animate(keys, DROP_CAMERA, fps=FPS, noise_px=0.5, seed=4))
    assert run.summary.faults == (), [(e.fault_id, e.side) for e in run.summary.faults]
    assert run.summary.reps == (("left", 0), ("right", 1))
    assert run.results[-1].measure("drop", "left") == pytest.approx(0, abs=5)


def test_an_angle_from_the_start_never_wraps_past_half_a_turn() -> None:
    """A start value on the far side of +-180 degrees: the change reads -60, not 300."""
    checker = StretchChecker(DROP_SPEC)
    frame = knee_drop()[30]
    geometry = PoseGeometry(frame.pose, DROP_SPEC.min_visibility)
    raw = checker._measure(geometry, frame.t_ms)[("drop", "left")].raw
    assert math.isfinite(raw)
    checker._starts.baselines[("drop", "left")] = raw - 300.0
    value = checker._measure(geometry, frame.t_ms)[("drop", "left")].value
    assert value == pytest.approx(-60.0)


def test_a_new_person_is_not_checked_on_the_last_person_s_working_side() -> None:
    """Faults checked at rest on the side that last worked (the band rotation's jerky
    return) start afresh for someone else (the pipeline calls new_person on a switch)."""
    checker = StretchChecker(load_by_id("standing_band_rotation"))
    checker._faults._last_working = "left"
    checker.new_person()
    assert checker._faults._last_working is None


def test_prone_shin_collapsing_mid_hold_stops_the_hold_timer():
    """The working shin drawn a seventh of its length (dev r2075: MediaPipe's knee and ankle
    points nearly on top of each other) cannot be measured: the frame is unknown, names the
    knee and ankle and the hold clock stops. Before, the measure was NaN with nothing
    missing, read as a start still pending, and the hold clock ran on."""
    frames = []
    for f in prone():
        if FAULT_ON_S <= f.t_ms / 1000 <= FAULT_OFF_S:
            xy = np.array(f.pose.image_xy)
            knee, ankle = index_of("left_knee"), index_of("left_ankle")
            xy[ankle] = xy[knee] + 0.15 * (xy[ankle] - xy[knee])
            f = PoseFrame(
                f.index, f.t_ms, f.width, f.height, Pose(xy, f.pose.visibility, f.pose.world_xyz)
            )
        frames.append(f)
    run = run_checker(PRONE_SPEC, frames)
    during = [r for r in run.results if FAULT_ON_S + 0.2 < r.t_ms / 1000 < FAULT_OFF_S]
    assert during and all(r.state == "unknown" for r in during)
    assert all(r.reason == "I can't see your left knee and left ankle" for r in during)
    assert len({round(r.hold_s, 3) for r in during}) == 1  # frozen
    left_hold = run.summary.holds[0]
    in_position_s = (left_hold.end_ms - left_hold.start_ms) / 1000.0
    assert left_hold.held_s < in_position_s - (FAULT_OFF_S - FAULT_ON_S) + 0.5
