"""The command line of the history: ``posecheck history list|show|export|delete|profiles``,
``posecheck report`` and ``analyze --save`` (registered by :mod:`posecheck.cli`).

Bad input raises :class:`~posecheck.review.records.HistoryError`, which the CLI prints as one
line and exits with status 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from posecheck.coaching.wording import reps_words
from posecheck.review.progress import deg_text, describe, sessions_csv
from posecheck.review.records import (
    HistoryError,
    SessionQuery,
    clean_profile,
    session_from_analysis,
)
from posecheck.review.store import DATA_DIR_ENV, HistoryStore, default_path

if TYPE_CHECKING:
    from posecheck.review.analysis import Analysis

LIST_DEFAULT = 20


# -- shared ----------------------------------------------------------------------------------
def open_store() -> HistoryStore:
    """The history, with a note on stderr if an unusable file had to be set aside."""
    store = HistoryStore(default_path())
    notice = store.take_notice()
    if notice:
        print(f"posecheck: note: {notice}", file=sys.stderr)
    return store


def _sessions(n: int) -> str:
    return f"{n} session" if n == 1 else f"{n} sessions"


def parse_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise HistoryError(f"{option} '{text}' is not a date: write it as YYYY-MM-DD") from None


def _dates(args: argparse.Namespace) -> tuple[date | None, date | None]:
    start, end = parse_day(args.date_from, "--from"), parse_day(args.date_to, "--to")
    if start and end and start > end:
        raise HistoryError(f"--from {start} is after --to {end}: swap them")
    return start, end


def _query(
    args: argparse.Namespace, *, limit: int | None = None, newest_first: bool = False
) -> SessionQuery:
    start, end = _dates(args)
    return SessionQuery(
        profile=None if args.profile is None else clean_profile(args.profile),
        stretch_id=args.stretch,
        date_from=start,
        date_to=end,
        limit=limit,
        newest_first=newest_first,
    )


def _check_profile(store: HistoryStore, profile: str | None) -> None:
    if profile is None:
        return
    if not store.has_profile(profile):
        names = [p.name for p in store.profiles()]
        known = ", ".join(names) if names else "none yet"
        raise HistoryError(f"no profile named '{profile}' (profiles: {known})")


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", help="only this person's sessions (default: everyone)")
    p.add_argument("--stretch", help="only this stretch (id, see 'posecheck specs list')")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="from this day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="up to this day, YYYY-MM-DD")


# -- analyze --save --------------------------------------------------------------------------
def add_save_options(analyze: argparse.ArgumentParser) -> None:
    analyze.add_argument("--save", action="store_true", help="save the result to the local history")
    analyze.add_argument(
        "--profile", help="whose history to save it in (implies --save; default: Me)"
    )


def save_analysis(analysis: Analysis, args: argparse.Namespace) -> None:
    """``analyze --save``: keep the analysis in the history; a note on stderr says where."""
    if not (getattr(args, "save", False) or getattr(args, "profile", None)):
        return
    store = open_store()
    session_id = store.save(
        session_from_analysis(analysis, profile=args.profile, origin="command line")
    )
    print(
        f"saved as session {session_id} for {clean_profile(args.profile)} in {store.path}",
        file=sys.stderr,
    )


# -- history ---------------------------------------------------------------------------------
def _cmd_list(args: argparse.Namespace) -> int:
    store = open_store()
    _check_profile(store, args.profile)
    limit = None if args.all else args.limit
    q = _query(args, limit=limit, newest_first=True)
    rows = store.sessions(q)
    if not rows:
        print("No saved sessions" + (" match." if store.count() else f" yet ({store.path})."))
        return 0
    print(f"{'no.':>5}  {'when':<17} {'who':<10} {'stretch':<30} {'holds':>5}  {'reps':<17} "
          f"{'best L':>6} {'best R':>6} {'faults':>6}")  # fmt: skip
    for r in rows:
        holds = "-" if r.hold_target_s is None else str(r.holds_completed)
        print(
            f"{r.session_id:>5}  {r.local_start:%Y-%m-%d %H:%M} {r.profile[:10]:<10} "
            f"{r.stretch_name[:30]:<30} {holds:>5}  {reps_words(r.reps, finished=True)[:17]:<17} "
            f"{deg_text(r.best_left_deg):>6} {deg_text(r.best_right_deg):>6} "
            f"{r.fault_events:>6}"
        )
    total = store.count(_query(args))
    if total > len(rows):
        print(f"(the newest {len(rows)} of {total}; --all lists every one)")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    d = open_store().session(args.number)
    r = d.row
    u = f" (give or take {r.uncertainty_deg:g}°)" if r.uncertainty_deg else ""
    print(f"Session {r.session_id}: {describe(r)}")
    print(f"  profile: {r.profile}")
    print(f"  duration: {r.duration_s:.0f} s (nobody in view {d.no_person_s:.0f} s)")
    if r.hold_target_s is not None:
        print(f"  holds completed: {r.holds_completed} (target {r.hold_target_s:g} s each)")
    print(f"  reps: {reps_words(r.reps, finished=True)}")
    if r.rom_label:
        print(
            f"  best {r.rom_label}: left {deg_text(r.best_left_deg)}, "
            f"right {deg_text(r.best_right_deg)}{u}; difference {deg_text(r.asymmetry_deg)}"
        )
        print(f"  per-frame range of motion kept for {len(d.rom_frames)} frames")
    if d.faults:
        print("  faults:")
        for f in d.faults:
            side = f" ({f.side})" if f.side else ""
            print(f"    {f.times}× {f.message}{side}, {f.flagged_s:.0f} s in all")
    else:
        print("  faults: none")
    return 0


def _out_path(out: str, force: bool) -> Path:
    """Where to write; an existing file is kept unless ``--force`` says to replace it."""
    path = Path(out)
    if not path.parent.is_dir():
        raise HistoryError(f"--out: the folder {path.parent} does not exist")
    if path.is_dir():
        raise HistoryError(f"--out {path} is a folder: give a file name")
    if path.exists() and not force:
        raise HistoryError(f"--out {path} already exists: choose another name, or add --force")
    return path


def _write_text(text: str, out: str, force: bool) -> None:
    if out == "-":
        sys.stdout.write(text)
        return
    path = _out_path(out, force)
    path.write_text(text, encoding="utf-8")
    print(f"written: {path}", file=sys.stderr)


def _cmd_export(args: argparse.Namespace) -> int:
    store = open_store()
    if args.frames is not None:
        d = store.session(args.frames)
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(("t_s", "left_deg", "right_deg"))
        for f in d.rom_frames:
            w.writerow(
                (
                    f"{f.t_ms / 1000:.3f}",
                    "" if f.left_deg is None else f.left_deg,
                    "" if f.right_deg is None else f.right_deg,
                )
            )
        _write_text(buf.getvalue(), args.out, args.force)
        return 0
    _check_profile(store, args.profile)
    _write_text(sessions_csv(store.sessions(_query(args))), args.out, args.force)
    return 0


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    answer = input(f"{question} Type yes to confirm: ")
    return answer.strip().lower() == "yes"


def _cmd_delete(args: argparse.Namespace) -> int:
    store = open_store()
    if args.number is not None:
        if args.all:
            raise HistoryError("give a session number or --all, not both")
        store.delete_session(args.number)
        print(f"deleted session {args.number}")
        return 0
    if not args.all:
        raise HistoryError("say which: a session number (see 'history list') or --all")
    _check_profile(store, args.profile)
    whose = f"of {args.profile}" if args.profile else "of every profile, and the profiles"
    n = store.count(SessionQuery(profile=args.profile))
    if not args.yes and not _confirm(f"Delete all {_sessions(n)} {whose}?"):
        raise HistoryError("nothing deleted: add --yes to delete everything without asking")
    deleted = store.delete_all(args.profile)
    print(f"deleted {_sessions(deleted)} {whose}")
    return 0


def _cmd_profiles(args: argparse.Namespace) -> int:
    store = open_store()
    profiles = store.profiles()
    if not profiles:
        print(f"No profiles yet ({store.path}).")
    for p in profiles:
        last = (
            "" if p.last_started_at is None else f", last {p.last_started_at.astimezone():%Y-%m-%d}"
        )
        print(f"{p.name}: {_sessions(p.sessions)}{last}")
    return 0


def _cmd_where(args: argparse.Namespace) -> int:
    print(default_path())
    return 0


# -- report ----------------------------------------------------------------------------------
def _cmd_report(args: argparse.Namespace) -> int:
    from posecheck.review.pdf import gather, render_pdf  # noqa: PLC0415  (matplotlib, fpdf2)

    out = _out_path(args.out, args.force)
    if out.suffix.lower() != ".pdf":
        raise HistoryError(f"--out {out}: the report is a PDF, so name it ….pdf")
    store = open_store()
    profile = clean_profile(args.profile)
    _check_profile(store, profile)
    start, end = _dates(args)
    data = gather(store, profile=profile, date_from=start, date_to=end, stretch_id=args.stretch)
    if not data.rows:
        raise HistoryError(f"no saved sessions for {profile} in that period: nothing to report")
    out.write_bytes(render_pdf(data))
    print(f"report: {out} ({_sessions(len(data.rows))}, {data.period_text})")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``history`` and ``report`` to the CLI's subcommands."""
    h = sub.add_parser(
        "history",
        help="saved sessions (kept only on this computer)",
        description=f"Saved sessions, kept only on this computer in {default_path()} "
        f"(set {DATA_DIR_ENV} to use another folder).",
    )
    hsub = h.add_subparsers(dest="history_command", required=True)
    ls = hsub.add_parser("list", help="the newest saved sessions")
    _add_filters(ls)
    ls.add_argument("--limit", type=int, default=LIST_DEFAULT, help="how many (default 20)")
    ls.add_argument("--all", action="store_true", help="every matching session")
    ls.set_defaults(func=_cmd_list)
    sh = hsub.add_parser("show", help="one session in full")
    sh.add_argument("number", type=int, help="the session number from 'history list'")
    sh.set_defaults(func=_cmd_show)
    ex = hsub.add_parser("export", help="sessions as CSV (or one session's frames)")
    _add_filters(ex)
    ex.add_argument("--frames", type=int, metavar="NUMBER", help="one session's per-frame angles")
    ex.add_argument("--out", default="-", help="CSV file to write (default: print it)")
    ex.add_argument("--force", action="store_true", help="replace --out if it exists")
    ex.set_defaults(func=_cmd_export)
    de = hsub.add_parser("delete", help="delete one session, or all of them")
    de.add_argument("number", type=int, nargs="?", help="the session number")
    de.add_argument("--all", action="store_true", help="every session (of --profile, if given)")
    de.add_argument("--profile", help="with --all: only this person's sessions")
    de.add_argument("--yes", action="store_true", help="do not ask before deleting everything")
    de.set_defaults(func=_cmd_delete)
    hsub.add_parser("profiles", help="who has saved sessions").set_defaults(func=_cmd_profiles)
    hsub.add_parser("where", help="print where the history file is").set_defaults(func=_cmd_where)

    r = sub.add_parser("report", help="a PDF progress report for a physiotherapist")
    r.add_argument("--profile", help="whose sessions (default: Me)")
    r.add_argument("--stretch", help="only this stretch (id)")
    r.add_argument("--from", dest="date_from", metavar="DATE", help="from this day, YYYY-MM-DD")
    r.add_argument("--to", dest="date_to", metavar="DATE", help="up to this day, YYYY-MM-DD")
    r.add_argument("--out", required=True, help="the PDF file to write")
    r.add_argument("--force", action="store_true", help="replace --out if it exists")
    r.set_defaults(func=_cmd_report)
