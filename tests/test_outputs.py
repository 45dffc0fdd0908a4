"""Outputs never destroy a recording and are never left half written (issue #10)."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import av
import pytest

import posecheck.review.analysis
from posecheck.cli import main
from posecheck.errors import OutputError
from posecheck.media.video_out import Mp4Writer
from posecheck.outputs import atomic_path, check_outputs, write_text_atomic
from tests.clips import SAMPLE, sample_frames, write_clip

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "posecheck", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        **kw,
    )


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    """A copy of a sample clip the test may (wrongly) try to overwrite."""
    return Path(shutil.copy(SAMPLE, tmp_path / "v.mp4"))


@pytest.fixture
def no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outputs must be refused before the analysis starts."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the analysis ran before the outputs were checked")

    monkeypatch.setattr(posecheck.review.analysis, "analyze_video", refuse)


def analyze(*args: str) -> list[str]:
    return ["analyze", *args, "--stretch", "prone_internal_rotation"]


@pytest.mark.parametrize("option", ["--annotate", "--report"])
def test_an_output_naming_the_input_is_refused_and_the_input_kept(
    clip, option, no_analysis, capsys
):
    before = clip.read_bytes()
    for name in (str(clip), str(clip.parent / "." / "v.mp4")):
        assert main(analyze(str(clip), option, name)) == 2
        err = capsys.readouterr().err
        assert "that is the input video; writing it would destroy it" in err
    link = clip.parent / "link.mp4"
    link.symlink_to(clip)
    assert main(analyze(str(clip), option, str(link))) == 2
    assert clip.read_bytes() == before


def test_two_outputs_naming_one_file_are_refused(clip, tmp_path, no_analysis, capsys):
    out = tmp_path / "out.mp4"
    assert main(analyze(str(clip), "--annotate", str(out), "--report", str(out))) == 2
    assert "--annotate writes the same file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "target", "message"),
    [
        ("--report", "/proc/x.json", "no file can be created there"),
        ("--report", "{tmp}", "that is a folder"),
        ("--annotate", "{tmp}/afile/out.mp4", "part of the path is a file, not a folder"),
        ("--report", "{tmp}/" + "r" * 300 + ".json", "the file name is too long"),
        ("--annotate", "{tmp}/out", "needs the suffix .mp4 (e.g. out.mp4)"),
        ("--report", "/dev/null", "not a regular file"),
    ],
)
def test_unwritable_outputs_fail_before_the_analysis_in_one_line(
    clip, tmp_path, option, target, message, no_analysis, capsys
):
    (tmp_path / "afile").write_text("x")
    assert main(analyze(str(clip), option, target.format(tmp=tmp_path))) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("posecheck: ") and message in err


def test_unwritable_output_from_the_command_line_has_no_traceback(clip):
    proc = run_cli(*analyze(str(clip), "--report", "/proc/x.json"))
    assert proc.returncode == 2
    assert proc.stderr.startswith("posecheck: --report /proc/x.json: no file can be created")
    assert "Traceback" not in proc.stderr


def test_a_failed_or_interrupted_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "report.json"
    path.write_text("old")
    with pytest.raises(KeyboardInterrupt), atomic_path(path) as tmp:
        tmp.write_text("half")
        raise KeyboardInterrupt
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["report.json"]
    write_text_atomic(path, "new")
    assert path.read_text() == "new" and os.listdir(tmp_path) == ["report.json"]


def test_a_symlinked_output_keeps_its_link(tmp_path):
    real, link = tmp_path / "real.json", tmp_path / "link.json"
    real.write_text("old")
    link.symlink_to(real)
    write_text_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_check_outputs_returns_resolved_paths(tmp_path):
    got = check_outputs({"the input": None}, {"--report": (tmp_path / "a" / "r.json", ())})
    assert got == {"--report": (tmp_path / "a" / "r.json").resolve()}
    assert (tmp_path / "a").is_dir() and os.listdir(tmp_path / "a") == []


def test_an_annotated_video_without_the_mp4_suffix_is_refused(tmp_path):
    with pytest.raises(OutputError, match=r"out: an annotated video needs a name ending in .mp4"):
        Mp4Writer(tmp_path / "out", 64, 64, 30)
    assert os.listdir(tmp_path) == []


DISK_FULL = """
import numpy as np
from posecheck.errors import PosecheckError
from posecheck.outputs import write_text_atomic
from posecheck.media.video_out import Mp4Writer
rng = np.random.default_rng(0)
try:
    with Mp4Writer("{dir}/out.mp4", 320, 240, 30) as w:
        for _ in range(60):
            w.write(rng.integers(0, 255, (240, 320, 3), np.uint8))
except PosecheckError as e:
    print(e)
try:
    write_text_atomic("{dir}/report.json", "x" * 100_000)
except PosecheckError as e:
    print(e)
"""


def test_disk_full_gives_a_message_and_leaves_no_broken_file(tmp_path):
    """A file-size limit makes every write past 50 kB fail as a full disk would."""
    (tmp_path / "report.json").write_text("{}")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))

    proc = subprocess.run(
        [sys.executable, "-c", DISK_FULL.format(dir=tmp_path)],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines == [
        f"{tmp_path}/out.mp4: the disk is full (or the file is too large for it); free some "
        "space or write to another disk.",
        f"{tmp_path}/report.json: the disk is full (or the file is too large for it); free "
        "some space or write to another disk.",
    ]
    assert os.listdir(tmp_path) == ["report.json"]  # no partial video, the old report kept
    assert (tmp_path / "report.json").read_text() == "{}"


CONCURRENT = """
import sys
import numpy as np
from posecheck.outputs import write_text_atomic
from posecheck.media.video_out import Mp4Writer
shade = int(sys.argv[1])
with Mp4Writer(sys.argv[2], 160, 120, 30) as w:
    for _ in range(90):
        w.write(np.full((120, 160, 3), shade, np.uint8))
write_text_atomic(sys.argv[3], str(shade) * 200_000)
"""


def test_concurrent_runs_writing_the_same_outputs_never_mix(tmp_path):
    video, report = tmp_path / "out.mp4", tmp_path / "report.json"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, str(shade), str(video), str(report)], cwd=ROOT
        )
        for shade in (1, 5, 9)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    assert sorted(os.listdir(tmp_path)) == ["out.mp4", "report.json"]
    text = report.read_text()
    assert len(text) == 200_000 and len(set(text)) == 1
    with av.open(str(video)) as container:
        frames = [f.to_ndarray(format="gray") for f in container.decode(video=0)]
    assert len(frames) == 90
    shades = {round(float(f.mean()) / 10) for f in frames}  # one run's frames only
    assert len(shades) == 1


def test_concurrent_threads_writing_one_report_leave_one_whole_file(tmp_path):
    path = tmp_path / "r.json"
    texts = [c * 300_000 for c in "abcdef"]
    threads = [threading.Thread(target=write_text_atomic, args=(path, t)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert path.read_text() in texts and os.listdir(tmp_path) == ["r.json"]


@pytest.mark.mediapipe
def test_ctrl_c_exits_130_and_leaves_no_partial_file(tmp_path):
    long_clip = write_clip(tmp_path / "long.mp4", sample_frames() * 3)  # 12 s
    out = tmp_path / "out"
    out.mkdir()
    outputs = ("--annotate", str(out / "annotated.mp4"), "--report", str(out / "report.json"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "posecheck", *analyze(str(long_clip), *outputs)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    # Interrupt as soon as the video's temporary file exists: the analysis is then under way.
    # (Waiting for its first bytes raced with the end of the run on a busy machine, where the
    # encoder's buffered output first lands near the end.)
    while time.monotonic() < deadline:
        if list(out.glob(".*.part.mp4")) or proc.poll() is not None:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the analysis ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip() == "posecheck: interrupted; no partial output was left."
    assert os.listdir(out) == []


def _press_ctrl_c_where_it_is_dropped() -> None:
    """Ctrl-C landing where Python drops the exception (as in a finaliser, which prints it
    and goes on)."""
    with contextlib.suppress(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)


def test_ctrl_c_dropped_mid_run_still_stops_at_the_next_frame(tmp_path, monkeypatch, capsys):
    clip = write_clip(tmp_path / "clip.mp4", sample_frames()[:2])
    frames_after: list[int] = []

    def analysis_that_drops_the_press(*args, progress, **kwargs):
        _press_ctrl_c_where_it_is_dropped()
        progress(1, 3)  # the next frame: the press is raised again here
        frames_after.append(2)
        raise AssertionError("the run went on after Ctrl-C")

    monkeypatch.setattr(posecheck.review.analysis, "analyze_video", analysis_that_drops_the_press)
    assert main(["analyze", str(clip), "--stretch", "clamshell"]) == 130
    assert frames_after == []
    assert "interrupted; no partial output was left" in capsys.readouterr().err


def test_ctrl_c_dropped_after_the_last_frame_still_exits_130(monkeypatch, capsys):
    def schema_that_drops_the_press(args) -> int:
        _press_ctrl_c_where_it_is_dropped()
        return 0

    monkeypatch.setattr("posecheck.cli._cmd_schema", schema_that_drops_the_press)
    before = signal.getsignal(signal.SIGINT)
    assert main(["specs", "schema"]) == 130
    assert signal.getsignal(signal.SIGINT) is before  # the caller's handler is back
