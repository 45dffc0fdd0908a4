"""The head out of the picture in a front view: MediaPipe swaps left and right, nothing is read.

Dev r2067 (standing band rotation, b25, the tallest body): the camera kept the template's
framing, the head was above the picture, and MediaPipe kept a face it could not see squeezed
just under the top edge at full visibility and read the trunk from behind in 111 of 205
frames, swapping left and right 51 times: 12 false faults (jerky_return, trunk_leans,
knee_bends). Those frames are unknown now (``StretchChecker._face_cut_off``), and the framing
advice says the picture cuts the person off at the top (``framing.cut_edges``).
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from posecheck.body.geometry import head_cut_edges, read_from_behind
from posecheck.body.synthetic import Body, Camera, Key, animate
from posecheck.coaching.checker.core import HEAD_CUT_REASON, HEAD_LANDMARKS
from posecheck.coaching.framing import cut_edges, framing_advice
from posecheck.errors import SpecError
from posecheck.pose.landmarks import SWAPPED_LABELS, Pose, PoseFrame, index_of
from posecheck.specs.schema import SPEC_DIR, load_by_id, parse_spec
from tests.helpers import assert_flagged, run_checker
from tests.test_catalogue import _STRAIGHT, _butterfly
from tests.test_fault_causes import (
    BAND_ROTATION,
    FAULT_ON_S,
    STANDING_FRONT,
    _band_lean_frames,
)
from tests.test_session import coach_run

BUTTERFLY = load_by_id("seated_butterfly")

#: Each landmark's row after a left/right swap of the labels.
_SWAPPED = list(SWAPPED_LABELS)


def _eyes_y(f: PoseFrame) -> float:
    return float(
        (f.pose.image_xy[index_of("left_eye"), 1] + f.pose.image_xy[index_of("right_eye"), 1]) / 2
    )


def _head_out(frames: list[PoseFrame], swap_every_s: float | None = 0.6) -> list[PoseFrame]:
    """The picture moved down the body until the eyes are 4 px under its top edge (the top
    of the head above it, as MediaPipe placed r2067's face), and, every other
    ``swap_every_s``, the labels swapped left for right as MediaPipe swapped them there."""
    dy = _eyes_y(frames[0]) - 4.0
    out = []
    for f in frames:
        xy = f.pose.image_xy.copy()
        xy[:, 1] -= dy
        vis, xyz = f.pose.visibility, f.pose.world_xyz
        if swap_every_s is not None and int(f.t_ms / 1000.0 / swap_every_s) % 2 == 1:
            xy, vis, xyz = xy[_SWAPPED], vis[_SWAPPED], xyz[_SWAPPED] * np.array([-1, 1, 1])
        out.append(replace(f, pose=Pose(xy, vis, xyz)))
    return out


def test_the_head_above_the_picture_is_found_and_a_swap_read_from_behind() -> None:
    frames = _band_lean_frames(STANDING_FRONT, 0.0, 0.0)
    f = frames[0]
    assert head_cut_edges(f.pose, f.width, f.height) == ()
    assert not read_from_behind(f.pose)
    out = _head_out(frames)
    inside = out[0]  # eyes 4 px inside the picture, the top of the head above it
    assert 0 < _eyes_y(inside) < 10
    assert head_cut_edges(inside.pose, inside.width, inside.height) == ("top",)
    assert not read_from_behind(inside.pose)
    swapped = next(g for g in out if g.t_ms >= 600)
    assert read_from_behind(swapped.pose)


def test_the_head_out_of_the_picture_raises_no_fault() -> None:
    """Good form, the head above the picture and left and right swapped every 0.6 s: no
    fault, and the swapped frames are unknown with the head named. Before, the swaps read
    as the trunk leaning and the foot snapping back (faults flagged)."""
    run = run_checker(BAND_ROTATION, _head_out(_band_lean_frames(STANDING_FRONT, 0.0, 0.0)))
    assert run.fault_ids() == set()
    unknown = [r for r in run.results if r.state == "unknown"]
    assert unknown and all(r.reason == HEAD_CUT_REASON for r in unknown)
    # no measure of the band rotation is read from behind: nothing measured, nothing unchecked
    assert all(r.measures == () and r.unchecked_faults == () for r in unknown)
    assert all(r.state != "unknown" for r in run.results[:6])  # not swapped: still read


def test_a_lean_with_the_head_in_the_picture_is_still_caught() -> None:
    run = run_checker(BAND_ROTATION, _band_lean_frames(STANDING_FRONT, 0.0, 6.0))
    assert_flagged(run, "trunk_leans", None, FAULT_ON_S)


def test_a_lean_with_the_head_just_out_but_not_swapped_is_still_caught() -> None:
    """The head above the picture alone does not stop the checks: the frames read from the
    front are read (dev r2035, b25 seated, head out, never swapped, scores as before)."""
    frames = _head_out(_band_lean_frames(STANDING_FRONT, 0.0, 6.0), swap_every_s=None)
    run = run_checker(BAND_ROTATION, frames)
    assert_flagged(run, "trunk_leans", None, FAULT_ON_S)


def test_the_framing_advice_says_the_picture_cuts_off_the_top() -> None:
    """Standing facing the camera with the top of the head above the picture, the framing
    advice says the picture cuts off the top (before: MediaPipe's face 4 px inside the
    picture was not past the 1 % margin, so no advice)."""
    frames = _head_out(_band_lean_frames(STANDING_FRONT, 0.0, 0.0), swap_every_s=None)
    f = frames[0]
    assert cut_edges(f) == ("top",)
    run = run_checker(BAND_ROTATION, frames)
    advice = framing_advice(run.results[-1], frames[-1], BAND_ROTATION)
    assert advice is not None and advice.kind == "cut_off" and advice.edges == ("top",)


def test_dev_r2067_head_above_the_picture_replayed() -> None:
    """The recorded landmarks of dev r2067 (b25, the head above the picture): 12 false faults
    before, at most the one read from the front next to a swap now; the swapped frames are
    unknown, and the framing advice says the top is cut off (17 of 205 frames before)."""
    from posecheck.coaching.checker import StretchChecker
    from posecheck.pose.recording import load_recording
    from tests.test_fault_causes import _BENCHMARK_CLIPS, _replay_score

    clip = "r2067_standing_band_rotation_hip_hikes_b25"
    assert len(_replay_score(BAND_ROTATION, clip).false_alarms) <= 1
    checker = StretchChecker(BAND_ROTATION)
    frames = load_recording(_BENCHMARK_CLIPS / f"{clip}.pose.json.gz").frames
    top = 0
    for f in frames:
        advice = framing_advice(checker.update(f), f, BAND_ROTATION)
        top += advice is not None and advice.edges == ("top",)
    assert top >= 0.9 * len(frames)


def _swapped_until(frames: list[PoseFrame], until_s: float) -> list[PoseFrame]:
    """The head above the picture throughout, the labels swapped (read from behind) before
    ``until_s``."""
    out = []
    for f in _head_out(frames, swap_every_s=None):
        if f.t_ms < until_s * 1000.0:
            p = f.pose
            f = replace(
                f,
                pose=Pose(
                    p.image_xy[_SWAPPED], p.visibility[_SWAPPED], p.world_xyz[_SWAPPED] * [-1, 1, 1]
                ),
            )
        out.append(f)
    return out


def test_frames_read_from_behind_with_the_head_out_give_the_camera_no_view() -> None:
    """The camera in front (0 degrees): the first 1.5 s read from behind with the head above
    the picture, as MediaPipe read dev r2067's and r2032's start holds. Those frames solve a
    camera behind the person; they give no view now, so the start hold is the frames read from
    the front after them. (Before: the start hold mixed both, far round.)"""
    from posecheck.coaching.pipeline import Pipeline
    from tests.helpers import NoEstimator

    frames = _swapped_until(_band_lean_frames(STANDING_FRONT, 0.0, 0.0), 1.5)
    assert read_from_behind(frames[0].pose) and not read_from_behind(frames[-1].pose)
    pipeline = Pipeline(BAND_ROTATION, NoEstimator())
    steps = [pipeline.process_pose(f) for f in frames]
    camera = steps[-1].body.camera
    assert camera.known
    assert abs(camera.azimuth_deg) < 10.0
    early = next(s for s in steps if s.pose_frame.t_ms >= 1000.0)
    assert not early.body.camera.known  # nothing seen from the front yet


def test_only_an_upright_front_view_with_the_head_out_withholds_a_frame() -> None:
    """The body stage of a spec not done upright facing the camera takes every frame, and a
    frame read from behind with the head in the picture still feeds the camera (a person who
    truly turned round; the head tells the front from the back)."""
    from posecheck.body.stage import BodyStage

    frames = _swapped_until(_band_lean_frames(STANDING_FRONT, 0.0, 0.0), 1.5)
    plain, front = BodyStage("standing"), BodyStage("standing", faces_camera=True)
    assert plain.trusts_labels(frames[0]) and not front.trusts_labels(frames[0])
    assert front.trusts_labels(frames[-1])
    f = _band_lean_frames(STANDING_FRONT, 0.0, 0.0)[0]
    p = f.pose
    turned = replace(
        f, pose=Pose(p.image_xy[_SWAPPED], p.visibility[_SWAPPED], p.world_xyz[_SWAPPED])
    )
    assert read_from_behind(turned.pose) and not head_cut_edges(turned.pose, f.width, f.height)
    assert front.trusts_labels(turned)


def _butterfly_frames() -> list[PoseFrame]:
    """Sitting with straight legs 4 s, into a 45 degree butterfly over 2 s, held to 30 s."""
    rest = Body("seated", left=_STRAIGHT, right=_STRAIGHT)
    held = _butterfly("left", 45)
    keys = [Key(0, rest), Key(4, rest), Key(6, held), Key(30, held)]
    return animate(keys, Camera.front_view(2.0, 0.6, "seated"), fps=10, noise_px=0.5, seed=3)


def test_a_butterfly_with_the_head_out_of_the_picture_still_reaches_coaching() -> None:
    """Seated and read from the front, the head above the picture costs nothing: the set
    starts as with the head in (dev r2035, r0314, r2064 butterfly and r2047 reclined hero
    reach coaching at 5.6 s and 16.3 s). Before: the head's top counted for every stretch,
    so the framing advice 'cut off at the top' kept the Coach in "position" for good."""
    frames = _head_out(_butterfly_frames(), swap_every_s=None)
    f = frames[0]
    assert head_cut_edges(f.pose, f.width, f.height) == ("top",)
    phases = [c.phase for c in coach_run(BUTTERFLY, frames)]
    assert [p for p, _ in itertools.groupby(phases)] == [
        "position",
        "still",
        "countdown",
        "coaching",
    ]
    assert phases == [c.phase for c in coach_run(BUTTERFLY, _butterfly_frames())]


def test_standing_facing_the_camera_with_the_head_out_is_still_told_to_frame_it() -> None:
    """Upright and facing the camera the face tells left from right (dev r2067): the head
    above the picture keeps the set from starting, with 'cut off at the top'."""
    frames = _head_out(_band_lean_frames(STANDING_FRONT, 0.0, 0.0), swap_every_s=None)
    run = coach_run(BAND_ROTATION, frames)
    assert not any(c.phase in ("countdown", "coaching") for c in run)
    assert all(c.phase == "position" for c in run[-100:])
    assert any("cut off at the top" in c.cue.text for c in run)
    whole = coach_run(BAND_ROTATION, _band_lean_frames(STANDING_FRONT, 0.0, 0.0))
    assert any(c.phase == "coaching" for c in whole)  # the head in: the set starts


# -- measures that need no left and right (session 14) -------------------------------------------
BAND_WALK = load_by_id("band_walk")


def _band_walk_feet_together() -> tuple[list[PoseFrame], float]:
    """The catalogue's band walk: a step out held, the feet drawn 4.5 degrees each past the
    stance (feet_together, side none) from FAULT_ON_S to FAULT_OFF_S; with the head above the
    picture throughout and, from 1 s before the fault, the trunk read from behind (left and
    right swapped), as MediaPipe read dev r2087 (b25). Returns (frames, the fault's onset)."""
    from tests.test_catalogue import BAND_WALK as WALK
    from tests.test_catalogue import FAULT_ON_S as ON_S
    from tests.test_catalogue import _fault_keys, _frames

    case = next(c for c in WALK.faults if c.fault_id == "feet_together")
    keys, onset_s, _ = _fault_keys(WALK, case, "left", case.bad)
    frames = _head_out(_frames(WALK, keys), swap_every_s=None)
    out = []
    for f in frames:
        if f.t_ms >= (ON_S - 1.0) * 1000.0:
            p = f.pose
            f = replace(f, pose=p.labels_swapped())
        out.append(f)
    return out, onset_s


def test_labels_swapped_is_a_mirror_of_the_names() -> None:
    """Left and right trade rows, the nose stays, the mouth's corners trade too; twice is
    the pose itself."""
    f = _band_lean_frames(STANDING_FRONT, 0.0, 0.0)[0]
    p, q = f.pose, f.pose.labels_swapped()
    for a, b in (("left_knee", "right_knee"), ("mouth_left", "mouth_right"), ("nose", "nose")):
        assert np.array_equal(q.image_xy[index_of(a)], p.image_xy[index_of(b)])
        assert np.array_equal(q.world_xyz[index_of(a)], p.world_xyz[index_of(b)])
    assert np.array_equal(q.labels_swapped().image_xy, p.image_xy)


def test_the_feet_gap_is_read_through_frames_read_from_behind() -> None:
    """Band walk feet_together with the head out and the trunk read from behind while the
    feet come together: the feet's gap needs no labels (``read_from_behind``), so it is
    flagged; the step (a leg, a label) is unknown there, with the head named. Before, the
    whole frame was unknown and the fault was never checked (dev r2087: 2 of 6 caught)."""
    frames, onset_s = _band_walk_feet_together()
    assert all(read_from_behind(f.pose, both=True) for f in frames if f.t_ms >= 8000)
    run = run_checker(BAND_WALK, frames)
    assert_flagged(run, "feet_together", None, onset_s)
    late = [r for r in run.results if r.t_ms >= onset_s * 1000.0]
    assert all(r.state == "unknown" and r.reason == HEAD_CUT_REASON for r in late)
    assert all(not m.known for r in late for m in r.measures if m.name == "leg_out")


def test_a_measure_not_marked_stays_unknown_through_frames_read_from_behind() -> None:
    """The same frames with the feet's gap not marked ``read_from_behind`` (then no measure
    of the band walk is marked, and the frames read from behind are wholly unknown): nothing
    is read there, so feet_together is not flagged."""
    text = (SPEC_DIR / "band_walk.yaml").read_text(encoding="utf-8")
    plain = parse_spec(text.replace("    read_from_behind: true\n", ""), "band_walk")
    assert not any(m.read_from_behind for m in plain.measures.values())
    frames, _ = _band_walk_feet_together()
    run = run_checker(plain, frames)
    assert "feet_together" not in run.fault_ids()
    assert all(r.measures == () for r in run.results if r.t_ms >= 8000)


#: The butterfly's feet_near (the ankles' gap in one shin's length, left knee to left
#: ankle: it reads otherwise with left and right swapped), marked, added to the band walk.
_FEET_NEAR = """  feet_near:
    metric: separation_ratio
    description: The ankles' gap in the left shin's length.
    a: left_ankle
    b: right_ankle
    ref_a: left_knee
    ref_b: left_ankle
    space: image
    read_from_behind: true
"""


def test_a_marked_measure_that_needs_the_labels_is_still_unknown() -> None:
    """A whole-body measure marked ``read_from_behind`` that reads otherwise with left and
    right swapped (the butterfly's feet nearer than the knees: it divides by one side's
    length) is unknown in a frame read from behind all the same, with the head named: the
    mark is checked. The feet's gap, read the same swapped, is read in those frames."""
    text = (SPEC_DIR / "band_walk.yaml").read_text(encoding="utf-8")
    spec = parse_spec(text.replace("measures:\n", "measures:\n" + _FEET_NEAR, 1), "band_walk")
    frames, _ = _band_walk_feet_together()
    late = [r for r in run_checker(spec, frames).results if r.t_ms >= 8000]
    assert late
    for r in late:
        by_name = {m.name: m for m in r.measures}
        assert not by_name["feet_near"].known and by_name["feet_near"].missing == HEAD_LANDMARKS
        assert by_name["feet_width"].known


def test_a_frame_halfway_through_a_swap_stays_wholly_unknown() -> None:
    """The head above the picture and only the shoulders' labels swapped (the trunk read
    nearly edge-on, halfway through a swap): even the band walk's marked feet gap is not
    read there; nothing is measured."""
    frames, _ = _band_walk_feet_together()
    rows = list(range(len(SWAPPED_LABELS)))
    for a, b in (("left_shoulder", "right_shoulder"),):
        rows[index_of(a)], rows[index_of(b)] = index_of(b), index_of(a)
    unswapped = [
        replace(f, pose=f.pose.labels_swapped()) if f.t_ms >= (FAULT_ON_S - 1.0) * 1000 else f
        for f in frames
    ]
    halfway = [
        replace(
            f, pose=Pose(f.pose.image_xy[rows], f.pose.visibility[rows], f.pose.world_xyz[rows])
        )
        if f.t_ms >= 8000
        else f
        for f in unswapped
    ]
    assert all(
        read_from_behind(f.pose) and not read_from_behind(f.pose, both=True)
        for f in halfway
        if f.t_ms >= 8000
    )
    late = [r for r in run_checker(BAND_WALK, halfway).results if r.t_ms >= 8000]
    assert late and all(r.state == "unknown" and r.measures == () for r in late)
    assert all(r.reason == HEAD_CUT_REASON for r in late)


def _dropped(frames: list[PoseFrame], keep: str) -> list[PoseFrame]:
    """Every frame, every other frame, or 55 % of them kept evenly."""
    if keep == "all":
        return frames
    if keep == "every other":
        return frames[::2]
    return [f for i, f in enumerate(frames) if int((i + 1) * 0.55) != int(i * 0.55)]


def _pipeline_faults(frames: list[PoseFrame]) -> list[str]:
    """The fault ids flagged over the frames through the whole pipeline (the smoother too)."""
    from posecheck.coaching.pipeline import Pipeline
    from tests.helpers import NoEstimator

    pipeline = Pipeline(BAND_WALK, NoEstimator())
    for f in frames:
        pipeline.process_pose(f)
    return [e.fault_id for e in pipeline.checker.summary().faults]


def _swapping_walk(size_deg: float, every_s: float) -> list[PoseFrame]:
    """The catalogue's band walk with the feet drawn in ``size_deg`` each from FAULT_ON_S to
    FAULT_OFF_S, the head above the picture, and from 7 s the labels swapped every other
    ``every_s``, as MediaPipe swaps them without the face."""
    from tests.test_catalogue import BAND_WALK as WALK
    from tests.test_catalogue import _fault_keys, _frames

    case = next(c for c in WALK.faults if c.fault_id == "feet_together")
    keys, _, _ = _fault_keys(WALK, case, "left", size_deg)
    return [
        replace(f, pose=f.pose.labels_swapped())
        if f.t_ms > 7000 and int(f.t_ms / 1000 / every_s) % 2
        else f
        for f in _head_out(_frames(WALK, keys), swap_every_s=None)
    ]


def test_the_feet_gap_through_swaps_gives_the_same_flags_with_frames_dropped() -> None:
    """The smoother follows each landmark by its name: for a few frames after a swap its
    ankles and hips blend both sides, and how far depends on the frame rate. The marked
    measures are unknown for ``smoothing.SETTLE_S`` after the trunk's reading changes, by
    timestamps. Feet drawn in 2 degrees each (under the line), swapped every 0.7 s: no flag
    at any rate (before: none at full rate, feet_together with every other frame and with
    55 % kept); the true fault (4.5 degrees), swapped every 1.1 s: flagged at every rate."""
    under = _swapping_walk(2.0, 0.7)
    assert {k: _pipeline_faults(_dropped(under, k)) for k in ("all", "every other", "55")} == {
        "all": [],
        "every other": [],
        "55": [],
    }
    fault = _swapping_walk(4.5, 1.1)
    for keep in ("all", "every other", "55"):
        assert set(_pipeline_faults(_dropped(fault, keep))) == {"feet_together"}, keep


def test_dev_r2087_gives_the_same_flags_with_frames_dropped() -> None:
    """The recorded landmarks of dev r2087 (band walk, b25, the head above the picture):
    two feet_together flags, whole, with every other frame and with 55 % kept (before: every
    other frame flagged a third at 4.6 s, read -0.63 mid-blend after a swap)."""
    from posecheck.pose.recording import load_recording
    from tests.test_fault_causes import _BENCHMARK_CLIPS

    clip = "r2087_band_walk_feet_together_b25"
    frames = load_recording(_BENCHMARK_CLIPS / f"{clip}.pose.json.gz").frames
    for keep in ("all", "every other", "55"):
        assert _pipeline_faults(_dropped(frames, keep)) == ["feet_together"] * 2, keep


def test_a_per_side_measure_cannot_be_read_from_behind() -> None:
    text = (SPEC_DIR / "band_walk.yaml").read_text(encoding="utf-8")
    old = "    outward_from: mid_hip\n"
    bad = text.replace(old, old + "    read_from_behind: true\n")
    assert bad != text
    with pytest.raises(SpecError, match="read_from_behind"):
        parse_spec(bad, "band_walk")


@pytest.mark.parametrize(
    "derived",
    [
        "metric: speed\n    of: feet_width",
        "metric: lower_of\n    of: leg_out",
        "metric: start_or\n    of: feet_width\n    before_start: knees_in",
    ],
)
def test_a_measure_worked_out_from_another_cannot_be_read_from_behind(derived: str) -> None:
    """A speed, a lower-of or a start-or is worked out from the measure it names, whatever
    the frame: the mark would do nothing there, so the spec does not load with it."""
    text = (SPEC_DIR / "band_walk.yaml").read_text(encoding="utf-8")
    extra = f"  derived:\n    {derived}\n    description: Worked out.\n"
    parse_spec(text.replace("measures:\n", "measures:\n" + extra, 1), "band_walk")  # loads
    marked = extra + "    read_from_behind: true\n"
    with pytest.raises(SpecError, match="read_from_behind"):
        parse_spec(text.replace("measures:\n", "measures:\n" + marked, 1), "band_walk")
