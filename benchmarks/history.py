"""Speed of the history with 10,000 saved sessions, measured in one run.

    .venv/bin/python benchmarks/history.py [--sessions N] [--frames F] [--no-app]

Builds a history of N sessions (default 10,000: five profiles, two years, every stretch with
a range of motion, F frames of per-frame range of motion each, default 450 = a 30 s set at
15 fps) in a temporary folder, one transaction per set through ``HistoryStore.save``, and
prints measured figures:

- saving a set: median / 95th percentile / worst, for the first and the last 500 saves
  (target < 50 ms), against a baseline of the same rows inserted with bare sqlite3 in the
  same run (the ratio is what the store adds: profile look-up, fault and hold rows, checks);
- ``history list`` (the newest 20 of one profile and the count) and the Progress page's data
  (every session of a profile over the default 90 days and over all time, fault totals and
  the figures computed from them; the CSV, made only when its button is clicked, apart),
  target < 200 ms, against a bare ``SELECT`` of the same
  rows; ``posecheck history list`` as a whole process; the Progress page rerun in
  Streamlit's AppTest against the Home page's (AppTest's own polling is in both; what the
  Progress page adds is the difference; not browser drawing), unless ``--no-app``;
- the file's size, and deleting one profile's sessions.

No timing is asserted anywhere; these are figures to compare, from one noisy shared machine.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck.coaching.live import available_specs  # noqa: E402
from posecheck.review.progress import (  # noqa: E402
    adherence,
    rom_points,
    sessions_csv,
    side_summaries,
    weekly_sessions,
)
from posecheck.review.records import NewSession, SessionQuery  # noqa: E402
from posecheck.review.sample import sample_sessions  # noqa: E402
from posecheck.review.store import HistoryStore  # noqa: E402

PROFILES = ("Me", "Sam", "Alex", "Grandad", "Robin")
POOL = 60  # distinct made-up sets, reused with new dates and profiles


def ms(seconds: float) -> float:
    return seconds * 1000.0


def best_of(fn: Callable[[], object], repeat: int = 15) -> tuple[float, float]:
    """(median, best) wall time of ``fn`` in ms."""
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return ms(statistics.median(runs)), ms(min(runs))


def spread(xs: list[float]) -> str:
    xs = sorted(xs)
    p95 = xs[int(0.95 * (len(xs) - 1))]
    return f"median {statistics.median(xs):6.2f}  p95 {p95:6.2f}  worst {xs[-1]:7.2f}"


def bare_insert(path: Path, s: NewSession) -> None:
    """The baseline: the same session and frame rows with bare sqlite3, one transaction."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute("CREATE TABLE IF NOT EXISTS s (id INTEGER PRIMARY KEY, t TEXT, a REAL, b REAL)")
    con.execute(
        "CREATE TABLE IF NOT EXISTS f (sid INTEGER, n INTEGER, t REAL, l REAL, r REAL, "
        "PRIMARY KEY (sid, n)) WITHOUT ROWID"
    )
    times = []
    for _ in range(500):
        t = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        sid = con.execute(
            "INSERT INTO s (t, a, b) VALUES (?, ?, ?)",
            ("2026-01-01T00:00:00Z", s.best_left_deg, s.best_right_deg),
        ).lastrowid
        con.executemany(
            "INSERT INTO f VALUES (?, ?, ?, ?, ?)",
            [(sid, n, f.t_ms, f.left_deg, f.right_deg) for n, f in enumerate(s.rom_frames)],
        )
        con.execute("COMMIT")
        times.append(ms(time.perf_counter() - t))
    con.close()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10_000)
    ap.add_argument("--frames", type=int, default=450)
    ap.add_argument("--no-app", action="store_true", help="skip the AppTest page timing")
    args = ap.parse_args()

    specs, _ = available_specs()
    measured = [s for s in specs.values() if s.rom is not None]
    now = datetime.now(timezone.utc)
    start = now - timedelta(days=730)
    pool = list(sample_sessions(measured, POOL, start=start, frames=args.frames))
    step = timedelta(days=730) / args.sessions

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.sqlite3"
        base = bare_insert(Path(tmp) / "bare.sqlite3", pool[0])
        store = HistoryStore(path)
        saves: list[float] = []
        t_all = time.perf_counter()
        for i in range(args.sessions):
            s = replace(
                pool[i % POOL], started_at=start + step * i, profile=PROFILES[i % len(PROFILES)]
            )
            t = time.perf_counter()
            store.save(s)
            saves.append(ms(time.perf_counter() - t))
            if (i + 1) % 1000 == 0:
                print(f"  saved {i + 1} sessions", file=sys.stderr, flush=True)
        build_s = time.perf_counter() - t_all
        size_mb = sum(p.stat().st_size for p in Path(tmp).glob("history.sqlite3*")) / 1e6

        print(
            f"history benchmark: {args.sessions} sessions, {len(PROFILES)} profiles, "
            f"{args.frames} frames of range of motion each, {len(measured)} stretches"
        )
        print(f"built in {build_s:.1f} s; file {size_mb:.0f} MB\n")
        print("saving one set, ms (target < 50)")
        print(f"  bare sqlite3 baseline          {spread(base)}")
        first, last = saves[:500], saves[-500:]
        print(f"  first 500 saves                {spread(first)}")
        print(f"  last 500 saves (10k in file)   {spread(last)}")
        b = statistics.median(base)
        print(
            f"  ratio to baseline (medians)    first {statistics.median(first) / b:.2f}x, "
            f"last {statistics.median(last) / b:.2f}x"
        )

        me = SessionQuery(profile="Me")
        recent = SessionQuery(profile="Me", date_from=date.today() - timedelta(days=90))

        def history_list() -> None:
            store.sessions(replace(me, newest_first=True, limit=20))
            store.count(me)

        def progress(q: SessionQuery) -> Callable[[], object]:
            def run() -> object:
                rows = store.sessions(q)
                store.fault_totals(q)
                rom_points(rows)
                weekly_sessions(rows, q.date_from, date.today())
                adherence(rows, q.date_from, date.today())
                return side_summaries(rows)

            return run

        con = sqlite3.connect(path)
        n_me = store.count(me)
        n_recent = store.count(recent)
        print("\nreading, ms: median (best) of 15 (target < 200)")
        rows = [
            ("bare SELECT of one profile's rows", lambda: con.execute(
                "SELECT s.* FROM sessions s JOIN profiles p ON p.id = s.profile_id "
                "WHERE p.name = 'Me'").fetchall()),
            ("history list (newest 20 + count)", history_list),
            (f"Progress data, last 90 days ({n_recent} sessions)", progress(recent)),
            (f"Progress data, all time ({n_me} sessions)", progress(me)),
            (f"CSV export, all time (on click; {n_me} sessions)",
             lambda: sessions_csv(store.sessions(me))),
        ]  # fmt: skip
        for name, fn in rows:
            med, best = best_of(fn)
            print(f"  {name:<46} {med:8.1f} ({best:.1f})")
        con.close()

        env = {**os.environ, "POSECHECK_DATA_DIR": tmp}
        cli = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "posecheck", "history", "list", "--profile", "Me"],
                env=env, cwd=ROOT, check=True, capture_output=True,
            )  # fmt: skip
            cli.append(ms(time.perf_counter() - t))
        print(f"  {'posecheck history list, whole process':<46} {statistics.median(cli):8.1f}")

        if not args.no_app:
            os.environ["POSECHECK_DATA_DIR"] = tmp
            from streamlit.testing.v1 import AppTest

            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.run()
            page_ms = {}
            for page in ("app_pages/home.py", "app_pages/Progress.py"):
                at.switch_page(page).run()  # first run: imports, caches
                runs = []
                for _ in range(7):
                    t = time.perf_counter()
                    at.run()
                    runs.append(ms(time.perf_counter() - t))
                page_ms[page] = statistics.median(runs)
            home, progress_ms = page_ms.values()
            print(f"  {'Home page rerun in AppTest (baseline)':<46} {home:8.1f}")
            print(
                f"  {'Progress page rerun in AppTest (90 days)':<46} {progress_ms:8.1f} "
                f"({progress_ms - home:+.0f} against Home, {progress_ms / home:.2f}x)"
            )

        t = time.perf_counter()
        deleted = store.delete_all("Robin")
        print(f"\ndeleting one profile's {deleted} sessions: {time.perf_counter() - t:.2f} s")
        store.close()


if __name__ == "__main__":
    main()
