"""Cues: one at a time, ranked, and steady (no flicker)."""

import itertools
from dataclasses import replace

from posecheck.coaching.checker import ActiveFault, CheckResult
from posecheck.coaching.feedback import CueSelector, candidate_cue
from posecheck.specs.schema import load_by_id

SPEC = load_by_id("prone_internal_rotation")


def result(t_ms: float, state: str = "active", faults=(), reason=None, **kw) -> CheckResult:
    base = CheckResult(
        index=0,
        t_ms=t_ms,
        state=state,
        working_side="left",
        reason=reason,
        missing=(),
        measures=(),
        rom_deg=(),
        active_faults=tuple(faults),
        unchecked_faults=(),
        hold_s=5.0,
        reps=(("left", 0), ("right", 0)),
        holds_completed=0,
        last_completed_side=None,
    )
    return replace(base, **kw)


HIPS = ActiveFault("hips_lift", None, "Keep your hip bones on the floor.", 2, 0.0, ())
KNEE = ActiveFault("knee_lifts", "left", "Keep your knee resting on the floor.", 1, 0.0, ())


def test_ranking_unknown_over_fault_over_positive():
    assert candidate_cue(result(0, faults=[HIPS]), SPEC).text == (
        "Keep your hip bones on the floor."
    )
    assert candidate_cue(result(0, faults=[KNEE]), SPEC).text == (
        "Left side: Keep your knee resting on the floor."
    )
    unknown = result(0, state="unknown", reason="I can't see your left knee")
    assert candidate_cue(unknown, SPEC).text.startswith("I can't see your left knee")
    assert candidate_cue(result(0), SPEC).text == SPEC.good_cue
    done = result(0, hold_s=SPEC.dose.hold_s)
    assert candidate_cue(done, SPEC).kind == "positive"
    switch = result(0, state="rest", last_completed_side="left")
    assert "right side" in candidate_cue(switch, SPEC).text


def test_cue_does_not_flicker_between_fault_and_good_form():
    sel = CueSelector(SPEC, min_show_s=1.5)
    shown = []
    # A fault that blinks on and off every 100 ms for 1 s, then good form for 3 s.
    for i in range(40):
        faults = [KNEE] if i < 10 and i % 2 == 0 else []
        shown.append(sel.update(result(i * 100.0, faults=faults)).text)
    changes = sum(1 for a, b in itertools.pairwise(shown) if a != b)
    assert shown[0].startswith("Left side")
    assert changes == 1  # one change, to the positive cue, after the minimum show time
    first_good = shown.index(SPEC.good_cue)
    assert first_good * 100 >= 1500


def test_every_cue_stays_its_minimum_and_a_more_severe_one_follows_at_once():
    sel = CueSelector(SPEC, min_show_s=2.5)
    assert sel.update(result(0, faults=[KNEE])).fault_id == "knee_lifts"
    assert sel.update(result(100, faults=[HIPS, KNEE])).fault_id == "knee_lifts"  # 2.5 s first
    assert sel.update(result(2500, faults=[HIPS, KNEE])).fault_id == "hips_lift"  # no onset


def test_a_less_severe_cue_must_last_before_it_is_shown():
    sel = CueSelector(SPEC, min_show_s=2.5, positive_onset_s=2.0)
    sel.update(result(0, faults=[HIPS]))
    assert sel.update(result(3000)).text != SPEC.good_cue  # good form only just began
    assert sel.update(result(4900)).text != SPEC.good_cue
    assert sel.update(result(5000)).text == SPEC.good_cue


def test_a_rest_between_holds_needs_no_words():
    sel = CueSelector(SPEC, info_onset_s=3.0, quiet_rest_s=15.0)
    sel.update(result(0))
    for t in range(3000, 17900, 100):  # good form, then a rest of 14.9 s: the cue holds
        assert sel.update(result(t, state="rest")).text == SPEC.good_cue
    assert sel.update(result(18000, state="rest")).kind == "info"
    fresh = CueSelector(SPEC, info_onset_s=3.0)  # before any hold, information waits 3 s
    fresh.update(result(0, state="settling"))
    ready = "Ready when you are: ease into the stretch slowly."
    assert fresh.update(result(2900, state="rest")).text != ready
    assert fresh.update(result(5900, state="rest")).text == ready


def test_nobody_in_view_goes_the_moment_someone_is_seen():
    sel = CueSelector(SPEC)
    gone = result(0, state="no_person", reason="I can't see anyone. Step into the view.")
    assert sel.update(gone).kind == "no_person"
    assert sel.update(result(300, state="settling")).kind != "no_person"


def test_a_recognised_variant_is_named_and_cued_toward_the_spec_form():
    """In position in a variant the spec names (an upright pigeon), the cue says which one and
    gives its calm tip; faults and a finished hold still come first, and without a variant
    the good-form cue stays."""
    pigeon = load_by_id("pigeon")
    upright = result(0, variant="upright")
    text = candidate_cue(upright, pigeon).text
    assert text.startswith("Upright pigeon: ")
    assert "lower your chest over your front leg" in text
    assert candidate_cue(result(0, faults=[HIPS], variant="upright"), pigeon).kind == "fault"
    done = result(0, variant="upright", hold_s=pigeon.dose.hold_s)
    assert candidate_cue(done, pigeon).text == "Hold complete. Ease back slowly."
    assert candidate_cue(result(0), pigeon).text == pigeon.good_cue
    shown = CueSelector(pigeon)
    cues = {shown.update(result(t, variant="upright")).text for t in range(0, 6000, 100)}
    assert text in cues


def test_a_video_under_review_is_not_asked_to_hold_still():
    settling = result(0, state="settling")
    assert "Hold still" in candidate_cue(settling, SPEC).text  # live: the person can act on it
    reviewed = CueSelector(SPEC, recorded=True).update(settling).text
    assert "Hold still" not in reviewed
    assert reviewed == "Found you. Reading your starting position."
