"""The benchmark's tools for trying another pose model (issue #12): ``record.py`` picks the
clips of a split and writes elsewhere, ``accuracy.py --recordings`` scores another folder of
recordings against the same truth, and ``record_video`` names the model it ran."""

from __future__ import annotations

import csv
import importlib.util
import math
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from posecheck.pose.recording import load_recording, record_video, save_recording

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
SAMPLES = ROOT / "sample_videos"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with open(DATA / "index.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _index(tmp: Path, rows: list[dict[str, str]], with_truth: list[str]) -> Path:
    """An index of ``rows`` in ``tmp``, with the truth (and recording) of ``with_truth``."""
    (tmp / "clips").mkdir()
    with open(tmp / "index.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    for clip in with_truth:
        for suffix in (".truth.json.gz", ".pose.json.gz"):
            shutil.copy(DATA / "clips" / f"{clip}{suffix}", tmp / "clips")
    return tmp / "index.csv"


def test_record_picks_the_split_the_filter_and_clips_with_truth(tmp_path: Path, rows) -> None:
    dev = [r for r in rows if r["split"] == "dev"][:3]
    test = [r for r in rows if r["split"] == "test"][:1]
    names = [r["clip"] for r in dev + test]
    index = _index(tmp_path, dev + test, names[1:])  # the first dev clip has no truth here
    names_of = _module("record")._clip_names
    assert names_of(index, "dev", None) == names[1:3]
    assert names_of(index, "test", None) == names[3:]
    assert names_of(index, "all", None) == names[1:]
    assert names_of(index, None, names[2][:5]) == [names[2]]


def _accuracy(*args: str) -> str:
    script = str(ROOT / "benchmarks" / "accuracy.py")
    run = subprocess.run(
        [sys.executable, script, *args, "-j", "1"], capture_output=True, text=True, check=True
    )
    return run.stdout


def test_accuracy_scores_another_folder_and_names_what_it_left_out(tmp_path: Path, rows) -> None:
    dev = [r for r in rows if r["split"] == "dev"][:2]
    index = _index(tmp_path, dev, [r["clip"] for r in dev])
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(tmp_path / "clips" / f"{dev[0]['clip']}.pose.json.gz", other)
    out = _accuracy("--index", str(index), "--recordings", str(other))
    assert f"recordings in {other}, 1 clips without one left out), pose model full: 1 clips" in out
    same = _accuracy("--index", str(index))
    assert "split dev (recordings), pose model full: 2 clips" in same


def test_a_recording_names_the_model_that_made_it(tmp_path: Path) -> None:
    rec = record_video(
        SAMPLES / "supine_knee_drop_too_fast_male.mp4", tmp_path / "lite.pose.json.gz", model="lite"
    )
    assert rec.estimator["settings"]["model"] == "lite"
    assert load_recording(tmp_path / "lite.pose.json.gz").estimator == rec.estimator


def test_starts_tells_a_start_taken_mid_roll_from_one_taken_at_rest(rows, tmp_path: Path) -> None:
    """``rom_breakdown.py --starts`` on two supine hip rotation recordings: r0032's person is
    found 1.2 s in, already rolling (as the estimator found it before its closer second look;
    the first 1.2 s are blanked here), so both starts are taken at the far end of the roll (39
    degrees in the window) and the rest start takes most of its error away; r0071 starts still,
    and its start is the rest start within a degree."""
    rb = _module("rom_breakdown")
    by_clip = {r["clip"]: r for r in rows}
    name = "r0032_supine_hip_rotation_good_b01"
    rec = load_recording(DATA / "clips" / f"{name}.pose.json.gz")
    late = [replace(f, pose=None) if f.t_ms < 1200 else f for f in rec.frames]
    (tmp_path / "clips").mkdir()
    save_recording(tmp_path / "clips" / f"{name}.pose.json.gz", late, rec.info, rec.estimator)
    shutil.copy(DATA / "clips" / f"{name}.truth.json.gz", tmp_path / "clips")
    mid = rb.start_check(by_clip[name], tmp_path / "clips")
    assert mid.found_s > 1.0
    for _, window_deg, error_deg in mid.sides.values():
        assert window_deg > 30 and abs(error_deg) > 20
    as_is = sum(abs(e) for e in mid.errors) / len(mid.errors)
    rest = sum(abs(e) for e in mid.errors_rest) / len(mid.errors_rest)
    assert as_is > 20 and rest < 5
    still = rb.start_check(by_clip["r0071_supine_hip_rotation_good_b08"], DATA / "clips")
    for _, window_deg, error_deg in still.sides.values():
        # within 1 degree of the rest start on screen; the reported number now averages in the
        # knee's swing plane (docs/measurement.md section 11), whose start reads 2.3 off here
        assert window_deg < 1 and abs(error_deg) < 3
    assert (
        rb.start_check(by_clip["r0074_seated_cross_ankle_rotation_good_b11"], DATA / "clips")
        is None
    )


def test_crossed_knee_reads_the_knee_drawn_to_the_midline_from_the_crossed_side(rows) -> None:
    """``rom_breakdown.py --crossed-knee`` on two seated cross-ankle recordings: r0321's camera
    stands 23 degrees round toward the crossed (left) leg, and while the hand presses the knee
    MediaPipe draws it about 37 px toward the midline, so the opening reads about 28 low;
    r0308's stands 19 degrees round away from its crossed leg, and the knee is where the
    truth has it (docs/measurement.md section 12)."""
    rb = _module("rom_breakdown")
    by_clip = {r["clip"]: r for r in rows}
    _, (toward,) = rb.crossed_knee_check(
        by_clip["r0321_seated_cross_ankle_rotation_near_back_rounded_b02"], DATA / "clips"
    )
    assert toward.side == "left" and toward.toward_deg > 20
    assert toward.press_frames > 50 and toward.press_px < -25
    assert sum(toward.rom_errors) / len(toward.rom_errors) < -20
    _, (away,) = rb.crossed_knee_check(
        by_clip["r0308_seated_cross_ankle_rotation_near_back_rounded_b05"], DATA / "clips"
    )
    assert away.side == "left" and away.toward_deg < -15
    assert abs(away.press_px) < 5
    assert abs(sum(away.rom_errors) / len(away.rom_errors)) < 5
    assert (
        rb.crossed_knee_check(by_clip["r0071_supine_hip_rotation_good_b08"], DATA / "clips") is None
    )


def test_lobo_sets_a_constant_beside_the_fits(capsys) -> None:
    """``--lobo``: a reading that follows the truth exactly is fitted as 1 x reading + 0 and
    reads 0 off; the constant (the other bodies' mean true angle) does not follow it."""
    rb = _module("rom_breakdown")
    truths = [(f"b{i % 4}", 10.0 + 3.0 * i) for i in range(12)]
    rb.leave_one_body_out([("exact", b, t, t, 0.0) for b, t in truths])
    line = capsys.readouterr().out.splitlines()[1]
    cells = line.split()
    for cell in (cells[3], cells[7]):  # none, affine: 0 off (the bias printed +0.0 or -0.0)
        assert abs(float(cell.split("/")[0])) < 0.05 and abs(float(cell.split("/")[1])) < 0.05
    assert float(cells[8].split("/")[0]) > 5  # constant
    slope, intercept = line.split("affine ")[1].split(" x ")
    assert slope == "1.00" and abs(float(intercept)) < 0.05


def test_best_scores_the_number_a_person_keeps(rows) -> None:
    """``rom_breakdown.py --best``: the best of a set per side, as reported (the twist's
    learned scale and all), against the truth's best. r0281's twist reads its 46-degree left
    turn about 17 raw, so that side's best is the dev split's largest miss (docs/measurement.md
    section 12; -42 and -21 with the turn against the hips x1.42, -38 and -13 since session
    14's larger of two turns x1.12); band walk has no number."""
    rb = _module("rom_breakdown")
    by_clip = {r["clip"]: r for r in rows}
    stretch, clip, errors = rb.best_check(
        by_clip["r0281_seated_internal_rotation_twist_good_b10"], DATA / "clips"
    )
    assert stretch == "seated_internal_rotation_twist" and clip.startswith("r0281")
    assert sorted(round(e) for e in errors) == [-38, -13]
    walk = next(r for r in rows if r["stretch"] == "band_walk")
    assert rb.best_check(walk, DATA / "clips") is None


@pytest.mark.parametrize(
    ("stretch", "sides", "share"),
    [("seated_cross_ankle_rotation", 24, 0.85), ("seated_internal_rotation_twist", 37, 0.9)],
)
def test_the_stated_uncertainty_covers_the_dev_sides(rows, stretch, sides, share) -> None:
    """The "give or take" beside the seated numbers covers about 9 in 10 of the dev split's
    sides, the best of a set as reported against the truth's best (session 14: the
    cross-ankle's 15 covered 83 % of 24 sides once the new bodies b22-b25 came in, 23 covers
    88 %; the twist's 16 covers 92 % of 37 since its number reads the larger of two turns)."""
    from posecheck.specs.schema import load_by_id

    rb = _module("rom_breakdown")
    errors = [
        e
        for r in rows
        if r["split"] == "dev" and r["stretch"] == stretch
        for found in (rb.best_check(r, DATA / "clips"),)
        if found is not None
        for e in found[2]
    ]
    within = load_by_id(stretch).rom.uncertainty_deg
    assert len(errors) == sides
    assert sum(abs(e) <= within for e in errors) / len(errors) >= share


def test_start_template_sets_the_joints_beside_mediapipes_picture(rows) -> None:
    """``rom_breakdown.py --start-template`` (prone): on r0065 (camera 59 round on the
    person's right, seen from the hips) the start template in the picture's proportions reads
    MediaPipe's picture within 8 degrees but the truth's joints 14 too near the feet, an
    adult's template the joints within 5 and MediaPipe 19 too far round (docs/measurement.md
    18.4, where the truth was taken about the point the renderer aims at, 0.15 m toward the
    feet: 62 round, 5 / 18 / 15); another stretch has no such template."""
    rb = _module("rom_breakdown")
    by_clip = {r["clip"]: r for r in rows}
    clip, az, errors = rb.start_template_check(
        by_clip["r0065_prone_internal_rotation_good_b02"], DATA / "clips"
    )
    assert clip.startswith("r0065") and az < -55
    picture_joints, picture_mp, adult_joints, adult_mp = errors
    assert picture_joints > 12 and abs(picture_mp) < 8  # toward the feet: az read nearer 0
    assert 0 < adult_joints < 5 and adult_mp < -15
    walk = next(r for r in rows if r["stretch"] == "band_walk")
    assert rb.start_template_check(walk, DATA / "clips") is None


def test_the_interval_resamples_bodies_not_clips() -> None:
    """The overall interval draws whole bodies: two bodies that disagree completely (one all
    hits, one all false alarms) give a precision interval from 0 to 1; one body alone gives
    no spread at all; clip names without a body are their own unit."""
    acc = _module("accuracy")
    score_mod = sys.modules["posecheck.review.truth"]

    def result(clip: str, hit: bool) -> object:
        fault = score_mod.TruthFault("x", "left", 0.0, 1.0) if hit else None
        s = score_mod.Score(
            clip=clip,
            stretch="s",
            hits=((fault, 0.5),) if hit else (),
            misses=(),
            not_checked=(),
            false_alarms=() if hit else (object(),),
            flags=1,
            rep_error=0,
            hold_error=0,
            rom_errors_deg=(2.0,),
            best_rom_error_deg=(),
        )
        return acc.Result(clip, "s", "b", "side", s, 60.0, not hit)

    assert acc.body_of("r0001_clamshell_good_b03") == "b03"
    assert acc.body_of("walk") == "walk"
    two = [result(f"r{i}_s_good_b01", True) for i in range(3)]
    two += [result(f"r{i}_s_good_b02", False) for i in range(3)]
    line = acc.body_interval_line(two)
    assert "resampling the 2 bodies" in line and "precision 0.00-1.00" in line, line
    one = acc.body_interval_line(two[:3])
    assert "precision 1.00-1.00" in one and "ROM MAE 2.0-2.0" in one, one


def test_margins_holds_a_reading_for_the_fault_s_time_on_consecutive_frames() -> None:
    """``margins.held_peak``: a one-frame spike is not held; a plateau of 0.4 s is; a gap
    in the frames breaks a run (the checker's onset starts again)."""
    held = _module("margins").held_peak
    spike = [(n, n * 100.0, 10.0 if n == 3 else 1.0) for n in range(10)]
    assert held(spike, 0.4) == 1.0
    assert held(spike, 0.0) == 10.0
    plateau = [(n, n * 100.0, 6.0 if 2 <= n <= 6 else 1.0) for n in range(10)]
    assert held(plateau, 0.4) == 6.0
    assert held(plateau, 0.5) == 1.0
    broken = [x for x in plateau if x[0] != 4]  # frame 4 not read: two runs of 0.1 s
    assert held(broken, 0.4) == 1.0
    assert math.isnan(held(broken[:2], 0.4))


def test_margins_chooses_a_line_and_scores_the_body_left_out() -> None:
    """``margins.choose_line``: the midpoint where good and fault readings part, else the cut
    with the fewest on the wrong side; leaving one body out, a body whose good form reads
    past the others' faults is put on the wrong side; a ``below`` line reads turned."""
    mg = _module("margins")
    assert mg.choose_line([1.0, 2.0], [4.0, 6.0]) == 3.0
    assert mg.choose_line([1.0, 2.0, 5.0], [4.0, 6.0, 7.0]) == 5.5  # ties: 3 and 5.5
    assert math.isnan(mg.choose_line([1.0], []))

    def case(body: str, kind: str, value: float):
        return mg.Case(f"r0_{body}", body, "x", kind, value)

    cases = [case(f"b{i}", "good", 1.0 + i * 0.1) for i in range(4)]
    cases += [case(f"b{i}", "fault", 5.0) for i in range(4)]
    assert mg.leave_one_body_out(cases).wrong_good == 0
    lobo = mg.leave_one_body_out([*cases, case("b9", "near", 6.0)])
    assert lobo.wrong_good == 1 and lobo.wrong_fault == 0
    assert len(lobo.lines) == 5 and max(lobo.lines) < 5.0  # b9 outvoted: its good form flagged
    alone = [case("b0", "good", 1.0), case("b1", "good", 2.0), case("b1", "fault", 0.5)]
    one = mg.leave_one_body_out(alone)  # b1 left out: no fault left to set a line
    assert (one.good_scored, one.fault_scored, len(one.lines)) == (1, 0, 1)
    fault = mg.load_spec_once("standing_band_rotation").faults
    jerky = next(x for x in fault if x.id == "jerky_return")  # below 0.35 s
    assert mg.badness(jerky, 0.2) > mg.line_of(jerky) > mg.badness(jerky, 0.5)
    assert mg.shown(jerky, mg.badness(jerky, 0.2)) == 0.2
    lean = next(x for x in fault if x.id == "trunk_leans")  # a band: above 4, below -4
    assert mg.badness(lean, -5.0) == mg.badness(lean, 5.0) == 5.0


def test_margins_reads_what_the_checker_compares_with_its_line(rows) -> None:
    """``margins.clip_cases`` on recorded clips: the band rotation's near knee bend r0161
    reads past the line it is no fault for (the false alarm on dev); figure four's good
    r0394 reads past the slip line only as the leg is uncrossed, where the checker waits
    (its grace past the exit line), so it is not counted there."""
    mg = _module("margins")
    by_clip = {r["clip"]: r for r in rows}
    near = by_clip["r0161_standing_band_rotation_near_knee_bends_b02"]
    cases = {c.fault: c for c in mg.clip_cases(near, DATA / "clips")}
    assert cases["knee_bends"].kind == "near" and 9.0 < cases["knee_bends"].value < 9.6
    assert cases["trunk_leans"].kind == "good"
    good = by_clip["r0394_figure_four_good_b11"]
    slips = next(c for c in mg.clip_cases(good, DATA / "clips") if c.fault == "ankle_slips")
    assert slips.kind == "good" and slips.value < 0.52
