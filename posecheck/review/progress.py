"""Progress over weeks, from saved sessions: what the Progress page and the PDF report show.

Pure functions of :class:`~posecheck.review.records.SessionRow` lists (no database, no
Streamlit, no pandas), so the page, the report and the CLI say the same thing.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from posecheck.coaching.wording import reps_words
from posecheck.review.records import SessionRow

SIDES = ("left", "right")


@dataclass(frozen=True)
class RomPoint:
    """The best range of motion of one side in one session, with its uncertainty band."""

    session_id: int
    started_at: datetime  # local time
    stretch_id: str
    stretch_name: str
    side: str
    best_deg: float
    low_deg: float
    high_deg: float


@dataclass(frozen=True)
class WeekCount:
    week_start: date  # a Monday
    sessions: int


@dataclass(frozen=True)
class SideSummary:
    """One stretch's left/right figures over the chosen sessions (the report's table)."""

    stretch_name: str
    rom_label: str | None
    sessions: int
    first_deg: tuple[float | None, float | None]  # (left, right), first session measured
    latest_deg: tuple[float | None, float | None]
    best_deg: tuple[float | None, float | None]
    latest_difference_deg: float | None
    uncertainty_deg: float | None


@dataclass(frozen=True)
class Adherence:
    sessions: int
    active_days: int
    days: int  # days in the period
    weeks: float
    sessions_per_week: float
    holds_completed: int
    reps: int
    minutes: float


def _best(row: SessionRow, side: str) -> float | None:
    return row.best_left_deg if side == "left" else row.best_right_deg


def rom_points(rows: Iterable[SessionRow]) -> list[RomPoint]:
    """Per session and side, the best value and the band ``best ± uncertainty``."""
    out: list[RomPoint] = []
    for r in rows:
        u = r.uncertainty_deg or 0.0
        for side in SIDES:
            v = _best(r, side)
            if v is not None:
                out.append(
                    RomPoint(
                        r.session_id,
                        r.local_start,
                        r.stretch_id,
                        r.stretch_name,
                        side,
                        v,
                        v - u,
                        v + u,
                    )
                )
    return out


def time_ticks(times: Sequence[datetime], most: int = 4) -> list[datetime]:
    """Where a chart of sets within a day or two puts its time ticks: at the sets themselves, the
    first set of each minute (a label is to the minute, so two ticks never read the same), at most
    `most` of them spread over the list. Never a time outside the first to last set: a tick there
    falls off the axis, and with two sets on one day no label showed at all."""
    firsts: dict[datetime, datetime] = {}
    for t in sorted(times):
        firsts.setdefault(t.replace(second=0, microsecond=0), t)
    picked = list(firsts.values())
    return picked[:: max(1, math.ceil(len(picked) / most))] if picked else []


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_sessions(
    rows: Sequence[SessionRow], date_from: date | None = None, date_to: date | None = None
) -> list[WeekCount]:
    """Sessions per week (weeks start on Monday), empty weeks included."""
    days = [r.local_day for r in rows]
    if not days and (date_from is None or date_to is None):
        return []
    first = week_start(date_from or min(days))
    last = week_start(date_to or max(days))
    counts: dict[date, int] = {}
    for d in days:
        counts[week_start(d)] = counts.get(week_start(d), 0) + 1
    out = []
    week = first
    while week <= last:
        out.append(WeekCount(week, counts.get(week, 0)))
        week += timedelta(days=7)
    return out


def side_summaries(rows: Sequence[SessionRow]) -> list[SideSummary]:
    """The left/right table, one row per stretch that measures a range of motion."""
    by_stretch: dict[str, list[SessionRow]] = {}
    for r in sorted(rows, key=lambda r: r.started_at):
        if r.rom_label is not None:
            by_stretch.setdefault(r.stretch_name, []).append(r)
    out = []
    for name, group in sorted(by_stretch.items()):

        def pick(side: str, chooser: str, group: list[SessionRow] = group) -> float | None:
            vals = [v for v in (_best(r, side) for r in group) if v is not None]
            if not vals:
                return None
            return {"first": vals[0], "latest": vals[-1], "best": max(vals)}[chooser]

        both = [r for r in group if r.asymmetry_deg is not None]
        out.append(
            SideSummary(
                stretch_name=name,
                rom_label=group[-1].rom_label,
                sessions=len(group),
                first_deg=(pick("left", "first"), pick("right", "first")),
                latest_deg=(pick("left", "latest"), pick("right", "latest")),
                best_deg=(pick("left", "best"), pick("right", "best")),
                latest_difference_deg=both[-1].asymmetry_deg if both else None,
                uncertainty_deg=group[-1].uncertainty_deg,
            )
        )
    return out


def adherence(
    rows: Sequence[SessionRow], date_from: date | None = None, date_to: date | None = None
) -> Adherence:
    """How regularly: sessions, days with a session, sessions per week over the period."""
    days = [r.local_day for r in rows]
    start = date_from or (min(days) if days else None)
    end = date_to or (max(days) if days else None)
    span = (end - start).days + 1 if start and end else 0
    weeks = max(span / 7.0, 1.0) if span else 0.0
    return Adherence(
        sessions=len(rows),
        active_days=len(set(days)),
        days=span,
        weeks=round(weeks, 1),
        sessions_per_week=round(len(rows) / weeks, 1) if weeks else 0.0,
        # Holds of the stretches that are held (one done in repetitions counts no holds).
        holds_completed=sum(r.holds_completed for r in rows if r.hold_target_s is not None),
        reps=sum(r.reps_total for r in rows),
        minutes=round(sum(r.duration_s for r in rows) / 60.0, 1),
    )


# -- words ------------------------------------------------------------------------------------
def deg_text(v: float | None) -> str:
    """An angle for people: whole degrees, never negative (no turn at all reads as 0°)."""
    return "-" if v is None else f"{max(v, 0.0):.0f}°"


def origin_words(row: SessionRow) -> str:
    if row.origin == "live":
        return "live, with the camera"
    clip = f" of {row.source_name}" if row.source_name else ""
    return f"{row.origin}{clip}"


def describe(row: SessionRow) -> str:
    """One line naming a session for a person: "Mon 30 Nov 2026, 07:15 · Pigeon · live"."""
    when = row.local_start.strftime("%a %d %b %Y, %H:%M")
    return f"{when} · {row.stretch_name} · {origin_words(row)}"


CSV_FIELDS = (
    "date",
    "time",
    "profile",
    "stretch",
    "how",
    "duration (s)",
    "holds completed",
    "hold target (s)",
    "reps",
    "measured",
    "best left (deg)",
    "best right (deg)",
    "left/right difference (deg)",
    "give or take (deg)",
    "faults flagged",
)


def sessions_csv(rows: Iterable[SessionRow]) -> str:
    """One line per session, with column names a person reads (the raw measured numbers)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_FIELDS)
    for r in rows:
        local = r.local_start
        diff = r.asymmetry_deg
        writer.writerow(
            (
                local.date().isoformat(),  # (isoformat: much faster than strftime)
                f"{local.hour:02d}:{local.minute:02d}",
                r.profile,
                r.stretch_name,
                origin_words(r),
                f"{r.duration_s:.1f}",
                r.holds_completed,
                "" if r.hold_target_s is None else f"{r.hold_target_s:g}",
                reps_words(r.reps, finished=True),
                r.rom_label or "",
                "" if r.best_left_deg is None else f"{r.best_left_deg:.1f}",
                "" if r.best_right_deg is None else f"{r.best_right_deg:.1f}",
                "" if diff is None else f"{diff:.1f}",
                "" if r.uncertainty_deg is None else f"{r.uncertainty_deg:g}",
                r.fault_events,
            )
        )
    return buf.getvalue()
