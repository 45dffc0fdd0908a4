"""Scoring an analysis against ground truth, on hand-made cases (no video needed)."""

from posecheck.coaching.checker import FaultEvent, Hold, Summary
from posecheck.coaching.pipeline import FrameRecord
from posecheck.media.source import SourceInfo
from posecheck.review.analysis import Analysis
from posecheck.review.truth import Truth, TruthFault, score
from posecheck.specs.schema import load_by_id

SPEC = load_by_id("supine_knee_drop")


def analysis(events: tuple[FaultEvent, ...], reps=(("left", 1), ("right", 1))) -> Analysis:
    records = tuple(
        FrameRecord(
            i,
            i * 100.0,
            "active" if 20 <= i < 40 else "rest",
            "left" if 20 <= i < 40 else None,
            30.0 if 20 <= i < 40 else None,
            None,
            0.0,
            (),
            "",
        )
        for i in range(100)
    )
    summary = Summary(
        "supine_knee_drop",
        9.9,
        0.0,
        0.0,
        events,
        (Hold("left", 2000.0, 4000.0, 2.0, False, 30.0),),
        reps,
        0,
        (("left", 30.0), ("right", None)),
    )
    return Analysis(SourceInfo("x.mp4", "video", 640, 480, 10.0, 100), SPEC, records, summary)


def truth(faults: tuple[TruthFault, ...]) -> Truth:
    rom = tuple((35.0 if 20 <= i < 40 else 0.0, 0.0) for i in range(100))
    return Truth("x", "supine_knee_drop", "male", faults, (("left", 1), ("right", 1)), 1, rom)


def event(fault: str, side: str | None, start_s: float, end_s: float | None) -> FaultEvent:
    return FaultEvent(
        fault,
        side,
        "",
        2,
        start_s * 1000,
        start_s * 1000 + 400,
        None if end_s is None else end_s * 1000,
        0.0,
    )


def test_hit_needs_same_fault_overlap_and_no_side_contradiction():
    true = (TruthFault("other_knee_falls", "right", 3.0, 6.0),)
    hit = score(analysis((event("other_knee_falls", "right", 3.2, 5.0),)), truth(true))
    assert [t.fault for t, _ in hit.hits] == ["other_knee_falls"] and not hit.false_alarms
    assert hit.hits[0][1] == (3.2 + 0.4) - 3.0  # seconds from onset to flag
    wrong_side = score(analysis((event("other_knee_falls", "left", 3.2, 5.0),)), truth(true))
    assert wrong_side.misses == true and len(wrong_side.false_alarms) == 1
    too_late = score(analysis((event("other_knee_falls", "right", 7.5, None),)), truth(true))
    assert too_late.misses == true
    within_a_second = score(analysis((event("other_knee_falls", "right", 6.8, 8.0),)), truth(true))
    assert within_a_second.misses == ()


def test_whole_body_side_does_not_contradict_a_leg():
    true = (TruthFault("feet_move", "left", 1.0, 4.0),)
    s = score(analysis((event("feet_move", None, 1.5, 3.0),)), truth(true))
    assert len(s.hits) == 1 and not s.false_alarms


def test_counts_and_rom_errors():
    s = score(analysis((), reps=(("left", 2), ("right", 0))), truth(()))
    assert s.rep_error == 2  # one too many on the left, one missing on the right
    assert s.hold_error == 0
    assert set(s.rom_errors_deg) == {5.0}  # 30 measured against 35 while in position
    assert dict(s.best_rom_error_deg) == {"left": -5.0}


def test_reps_for_both_sides_at_once_count_on_each_side():
    # A both-sides stretch (seated butterfly) counts ("both", n); the truth says n per side.
    assert score(analysis((), reps=(("both", 1),)), truth(())).rep_error == 0
    assert score(analysis((), reps=(("both", 2),)), truth(())).rep_error == 2


def test_holds_are_scored_for_hold_stretches_only():
    # One time in position against a truth of no held pauses: an error for a hold stretch,
    # none for a reps stretch (band walk steps), which is scored on its reps.
    none_held = Truth("x", "supine_knee_drop", "male", (), (("left", 1), ("right", 1)), 0, ())
    assert score(analysis(()), none_held).hold_error == 1
    steps = analysis(())
    steps = Analysis(steps.source, load_by_id("band_walk"), steps.records, steps.summary)
    assert steps.spec.dose.kind == "reps"
    assert score(steps, none_held).hold_error == 0
