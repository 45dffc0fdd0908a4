"""The local history: one SQLite file in the user's data folder, nothing leaves the machine.

- Where: ``$POSECHECK_DATA_DIR/history.sqlite3`` if set, else the platform's data folder
  (``$XDG_DATA_HOME/posecheck`` or ``~/.local/share/posecheck`` on Linux).
- WAL journal, ``synchronous=NORMAL``: a process killed mid-save (``kill -9``) loses at most
  that set; every committed one stays. Writers wait for each other (busy timeout), so two app
  tabs saving at once both land. Each set is saved in one transaction.
- Schema version in ``PRAGMA user_version``, upgraded by :data:`MIGRATIONS` in order, each in
  its own transaction. The file is marked as posecheck's with ``PRAGMA application_id``.
- A file that is not a posecheck history (damaged, or another program's database) is never
  deleted or written to: it is renamed beside itself (``history.sqlite3.unreadable-<time>``),
  a new history is started, and :meth:`HistoryStore.take_notice` says what happened.
- Deleting uses ``secure_delete``, and deleting everything truncates the journal, so deleted
  sessions do not linger in the file.

One connection per store, used by one thread at a time, so a store can be shared across
threads; other processes (another app, the CLI) use their own.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TypeVar

from posecheck.review.records import (
    FaultTally,
    FaultTotal,
    HistoryError,
    HoldRecord,
    NewSession,
    Profile,
    RomFrame,
    SessionDetail,
    SessionQuery,
    SessionRow,
    clean_profile,
)

DATA_DIR_ENV = "POSECHECK_DATA_DIR"
DB_NAME = "history.sqlite3"
APPLICATION_ID = 0x50434B48  # "PCKH": posecheck history
BUSY_TIMEOUT_S = 10.0
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_SQLITE_HEADER = b"SQLite format 3\x00"

T = TypeVar("T")

#: Schema migrations: entry N (0-based) takes the file from version N to N + 1. Never edit a
#: released entry; append a new one.
MIGRATIONS: tuple[str, ...] = (
    # 1: profiles, sessions with their summary, fault tallies, per-frame range of motion.
    """
    CREATE TABLE profiles (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        started_at TEXT NOT NULL,
        origin TEXT NOT NULL,
        stretch_id TEXT NOT NULL,
        stretch_name TEXT NOT NULL,
        source_name TEXT,
        duration_s REAL NOT NULL,
        no_person_s REAL NOT NULL,
        unknown_s REAL NOT NULL,
        hold_target_s REAL,
        holds_completed INTEGER NOT NULL,
        reps_json TEXT NOT NULL,
        rom_label TEXT,
        best_left_deg REAL,
        best_right_deg REAL,
        uncertainty_deg REAL,
        fault_events INTEGER NOT NULL
    );
    CREATE INDEX sessions_by_profile_time ON sessions(profile_id, started_at);
    CREATE INDEX sessions_by_time ON sessions(started_at);
    CREATE TABLE session_faults (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        fault_id TEXT NOT NULL,
        side TEXT,
        message TEXT NOT NULL,
        times INTEGER NOT NULL,
        flagged_s REAL NOT NULL
    );
    CREATE INDEX session_faults_by_session ON session_faults(session_id);
    CREATE TABLE rom_frames (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        frame INTEGER NOT NULL,
        t_ms REAL NOT NULL,
        left_deg REAL,
        right_deg REAL,
        PRIMARY KEY (session_id, frame)
    ) WITHOUT ROWID;
    """,
    # 2: every hold on its own row (version 1 kept only the number completed).
    """
    CREATE TABLE session_holds (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        n INTEGER NOT NULL,
        side TEXT,
        held_s REAL NOT NULL,
        completed INTEGER NOT NULL,
        peak_rom_deg REAL,
        PRIMARY KEY (session_id, n)
    ) WITHOUT ROWID;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_ROW_COLUMNS = (
    "s.id, p.name, s.started_at, s.origin, s.stretch_id, s.stretch_name, s.source_name, "
    "s.duration_s, s.hold_target_s, s.holds_completed, s.reps_json, s.rom_label, "
    "s.best_left_deg, s.best_right_deg, s.uncertainty_deg, s.fault_events"
)


def data_dir() -> Path:
    """The folder posecheck keeps its history in (``$POSECHECK_DATA_DIR`` overrides)."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "posecheck"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "posecheck"
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else home / ".local" / "share") / "posecheck"


def default_path() -> Path:
    return data_dir() / DB_NAME


def utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(_TIME_FORMAT)


def parse_utc(text: str) -> datetime:
    """The inverse of :func:`utc_text` (``fromisoformat`` is many times faster than
    ``strptime``, which matters over thousands of rows)."""
    try:
        return datetime.fromisoformat(text.rstrip("Z")).replace(tzinfo=timezone.utc)
    except ValueError:
        raise HistoryError(f"a saved session has an unreadable time: {text!r}") from None


def local_day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in this computer's time zone."""
    return datetime.combine(day, time.min).astimezone()


class _Unusable(Exception):
    """The file is not a posecheck history this version can use (internal)."""


class HistoryStore:
    """Saved sessions and profiles in one SQLite file. See the module docstring."""

    def __init__(self, path: str | Path | None = None, *, busy_timeout_s: float = BUSY_TIMEOUT_S):
        self.path = Path(path) if path is not None else default_path()
        self.busy_timeout_s = busy_timeout_s
        self._notices: list[str] = []
        self._lock = threading.RLock()
        self._con: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(
                f"cannot create the history folder {self.path.parent} ({exc.strerror}); "
                f"set {DATA_DIR_ENV} to a folder you can write to"
            ) from None
        self._open()

    # -- opening, checking, migrating ------------------------------------------------------
    def _open(self) -> None:
        try:
            self._prepare()
        except _Unusable as exc:
            self._set_aside(str(exc))
            self._prepare()

    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout_s,
                isolation_level=None,
                check_same_thread=False,  # shared by the app's threads, behind self._lock
            )
        except sqlite3.Error as exc:
            raise HistoryError(f"cannot open the history file {self.path}: {exc}") from None
        try:
            con.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("PRAGMA synchronous = NORMAL")
            con.execute("PRAGMA secure_delete = ON")
            con.create_function(_FOLD, 1, _fold, deterministic=True)
        except sqlite3.Error:
            con.close()
            raise
        return con

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """The store's connection, one user at a time. It stays open: closing the last
        connection makes SQLite checkpoint and remove the journal, which would cost every
        save a disk flush."""
        with self._lock:
            if self._con is None:
                self._con = self._connect()
            con = self._con
            try:
                yield con
            finally:
                if con.in_transaction:
                    con.execute("ROLLBACK")

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    def _prepare(self) -> None:
        # Look before SQLite does: opening a non-database makes SQLite drop a journal beside it.
        try:
            with self.path.open("rb") as f:
                head = f.read(len(_SQLITE_HEADER))
        except FileNotFoundError:
            head = b""
        except OSError as exc:
            raise HistoryError(f"cannot read the history file {self.path}: {exc}") from None
        if head and head != _SQLITE_HEADER:
            raise _Unusable("it is not a database: it does not start like an SQLite file")
        try:
            con = self._connect()
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            version = con.execute("PRAGMA user_version").fetchone()[0]
            tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.OperationalError as exc:
            raise HistoryError(f"cannot read the history file {self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise _Unusable(f"it is not a database SQLite can read: {exc}") from None
        with closing(con):
            if app_id != APPLICATION_ID and tables:
                raise _Unusable("it is another program's database, not a posecheck history")
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"the history file {self.path} was written by a newer posecheck "
                    f"(schema {version}, this one knows {SCHEMA_VERSION}); update posecheck, or "
                    f"set {DATA_DIR_ENV} to use another folder"
                )
            try:
                mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as exc:
                raise HistoryError(f"cannot use the history file {self.path}: {exc}") from None
            if str(mode).lower() != "wal":
                raise HistoryError(f"the history file {self.path} cannot use a write-ahead log")
            self._migrate(con)

    def _migrate(self, con: sqlite3.Connection) -> None:
        """Bring the file to :data:`SCHEMA_VERSION`, one transaction per step (two processes
        opening an old file at once: the second finds the work done)."""
        while True:
            con.execute("BEGIN IMMEDIATE")
            try:
                version = con.execute("PRAGMA user_version").fetchone()[0]
                if version >= SCHEMA_VERSION:
                    con.execute("COMMIT")
                    return
                for statement in _statements(MIGRATIONS[version]):
                    con.execute(statement)
                con.execute(f"PRAGMA user_version = {version + 1}")
                con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                con.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                con.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    raise HistoryError(f"cannot upgrade the history file: {exc}") from None
                raise _Unusable(f"it could not be upgraded: {exc}") from None

    def _set_aside(self, reason: str) -> Path:
        """Rename a file we cannot use (and its journal) beside itself; never delete it."""
        self.close()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.unreadable-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.unreadable-{stamp}-{n}")
        try:
            self.path.rename(aside)
            for suffix in ("-wal", "-shm"):
                extra = self.path.with_name(self.path.name + suffix)
                if extra.exists():
                    extra.rename(aside.with_name(aside.name + suffix))
        except OSError as exc:
            raise HistoryError(
                f"the history file {self.path} cannot be used ({reason}) and could not be "
                f"moved aside ({exc.strerror}); move it away yourself or set {DATA_DIR_ENV}"
            ) from None
        self._notices.append(
            f"The history file could not be used ({reason}). It was kept as {aside} and a new, "
            "empty history was started."
        )
        return aside

    def take_notice(self) -> str | None:
        """What happened to an unusable history file since the last call, if anything."""
        if not self._notices:
            return None
        text = " ".join(self._notices)
        self._notices.clear()
        return text

    def _run(self, work: Callable[[sqlite3.Connection], T], *, retry_fresh: bool = False) -> T:
        """Run ``work`` on a connection. A file found damaged on the way is set aside and a
        new history started; with ``retry_fresh`` the work (a save) is then done there."""
        try:
            with self._connection() as con:
                return work(con)
        except sqlite3.OperationalError as exc:
            raise HistoryError(f"the history could not be used just now: {exc}") from None
        except sqlite3.DatabaseError as exc:
            self._set_aside(f"it is damaged: {exc}")
            self._prepare()
            if not retry_fresh:
                raise HistoryError(self.take_notice() or str(exc)) from None
        with self._connection() as con:
            return work(con)

    # -- writing ---------------------------------------------------------------------------
    def save(self, session: NewSession) -> int:
        """Save one set in one transaction; returns its session number."""
        return self._run(lambda con: _save(con, session), retry_fresh=True)

    def add_profile(self, name: str) -> str:
        """Add a profile, or find the one that differs only in capitals or in how its letters
        were typed ("anna" is "Anna"); returns the name as stored."""
        name = clean_profile(name)

        def work(con: sqlite3.Connection) -> str:
            pid = _profile_id(con, name, create=True)
            return con.execute("SELECT name FROM profiles WHERE id = ?", (pid,)).fetchone()[0]

        return self._run(work)

    def has_profile(self, name: str) -> bool:
        """Whether ``name`` is a profile, matched as a save matches it (capitals, spaces and
        how the letters were typed ignored)."""
        name = clean_profile(name)
        return self._run(lambda con: _profile_id(con, name, create=False) is not None)

    def delete_session(self, session_id: int) -> None:
        def work(con: sqlite3.Connection) -> None:
            if con.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount == 0:
                raise HistoryError(
                    f"there is no saved session {session_id} (see 'posecheck history list')"
                )

        self._run(work)

    def delete_all(self, profile: str | None = None) -> int:
        """Delete every session (of ``profile``, or of everyone with its profiles too);
        returns how many sessions were deleted."""

        def work(con: sqlite3.Connection) -> int:
            con.execute("BEGIN IMMEDIATE")
            try:
                if profile is None:
                    n = con.execute("DELETE FROM sessions").rowcount
                    con.execute("DELETE FROM profiles")
                else:
                    n = con.execute(
                        "DELETE FROM sessions WHERE profile_id IN "
                        f"(SELECT id FROM profiles WHERE {_FOLD}(name) = ?)",
                        (_fold(clean_profile(profile)),),
                    ).rowcount
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return n

        return self._run(work)

    # -- reading ---------------------------------------------------------------------------
    def profiles(self) -> tuple[Profile, ...]:
        """Every profile, by name in any capitals. Names differing only in capitals are one
        profile (an older file may hold both, e.g. "Åsa" and "åsa": SQLite's NOCASE only
        folds A-Z), named as first created."""

        def work(con: sqlite3.Connection) -> tuple[Profile, ...]:
            rows = con.execute(
                "SELECT p.name, count(s.id), max(s.started_at) FROM profiles p "
                "LEFT JOIN sessions s ON s.profile_id = p.id GROUP BY p.id ORDER BY p.id"
            ).fetchall()
            merged: dict[str, tuple[str, int, str | None]] = {}
            for name, n, last in rows:
                first, total, latest = merged.get(_fold(name), (name, 0, None))
                if last is not None and (latest is None or last > latest):
                    latest = last
                merged[_fold(name)] = (first, total + n, latest)
            return tuple(
                Profile(n, c, parse_utc(t) if t else None)
                for n, c, t in sorted(merged.values(), key=lambda v: (_fold(v[0]), v[0]))
            )

        return self._run(work)

    def sessions(self, query: SessionQuery | None = None) -> list[SessionRow]:
        """Saved sessions, oldest first (or newest first), filtered by ``query``."""
        q = query or SessionQuery()
        where, args = _where(q)
        order = "DESC" if q.newest_first else "ASC"
        sql = (
            f"SELECT {_ROW_COLUMNS} FROM sessions s JOIN profiles p ON p.id = s.profile_id "
            f"{where} ORDER BY s.started_at {order}, s.id {order}"
        )
        if q.limit is not None:
            sql += f" LIMIT {int(q.limit)}"

        def work(con: sqlite3.Connection) -> list[SessionRow]:
            names = _first_names(con)
            return _rows(con.execute(sql, args), names)

        return self._run(work)

    def stretches(self, profile: str | None = None) -> dict[str, str]:
        """The stretches with saved sessions (of ``profile``): id -> name."""
        where, args = _where(SessionQuery(profile=profile))
        sql = (
            "SELECT s.stretch_id, max(s.stretch_name) FROM sessions s "
            f"JOIN profiles p ON p.id = s.profile_id {where} GROUP BY s.stretch_id"
        )
        return self._run(lambda con: dict(con.execute(sql, args).fetchall()))

    def first_started(self, profile: str | None = None) -> datetime | None:
        """When the earliest saved session (of ``profile``) started, in local time."""
        where, args = _where(SessionQuery(profile=profile))
        sql = (
            "SELECT min(s.started_at) FROM sessions s "
            f"JOIN profiles p ON p.id = s.profile_id {where}"
        )
        first = self._run(lambda con: con.execute(sql, args).fetchone()[0])
        return None if first is None else parse_utc(first).astimezone()

    def count(self, query: SessionQuery | None = None) -> int:
        where, args = _where(query or SessionQuery())
        sql = f"SELECT count(*) FROM sessions s JOIN profiles p ON p.id = s.profile_id {where}"
        return self._run(lambda con: con.execute(sql, args).fetchone()[0])

    def session(self, session_id: int) -> SessionDetail:
        def work(con: sqlite3.Connection) -> SessionDetail:
            r = con.execute(
                f"SELECT {_ROW_COLUMNS}, s.no_person_s, s.unknown_s FROM sessions s "
                "JOIN profiles p ON p.id = s.profile_id WHERE s.id = ?",
                (session_id,),
            ).fetchone()
            if r is None:
                raise HistoryError(
                    f"there is no saved session {session_id} (see 'posecheck history list')"
                )
            faults = con.execute(
                "SELECT fault_id, side, message, times, flagged_s FROM session_faults "
                "WHERE session_id = ? ORDER BY times DESC, fault_id",
                (session_id,),
            ).fetchall()
            holds = con.execute(
                "SELECT side, held_s, completed, peak_rom_deg FROM session_holds "
                "WHERE session_id = ? ORDER BY n",
                (session_id,),
            ).fetchall()
            frames = con.execute(
                "SELECT t_ms, left_deg, right_deg FROM rom_frames WHERE session_id = ? "
                "ORDER BY frame",
                (session_id,),
            ).fetchall()
            return SessionDetail(
                _row(r[:-2], names=_first_names(con)),
                r[-2],
                r[-1],
                tuple(FaultTally(*f) for f in faults),
                tuple(HoldRecord(s, h, bool(c), p) for s, h, c, p in holds),
                tuple(RomFrame(*f) for f in frames),
            )

        return self._run(work)

    def fault_totals(self, query: SessionQuery | None = None) -> list[FaultTotal]:
        """Fault messages over the chosen sessions, most often flagged first."""
        where, args = _where(query or SessionQuery())
        sql = (
            "SELECT f.message, sum(f.times), count(DISTINCT f.session_id) FROM session_faults f "
            f"JOIN sessions s ON s.id = f.session_id JOIN profiles p ON p.id = s.profile_id "
            f"{where} GROUP BY f.message ORDER BY sum(f.times) DESC, f.message"
        )
        return self._run(lambda con: [FaultTotal(*r) for r in con.execute(sql, args)])

    def schema_version(self) -> int:
        return self._run(lambda con: con.execute("PRAGMA user_version").fetchone()[0])


# -- helpers ---------------------------------------------------------------------------------
def _statements(script: str) -> list[str]:
    """Split a migration script into statements (they contain no semicolons in strings)."""
    return [s.strip() for s in script.split(";") if s.strip()]


#: The SQL function :func:`_fold` is registered as on every connection.
_FOLD = "posecheck_fold"


def _fold(name: object) -> object:
    """A profile name for matching: capitals ignored in every alphabet ("Åsa" is "åsa";
    the column's NOCASE folds only A-Z), and however the letters were typed: NFKC first, so
    "Å" as one character and as "A" + a combining ring are one name ("Strauß" is "Strauss")."""
    return unicodedata.normalize("NFKC", name).casefold() if isinstance(name, str) else name


def _profile_id(con: sqlite3.Connection, name: str, *, create: bool) -> int | None:
    """The profile named ``name`` in any capitals (the first created, should an older file
    hold two), created if asked."""
    row = con.execute(
        f"SELECT id FROM profiles WHERE {_FOLD}(name) = ? ORDER BY id LIMIT 1", (_fold(name),)
    ).fetchone()
    if row is not None:
        return row[0]
    if not create:
        return None
    cur = con.execute(
        "INSERT INTO profiles (name, created_at) VALUES (?, ?)",
        (name, utc_text(datetime.now(timezone.utc))),
    )
    return cur.lastrowid


def _save(con: sqlite3.Connection, s: NewSession) -> int:
    con.execute("BEGIN IMMEDIATE")
    try:
        pid = _profile_id(con, clean_profile(s.profile), create=True)
        cur = con.execute(
            "INSERT INTO sessions (profile_id, started_at, origin, stretch_id, stretch_name, "
            "source_name, duration_s, no_person_s, unknown_s, hold_target_s, holds_completed, "
            "reps_json, rom_label, best_left_deg, best_right_deg, uncertainty_deg, fault_events) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                pid,
                utc_text(s.started_at),
                s.origin,
                s.stretch_id,
                s.stretch_name,
                s.source_name,
                s.duration_s,
                s.no_person_s,
                s.unknown_s,
                s.hold_target_s,
                s.holds_completed,
                json.dumps([[side, n] for side, n in s.reps]),
                s.rom_label,
                s.best_left_deg,
                s.best_right_deg,
                s.uncertainty_deg,
                sum(f.times for f in s.faults),
            ),
        )
        sid = int(cur.lastrowid or 0)
        con.executemany(
            "INSERT INTO session_faults (session_id, fault_id, side, message, times, flagged_s) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(sid, f.fault_id, f.side, f.message, f.times, f.flagged_s) for f in s.faults],
        )
        con.executemany(
            "INSERT INTO session_holds (session_id, n, side, held_s, completed, peak_rom_deg) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (sid, n, h.side, h.held_s, int(h.completed), h.peak_rom_deg)
                for n, h in enumerate(s.holds)
            ],
        )
        con.executemany(
            "INSERT INTO rom_frames (session_id, frame, t_ms, left_deg, right_deg) "
            "VALUES (?, ?, ?, ?, ?)",
            [(sid, n, f.t_ms, f.left_deg, f.right_deg) for n, f in enumerate(s.rom_frames)],
        )
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    return sid


def _where(q: SessionQuery) -> tuple[str, list[object]]:
    clauses: list[str] = []
    args: list[object] = []
    if q.profile is not None:
        clauses.append(f"{_FOLD}(p.name) = ?")
        args.append(_fold(clean_profile(q.profile)))
    if q.stretch_id is not None:
        clauses.append("s.stretch_id = ?")
        args.append(q.stretch_id)
    if q.date_from is not None:
        clauses.append("s.started_at >= ?")
        args.append(utc_text(local_day_start(q.date_from)))
    if q.date_to is not None:
        clauses.append("s.started_at < ?")
        args.append(utc_text(local_day_start(q.date_to + timedelta(days=1))))
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", args


def _first_names(con: sqlite3.Connection) -> dict[object, str]:
    """Each profile's name as first created, by its name without capitals (a row of "åsa"
    saved beside "Åsa" by an older posecheck reads as Åsa's, as :meth:`profiles` lists it)."""
    names: dict[object, str] = {}
    for (name,) in con.execute("SELECT name FROM profiles ORDER BY id"):
        names.setdefault(_fold(name), name)
    return names


def _rows(cursor: Iterable[tuple], names: dict[object, str] | None = None) -> list[SessionRow]:
    reps: dict[str, tuple[tuple[str, int], ...]] = {}  # a few distinct values, parsed once
    return [_row(r, reps, names) for r in cursor]


def _parse_reps(text: str) -> tuple[tuple[str, int], ...]:
    return tuple((str(side), int(n)) for side, n in json.loads(text))


def _row(
    r: tuple,
    reps: dict[str, tuple[tuple[str, int], ...]] | None = None,
    names: dict[object, str] | None = None,
) -> SessionRow:
    if reps is None:
        reps = {}
    if r[10] not in reps:
        reps[r[10]] = _parse_reps(r[10])
    started = parse_utc(r[2])
    return SessionRow(
        session_id=r[0],
        profile=names.get(_fold(r[1]), r[1]) if names else r[1],
        started_at=started,
        local_start=started.astimezone(),
        origin=r[3],
        stretch_id=r[4],
        stretch_name=r[5],
        source_name=r[6],
        duration_s=r[7],
        hold_target_s=r[8],
        holds_completed=r[9],
        reps=reps[r[10]],
        rom_label=r[11],
        best_left_deg=r[12],
        best_right_deg=r[13],
        uncertainty_deg=r[14],
        fault_events=r[15],
    )
