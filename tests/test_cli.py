"""The command line, as a user runs it."""

import json
import subprocess
import sys

import cv2
import pytest

from posecheck.cli import main


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
    from posecheck.spec import SPEC_DIR

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
    assert "1. Lie face down" in out and "not checked" in out
