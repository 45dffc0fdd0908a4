"""The command line, as a user runs it."""

import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from posecheck.cli import main
from tests.clips import sample_frames, write_clip, write_y4m


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "posecheck", *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.mediapipe
def test_analyze_a_real_clip_writes_a_valid_report_and_annotated_video(media, tmp_path):
    report, video = tmp_path / "report.json", tmp_path / "annotated.mp4"
    proc = run_cli(
        "analyze",
        str(media / "bridging.mp4"),
        "--stretch",
        "supine_knee_drop",
        "--report",
        str(report),
        "--annotate",
        str(video),
    )
    assert proc.returncode == 0, proc.stderr
    assert "Supine knee drop" in proc.stdout
    data = json.loads(report.read_text())
    assert data["stretch"]["id"] == "supine_knee_drop"
    assert data["source"]["frames"] == 91 and data["source"]["fps"] == 30.0
    assert data["duration_s"] == pytest.approx(3.0, abs=0.05)
    assert set(data["reps"]) == {"left", "right"}
    assert data["disclaimer"].startswith("Form feedback")
    cap = cv2.VideoCapture(str(video))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 91
    fourcc = int(cap.get(cv2.CAP_PROP_FOURCC)).to_bytes(4, "little").decode()
    assert fourcc in ("h264", "avc1")  # H.264, which browsers play
    cap.release()


def test_analyze_bad_input_is_one_line_without_traceback(tmp_path):
    proc = run_cli("analyze", str(tmp_path / "missing.mp4"), "--stretch", "supine_knee_drop")
    assert proc.returncode == 2
    assert (
        proc.stderr.strip() == f"posecheck: {tmp_path / 'missing.mp4'}: no such file. "
        "Check the path and try again."
    )
    proc = run_cli("analyze", str(tmp_path / "x.mp4"), "--stretch", "no_such_stretch")
    assert proc.returncode == 2 and "no stretch called 'no_such_stretch'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_specs_validate_rejects_a_broken_spec_naming_file_and_field(tmp_path, capsys):
    from posecheck.specs.schema import SPEC_DIR

    bad = tmp_path / "supine_knee_drop.yaml"
    bad.write_text(
        (SPEC_DIR / "supine_knee_drop.yaml").read_text().replace("hold_s: 30", "hold_seconds: 30")
    )
    assert main(["specs", "validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "field 'dose.hold_seconds'" in err and "line " in err


def test_specs_list_and_show(capsys):
    assert main(["specs", "list"]) == 0
    out = capsys.readouterr().out
    assert "prone_internal_rotation" in out and "supine_knee_drop" in out
    assert main(["specs", "show", "prone_internal_rotation"]) == 0
    out = capsys.readouterr().out
    assert "1. Lie face down" in out and "Not checked from this view" in out


def test_specs_show_says_in_plain_words_what_the_view_does_not_check(capsys):
    """Supine hip rotation checks no fault from beyond the feet (session 14): show says so,
    and lists the shoulders and knees under not checked, with the plain reason only."""
    assert main(["specs", "show", "supine_hip_rotation"]) == 0
    out = capsys.readouterr().out
    assert "Checked:\n  nothing from this view\n" in out
    not_checked = out.split("Not checked from this view (")[1]
    assert (
        "- Keep both shoulders on the mat by rolling less far. (From beyond your feet"
        in not_checked
    )
    assert "- Keep your knees pressed together." in not_checked
    assert "Dev split" not in out and "r0" not in out


@pytest.mark.mediapipe
def test_a_portrait_variable_rate_phone_clip_counts_its_reps_quietly(tmp_path):
    """Sideways pixels + a rotation flag + uneven frame times (dropped frames keep their real
    times), as phones record: the same reps as the upright clip's truth (1 per side), and a
    good run writes nothing on stderr (no MediaPipe/TF log lines)."""
    frames = sample_frames()  # prone_ir_good_female: 10 fps, one rep per side
    keep = [i for i in range(len(frames)) if not (i % 3 == 1 and 20 < i < 100)]
    phone = write_clip(
        tmp_path / "phone.mp4",
        [np.rot90(frames[i], -1) for i in keep],
        times_ms=[i * 100 for i in keep],
        fps=10,
        rotation_deg=90,
    )
    report = tmp_path / "report.json"
    proc = run_cli(
        "analyze", str(phone), "--stretch", "prone_internal_rotation", "--report", str(report)
    )
    assert proc.returncode == 0 and proc.stderr == ""
    assert "reps 1 left, 1 right" in proc.stdout  # the count first, in words
    data = json.loads(report.read_text())
    assert data["reps"] == {"left": 1, "right": 1}
    assert data["source"]["rotation_deg"] == 90 and data["source"]["variable_frame_rate"]
    assert (data["source"]["width"], data["source"]["height"]) == (640, 480)
    assert data["duration_s"] == pytest.approx(11.9, abs=0.05)


@pytest.mark.mediapipe
def test_a_cut_off_clip_is_stated_and_nothing_prints_none(tmp_path):
    whole = write_clip(tmp_path / "whole.mp4", sample_frames(40), fps=10, faststart=True)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 3 // 4])
    report = tmp_path / "report.json"
    proc = run_cli(
        "analyze", str(cut), "--stretch", "prone_internal_rotation", "--report", str(report)
    )
    assert proc.returncode == 0 and proc.stderr == ""
    assert "  warning: the file ends early or is damaged: only " in proc.stdout
    assert "left not measured, right not measured" in proc.stdout
    assert "None" not in proc.stdout
    (warning,) = json.loads(report.read_text())["warnings"]
    assert "of 40 frames" in warning


@pytest.mark.mediapipe
def test_a_fallback_frame_rate_is_stated_on_the_command_line(tmp_path):
    clip = write_y4m(tmp_path / "odd_rate.y4m", 320, 240, 5, rate="100000:1")
    proc = run_cli("analyze", str(clip), "--stretch", "prone_internal_rotation", "--json")
    assert proc.returncode == 0 and proc.stderr == ""
    data = json.loads(proc.stdout)
    assert data["source"]["fps_is_fallback"]
    assert "no usable frame rate; 30 fps was assumed" in data["warnings"][0]
    proc = run_cli("analyze", str(clip), "--stretch", "prone_internal_rotation")
    assert "  warning: the video states no usable frame rate" in proc.stdout


def test_specs_with_a_missing_or_empty_folder_fail(tmp_path, capsys):
    missing = tmp_path / "MISSING"
    for command in ("validate", "list"):
        assert main(["specs", "--dir", str(missing), command]) == 2
        assert f"posecheck: {missing}: no such folder" in capsys.readouterr().err
    assert main(["specs", "--dir", str(tmp_path), "validate"]) == 2
    assert "no spec files (*.yaml) in this folder" in capsys.readouterr().err
