"""The local history: records built from checker summaries, the SQLite store, its migrations,
and its reliability (kill -9 mid-save, two writers at once, damaged and foreign files)."""

from __future__ import annotations

import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from posecheck.coaching.checker import FaultEvent, Hold, Summary
from posecheck.coaching.pipeline import FrameRecord
from posecheck.media.source import SourceInfo
from posecheck.review.analysis import Analysis
from posecheck.review.records import (
    DEFAULT_PROFILE,
    HistoryError,
    SessionQuery,
    clean_profile,
    session_from_analysis,
    session_from_summary,
)
from posecheck.review.sample import sample_sessions
from posecheck.review.store import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    HistoryStore,
    data_dir,
    default_path,
)
from posecheck.specs.schema import load_by_id

REPO = Path(__file__).resolve().parents[1]
PRONE = load_by_id("prone_internal_rotation")
CLAMSHELL = load_by_id("clamshell")
START = datetime(2026, 9, 7, 9, 0, tzinfo=timezone.utc)  # a Monday


def summary_with_events() -> Summary:
    hips = PRONE.faults[0]
    return Summary(
        stretch_id=PRONE.id,
        duration_s=40.0,
        no_person_s=1.5,
        unknown_s=0.5,
        faults=(
            FaultEvent(hips.id, "left", hips.message, 2, 1000.0, 1500.0, 4000.0, 0.1),
            FaultEvent(hips.id, "left", hips.message, 2, 9000.0, 9500.0, 10500.0, 0.1),
            FaultEvent(hips.id, "right", hips.message, 2, 30000.0, 31000.0, None, 0.1),
        ),
        holds=(
            Hold("left", 0.0, 31000.0, 30.0, True, 34.44),
            Hold("right", 32000.0, 40000.0, 8.0, False, None),
        ),
        reps=(("left", 1), ("right", 1)),
        holds_completed=1,
        best_rom_deg=(("left", 34.44), ("right", math.nan)),
    )


def frames() -> list[FrameRecord]:
    return [
        FrameRecord(0, 0.0, "rest", None, None, None, 0.0, (), ""),
        FrameRecord(1, 100.0, "active", "left", 12.5, None, 0.1, (), ""),
        FrameRecord(2, 200.0, "active", "left", 13.0, 2.0, 0.2, (), ""),
    ]


# -- records -----------------------------------------------------------------------------------
def test_a_session_is_built_from_the_checker_summary() -> None:
    s = session_from_summary(
        summary_with_events(), PRONE, profile="  Sam ", origin="live", records=frames()
    )
    assert s.profile == "Sam" and s.origin == "live" and s.source_name is None
    assert (s.stretch_id, s.stretch_name) == (PRONE.id, PRONE.name)
    assert s.started_at.tzinfo is not None
    assert s.hold_target_s == PRONE.dose.hold_s and s.holds_completed == 1
    assert s.reps == (("left", 1), ("right", 1))
    # NaN (a side never measured) is kept as "not measured", never as a number.
    assert (s.best_left_deg, s.best_right_deg) == (34.4, None)
    assert s.uncertainty_deg == PRONE.rom.uncertainty_deg and s.rom_label == PRONE.rom.label
    by_side = {f.side: f for f in s.faults}
    assert by_side["left"].times == 2 and by_side["left"].flagged_s == pytest.approx(3.5)
    # Still flagged at the end: counted up to the end of the set.
    assert by_side["right"].times == 1 and by_side["right"].flagged_s == pytest.approx(9.0)
    assert [h.completed for h in s.holds] == [True, False]
    # Only frames where a side was measured are kept.
    assert [(f.t_ms, f.left_deg, f.right_deg) for f in s.rom_frames] == [
        (100.0, 12.5, None),
        (200.0, 13.0, 2.0),
    ]


def test_a_session_from_a_file_analysis_names_the_clip() -> None:
    info = SourceInfo("/tmp/upload/x1.mp4", "video", 640, 480, 30.0, 3)
    a = Analysis(info, PRONE, tuple(frames()), summary_with_events())
    s = session_from_analysis(a, profile=None)
    assert s.profile == DEFAULT_PROFILE and s.origin == "replay" and s.source_name == "x1.mp4"
    assert session_from_analysis(a, profile="Me", source_name="my hips.mov").source_name == (
        "my hips.mov"
    )
    with pytest.raises(ValueError, match="origin"):
        session_from_summary(a.summary, PRONE, profile=None, origin="telepathy")


def test_profile_names_are_checked() -> None:
    assert clean_profile(None) == clean_profile("   ") == DEFAULT_PROFILE
    with pytest.raises(HistoryError, match="too long"):
        clean_profile("x" * 41)
    with pytest.raises(HistoryError, match="control characters"):
        clean_profile("Sam\x00")


# -- the store -----------------------------------------------------------------------------------
@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    return HistoryStore(tmp_path / "history.sqlite3")


def test_the_data_folder_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path / "mine"))
    assert default_path() == tmp_path / "mine" / "history.sqlite3"
    monkeypatch.delenv("POSECHECK_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert data_dir() == tmp_path / "xdg" / "posecheck"


def test_a_new_file_is_a_wal_database_at_the_current_schema(store: HistoryStore) -> None:
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    con.close()
    assert store.schema_version() == SCHEMA_VERSION
    assert store.sessions() == [] and store.profiles() == ()


def test_saved_sessions_read_back_whole(store: HistoryStore) -> None:
    new = session_from_summary(
        summary_with_events(), PRONE, profile="Sam", origin="live", records=frames(),
        started_at=START,
    )  # fmt: skip
    sid = store.save(new)
    d = store.session(sid)
    r = d.row
    assert (r.profile, r.started_at, r.origin, r.stretch_name) == ("Sam", START, "live", PRONE.name)
    assert (r.best_left_deg, r.best_right_deg, r.asymmetry_deg) == (34.4, None, None)
    assert r.reps == new.reps and r.holds_completed == 1 and r.fault_events == 3
    assert (d.no_person_s, d.unknown_s) == (1.5, 0.5)
    assert d.faults == new.faults and d.holds == new.holds and d.rom_frames == new.rom_frames
    with pytest.raises(HistoryError, match="no saved session 99"):
        store.session(99)


def test_filters_by_profile_stretch_and_local_dates(store: HistoryStore) -> None:
    for s in sample_sessions([PRONE, CLAMSHELL], 10, start=START, profile="Sam", frames=5):
        store.save(s)
    for s in sample_sessions([PRONE], 3, start=START, profile="Alex", frames=5):
        store.save(s)
    assert store.count() == 13
    assert len(store.sessions(SessionQuery(profile="sam"))) == 10  # any capitals
    assert {r.stretch_id for r in store.sessions(SessionQuery(stretch_id=CLAMSHELL.id))} == {
        CLAMSHELL.id
    }
    sam = store.sessions(SessionQuery(profile="Sam"))
    days = sorted({r.local_day for r in sam})
    window = store.sessions(SessionQuery(profile="Sam", date_from=days[2], date_to=days[4]))
    assert {r.local_day for r in window} == set(days[2:5])
    newest = store.sessions(SessionQuery(profile="Sam", newest_first=True, limit=3))
    assert [r.session_id for r in newest] == [r.session_id for r in sam[::-1][:3]]
    assert [(p.name, p.sessions) for p in store.profiles()] == [("Alex", 3), ("Sam", 10)]
    totals = store.fault_totals(SessionQuery(profile="Sam"))
    assert totals == sorted(totals, key=lambda t: -t.times)
    assert sum(t.times for t in totals) == sum(r.fault_events for r in sam)


def test_a_name_in_other_capitals_is_the_same_profile_everywhere(store: HistoryStore) -> None:
    """The names "Anna" and "anna" are one person in the store (not only in the sidebar),
    in every alphabet: SQLite's NOCASE folds only A-Z, so "åsa" beside "Åsa" made a second
    profile and split her sets (and ``add_profile`` answered with the name as typed)."""
    for name in ("Anna", "Åsa"):
        for s in sample_sessions([PRONE], 2, start=START, profile=name, frames=5):
            store.save(s)
    assert store.add_profile("anna") == "Anna"
    assert store.add_profile("ÅSA ") == "Åsa"
    for s in sample_sessions([CLAMSHELL], 1, start=START, profile="åsa", frames=5):
        store.save(s)  # the CLI's --profile, typed in small letters
    assert [(p.name, p.sessions) for p in store.profiles()] == [("Anna", 2), ("Åsa", 3)]
    for typed in ("Åsa", "åsa", "ÅSA"):
        rows = store.sessions(SessionQuery(profile=typed))  # history, exports, the report
        assert len(rows) == 3 and {r.profile for r in rows} == {"Åsa"}, typed
        assert store.count(SessionQuery(profile=typed)) == 3
        assert set(store.stretches(typed)) == {PRONE.id, CLAMSHELL.id}
    assert store.delete_all("åsa") == 3
    assert [(p.name, p.sessions) for p in store.profiles()] == [("Anna", 2), ("Åsa", 0)]


def test_a_name_typed_with_combining_marks_is_the_same_profile(store: HistoryStore) -> None:
    """The name "Åsa" typed as one character (U+00C5) and as "A" + a combining ring (U+030A, as some
    keyboards and pasted text give it) are one person: the store folds NFKC first (casefold
    alone left them two profiles and split her sets). "Strauß" is "Strauss" too."""
    composed, decomposed = "\u00c5sa", "A\u030asa"
    assert composed != decomposed
    for s in sample_sessions([PRONE], 2, start=START, profile=composed, frames=5):
        store.save(s)
    assert store.add_profile(decomposed) == composed
    for s in sample_sessions([CLAMSHELL], 1, start=START, profile=decomposed, frames=5):
        store.save(s)
    assert [(p.name, p.sessions) for p in store.profiles()] == [(composed, 3)]
    assert store.count(SessionQuery(profile=decomposed)) == 3
    assert store.has_profile(decomposed) and store.has_profile(" \u00e5SA ")
    assert store.add_profile("Strauß") == "Strauß"
    assert store.add_profile("STRAUSS") == "Strauß" and store.has_profile("strauss")
    assert not store.has_profile("Anna")
    assert store.delete_all(decomposed) == 3


def test_an_older_file_with_one_name_in_two_capitals_reads_as_one_profile(tmp_path: Path) -> None:
    """A file written before the store folded capitals may hold "Åsa" and "åsa": they are
    listed, filtered and exported as one profile, named as first created."""
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    for s in sample_sessions([PRONE], 2, start=START, profile="Åsa", frames=5):
        store.save(s)
    store.close()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("INSERT INTO profiles (name, created_at) VALUES ('åsa', '2026-09-09T08:00:00Z')")
    con.execute("UPDATE sessions SET profile_id = 2 WHERE id = 2")
    con.close()
    store = HistoryStore(path)
    try:
        assert [(p.name, p.sessions) for p in store.profiles()] == [("Åsa", 2)]
        assert [r.profile for r in store.sessions(SessionQuery(profile="åsa"))] == ["Åsa"] * 2
        assert store.session(2).row.profile == "Åsa"
    finally:
        store.close()


def test_deleting_one_session_or_everything_leaves_no_trace(store: HistoryStore) -> None:
    secret = "secret-clip-7f3a.mp4"
    for s in sample_sessions([PRONE], 4, start=START, profile="Sam", frames=20):
        store.save(s)
    new = session_from_summary(
        summary_with_events(), PRONE, profile="Alex", origin="replay", source_name=secret
    )
    alex = store.save(new)
    first = store.sessions()[0].session_id
    store.delete_session(first)
    assert first not in {r.session_id for r in store.sessions()}
    with pytest.raises(HistoryError, match=f"no saved session {first}"):
        store.delete_session(first)
    assert store.delete_all("Sam") == 3
    assert [r.session_id for r in store.sessions()] == [alex]
    assert store.delete_all() == 1
    assert store.sessions() == [] and store.profiles() == ()
    # Deleted for real: the clip's name is in neither the file nor its journal.
    for f in store.path.parent.glob("history.sqlite3*"):
        assert secret.encode() not in f.read_bytes(), f.name


# -- migrations ------------------------------------------------------------------------------
def first_schema_file(path: Path) -> None:
    """A history as posecheck's first schema wrote it, with one session in it."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.executescript(MIGRATIONS[0])
    con.execute("PRAGMA user_version = 1")
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute("INSERT INTO profiles (name, created_at) VALUES ('Sam', '2026-09-01T08:00:00Z')")
    con.execute(
        "INSERT INTO sessions (profile_id, started_at, origin, stretch_id, stretch_name, "
        "source_name, duration_s, no_person_s, unknown_s, hold_target_s, holds_completed, "
        "reps_json, rom_label, best_left_deg, best_right_deg, uncertainty_deg, fault_events) "
        "VALUES (1, '2026-09-01T08:05:00Z', 'live', 'prone_internal_rotation', "
        "'Prone hip internal rotation', NULL, 95.0, 0, 0, 30, 2, '[[\"left\", 2], "
        "[\"right\", 1]]', 'hip internal rotation', 31.5, 28.0, 15, 1)"
    )
    con.execute(
        "INSERT INTO session_faults VALUES (1, 'hips_lift', 'left', 'Keep your hips down.', 1, 2)"
    )
    con.execute("INSERT INTO rom_frames VALUES (1, 0, 100.0, 20.5, NULL)")
    con.close()


def test_a_first_schema_file_is_migrated_and_keeps_its_sessions(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    first_schema_file(path)
    store = HistoryStore(path)
    assert store.take_notice() is None, "a good old file must not be set aside"
    assert store.schema_version() == SCHEMA_VERSION == 2
    old = store.session(1)
    assert old.row.profile == "Sam" and old.row.reps == (("left", 2), ("right", 1))
    assert old.row.best_left_deg == 31.5 and old.faults[0].message == "Keep your hips down."
    assert old.rom_frames[0].left_deg == 20.5 and old.holds == ()  # v1 kept no holds
    new = session_from_summary(summary_with_events(), PRONE, profile="Sam", origin="live")
    assert store.session(store.save(new)).holds == new.holds
    assert [p.sessions for p in store.profiles()] == [2]


def test_a_file_from_a_newer_posecheck_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    HistoryStore(path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError, match="newer posecheck"):
        HistoryStore(path)
    assert path.read_bytes() == before and list(tmp_path.iterdir()) == [path]


# -- files that are not a posecheck history ---------------------------------------------------
def test_a_garbage_file_is_kept_aside_and_a_new_history_started(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    junk = b"these are my holiday notes, not a database\n" * 50
    path.write_bytes(junk)
    (tmp_path / "history.sqlite3-wal").write_bytes(b"stale journal")
    store = HistoryStore(path)
    notice = store.take_notice()
    assert notice is not None and "could not be used" in notice and "kept as" in notice
    assert store.take_notice() is None
    aside = [p for p in tmp_path.iterdir() if ".unreadable-" in p.name]
    kept = next(p for p in aside if not p.name.endswith("-wal"))
    assert kept.read_bytes() == junk and str(kept) in notice
    assert any(p.name.endswith("-wal") and p.read_bytes() == b"stale journal" for p in aside)
    sid = store.save(
        session_from_summary(summary_with_events(), PRONE, profile=None, origin="live")
    )
    assert [r.session_id for r in store.sessions()] == [sid]


def test_another_programs_database_is_kept_aside_untouched(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE recipes (name TEXT)")
    con.execute("INSERT INTO recipes VALUES ('soup')")
    con.commit()
    con.close()
    store = HistoryStore(path)
    assert "another program's database" in (store.take_notice() or "")
    (kept,) = [p for p in tmp_path.iterdir() if ".unreadable-" in p.name]
    assert sqlite3.connect(kept).execute("SELECT name FROM recipes").fetchall() == [("soup",)]
    assert store.sessions() == []


def test_damage_found_while_reading_sets_the_file_aside(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    for s in sample_sessions([PRONE], 30, start=START, frames=200):
        store.save(s)
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    data = bytearray(path.read_bytes())
    for n in range(2, len(data) // page):  # every page but the header's: the tables' pages
        data[n * page : n * page + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))
    with pytest.raises(HistoryError, match="could not be used"):
        HistoryStore(path).sessions()
    assert any(".unreadable-" in p.name for p in tmp_path.iterdir())
    fresh = HistoryStore(path)
    assert fresh.sessions() == []


# -- reliability across processes -------------------------------------------------------------
SAVER = """
import sys
from datetime import datetime, timezone
from posecheck.review.sample import sample_sessions
from posecheck.review.store import HistoryStore
from posecheck.specs.schema import load_by_id
store = HistoryStore(sys.argv[1])
tag, n, frames = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
start = datetime(2026, 9, 7, tzinfo=timezone.utc)
specs = [load_by_id("prone_internal_rotation")]
print("ready", flush=True)
for s in sample_sessions(specs, n, start=start, profile=tag, frames=frames, seed=len(tag)):
    print("saving", flush=True)
    print(store.save(s), flush=True)
"""


def saver(path: Path, tag: str, n: int, frames: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", SAVER, str(path), tag, str(n), str(frames)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def test_kill_9_during_a_save_keeps_every_earlier_session(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    committed: list[int] = []
    frames_each = 4000  # a long transaction, so the kill lands inside one
    for round_ in range(3):
        proc = saver(path, "Sam", 10_000, frames_each)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        lines = iter(proc.stdout.readline, "")
        for line in lines:
            if line.strip() != "saving":
                committed.append(int(line))
                if len(committed) >= 3 * (round_ + 1):
                    break
        assert next(lines).strip() == "saving"
        time.sleep(0.004 * (round_ + 1))  # inside that save (each takes tens of ms)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        committed += [int(x) for x in proc.stdout.read().split() if x != "saving"]
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    store = HistoryStore(path)
    assert store.take_notice() is None
    kept = {r.session_id for r in store.sessions()}
    assert set(committed) <= kept, "a committed session was lost"
    assert len(kept - set(committed)) <= 3, "more than the set in flight each time"
    for sid in kept:  # no half-saved set: each has all its frames
        assert len(store.session(sid).rom_frames) == frames_each


def test_two_writers_at_once_both_land(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    HistoryStore(path)
    procs = [saver(path, tag, 25, 1500) for tag in ("Sam", "Alex")]
    outs = [p.communicate(timeout=240)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    ids = [int(x) for out in outs for x in out.split()[1:] if x != "saving"]
    assert len(ids) == len(set(ids)) == 50
    store = HistoryStore(path)
    assert [(p.name, p.sessions) for p in store.profiles()] == [("Alex", 25), ("Sam", 25)]


def test_dates_are_days_on_this_computer(store: HistoryStore) -> None:
    late = datetime.combine(date(2026, 9, 8), datetime.min.time()).astimezone()
    late += timedelta(hours=23, minutes=59)
    new = session_from_summary(
        summary_with_events(), PRONE, profile=None, origin="live", started_at=late
    )
    store.save(new)
    q = SessionQuery(date_from=date(2026, 9, 8), date_to=date(2026, 9, 8))
    assert len(store.sessions(q)) == 1
    assert store.sessions(SessionQuery(date_from=date(2026, 9, 9))) == []
