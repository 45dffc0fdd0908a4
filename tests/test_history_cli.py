"""``posecheck history ...``, ``posecheck report`` and ``analyze --save``; the PDF report is
rendered to images and its pages checked."""

from __future__ import annotations

import csv
import io
import itertools
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from posecheck.cli import main
from posecheck.review.pdf import gather, render_pdf
from posecheck.review.progress import (
    adherence,
    deg_text,
    side_summaries,
    time_ticks,
    weekly_sessions,
)
from posecheck.review.records import SessionQuery
from posecheck.review.sample import sample_sessions
from posecheck.review.store import HistoryStore
from posecheck.specs.schema import load_by_id

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
SPECS = [load_by_id(i) for i in ("prone_internal_rotation", "clamshell", "pigeon")]
START = datetime(2026, 9, 7, 8, 0, tzinfo=timezone.utc)  # a Monday


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> HistoryStore:
    """Eight weeks of made-up practice for Sam, a little for Alex, in a private folder."""
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path / "data"))
    store = HistoryStore()
    for s in sample_sessions(SPECS, 30, start=START, profile="Sam", frames=30):
        store.save(s)
    for s in sample_sessions(SPECS[:1], 2, start=START, profile="Alex", frames=30, seed=3):
        store.save(s)
    return store


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


# -- progress figures ---------------------------------------------------------------------------
def test_progress_figures(history: HistoryStore) -> None:
    rows = history.sessions(SessionQuery(profile="Sam"))
    weeks = weekly_sessions(rows)
    assert sum(w.sessions for w in weeks) == 30
    assert all(w.week_start.weekday() == 0 for w in weeks)
    steps = {b.week_start - a.week_start for a, b in itertools.pairwise(weeks)}
    assert steps == {timedelta(days=7)}
    a = adherence(rows)
    # One session every 2 days from day 0 to day 58: 59 days, 8.43 weeks, 3.56 a week.
    assert (a.sessions, a.active_days, a.days, a.sessions_per_week) == (30, 30, 59, 3.6)
    table = {s.stretch_name: s for s in side_summaries(rows)}
    assert set(table) == {"Prone hip internal rotation", "Clamshell"}  # pigeon measures none
    prone = table["Prone hip internal rotation"]
    assert prone.sessions == 10 and prone.uncertainty_deg == 15
    assert prone.best_deg[0] >= max(prone.first_deg[0], prone.latest_deg[0])
    assert deg_text(-3.2) == "0°" and deg_text(None) == "-" and deg_text(31.6) == "32°"


# -- history commands -------------------------------------------------------------------------
def test_time_ticks_of_sets_on_one_day_lie_on_the_sets() -> None:
    """Two sets on one day: a tick on each (the old ticks were whole minutes floored below the
    first set, off the axis, so no label showed); sets within one minute share one tick."""
    a = datetime(2026, 9, 7, 8, 14, 37, 250000)
    b = datetime(2026, 9, 7, 18, 2, 5)
    assert time_ticks([b, a]) == [a, b]
    same_minute = a.replace(second=59)
    assert time_ticks([a, same_minute, b]) == [a, b]
    many = [a + timedelta(minutes=10 * i) for i in range(10)]
    ticks = time_ticks(many)
    assert len(ticks) <= 4 and ticks[0] == a
    assert all(a <= t <= many[-1] for t in ticks)
    assert time_ticks([]) == []


def test_history_list_show_and_profiles(history: HistoryStore, capsys) -> None:
    code, out, _ = run(capsys, "history", "list", "--profile", "sam", "--limit", "5")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["no.", "when", "who"]
    assert len(lines) == 1 + 5 + 1 and "the newest 5 of 30" in lines[-1]
    newest = int(lines[1].split()[0])
    code, out, _ = run(capsys, "history", "show", str(newest))
    assert code == 0 and f"Session {newest}:" in out and "profile: Sam" in out
    code, out, _ = run(capsys, "history", "profiles")
    assert out.splitlines()[0].startswith("Alex: 2 sessions")


def test_profile_option_matches_as_the_store_does(history: HistoryStore, capsys) -> None:
    """``--profile`` is checked by the store's own match (the CLI's own ``casefold`` said
    "no profile named" for "Åsa" typed with a combining ring, though saves went to her)."""
    history.add_profile("\u00c5sa")
    for s in sample_sessions(SPECS[:1], 1, start=START, profile="\u00c5sa", frames=30, seed=5):
        history.save(s)
    code, out, err = run(capsys, "history", "list", "--profile", "A\u030asa")
    assert code == 0, err
    rows = out.splitlines()[1:]
    assert len(rows) == 1 and " \u00c5sa " in rows[0], out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("history", "list", "--from", "2026-02-30"), "is not a date"),
        (("history", "list", "--from", "2026-10-02", "--to", "2026-10-01"), "swap them"),
        (("history", "list", "--profile", "Nobody"), "no profile named 'Nobody'"),
        (("history", "show", "9999"), "no saved session 9999"),
        (("history", "delete"), "a session number"),
        (("history", "delete", "--all"), "add --yes"),
        (("report", "--out", "report.txt"), "name it"),
        (("report", "--profile", "Alex", "--from", "2030-01-01", "--out", "r.pdf"), "nothing"),
        (("report", "--out", "/no/such/folder/r.pdf"), "does not exist"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(
    history: HistoryStore, capsys, argv: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    argv = tuple(str(tmp_path / a) if a in ("report.txt", "r.pdf") else a for a in argv)
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("posecheck: ") and message in err, err
    assert history.count() == 32, "bad input must change nothing"


def test_export_csv_and_frames(history: HistoryStore, capsys, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "history", "export", "--profile", "Sam", "--stretch", "clamshell")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 10 and {r["stretch"] for r in rows} == {"Clamshell"}
    assert rows[0]["give or take (deg)"] == "8"
    target = tmp_path / "sessions.csv"
    assert run(capsys, "history", "export", "--out", str(target))[0] == 0
    assert len(target.read_text().splitlines()) == 33
    # An existing file is not overwritten unless asked.
    code, _, err = run(capsys, "history", "export", "--out", str(target))
    assert code == 2 and "already exists" in err
    sid = history.sessions(SessionQuery(stretch_id="clamshell"))[0].session_id
    code, out, _ = run(capsys, "history", "export", "--frames", str(sid))
    frames = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(frames) == 30 and set(frames[0]) == {"t_s", "left_deg", "right_deg"}


def test_delete_one_and_all(history: HistoryStore, capsys) -> None:
    first = history.sessions(SessionQuery(profile="Sam"))[0].session_id
    assert run(capsys, "history", "delete", str(first))[0] == 0
    assert history.count() == 31
    code, out, _ = run(capsys, "history", "delete", "--all", "--profile", "Alex", "--yes")
    assert code == 0 and "deleted 2 sessions of Alex" in out
    assert history.count() == 29
    assert run(capsys, "history", "delete", "--all", "--yes")[0] == 0
    assert history.count() == 0 and history.profiles() == ()
    code, out, _ = run(capsys, "history", "list")
    assert code == 0 and "No saved sessions yet" in out


# -- the PDF report --------------------------------------------------------------------------
def page_images(pdf: bytes, stem: str) -> list[np.ndarray]:
    """Render every page (and keep PNGs in test-artifacts/ to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)
    doc = pdfium.PdfDocument(pdf)
    images = []
    for i in range(len(doc)):
        img = doc[i].render(scale=1.5).to_pil()
        img.save(ARTIFACTS / f"{stem}-page{i + 1}.png")
        images.append(np.asarray(img.convert("RGB")))
    return images


def page_texts(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def test_report_pdf_pages(history: HistoryStore, capsys, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    code, text, _ = run(
        capsys, "report", "--profile", "Sam", "--from", "2026-09-07", "--to", "2026-11-01",
        "--out", str(out),
    )  # fmt: skip
    q = SessionQuery(profile="Sam", date_from=date(2026, 9, 7), date_to=date(2026, 11, 1))
    assert code == 0 and f"({history.count(q)} sessions," in text and history.count(q) > 20
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    texts = page_texts(pdf)
    whole = "\n".join(texts)
    for needed in (
        "Hip stretching progress report",
        "Profile: Sam",
        "7 Sep 2026 to 1 Nov 2026",
        "Adherence",
        "Left and right, per stretch",
        "Most frequent faults",
        "Range of motion over time",
        "One set, second by second",
        "How sure are these numbers?",
        "Prone hip internal rotation: ± 15°",
        "not medical advice",
    ):
        assert needed in whole.replace("\r\n", "\n").replace("\n", " "), needed
    assert "Alex" not in whole, "another profile's sessions leaked into the report"
    assert "-" + "°" not in whole.replace(" ", ""), "no negative angles"
    pages = page_images(pdf, "report")
    assert 2 <= len(pages) <= 6
    for n, img in enumerate(pages, 1):
        h, w, _ = img.shape
        assert h > w, f"page {n} is not portrait"
        inked = (img.min(axis=2) < 200).mean()
        assert 0.01 < inked < 0.5, f"page {n} looks blank or flooded ({inked:.3f})"
        assert f"page {n} of {len(pages)}" in texts[n - 1]
    # The trend charts are drawn in the sides' colours (blue left, orange right).
    colours = np.concatenate([p.reshape(-1, 3) for p in pages]).astype(int)
    blue = (abs(colours - (31, 119, 180)).sum(axis=1) < 40).sum()
    orange = (abs(colours - (255, 127, 14)).sum(axis=1) < 40).sum()
    assert blue > 500 and orange > 500, (blue, orange)
    # An existing report is kept unless --force.
    code, _, err = run(capsys, "report", "--profile", "Sam", "--out", str(out))
    assert code == 2 and "already exists" in err
    assert run(capsys, "report", "--profile", "Sam", "--out", str(out), "--force")[0] == 0


def test_report_charts_each_stretchs_latest_set_second_by_second(history: HistoryStore) -> None:
    """The PDF shows what the Progress page's "One set, second by second" shows: the latest
    set of each stretch that measures an angle, from the same per-frame rows."""
    from posecheck.review.pdf import set_chart
    from posecheck.review.timeline import angle_rows

    data = gather(history, profile="Sam")
    assert [s.row.stretch_name for s in data.sets] == ["Clamshell", "Prone hip internal rotation"]
    rows = [r for r in data.rows if r.stretch_name == "Clamshell"]
    latest = max(rows, key=lambda r: r.started_at)
    chosen = data.sets[0]
    assert chosen.row.session_id == latest.session_id
    assert chosen.frames == history.session(latest.session_id).rom_frames
    assert angle_rows((f.t_ms, f.left_deg, f.right_deg) for f in chosen.frames)
    png = np.asarray(Image.open(set_chart(chosen)).convert("RGB"))
    colours = png.reshape(-1, 3).astype(int)
    for rgb in ((31, 119, 180), (255, 127, 14)):  # both sides drawn
        assert (abs(colours - rgb).sum(axis=1) < 40).sum() > 200, rgb
    texts = " ".join(page_texts(render_pdf(data))).replace("\r\n", " ")
    assert "One set, second by second" in texts


def test_report_of_a_stretch_without_an_angle_has_no_empty_charts(history: HistoryStore) -> None:
    data = gather(history, profile="Sam", stretch_id="pigeon")
    whole = " ".join(page_texts(render_pdf(data))).replace("\r\n", " ")
    assert "None of these stretches measures a range of motion" in whole
    assert "Range of motion over time" not in whole and "Pigeon" in whole
    assert "One set, second by second" not in whole and not data.sets


def test_report_with_no_sessions_says_so(tmp_path: Path) -> None:
    data = gather(HistoryStore(tmp_path / "h.sqlite3"), profile="Me")
    whole = " ".join(page_texts(render_pdf(data)))
    assert "No sessions were saved" in whole and "not medical advice" in whole


@pytest.mark.mediapipe
def test_analyze_save_keeps_the_clip_in_the_history(
    tmp_path: Path, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path / "data"))
    clip = REPO / "sample_videos" / "prone_ir_hips_lift_female.mp4"
    proc = subprocess.run(
        [sys.executable, "-m", "posecheck", "analyze", str(clip), "--stretch",
         "prone_internal_rotation", "--quiet", "--save", "--profile", "Sam", "--json"],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.lstrip().startswith("{"), "--json output must stay clean"
    assert "saved as session 1 for Sam" in proc.stderr
    d = HistoryStore(tmp_path / "data" / "history.sqlite3").session(1)
    assert d.row.origin == "command line" and d.row.source_name == clip.name
    assert d.row.stretch_id == "prone_internal_rotation" and len(d.rom_frames) > 10


def test_holds_count_only_for_stretches_that_are_held(history: HistoryStore) -> None:
    """A band walk analysed on the Replay page showed "Holds completed 8" on Progress: the
    checker's episodes of a stretch done in repetitions are not holds."""
    from dataclasses import replace

    rows = history.sessions(SessionQuery(profile="Sam"))
    held = sum(r.holds_completed for r in rows if r.hold_target_s is not None)
    reps_only = [replace(r, holds_completed=8) for r in rows if r.hold_target_s is None]
    assert reps_only, "the sample has a stretch done in repetitions"
    with_reps = [r for r in rows if r.hold_target_s is not None] + reps_only
    assert adherence(with_reps).holds_completed == held


def test_report_date_axes_name_the_year_once() -> None:
    """Under ticks "15, Oct, 15, Nov, Dec" the year alone, not "2026-Dec" under "Dec"."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from posecheck.review.pdf import date_axis

    days = [datetime(2026, 9, 17) + timedelta(days=d) for d in range(0, 76, 5)]
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot(days, range(len(days)))
    date_axis(ax)
    FigureCanvasAgg(fig).draw()
    assert ax.xaxis.get_major_formatter().get_offset() == "2026"
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "Oct" in labels and "Nov" in labels, labels
