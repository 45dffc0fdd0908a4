"""Every stretch in the catalogue, driven through its spec and the checker with synthetic bodies.

One table (``SCENARIOS``) holds, per stretch, how its clean motion is built (the rest pose, the
stretch position for a side at a given angle) and every checked fault injected at a clearly
wrong and a borderline-but-fine size. The tests below run each row the same way:

- clean: rest, ease in, hold (or a few reps), ease out, other side: no fault, right working
  side, holds and reps counted;
- each fault clearly wrong: flagged on the right side within 1 s of onset and released within
  1 s of its end; borderline: not flagged;
- the ROM read back from the summary matches the angle that built the pose (tolerance per row);
- hidden landmarks: state ``unknown`` naming the body part, never a fault.

Synthetic noise: 0.5 px on the image, 5 mm on the 3D world landmarks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from posecheck.body.synthetic import Body, Camera, Key, Leg, animate, with_body
from posecheck.cli import main
from posecheck.pose.landmarks import PoseFrame, Side, other_side
from posecheck.specs.schema import load_all, load_by_id
from tests.helpers import assert_flagged, run_checker

NOISE_PX = 0.5
NOISE_WORLD_M = 0.003
FPS = 10.0
FAULT_ON_S, FAULT_OFF_S, RAMP_S = 8.0, 12.0, 0.3
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class FaultCase:
    """A fault injected into the stretch position: ``inject(body, working_side, size)``."""

    fault_id: str
    inject: Callable[[Body, Side, float], Body]
    bad: float  # clearly wrong
    fine: float  # borderline but fine
    flagged: str  # "working", "other" or "none": the side it must be flagged on
    kind: str = "posture"  # posture | speed (size = return time in s)
    onset_delay_s: float = 0.0  # the spec's own allowance before a missing action is a fault
    ramp_s: float = RAMP_S  # how long the fault takes to come on (and to go)


@dataclass(frozen=True)
class Scenario:
    stretch_id: str
    camera: Camera
    rest: Callable[[Side], Body]
    pose: Callable[[Side, float], Body]  # in the stretch on this side at this angle
    amount: float  # the clean angle
    faults: tuple[FaultCase, ...]
    rom_amounts: tuple[float, ...] = ()  # angles to read back as the ROM
    rom_tol_deg: float = 0.0
    sides: tuple[Side, ...] = ("left", "right")  # ("left",) alone for both-sides stretches
    via: Callable[[Side, float], Body] | None = None  # a pose on the way in, if needed
    hide: str = "left_knee"  # a landmark the position measure needs
    # ... and its twin on the other side, for a side view that measures whichever is seen
    hide_too: tuple[str, ...] = ()
    separate_sides: bool = False  # the person turns round between sides (out of view)


def _s(side: Side) -> float:
    """+1 for left, -1 for right: synthetic angles that turn toward the person's left."""
    return 1.0 if side == "left" else -1.0


def _legs(body: Body, side: Side, working: Leg, other: Leg) -> Body:
    return with_body(body, **{side: working, other_side(side): other})


def _leg(body: Body, side: Side, **changes: float) -> Body:
    """The body with some of one leg's angles changed."""
    return with_body(body, **{side: dict(changes)})


# -- reclined hero: kneel, sit between the heels, lean back (angle = trunk to thighs) ------------
_KNEEL = Leg(knee_flexion_deg=90)
_HERO_LEG = Leg(hip_flexion_deg=90, knee_flexion_deg=170, hip_rotation_deg=20)


def _hero(side: Side, trunk_to_thigh_deg: float) -> Body:
    return Body(
        "kneeling",
        left=_HERO_LEG,
        right=_HERO_LEG,
        pelvis_height_m=0.14,
        trunk_flexion_deg=90 - trunk_to_thigh_deg,  # leaning back opens the trunk-thigh angle
    )


HERO = Scenario(
    "reclined_hero",
    Camera.side_view(2.5, 0.5, "kneeling"),
    rest=lambda side: Body("kneeling", left=_KNEEL, right=_KNEEL, pelvis_height_m=0.5),
    pose=_hero,
    amount=125,
    sides=("left",),
    hide_too=("right_knee",),
    faults=(
        FaultCase(
            "reclined_too_far",
            lambda b, side, a: replace(b, trunk_flexion_deg=90 - a),
            bad=170,
            fine=142,
            flagged="none",
        ),
    ),
)

# -- seated twist: one knee bent, sole on the other thigh, chest turns to the straight leg -------
_STRAIGHT = Leg(hip_flexion_deg=90)
_TWIST_BENT = Leg(
    hip_flexion_deg=85, hip_abduction_deg=40, hip_rotation_deg=-85, knee_flexion_deg=145
)


def _twist(side: Side, turn_deg: float) -> Body:
    body = _legs(Body("seated"), side, _TWIST_BENT, _STRAIGHT)
    return replace(body, trunk_twist_deg=-_s(side) * turn_deg)  # toward the other side


TWIST = Scenario(
    "seated_internal_rotation_twist",
    Camera.front_view(2.2, 0.6, "seated"),
    rest=lambda side: Body("seated", left=_STRAIGHT, right=_STRAIGHT),
    pose=_twist,
    amount=35,
    rom_amounts=(25, 45),
    rom_tol_deg=3.5,
    faults=(
        # straight_leg_bends is not checked from this view (see the spec's not_checked).
        FaultCase(
            "spine_rounded", lambda b, side, a: replace(b, spine_round_deg=a), 35, 12, "none"
        ),
        FaultCase(
            "no_rotation",
            lambda b, side, a: replace(b, trunk_twist_deg=-_s(side) * a),
            bad=3,
            fine=18,
            flagged="working",
            onset_delay_s=3.0,
        ),
    ),
)

# -- standing band rotation: straight leg turns in (angle = hip IR) ------------------------------
BAND_ROT = Scenario(
    "standing_band_rotation",
    Camera.front_view(2.8, 1.0),
    rest=lambda side: Body("standing"),
    pose=lambda side, a: _leg(Body("standing"), side, hip_rotation_deg=a),
    amount=35,
    rom_amounts=(25, 40),
    rom_tol_deg=3.5,
    hide="left_heel",
    faults=(
        FaultCase(
            "knee_bends",
            lambda b, side, a: _leg(b, side, knee_flexion_deg=a, hip_flexion_deg=a / 2),
            bad=35,
            fine=10,
            flagged="working",
        ),
        FaultCase(
            # The signed tilt reads a synthetic bend at its size (5 would sit on the line; the
            # unsigned angle read 5 as about 4.5, its noise at the start taken off).
            "trunk_leans",
            lambda b, side, a: replace(b, trunk_side_bend_deg=_s(side) * a),
            bad=15,
            fine=3,
            flagged="none",
        ),
        # hip_hikes is not checked from this view (see the spec's not_checked).
        FaultCase("jerky_return", lambda b, side, a: b, 0.15, 0.9, "working", kind="speed"),
    ),
)

# -- supine knee fall-out: both knees sink to one side; angle = the inward-falling knee's roll ---
_BENT = Leg(hip_flexion_deg=45, knee_flexion_deg=90, hip_abduction_deg=-4)


def _fallout(side: Side, fall_deg: float) -> Body:
    return _legs(
        Body("supine"), side, replace(_BENT, roll_deg=fall_deg), replace(_BENT, roll_deg=-fall_deg)
    )


FALLOUT = Scenario(
    "supine_knee_fallout",
    Camera.looking_at_feet(2.3, 1.0, 60),
    rest=lambda side: Body("supine", left=_BENT, right=_BENT),
    pose=_fallout,
    amount=40,
    rom_amounts=(30, 50),
    # the left (far) knee at 50 reads 47.2 through the old fixed 60/19 and 46.5 through the
    # camera section's advised 60/20.3 (session 10): the same misreading, 0.7 nearer the line
    rom_tol_deg=4.0,
    # both knees move as one (sides_together): one hidden knee is read from the other
    hide_too=("right_knee",),
    faults=(
        FaultCase(
            "feet_move",  # the other foot slides out sideways (its leg turns at the hip)
            lambda b, side, a: _leg(b, other_side(side), hip_rotation_deg=a),
            bad=25,
            fine=5,
            flagged="none",
        ),
        FaultCase(
            "shoulders_lift",  # the working side's shoulder rolls up off the mat
            lambda b, side, a: replace(b, trunk_twist_deg=-_s(side) * a),
            bad=30,
            fine=6,
            flagged="working",
        ),
    ),
)

# -- pigeon: tabletop, front knee forward, back leg long -----------------------------------------
_TABLE = Leg(hip_flexion_deg=90, knee_flexion_deg=90)
_PIGEON_FRONT = Leg(
    hip_flexion_deg=150, hip_abduction_deg=35, hip_rotation_deg=-40, knee_flexion_deg=90
)
_BACK = Leg()


def _pigeon(side: Side, front_fold_deg: float) -> Body:
    front = replace(_PIGEON_FRONT, hip_flexion_deg=front_fold_deg)
    return _legs(Body("quadruped", pelvis_height_m=0.2), side, front, _BACK)


PIGEON = Scenario(
    "pigeon",
    Camera.side_view(2.5, 0.5, "quadruped"),
    rest=lambda side: Body("quadruped", left=_TABLE, right=_TABLE, pelvis_height_m=0.49),
    pose=_pigeon,
    amount=150,
    # The back leg slides back straight first, then the front knee comes forward.
    via=lambda side, a: _legs(Body("quadruped", pelvis_height_m=0.35), side, _TABLE, _BACK),
    faults=(
        FaultCase(
            "back_leg_bent",
            lambda b, side, a: _leg(b, other_side(side), knee_flexion_deg=a),
            bad=45,
            fine=12,
            flagged="other",
        ),
    ),
)

# -- figure four: ankle over the other knee; angle = the bottom hip's flexion --------------------
# Crossed leg (hip flexion, abduction, rotation) that rests the ankle on the bottom knee, by the
# bottom hip's flexion (solved once on the synthetic body; 13 cm ankle-to-knee centre).
_CROSSED = {90: (125, 5, -40), 110: (120, 20, -75), 125: (135, 20, -75)}
_FEET_FLAT = Leg(hip_flexion_deg=45, knee_flexion_deg=90)


def _figure_four(side: Side, bottom_deg: float) -> Body:
    fl, ab, ro = _CROSSED[round(bottom_deg)]
    crossed = Leg(
        hip_flexion_deg=fl, hip_abduction_deg=ab, hip_rotation_deg=ro, knee_flexion_deg=90
    )
    bottom = Leg(hip_flexion_deg=bottom_deg, knee_flexion_deg=100)
    return _legs(Body("supine"), side, crossed, bottom)


FIGURE_FOUR = Scenario(
    "figure_four",
    Camera.side_view(2.0, 0.7, "supine"),
    rest=lambda side: Body("supine", left=_FEET_FLAT, right=_FEET_FLAT),
    pose=_figure_four,
    amount=110,
    rom_amounts=(90, 125),
    rom_tol_deg=3.5,
    faults=(
        FaultCase(
            "ankle_slips",  # the crossed leg turns in: the ankle slides off the knee
            lambda b, side, a: _leg(b, side, hip_rotation_deg=-75 + a),
            bad=40,  # 0.63-0.78 thigh lengths from the knee (line 0.6); 30: left 0.54
            fine=8,
            flagged="working",
            onset_delay_s=0.4,  # a slip must last 1 s (uncrossing passes by in under one)
        ),
        FaultCase(
            # the head nods up off the mat (neck flexion), the shoulders stay down
            "head_lifts",
            lambda b, side, a: replace(b, head_flexion_deg=a),
            40,
            5,
            "none",
        ),
        FaultCase(
            "pelvis_lifts", lambda b, side, a: replace(b, pelvis_lift_m=a), 0.07, 0.015, "none"
        ),
    ),
)

# -- seated butterfly: soles together; angle = each thigh's opening (hip abduction) -------------
# (hip flexion, rotation, knee flexion) that keep the soles together for an opening angle.
_BUTTERFLY = {30: (115, -55, 135), 45: (125, -40, 140), 60: (90, -80, 140)}


def _butterfly(side: Side, opening_deg: float) -> Body:
    fl, ro, kn = _BUTTERFLY[round(opening_deg)]
    leg = Leg(
        hip_flexion_deg=fl, hip_abduction_deg=opening_deg, hip_rotation_deg=ro, knee_flexion_deg=kn
    )
    return Body("seated", left=leg, right=leg)


def _feet_apart(b: Body, side: Side, a: float) -> Body:
    return with_body(
        b,
        left={"hip_rotation_deg": b.left.hip_rotation_deg + a},
        right={"hip_rotation_deg": b.right.hip_rotation_deg + a},
    )


BUTTERFLY = Scenario(
    "seated_butterfly",
    Camera.front_view(2.0, 0.6, "seated"),
    rest=lambda side: Body("seated", left=_STRAIGHT, right=_STRAIGHT),
    pose=_butterfly,
    amount=45,
    rom_amounts=(45, 60),
    rom_tol_deg=3.5,
    sides=("left",),
    via=lambda side, a: _butterfly(side, 30),
    faults=(
        FaultCase("feet_apart", _feet_apart, bad=30, fine=6, flagged="none"),
        FaultCase("back_rounded", lambda b, side, a: replace(b, spine_round_deg=a), 35, 12, "none"),
    ),
)

# -- clamshell: side lying, top knee rolls open about the hip-heel line -------------------------
_CLAM = Leg(hip_flexion_deg=45, knee_flexion_deg=90)


def _side_lying(side: Side) -> Body:
    """Lying on the other side, so ``side`` is the top leg; facing the same camera."""
    return Body("side_lying" if side == "right" else "side_lying_right", left=_CLAM, right=_CLAM)


CLAMSHELL = Scenario(
    "clamshell",
    Camera.front_view(2.0, 0.5, "side_lying"),
    rest=_side_lying,
    pose=lambda side, a: _leg(_side_lying(side), side, roll_deg=-a),
    amount=35,
    rom_amounts=(25, 45),
    rom_tol_deg=3.5,
    separate_sides=True,
    faults=(
        # pelvis_rolls_back is not checked from this view (see the spec's not_checked).
        FaultCase(
            "heels_apart",  # the top leg lifts out of the hinge: the foot comes up too
            lambda b, side, a: _leg(b, side, hip_abduction_deg=a),
            bad=25,
            fine=5,
            flagged="none",
            ramp_s=0.8,  # at a clamshell's pace: a 25 degree swing in 0.3 s is too fast itself
        ),
        FaultCase("too_fast", lambda b, side, a: b, 0.15, 1.0, "working", kind="speed"),
    ),
)

# -- supine hip rotation: knees roll to one side together; side = the hip that turns inward ----
_TOGETHER = Leg(hip_flexion_deg=45, knee_flexion_deg=90)


def _hip_rotation(side: Side, roll_deg: float) -> Body:
    # Feet planted, pelvis and shoulders flat: this side's knee rolls inward about its
    # hip-ankle line, the other knee outward by as much (both knees go the same way).
    working, other = replace(_TOGETHER, roll_deg=roll_deg), replace(_TOGETHER, roll_deg=-roll_deg)
    return _legs(Body("supine"), side, working, other)


HIP_ROTATION = Scenario(
    "supine_hip_rotation",
    Camera.looking_at_feet(2.3, 1.0, 60),
    rest=lambda side: Body("supine", left=_TOGETHER, right=_TOGETHER),
    pose=_hip_rotation,
    amount=40,
    rom_amounts=(30, 50),
    # the left (far) knee at 50 reads 47.2 through the old fixed 60/19 and 46.5 through the
    # camera section's advised 60/20.3 (session 10): the same misreading, 0.7 nearer the line
    rom_tol_deg=4.0,
    # both knees move as one (sides_together): one hidden knee is read from the other
    hide_too=("right_knee",),
    # shoulders_lift (session 14) and knees_apart are not checked from this view (see the
    # spec's not_checked; the shoulder check as it was is tests/helpers.py's).
    faults=(),
)

# -- band walk: half squat, the leading leg steps out (angle = its tilt from vertical) ----------
_SQUAT = Leg(hip_flexion_deg=25, knee_flexion_deg=45)


def _squat() -> Body:
    return Body("standing", left=_SQUAT, right=_SQUAT, pelvis_height_m=0.85)


BAND_WALK = Scenario(
    "band_walk",
    Camera.front_view(3.0, 1.0),
    rest=lambda side: _squat(),
    pose=lambda side, a: _leg(_squat(), side, hip_abduction_deg=a),
    amount=17,
    hide="left_ankle",
    faults=(
        FaultCase(
            "feet_together",
            lambda b, side, a: with_body(
                b, left={"hip_abduction_deg": -a}, right={"hip_abduction_deg": -a}
            ),
            bad=4.5,
            fine=1.5,
            flagged="none",
        ),
        FaultCase(
            "trunk_leans",
            lambda b, side, a: replace(b, trunk_side_bend_deg=-_s(side) * a),
            bad=15,
            fine=4,
            flagged="none",
        ),
        FaultCase(
            "knees_cave",
            lambda b, side, a: _leg(b, side, roll_deg=a),
            bad=35,
            fine=8,
            flagged="none",  # both knees' offsets added: which knee caves is not said
        ),
    ),
)

# -- seated cross-ankle: ankle on the other knee; angle = the crossed thigh's opening ------------
# (hip flexion, rotation, knee flexion) that rest the ankle just above the other knee.
_CROSS = {25: (125, -60, 110), 30: (110, -80, 110), 35: (100, -90, 115)}


def _slump(body: Body, curl_deg: float) -> Body:
    """The spine curled forward by ``curl_deg``, the head nodding half as far with it."""
    return replace(body, spine_round_deg=curl_deg, head_flexion_deg=curl_deg / 2)


def _cross_ankle(side: Side, opening_deg: float) -> Body:
    fl, ro, kn = _CROSS[round(opening_deg)]
    crossed = Leg(
        hip_flexion_deg=fl, hip_abduction_deg=opening_deg, hip_rotation_deg=ro, knee_flexion_deg=kn
    )
    return _legs(Body("seated"), side, crossed, _STRAIGHT)


CROSS_ANKLE = Scenario(
    "seated_cross_ankle_rotation",
    Camera.front_view(2.2, 0.6, "seated"),
    rest=lambda side: Body("seated", left=_STRAIGHT, right=_STRAIGHT),
    pose=_cross_ankle,
    amount=30,
    rom_amounts=(25, 35),
    rom_tol_deg=3.5,
    hide="left_ankle",
    # pressing_leg_bends is not checked from the front (see the spec's not_checked).
    faults=(
        # a slump brings the head down with the chest (the spec reads the head's drop)
        FaultCase("back_rounded", lambda b, side, a: _slump(b, a), 40, 12, "none"),
    ),
)

SCENARIOS = {
    s.stretch_id: s
    for s in (
        HERO,
        TWIST,
        BAND_ROT,
        FALLOUT,
        PIGEON,
        FIGURE_FOUR,
        BUTTERFLY,
        CLAMSHELL,
        HIP_ROTATION,
        BAND_WALK,
        CROSS_ANKLE,
    )
}
FAULT_CASES = [(sid, f) for sid, s in SCENARIOS.items() for f in s.faults]


# -- sequence builders --------------------------------------------------------------------------
def _frames(sc: Scenario, keys: list[Key], seed: int = 0) -> list[PoseFrame]:
    return animate(
        keys, sc.camera, fps=FPS, noise_px=NOISE_PX, noise_world_m=NOISE_WORLD_M, seed=seed
    )


def _one_side(sc: Scenario, side: Side, amount: float, t0: float, reps: bool) -> list[Key]:
    """Rest, ease in, hold (or three reps), ease out, rest; starting at ``t0``."""
    rest, pose = sc.rest(side), sc.pose(side, amount)
    keys = [Key(t0, rest), Key(t0 + 3, rest)]
    t = t0 + 3
    hold_s = 2.0 if reps else load_by_id(sc.stretch_id).dose.hold_s + 3
    for _ in range(3 if reps else 1):
        if sc.via is not None:
            keys.append(Key(t + 1.5, sc.via(side, amount)))
            t += 1.5
        keys += [Key(t + 2, pose), Key(t + 2 + hold_s, pose)]
        t += 2 + hold_s
        if sc.via is not None:  # out the way it came in
            keys.append(Key(t + 1.5, sc.via(side, amount)))
            t += 1.5
        keys.append(Key(t + 2, rest))
        t += 2
        keys.append(Key(t + 2, rest))
        t += 2
    return keys


def _clean_frames(sc: Scenario, amount: float, reps: bool) -> list[PoseFrame]:
    frames: list[PoseFrame] = []
    t0 = 0.0
    for i, side in enumerate(sc.sides):
        keys = _one_side(sc, side, amount, t0, reps)
        part = _frames(sc, keys, seed=i)
        if frames and sc.separate_sides:  # turned round out of view: a 3 s gap with no frames
            gap_ms = frames[-1].t_ms + 3000.0 - part[0].t_ms
            part = [
                replace(f, index=len(frames) + j, t_ms=f.t_ms + gap_ms) for j, f in enumerate(part)
            ]
        elif frames:
            part = [replace(f, index=len(frames) + j) for j, f in enumerate(part[1:])]
        frames += part
        t0 = frames[-1].t_ms / 1000.0
    return frames


def _fault_keys(
    sc: Scenario, case: FaultCase, side: Side, size: float
) -> tuple[list[Key], float, float]:
    """Keys with the fault present from onset to end; returns (keys, onset_s, end_s)."""
    rest, pose = sc.rest(side), sc.pose(side, sc.amount)
    keys = [Key(0, rest), Key(3, rest)]
    t_in = 3.0
    if sc.via is not None:
        keys.append(Key(4.5, sc.via(side, sc.amount)))
        t_in = 4.5
    keys.append(Key(t_in + 2, pose))
    if case.kind == "speed":  # hold, then return to rest in ``size`` seconds
        keys += [Key(FAULT_ON_S, pose), Key(FAULT_ON_S + size, rest), Key(FAULT_ON_S + 4, rest)]
        return keys, FAULT_ON_S, FAULT_ON_S + size
    bad = case.inject(pose, side, size)
    keys += [
        Key(FAULT_ON_S, pose),
        Key(FAULT_ON_S + case.ramp_s, bad),
        Key(FAULT_OFF_S, bad),
        Key(FAULT_OFF_S + case.ramp_s, pose),
        Key(FAULT_OFF_S + 3, pose),
    ]
    t_out = FAULT_OFF_S + 3
    if sc.via is not None:
        keys.append(Key(t_out + 1.5, sc.via(side, sc.amount)))
        t_out += 1.5
    keys += [Key(t_out + 2, rest), Key(t_out + 3, rest)]
    return keys, FAULT_ON_S + case.onset_delay_s, FAULT_OFF_S + case.ramp_s


def _allowance_s(spec, case: FaultCase) -> float:
    """How late a flag may come after the fault's onset: 1 s, or the fault's own hold plus
    half its ramp (the reading crosses the line about half way up), whichever is longer
    (clamshell heels_apart holds 0.8 s over a 0.8 s ramp: 1.2 s)."""
    fault = next(f for f in spec.faults if f.id == case.fault_id)
    return max(1.0, fault.min_duration_s + case.ramp_s / 2)


def _expected_side(case: FaultCase, side: Side) -> str | None:
    return {"working": side, "other": other_side(side), "none": None}[case.flagged]


# -- tests ----------------------------------------------------------------------------------------
def test_every_catalogue_stretch_has_a_scenario() -> None:
    catalogue = _catalogue_fault_ids()
    assert set(SCENARIOS) | {"prone_internal_rotation", "supine_knee_drop"} == set(catalogue)
    for sid, sc in SCENARIOS.items():
        spec = load_by_id(sid)
        assert {f.id for f in spec.faults} == {f.fault_id for f in sc.faults}, sid


@pytest.mark.parametrize("stretch_id", sorted(SCENARIOS))
def test_clean_motion_has_no_fault_and_counts_right(stretch_id: str) -> None:
    sc = SCENARIOS[stretch_id]
    spec = load_by_id(stretch_id)
    reps = spec.dose.kind == "reps"
    run = run_checker(spec, _clean_frames(sc, sc.amount, reps))
    assert run.summary.faults == (), [
        (e.fault_id, e.side, e.worst_value) for e in run.summary.faults
    ]
    per_side = 3 if reps else 1
    if spec.dose.sides == "both":
        assert dict(run.summary.reps) == {"both": per_side}
        assert {h.side for h in run.summary.holds} == {"both"}
    else:
        assert dict(run.summary.reps) == dict.fromkeys(("left", "right"), per_side)
        assert [h.side for h in run.summary.holds] == [s for s in sc.sides for _ in range(per_side)]
    if not reps:
        assert run.summary.holds_completed == len(sc.sides)
    assert "unknown" not in run.states()


@pytest.mark.parametrize(
    ("stretch_id", "case"), FAULT_CASES, ids=[f"{s}-{c.fault_id}" for s, c in FAULT_CASES]
)
def test_fault_clearly_wrong_is_flagged_on_the_right_side(stretch_id: str, case: FaultCase) -> None:
    sc = SCENARIOS[stretch_id]
    spec = load_by_id(stretch_id)
    for side in sc.sides:
        keys, onset_s, end_s = _fault_keys(sc, case, side, case.bad)
        run = run_checker(spec, _frames(sc, keys))
        assert_flagged(
            run, case.fault_id, _expected_side(case, side), onset_s, end_s,
            within_s=_allowance_s(spec, case),
        )  # fmt: skip
        assert run.fault_ids() == {case.fault_id}, run.fault_ids()


@pytest.mark.parametrize(
    ("stretch_id", "case"), FAULT_CASES, ids=[f"{s}-{c.fault_id}" for s, c in FAULT_CASES]
)
def test_fault_borderline_is_not_flagged(stretch_id: str, case: FaultCase) -> None:
    sc = SCENARIOS[stretch_id]
    spec = load_by_id(stretch_id)
    for side in sc.sides:
        keys, _, _ = _fault_keys(sc, case, side, case.fine)
        run = run_checker(spec, _frames(sc, keys))
        assert run.fault_ids() == set(), [
            (e.fault_id, e.side, e.worst_value) for e in run.summary.faults
        ]
        assert any(r.state == "active" for r in run.results)


ROM_CASES = [(sid, a) for sid, s in SCENARIOS.items() for a in s.rom_amounts]


@pytest.mark.parametrize(("stretch_id", "angle_deg"), ROM_CASES)
def test_rom_reads_back_the_angle_that_built_it(stretch_id: str, angle_deg: float) -> None:
    sc = SCENARIOS[stretch_id]
    spec = load_by_id(stretch_id)
    assert spec.rom is not None
    run = run_checker(spec, _clean_frames(sc, angle_deg, spec.dose.kind == "reps"))
    best = dict(run.summary.best_rom_deg)
    # A learned correction (rom.correction) is for the estimator's depth on real footage: an
    # exact synthetic body reads back the angle through it, scale and all.
    scale = spec.rom.correction.scale if spec.rom.correction is not None else 1.0
    for side in sc.sides:
        expected = spec.rom.reported(angle_deg)
        assert best[side] == pytest.approx(expected, abs=sc.rom_tol_deg * scale), (side, best)
        assert sc.rom_tol_deg <= spec.rom.uncertainty_deg


def test_stretches_without_rom_are_the_ones_we_expect() -> None:
    no_rom = {sid for sid in SCENARIOS if load_by_id(sid).rom is None}
    assert no_rom == {"reclined_hero", "pigeon", "band_walk"}
    assert {sid for sid, s in SCENARIOS.items() if not s.rom_amounts} == no_rom


@pytest.mark.parametrize("stretch_id", sorted(SCENARIOS))
def test_hidden_landmark_gives_unknown_naming_it_never_a_fault(stretch_id: str) -> None:
    sc = SCENARIOS[stretch_id]
    spec = load_by_id(stretch_id)
    keys = _one_side(sc, "left", sc.amount, 0.0, reps=True)[:6]
    frames = _frames(sc, keys)
    hidden = [
        replace(f, pose=f.pose.hidden(sc.hide, *sc.hide_too)) if f.t_ms >= 2000 and f.pose else f
        for f in frames
    ]
    run = run_checker(spec, hidden)
    after = [r for r in run.results if r.t_ms >= 2000]
    assert {r.state for r in after} == {"unknown"}
    human = sc.hide.replace("_", " ").replace("foot index", "toes")
    assert all(r.reason is not None and f"I can't see your {human}" in r.reason for r in after)
    assert all(sc.hide in r.missing for r in after)
    assert run.summary.faults == ()
    assert run.summary.reps and sum(n for _, n in run.summary.reps) == 0


# -- the catalogue files ------------------------------------------------------------------------
def _catalogue_fault_ids() -> dict[str, set[str]]:
    text = (ROOT / "docs" / "fault_ids.md").read_text(encoding="utf-8")
    out: dict[str, set[str]] = {}
    for m in re.finditer(r"^\| ([a-z_]+) \| ([a-z_, ]+) \|$", text, re.MULTILINE):
        if m.group(1) != "stretch":
            out[m.group(1)] = {f.strip() for f in m.group(2).split(",")}
    return out


def test_every_spec_loads_and_covers_its_catalogue_faults() -> None:
    specs = load_all()
    catalogue = _catalogue_fault_ids()
    assert len(catalogue) == 13
    assert set(specs) == set(catalogue)
    for sid, ids in catalogue.items():
        spec = specs[sid]
        checked = {f.id for f in spec.faults}
        unchecked = {n.id for n in spec.not_checked}
        assert ids <= checked | unchecked, (sid, ids - checked - unchecked)
        for n in spec.not_checked:
            assert len(n.reason) > 40, (sid, n.id)
        assert spec.camera.placement and len(spec.instructions) >= 4


def test_speed_faults_use_a_speed_measure() -> None:
    for sid, spec in load_all().items():
        for f in spec.faults:
            if f.id in ("too_fast", "jerky_return"):
                assert spec.measures[f.measure].metric in ("speed", "move_time"), (sid, f.id)


def test_cli_lists_all_thirteen(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["specs", "list"]) == 0
    out = capsys.readouterr().out
    listed = {line.split()[0] for line in out.splitlines() if line.strip()}
    assert listed == set(_catalogue_fault_ids())
