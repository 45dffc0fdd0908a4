"""What a saved session is: frozen records going into the history and coming out of it.

A session is built from the objects the analysis already makes (:class:`~posecheck.coaching.checker.
Summary`, the spec, and for a file the per-frame :class:`~posecheck.coaching.pipeline.FrameRecord`
table); nothing but summaries and per-frame range of motion is kept, never video.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from posecheck.errors import PosecheckError

if TYPE_CHECKING:  # the analysis pulls in OpenCV; the history commands do not need it
    from posecheck.coaching.checker import Summary
    from posecheck.coaching.pipeline import FrameRecord
    from posecheck.review.analysis import Analysis
    from posecheck.specs.schema import StretchSpec

#: Where a session came from, in words.
ORIGINS = ("live", "replay", "command line")
DEFAULT_PROFILE = "Me"
PROFILE_MAX_CHARS = 40


class HistoryError(PosecheckError):
    """The history could not be read or written, or a request to it makes no sense."""


@dataclass(frozen=True)
class FaultTally:
    """One fault on one side in one session: how often it was flagged and for how long."""

    fault_id: str
    side: str | None  # "left", "right" or None (whole body)
    message: str
    times: int
    flagged_s: float


@dataclass(frozen=True)
class HoldRecord:
    """One time in position (a rep; a hold if it lasted long enough)."""

    side: str | None
    held_s: float
    completed: bool
    peak_rom_deg: float | None


@dataclass(frozen=True)
class RomFrame:
    """The range of motion in one frame (None where that side could not be measured)."""

    t_ms: float
    left_deg: float | None
    right_deg: float | None


@dataclass(frozen=True)
class NewSession:
    """A set to save: everything the history keeps about it."""

    profile: str
    started_at: datetime  # timezone-aware
    origin: str  # one of ORIGINS
    stretch_id: str
    stretch_name: str
    source_name: str | None  # the clip's file name; None for the camera
    duration_s: float
    no_person_s: float
    unknown_s: float
    hold_target_s: float | None
    holds_completed: int
    reps: tuple[tuple[str, int], ...]
    rom_label: str | None
    best_left_deg: float | None
    best_right_deg: float | None
    uncertainty_deg: float | None
    faults: tuple[FaultTally, ...] = ()
    holds: tuple[HoldRecord, ...] = ()
    rom_frames: tuple[RomFrame, ...] = ()


@dataclass(frozen=True, slots=True)  # slots: thousands are made for one page
class SessionRow:
    """A saved session as listed: its summary, without the per-frame detail."""

    session_id: int
    profile: str
    started_at: datetime  # UTC
    local_start: datetime  # the same moment in this computer's time zone
    origin: str
    stretch_id: str
    stretch_name: str
    source_name: str | None
    duration_s: float
    hold_target_s: float | None
    holds_completed: int
    reps: tuple[tuple[str, int], ...]
    rom_label: str | None
    best_left_deg: float | None
    best_right_deg: float | None
    uncertainty_deg: float | None
    fault_events: int

    @property
    def reps_total(self) -> int:
        return sum(n for _, n in self.reps)

    @property
    def asymmetry_deg(self) -> float | None:
        if self.best_left_deg is None or self.best_right_deg is None:
            return None
        return abs(self.best_left_deg - self.best_right_deg)

    @property
    def local_day(self) -> date:
        return self.local_start.date()


@dataclass(frozen=True)
class SessionDetail:
    """A saved session with everything kept about it."""

    row: SessionRow
    no_person_s: float
    unknown_s: float
    faults: tuple[FaultTally, ...]
    holds: tuple[HoldRecord, ...]
    rom_frames: tuple[RomFrame, ...]


@dataclass(frozen=True)
class Profile:
    name: str
    sessions: int
    last_started_at: datetime | None


@dataclass(frozen=True)
class FaultTotal:
    """A fault message over many sessions: times flagged, and in how many sessions."""

    message: str
    times: int
    sessions: int


@dataclass(frozen=True)
class SessionQuery:
    """Which sessions: a profile (None: everyone), a stretch, local dates (inclusive)."""

    profile: str | None = None
    stretch_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    limit: int | None = None
    newest_first: bool = False


def clean_profile(name: str | None) -> str:
    """A profile name as stored: trimmed; blank means the default profile."""
    name = (name or "").strip() or DEFAULT_PROFILE
    if len(name) > PROFILE_MAX_CHARS:
        raise HistoryError(
            f"profile name '{name[:20]}…' is too long: use at most {PROFILE_MAX_CHARS} characters"
        )
    if any(not ch.isprintable() for ch in name):
        raise HistoryError("a profile name cannot contain control characters")
    return name


def _finite(v: float | None, nd: int = 2) -> float | None:
    return None if v is None or math.isnan(v) else round(float(v), nd)


def fault_tallies(summary: Summary) -> tuple[FaultTally, ...]:
    """The summary's fault events counted per fault and side; open events run to the end."""
    end_ms = summary.duration_s * 1000.0
    tallies: dict[tuple[str, str | None], FaultTally] = {}
    for e in summary.faults:
        key = (e.fault_id, e.side)
        stop = e.end_ms if e.end_ms is not None else max(end_ms, e.flagged_ms)
        seconds = max(0.0, stop - e.flagged_ms) / 1000.0
        old = tallies.get(key)
        tallies[key] = FaultTally(
            e.fault_id,
            e.side,
            e.message,
            (old.times if old else 0) + 1,
            round((old.flagged_s if old else 0.0) + seconds, 2),
        )
    return tuple(sorted(tallies.values(), key=lambda t: (-t.times, t.fault_id, t.side or "")))


def rom_frames(records: Iterable[FrameRecord]) -> tuple[RomFrame, ...]:
    """Per-frame range of motion, for the frames where at least one side was measured."""
    return tuple(
        RomFrame(r.t_ms, r.rom_left_deg, r.rom_right_deg)
        for r in records
        if r.rom_left_deg is not None or r.rom_right_deg is not None
    )


def session_from_summary(
    summary: Summary,
    spec: StretchSpec,
    *,
    profile: str | None,
    origin: str,
    source_name: str | None = None,
    records: Iterable[FrameRecord] = (),
    started_at: datetime | None = None,
) -> NewSession:
    """A session to save from a checker summary (live) or an analysis' parts (a file)."""
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, not {origin!r}")
    best = dict(summary.best_rom_deg)
    return NewSession(
        profile=clean_profile(profile),
        started_at=(started_at or datetime.now(timezone.utc)).astimezone(timezone.utc),
        origin=origin,
        stretch_id=spec.id,
        stretch_name=spec.name,
        source_name=source_name,
        duration_s=round(summary.duration_s, 2),
        no_person_s=round(summary.no_person_s, 2),
        unknown_s=round(summary.unknown_s, 2),
        hold_target_s=spec.dose.hold_s if spec.dose.kind == "hold" else None,
        holds_completed=summary.holds_completed,
        reps=tuple(summary.reps),
        rom_label=spec.rom.label if spec.rom is not None else None,
        best_left_deg=_finite(best.get("left"), 1),
        best_right_deg=_finite(best.get("right"), 1),
        uncertainty_deg=spec.rom.uncertainty_deg if spec.rom is not None else None,
        faults=fault_tallies(summary),
        holds=tuple(
            HoldRecord(
                None if h.side is None else str(h.side),
                round(h.held_s, 2),
                h.completed,
                _finite(h.peak_rom_deg, 1),
            )
            for h in summary.holds
        ),
        rom_frames=rom_frames(records) if spec.rom is not None else (),
    )


def session_from_analysis(
    analysis: Analysis,
    *,
    profile: str | None,
    origin: str = "replay",
    source_name: str | None = None,
    started_at: datetime | None = None,
) -> NewSession:
    """A session to save from a whole-file analysis (replay in the app, or the CLI);
    ``source_name`` is the clip's name for people (default: the file's name)."""
    return session_from_summary(
        analysis.summary,
        analysis.spec,
        profile=profile,
        origin=origin,
        source_name=source_name or Path(analysis.source.path).name,
        records=analysis.records,
        started_at=started_at,
    )
